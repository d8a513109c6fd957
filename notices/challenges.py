"""Anti-bot challenge markers: the one list, used by page classification and the crawler's site guard.

Pure patterns on a page's HTML. Each user decides how little content a page may have for a
marker to count (:func:`notices.classify.classify_page` counts CJK characters, the crawler's
``spiders.faults`` the length of the visible text), because Ruishu, for one, also injects its
script into the real pages it lets through.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


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


@dataclass(frozen=True)
class ChallengeFamily:
    """One anti-bot product, as its challenge page or its cookies show it.

    ``markers`` are searched in the page; ``cookies`` are cookie names its responses set (a name
    ending in ``*`` is a prefix).
    """

    name: str
    label: str
    markers: re.Pattern[str] | None = None
    cookies: tuple[str, ...] = ()


# Most specific first; the first family whose marker or cookie a response shows is the one.
CHALLENGE_FAMILIES: tuple[ChallengeFamily, ...] = (
    ChallengeFamily("ruishu", "瑞数 Ruishu", RUISHU),
    ChallengeFamily(
        "wzws",
        "WZWS",
        re.compile(r"wzwschallenge|WZWSREL|wzwstemplate|wzwsconfirm", re.I),
        cookies=("wzws_cid", "wzwsconfirm", "wzwstemplate", "wzwschallenge", "wzwsvtime"),
    ),
    ChallengeFamily(
        "jiasule",
        "加速乐 Jiasule",
        re.compile(r"__jsl_clearance|_\W*_\W*jsl_clearance|\"tn\"\s*:\s*\"__jsl", re.I),
        cookies=("__jsluid*", "__jsl_clearance*"),
    ),
    ChallengeFamily(
        "yunsuo",
        "云锁 Yunsuo",
        re.compile(r"yunsuo_session_verify|security_session_verify|security_verify_data", re.I),
        cookies=("yunsuo_session_verify", "security_session_verify", "security_session_mid_verify"),
    ),
    ChallengeFamily("aliyun", "阿里云 WAF", re.compile(r"acw_sc__v2", re.I), cookies=("acw_sc__v2",)),
    ChallengeFamily(
        "cloudflare",
        "Cloudflare",
        re.compile(r"cf-browser-verification|challenge-platform|cf_chl_", re.I),
        cookies=("cf_clearance", "__cf_bm"),
    ),
)


def _cookie_matches(name: str, wanted: str) -> bool:
    return name.startswith(wanted[:-1]) if wanted.endswith("*") else name == wanted


def challenge_family(status: int, html: str, cookie_names: Iterable[str] = ()) -> ChallengeFamily | None:
    """The anti-bot product behind a response already judged a challenge: by its page's markers,
    then by the cookies it sets; a 412 with neither is taken for Ruishu's (the status its
    challenges answer with). None when nothing names one."""
    names = [name.strip() for name in cookie_names]
    for family in CHALLENGE_FAMILIES:
        if family.markers is not None and family.markers.search(html):
            return family
        if any(_cookie_matches(name, wanted) for name in names for wanted in family.cookies):
            return family
    if status == 412:
        return CHALLENGE_FAMILIES[0]
    return None


def set_cookie_names(values: Iterable[str]) -> list[str]:
    """The cookie names of ``Set-Cookie`` header values (``name=value; Path=/`` → ``name``)."""
    return [value.split("=", 1)[0].strip() for value in values if "=" in value]
