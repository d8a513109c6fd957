"""Anti-bot challenge markers: the one list, used by page classification and the crawler's site guard.

Pure patterns on a page's HTML. Each user decides how little content a page may have for a
marker to count (:func:`notices.classify.classify_page` counts CJK characters, the crawler's
``spiders.faults`` the length of the visible text), because Ruishu, for one, also injects its
script into the real pages it lets through.
"""

from __future__ import annotations

import re


def _mojibake(text: str) -> str:
    """``text`` as it looks when its UTF-8 bytes were read as Latin-1 (double-encoded pages)."""
    return text.encode("utf-8").decode("latin-1")


def _phrase_pattern(phrase: str) -> str:
    return re.escape(phrase).replace(r"\ ", r"\s*")  # a space in a phrase is any run of spaces


# Ruishu (瑞数) at its plainest: the ``<meta r=m>`` tag or the ``$_ts`` bootstrap. On its own it
# already says "challenge" to the crawler, whatever else the page holds.
RUISHU = re.compile(r"<meta[^>]*\br\s*=\s*['\"]?m|\$_ts\s*=", re.I)

# Every challenge script: Ruishu's variables, Jiasule's and Aliyun's cookies, other WAFs,
# Cloudflare, and a script that sets a cookie and reloads the page.
CHALLENGE_SCRIPT = re.compile(
    RUISHU.pattern
    + r"|\$_ts\.|\$_ss\s*=|_\$[a-z]{2}\s*="
    + r"|__jsl_clearance|acw_sc__v2|_waf_|waf_answer|ChallengeForm|cf-browser-verification|challenge-platform"
    + r"|document\.cookie\s*=.*(location\.(reload|href|replace)|window\.location)",
    re.I | re.S,
)

# What a challenge page says to its visitor.
CHALLENGE_PHRASES: tuple[str, ...] = (
    "请稍候",
    "正在检查浏览器",
    "正在验证",
    "正在获取内容",
    "正在加载内容",
    "请开启 JavaScript",
    "请启用 JavaScript",
    "安全验证",
    "访问验证",
    "人机验证",
    "浏览器安全检查",
    "Please enable JavaScript",
    "Checking your browser",
)
# The phrases, and the phrases as a double-encoded page shows them.
CHALLENGE_TEXT = re.compile(
    "|".join(
        _phrase_pattern(phrase)
        for phrase in (*CHALLENGE_PHRASES, *(_mojibake(p) for p in CHALLENGE_PHRASES if not p.isascii()))
    ),
    re.I,
)
