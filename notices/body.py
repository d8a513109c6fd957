"""The notice text: find the content container, split it into paragraphs, drop chrome and repeats."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

from lxml import etree

from notices.attachments import is_attachment_url
from notices.html import BLOCK_TAGS, element_lines, is_noise, parse_html
from notices.outline import match_marker
from notices.related import without_related_blocks
from notices.text import cjk_count
from notices.visibility import is_hidden, is_shown

# Known CMS content containers, most specific first.
CONTENT_SELECTORS = (
    "div.TRS_Editor",
    "#UCAP-CONTENT",
    "#zoom",
    "div.zw",
    "div.j-fontContent",
    "div.article-content",
    "div.article_content",
    "div.pages_content",
    "div.wzcon",
    "div.con_text",
    "#mainText",
    "div.view",
    "#PrintArea",
    "#content",
)
_MARKER_RE = re.compile(
    r"<!--\s*(?:<\$\[信息内容\]>|ZJEG_RSS\.content\.|[A-Za-z_.]*content[A-Za-z_.]*\s*)begin\s*-->(.*?)"
    r"<!--\s*(?:<\$\[信息内容\]>|ZJEG_RSS\.content\.|[A-Za-z_.]*content[A-Za-z_.]*\s*)end\s*-->"
    # The print area many portals mark for their 打印 button holds exactly the document.
    r"|<!--\s*startprint\s*-->(.*?)<!--\s*endprint\s*-->",
    re.S | re.I,
)


# CONTENT_SELECTORS by what they match (an id, or a tag with a class), so one walk of the tree
# finds every selector's elements: lxml's CSSSelector walks it once per selector.
_SELECTORS_BY_ID: dict[str, list[int]] = {}
_SELECTORS_BY_CLASS: dict[tuple[str, str], list[int]] = {}
for _index, _selector in enumerate(CONTENT_SELECTORS):
    if re.fullmatch(r"#[\w-]+", _selector):
        _SELECTORS_BY_ID.setdefault(_selector[1:], []).append(_index)
    else:
        _tag, _dot, _class = _selector.partition(".")
        assert re.fullmatch(r"[a-z]+\.[\w-]+", _selector), f"{_selector}: only #id and tag.class are read"
        _SELECTORS_BY_CLASS.setdefault((_tag, _class), []).append(_index)
_XML_SPACE_RE = re.compile(r"[ \t\r\n]+")  # where a class attribute splits (XPath's normalize-space)


def _content_candidates(root: etree._Element) -> list[tuple[str, list[etree._Element]]]:
    """Each of CONTENT_SELECTORS with the elements it matches in ``root`` (``root`` included), in
    document order: what ``CSSSelector(selector, translator="html")(root)`` lists."""
    found: list[list[etree._Element]] = [[] for _ in CONTENT_SELECTORS]
    for el in root.iter(etree.Element):
        css_id, css_class = el.get("id"), el.get("class")
        if css_id is not None:
            for index in _SELECTORS_BY_ID.get(css_id, ()):
                found[index].append(el)
        if css_class is not None:
            for token in set(_XML_SPACE_RE.split(css_class)):
                for index in _SELECTORS_BY_CLASS.get((el.tag, token), ()):
                    found[index].append(el)
    return list(zip(CONTENT_SELECTORS, found, strict=True))


MIN_BODY_CJK = 40

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


def find_container(root: etree._Element, raw_html: str) -> tuple[etree._Element | None, str]:
    """The element holding the notice text and how it was found ("marker", a selector, or "density")."""
    container, how, _lines = find_body(root, raw_html)
    return container, how


def find_body(root: etree._Element, raw_html: str) -> tuple[etree._Element | None, str, list[str] | None]:
    """:func:`find_container`, with the container's :func:`notices.html.element_lines` when finding
    it read them already (None when it did not), so :func:`body_paragraphs` need not read them again."""
    for match in sorted(_MARKER_RE.finditer(raw_html[:4_000_000]), key=lambda m: -len(_marked(m))):
        fragment = parse_html(f"<div>{_marked(match)}</div>")
        if fragment is not None:
            lines = element_lines(fragment)
            if cjk_count(" ".join(lines)) >= MIN_BODY_CJK:
                return fragment, "marker", lines
        break
    for selector, candidates in _content_candidates(root):
        best: tuple[bool, int, etree._Element, list[str]] | None = None
        for candidate in candidates:
            lines = element_lines(candidate)
            chars = cjk_count(" ".join(lines))
            shown = chars >= MIN_BODY_CJK and is_shown(candidate)
            # The first of the richest, as max() picks; a copy hidden from readers (a rendered
            # page's print or template copy) only when no copy is shown.
            if best is None or (shown, chars) > best[:2]:
                best = (shown, chars, candidate, lines)
        if best is not None and best[1] >= MIN_BODY_CJK:
            return best[2], selector, best[3]
    return density_container(root), "density", None


def text_images(root: etree._Element) -> list[str]:
    """The pictures a shown content container holds when it holds no text at all: a notice
    published as a scan or a poster (its words are in the image). Empty when there is none."""
    for _selector, candidates in _content_candidates(root):
        for candidate in candidates:
            if not is_shown(candidate) or cjk_count(" ".join(element_lines(candidate))):
                continue
            sources = [img.get("src") or "" for img in candidate.iter("img")]
            if any(sources):
                return [src for src in sources if src]
    return []


def text_files(root: etree._Element) -> list[tuple[str, str]]:
    """(href, link text) of the files a shown content container links when those links are all
    the text it holds: a notice published as a PDF or Word file linked in place of its text.
    Empty when there is none."""
    for _selector, candidates in _content_candidates(root):
        for candidate in candidates:
            if not is_shown(candidate):
                continue
            files = [
                (anchor.get("href") or "", " ".join(element_lines(anchor)))
                for anchor in candidate.iter("a")
                if is_attachment_url(anchor.get("href") or "")
            ]
            linked = sum(cjk_count(text) for _href, text in files)
            if files and linked and cjk_count(" ".join(element_lines(candidate))) == linked:
                return files
    return []


def _marked(match: re.Match[str]) -> str:
    return match.group(1) if match.group(1) is not None else match.group(2) or ""


def density_container(root: etree._Element, max_nodes: int = 200_000) -> etree._Element | None:
    """Readability-style fallback: paragraphs vote for their parent (and half for the grandparent).

    Text inside page chrome (navigation, footers, share widgets, copyright notices) never votes, and
    text hidden from readers (a rendered page's print or template copy) wins only when no visible
    text does. The cells of a table of records vote for the table, which is the body as a whole.
    """
    visible: dict[etree._Element, float] = {}
    hidden: dict[etree._Element, float] = {}
    tables: dict[etree._Element, bool] = {}
    for el, is_hidden_text in _voters(root, max_nodes):
        if el.tag == "p":
            text = "".join(el.itertext())
        else:
            # only the element's own text: nested blocks vote for themselves
            text = (el.text or "") + "".join(
                (c.tail or "") + ("" if c.tag in BLOCK_TAGS else "".join(c.itertext()))
                for c in el
                if isinstance(c.tag, str)
            )
        chars = cjk_count(text)
        if chars < 10:
            continue
        links = sum(cjk_count("".join(a.itertext())) for a in el.iter("a"))
        if el.tag == "p" and links > chars / 2:
            continue
        punctuation = len(re.findall(r"[，。；：、！？]", text))
        score = 1 + punctuation + min(chars / 50, 5)
        target = el.getparent() if el.tag in ("p", "span", "font") else el
        if target is None:
            continue
        table = _record_table_of(target, tables)
        if table is not None:
            target = table
        scores = hidden if is_hidden_text else visible
        scores[target] = scores.get(target, 0) + score
        grand = target.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0) + score / 2
    best_visible = _best(visible)
    return best_visible if best_visible is not None else _best(hidden)


_VOTER_TAGS = frozenset(["p", "div", "td", "li", "span", "font", "section", "article"])


def _voters(root: etree._Element, max_nodes: int) -> Iterator[tuple[etree._Element, bool]]:
    """The elements that may vote, in document order, each with whether readers cannot see it;
    chrome (:func:`notices.html.is_noise`) is left out with everything inside it."""
    stack: list[tuple[etree._Element, bool]] = [(root, False)]
    count = 0
    while stack:
        el, inside_hidden = stack.pop()
        if not isinstance(el.tag, str):
            continue
        count += 1
        if count > max_nodes:
            return
        if el is not root and (is_noise(el) or _is_notice_of_rights(el)):
            continue
        inside_hidden = inside_hidden or is_hidden(el)
        if el.tag in _VOTER_TAGS:
            yield el, inside_hidden
        stack.extend((child, inside_hidden) for child in reversed(el))


# The heading of a site's copyright or disclaimer block (版权与免责声明, 法律声明 …).
_NOTICE_OF_RIGHTS_RE = re.compile(
    r"[【\[]?\s*(?:版权(?:与|和|及)?免责声明|版权声明|免责声明|法律声明)\s*[】\]]?\s*[:：]?"
)


def _is_notice_of_rights(el: etree._Element) -> bool:
    """A block that opens with a copyright or disclaimer heading: chrome, whatever its class."""
    # Only the first few nodes are read, so a deep chain of empty elements costs no more.
    for node in islice(el.iter(), 8):
        if not isinstance(node.tag, str) or node.tag in ("script", "style"):
            continue
        for text in (node.text, node.tail if node is not el else None):
            if text and text.strip():
                return bool(_NOTICE_OF_RIGHTS_RE.fullmatch(text.strip()))
    return False


def _record_table_of(cell: etree._Element, tables: dict[etree._Element, bool]) -> etree._Element | None:
    """The table a cell belongs to when that table is a table of records (rows of label/value
    pairs or of one record each): at least two rows, no table around, inside or beside it, few
    links. A layout table, whose cells are the page's columns, is none."""
    if cell.tag not in ("td", "th"):
        return None
    table = next(cell.iterancestors("table"), None)
    if table is None:
        return None
    if table not in tables:
        rows = sum(1 for _ in table.iter("tr"))
        # A table inside another table, holding one or set beside others is a part of a layout or
        # of a larger record (a registry entry's sections), not a document of its own.
        parent = table.getparent()
        nested = (
            any(True for _ in table.iterdescendants("table"))
            or any(True for _ in table.iterancestors("table"))
            or (parent is not None and sum(1 for _ in parent.iterchildren("table")) > 1)
        )
        total = cjk_count("".join(table.itertext()))
        links = sum(cjk_count("".join(a.itertext())) for a in table.iter("a"))
        tables[table] = rows >= 2 and not nested and total > 0 and links <= total / 10
    return table if tables[table] else None


def _best(scores: dict[etree._Element, float]) -> etree._Element | None:
    best: tuple[float, etree._Element] | None = None
    for el, score in scores.items():
        total = cjk_count("".join(el.itertext()))
        if not total:
            continue
        links = sum(cjk_count("".join(a.itertext())) for a in el.iter("a"))
        adjusted = score * (1 - min(links / total, 1.0))
        if best is None or adjusted > best[0]:
            best = (adjusted, el)
    return best[1] if best else None


def body_paragraphs(
    container: etree._Element | None, lines: list[str] | None = None
) -> tuple[list[str], int]:
    """Clean, de-duplicated paragraphs of the container, and how many repeats were dropped.

    ``lines`` are the container's :func:`notices.html.element_lines` when the caller has them.
    """
    if container is None:
        return [], 0
    if lines is None:
        lines = element_lines(container)
    lines = without_related_blocks(container, lines)
    return dedupe([line for line in lines if not is_noise_line(line) and _has_text(line)])


def dedupe(lines: list[str]) -> tuple[list[str], int]:
    """Drop repeated paragraphs and repeated long sentences, keeping the first occurrence.

    Pages that hold the text twice (a header block repeated, passages pasted again) would otherwise
    make the diff stage see phantom edits. Short lines and duty parentheticals such as
    （市农委…按职责分工负责） legitimately repeat, so they are kept.
    """
    seen_lines: set[str] = set()
    seen_sentences: set[str] = set()
    out: list[str] = []
    dropped = 0
    for index, line in enumerate(lines):
        key = re.sub(r"\s+", "", line)
        if _PAREN_ONLY_RE.match(key):
            out.append(line)
            continue
        signature = _signature(key, lines[index + 1 : index + 2], seen_lines)
        if signature == "new":
            seen_lines.add(key)
            out.append(line)
            continue
        if signature == "repeated" and key in seen_lines:
            dropped += 1
            continue
        if key in seen_lines and (len(key) >= 8 or _looks_like_header(key) or match_marker(key)):
            dropped += 1
            continue
        seen_lines.add(key)
        kept: list[str] = []
        removed = False
        for sentence in _SENTENCE_RE.findall(line):
            skey = re.sub(r"\s+", "", sentence)
            if not skey:
                continue
            if len(skey) >= _DEDUPE_SENTENCE_MIN and not _PAREN_ONLY_RE.match(skey):
                if skey in seen_sentences:
                    dropped += 1
                    removed = True
                    continue
                seen_sentences.add(skey)
            kept.append(sentence)
        new_line = "".join(kept).strip() if removed else line
        if new_line:
            out.append(new_line)
    return out, dropped


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


def _has_text(line: str) -> bool:
    """False for rules and ornaments such as ━━━━ or ＊＊＊."""
    return any(ch.isalnum() for ch in line)
