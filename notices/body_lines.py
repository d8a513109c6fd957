"""Which lines of a notice's text are page chrome (footers, share bars, clocks) and which repeat.

Pure string rules, applied by :func:`notices.body.body_paragraphs` to the container's lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from notices.outline import match_marker
from notices.text import cjk_count

# Whole lines that are page chrome, never notice text. Anchored so genuine sentences survive.
_NOISE_LINE_RES = tuple(
    re.compile(p)
    for p in (
        r"(ICP|icp)备?\s*\d|公网安备|网站标识码|版权所有|技术支持|网站地图|^联系我们$",
        # A footer names its sponsors together; a body's own contact line (联系电话：…) stays.
        r"(主办单位|承办单位|主办|承办|联系电话|联系我们|网站地图).{0,40}(主办单位|承办单位|主办|承办|联系电话|联系我们|网站地图)",
        r"^(主办单位|承办单位)\s*[:：]",
        r"^扫一扫|在手机(上)?打开|^分享到|^【?\s*字[体号]\s*[:：]|^\[?\s*打印\s*\]?$|^\[?\s*关闭\s*\]?$|^【?\s*(打印本页|关闭窗口|关闭本页|打印|关闭)\s*】?",
        r"(浏览|访问|阅读|点击)(次数|量|数)\s*[:：]?\s*\d*|^浏览\s*[:：]?\s*\d+|^次浏览$",
        r"(页面|网页)?生成(时间|日期)\s*[:：]|^(当前位置|您的位置|所在位置)\s*[:：]",
        r"^(上一篇|下一篇|返回顶部|返回首页|收藏本页|设为首页)",
        # A related-links heading, alone or as a label; a sentence that starts with 相关文件 stays.
        r"^[【\[]?\s*(相关链接|相关文章|相关阅读|相关新闻|相关文件|相关解读)\s*[】\]]?\s*([:：]|$)",
        r"^(小程序|手机浏览|登录\s*/\s*注册|还有疑问\??？?|立即咨询|发表评论|去登录|我要评论|我要纠错|网友评论)$",
        r"马上发起在线咨询|^声明\s*[:：].{0,40}(转载|版权)|^免责声明",
        r"^[（(]?\s*责任编辑\s*[:：]|^编辑\s*[:：]\s*\S{1,8}$|^(字号|字体)\s*[:：]?\s*(大|中|小|\[)",
        r"^(发布日期|发布时间|更新日期|更新时间|最后更新|修改日期|修改时间|日期|时间|来源|信息来源|文章来源|作者|浏览次数)\s*[:：]\s*\S{0,30}(\s+(来源|作者|浏览次数|发布时间|发布日期)\s*[:：]\s*\S{0,30})*\s*$",
        r"^(大|中|小)(\s+(大|中|小))+$|^【\s*大\s*中\s*小\s*】$|^\[\s*大\s*\]",
    )
)


def _top_level_alternatives(pattern: str) -> list[str]:
    """``a|b|c`` -> [a, b, c]: the alternatives outside any group or character class."""
    alternatives: list[str] = []
    depth, in_class, start, index = 0, False, 0, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 1
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern[index + 1 : index + 2] == "]":  # []…] holds a ]
                index += 1
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            alternatives.append(pattern[start:index])
            start = index + 1
        index += 1
    alternatives.append(pattern[start:])
    return alternatives


# _NOISE_LINE_RES as is_noise_line reads them: the alternatives anchored at the line's start in one
# pattern tried at that start only, the others searched one by one (each a literal to look for, or
# nearly). A search of "^a|b" tries ^a at every position of the line; these give the same answer.
_NOISE_ALTERNATIVES = [a for p in _NOISE_LINE_RES for a in _top_level_alternatives(p.pattern)]
_NOISE_LINE_START_RE = re.compile("|".join(f"(?:{a[1:]})" for a in _NOISE_ALTERNATIVES if a.startswith("^")))
_NOISE_LINE_ANYWHERE_RES = tuple(re.compile(a) for a in _NOISE_ALTERNATIVES if not a.startswith("^"))

_SENTENCE_RE = re.compile(r"[^。！？!?；;]*[。！？!?；;]?")
_DEDUPE_SENTENCE_MIN = 25
# Repeats above this share of a body's characters mean the page holds its text twice, scrambled
# maybe; below it, a real notice's own repeats (quotes, shared headings) are that small.
_TEXT_TWICE_SHARE = 0.1
_PAREN_ONLY_RE = re.compile(r"^[（(].*[）)][。.]?$")
# A document pasted whole names its issuing organ twice: at the top (发文机关标志) and as the
# signature over the date. The signature is text, not a repeat.
_ORGAN_LINE_RE = re.compile(
    r"^[\u4e00-\u9fff（）()]{2,40}(?:政府|办公厅|办公室|委员会|管委会|局|厅|部|委|院|会|署|办|中心|公司)$"
)
_DATE_LINE_RE = re.compile(
    r"^(?:\d{4}年\d{1,2}月\d{1,2}日|[〇零○一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日)$"
)


# A clock line: a time of day, a date with its weekday, or a Unix time. Pages stamp one when they
# are generated or served ("页面生成时间：2024-05-01 10:22:33.148", "今天是2024年5月1日 星期三",
# "当前时间：2024年05月01日 10时22分33秒"); it changes on every fetch, so it must never reach the
# body, wherever the template puts it. A Chinese clock counts only with its seconds: "09点00分"
# alone is a deadline in the text.
_TIME_OF_DAY = r"(?<!\d)\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:[.,]\d{1,6})?)?(?!\d)"
_CHINESE_CLOCK = r"(?<!\d)\d{1,2}\s*[时点點]\s*\d{1,2}\s*分\s*\d{1,2}\s*秒"
_UNIX_TIME = r"(?<!\d)1[5-9]\d{8}(?:\d{3})?(?!\d)"  # 2017-2033, in seconds or milliseconds
_WEEKDAY = r"(?:星期|周|礼拜)[一二三四五六日天]"
_CLOCK_RE = re.compile(f"{_TIME_OF_DAY}|{_CHINESE_CLOCK}|{_UNIX_TIME}|{_WEEKDAY}")
_CLOCK_WORDS_RE = re.compile(
    rf"(?:19|20)\d{{2}}\s*[-/.年]\s*\d{{1,2}}\s*[-/.月]\s*\d{{1,2}}\s*日?|{_TIME_OF_DAY}|{_CHINESE_CLOCK}|{_UNIX_TIME}|"
    rf"{_WEEKDAY}|今天是|今日|当前|现在|北京时间|最后|最近|页面|本页|网页|本站|"
    r"生成|更新|刷新|访问|发布|修改|时间|日期|于|为|上午|下午|AM|PM|[Gg]enerated|[Uu]pdated|[Ll]ast|at|on"
)
# How long the page took to make ("页面执行时间：0.0148秒", "Processed in 0.012 second(s), 8 queries"):
# a fraction of a second or milliseconds; whole seconds are a service promise (响应时间：15秒).
_ELAPSED_RE = re.compile(
    r"(?:执行|运行|加载|生成|处理|响应)(?:时间|耗时|用时)\s*[:：]?\s*(?:\d+\.\d+\s*(?:秒|毫秒|ms\b|s\b)|\d+\s*(?:毫秒|ms\b))"
    r"|^(?:[Pp]rocessed|[Gg]enerated|[Rr]endered|[Ee]xecuted|[Pp]age generated) in \d+(?:\.\d+)?\s*(?:s\b|ms\b|sec)"
)


def is_clock_line(line: str) -> bool:
    """A line that is only a clock stamp (a time of day, a weekday or a Unix time, with its label
    words), or the time the page took to make."""
    if len(line) > 80:
        return False
    if _ELAPSED_RE.search(line):
        return True
    if not _CLOCK_RE.search(line) or line.isdigit():  # a bare number is a figure, not a Unix time
        return False
    rest = _CLOCK_WORDS_RE.sub("", line)
    return cjk_count(rest) < 2 and not re.search(r"[A-Za-z]{3,}|\d{3,}", rest)


def is_noise_line(line: str) -> bool:
    if len(line) > 200 and not line.startswith("声明"):
        return False
    return (
        _NOISE_LINE_START_RE.match(line) is not None
        or any(p.search(line) for p in _NOISE_LINE_ANYWHERE_RES)
        or is_clock_line(line)
    )


def dedupe(lines: list[str]) -> tuple[list[str], int]:
    """Drop the second copy of text the page holds twice, keeping the first occurrence.

    A page may hold its text twice (a header block repeated over the body, passages pasted again, a
    hidden mobile copy). Where repeats make up a good share of the text, every repeat is dropped.
    Elsewhere only a run of consecutive repeating lines is a copy: a single repeated line or
    sentence between new ones is the text's own (the same heading in two attached regulations, a
    report quoting the letter it answers, a place name that heads a text and signs it) and is kept,
    except a repeated 文号 line and an organ's name over a date already seen (a signature pasted
    again). Short lines and duty parentheticals such as （市农委…按职责分工负责） legitimately
    repeat, so they never count.
    """
    keys = [re.sub(r"\s+", "", line) for line in lines]
    repeats = _repeats(lines, keys)
    held_twice = _repeated_share(lines, keys, repeats) >= _TEXT_TWICE_SHARE
    out: list[str] = []
    dropped = 0
    for index, line in enumerate(lines):
        repeat = repeats[index]
        in_run = any(
            0 <= neighbour < len(lines) and repeats[neighbour] is not None
            for neighbour in (index - 1, index + 1)
        )
        if repeat is None or not (held_twice or in_run or repeat.always_dropped):
            out.append(line)
        elif repeat.sentences is None:
            dropped += 1
        else:
            sentences = _SENTENCE_RE.findall(line)
            kept = [sentence for at, sentence in enumerate(sentences) if at not in repeat.sentences]
            dropped += len(repeat.sentences)
            if new_line := "".join(kept).strip():
                out.append(new_line)
    return out, dropped


def _repeated_share(lines: list[str], keys: list[str], repeats: list[_Repeat | None]) -> float:
    """How much of the text, in characters, repeats what came before it."""
    repeated = 0
    for line, key, repeat in zip(lines, keys, repeats, strict=True):
        if repeat is None:
            continue
        if repeat.sentences is None:
            repeated += len(key)
        else:
            sentences = _SENTENCE_RE.findall(line)
            repeated += sum(len(re.sub(r"\s+", "", sentences[at])) for at in repeat.sentences)
    return repeated / max(1, sum(len(key) for key in keys))


@dataclass(frozen=True)
class _Repeat:
    """A line that repeats earlier text: whole (``sentences`` None) or by the long sentences at
    these positions of ``_SENTENCE_RE.findall(line)``."""

    sentences: frozenset[int] | None = None
    always_dropped: bool = False


def _repeats(lines: list[str], keys: list[str]) -> list[_Repeat | None]:
    """For each line, what of it repeats the lines before it (None: nothing)."""
    seen_lines: set[str] = set()
    seen_sentences: set[str] = set()
    found: list[_Repeat | None] = []
    for index, (line, key) in enumerate(zip(lines, keys, strict=True)):
        if _PAREN_ONLY_RE.match(key):
            found.append(None)
            continue
        signature = _signature(key, lines[index + 1 : index + 2], seen_lines)
        if signature == "new":
            seen_lines.add(key)
            found.append(None)
            continue
        if key in seen_lines and (
            signature == "repeated" or len(key) >= 8 or _looks_like_header(key) or match_marker(key)
        ):
            found.append(_Repeat(always_dropped=signature == "repeated" or _looks_like_header(key)))
            continue
        seen_lines.add(key)
        repeated: set[int] = set()
        for at, sentence in enumerate(_SENTENCE_RE.findall(line)):
            skey = re.sub(r"\s+", "", sentence)
            if len(skey) < _DEDUPE_SENTENCE_MIN or _PAREN_ONLY_RE.match(skey):
                continue
            if skey in seen_sentences:
                repeated.add(at)
            seen_sentences.add(skey)
        found.append(_Repeat(sentences=frozenset(repeated)) if repeated else None)
    return found


def _signature(key: str, following: list[str], seen_lines: set[str]) -> str | None:
    """``new`` for an organ's name over a date not seen before (the signature, though the name
    may head the text too), ``repeated`` for one over a date already seen (a signature pasted
    again with its text), else None."""
    if not following or not _ORGAN_LINE_RE.match(key):
        return None
    date = re.sub(r"\s+", "", following[0])
    if not _DATE_LINE_RE.match(date):
        return None
    return "repeated" if date in seen_lines else "new"


def _looks_like_header(key: str) -> bool:
    return bool(re.search(r"〔\d{4}〕\d+号$", key))


def has_text(line: str) -> bool:
    """False for rules and ornaments such as ━━━━ or ＊＊＊."""
    return any(ch.isalnum() for ch in line)
