"""Metadata of a notice page: the labelled fields (索引号, 发文字号 …), <meta> tags and the title."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher

from lxml import etree

from notices.html import string_value, text_of
from notices.parsers import parse_date, parse_doc_number
from notices.scripted import scripted_value
from notices.text import MARKUP_RE, clean_line, squash

# Squashed label -> field name. Order inside each tuple does not matter; lookups are exact.
LABELS: dict[str, str] = {}
for _name, _labels in {
    "index_number": ("索引号", "索取号", "信息索引号"),
    "topic": ("主题分类", "分类", "主题", "信息分类", "所属主题"),
    "issuer": (
        "发文机关",
        "发布机构",
        "发文单位",
        "制发机关",
        "发文机构",
        "发布单位",
        "公开主体",
        "发布机关",
        # A 行政处罚信息公开表 names the authority that decided, and so issued, the penalty.
        "作出处罚决定的机关名称",
        "作出处罚决定机关",
        "作出决定机关",
    ),
    "written_date": ("成文日期", "成文时间", "印发日期", "生成日期", "发文日期"),
    "title": ("标题", "文件名称", "文件标题"),
    # A bare 名称 is often a project's or an item's name, shorter than the document's title.
    "name": ("名称", "项目名称"),
    "doc_number": ("发文字号", "文号", "发文号", "文件编号"),
    "published_date": (
        "发布日期",
        "发布时间",
        "公开日期",
        "日期",
        "时间",
        "公布日期",
        "公告时间",
        "公告日期",
    ),
    "validity": ("有效性", "效力状态", "时效性", "是否有效", "有效状态", "效力"),
    "source": ("来源", "信息来源", "文章来源", "稿源"),
}.items():
    for _label in _labels:
        LABELS[_label] = _name

# Labels are often spaced out to line up (索 引 号, 文　　号), so any whitespace may sit between
# their characters.
_LABEL_ALTERNATIVES = "|".join(
    "[\\s\u3000]*".join(re.escape(char) for char in label) for label in sorted(LABELS, key=len, reverse=True)
)
# A label starts a field: "本项目招标公告日期：…" holds no 日期 label of the page.
_INLINE_RE = re.compile("(?<![\u4e00-\u9fff])(" + _LABEL_ALTERNATIVES + r")\s*[:：]\s*(\S[^\n]{0,120})")
_LABEL_CANDIDATE_TAGS = (
    "td",
    "th",
    "span",
    "label",
    "b",
    "strong",
    "dt",
    "em",
    "li",
    "p",
    "div",
    "font",
    "i",
)
_VALIDITY = (("废止", "废止"), ("失效", "失效"), ("有效", "有效"))
# A label cell or a byline holds a few elements per character at most; more is a container.
_NODES_PER_CHARACTER = 10
_CHUNK = 1024
_SPACES_RE = re.compile(r"[\s\u3000\u00a0\u2002-\u200b\u2028\u2029\ufeff]")
# A short run of words ending in a colon: a label whose value is missing, not a value.
_BARE_LABEL_RE = re.compile(r"[\u4e00-\u9fff\s\u3000]{1,8}[:：]")
_UNKNOWN_LABEL_RE = re.compile(r"(?:^|\s)[\u4e00-\u9fff]{1,6}[:：]")
# A hyphen separates the site's name only with a space beside it ("凯里市人民政府- 关于…"): a
# hyphen between figures is the title's own (2021-2025年).
_SITE_SPLIT_RE = re.compile(r"\s*(?:_|\||｜|--|—|－|\s-|-\s)\s*")


@dataclass
class PageMeta:
    """Raw label values found on the page, before they are turned into Notice fields."""

    labelled: dict[str, str] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)  # <meta name=…> (names lower-cased)


def collect(root: etree._Element) -> PageMeta:
    """Find labelled metadata: tables, label/value spans, inline "发布日期:2017-08-17" text, <meta>."""
    found = PageMeta()
    for el in root.iter("meta"):
        name = (el.get("name") or "").strip().lower()
        if name and el.get("content") is not None:
            found.meta.setdefault(name, clean_line(el.get("content") or ""))
    short_texts = _short_visible_texts(root, 160)
    later_fields: dict[str, str] = {}
    for el in root.iter(*_LABEL_CANDIDATE_TAGS):
        own = clean_line(short_texts.get(el) or "")
        if not own or len(own) > 160:
            continue
        key = LABELS.get(squash(own))
        if key:
            value = scripted_value(el) or _value_after(el)
            if value and squash(value) not in LABELS:
                found.labelled.setdefault(key, value)
            continue
        if len(own) <= 140 and len(el) <= 3 and (":" in own or "：" in own):  # every inline field has one
            fields_of_line = _inline_fields(own)
            if fields_of_line:
                found.labelled.setdefault(*fields_of_line[0])
            # A line's later fields are trusted less: in a container's joined text a value runs
            # into the next cell's label. The innermost element's reading wins, and only where no
            # element held the field first on its line.
            for key, value in fields_of_line[1:]:
                later_fields[key] = value
    for key, value in later_fields.items():
        found.labelled.setdefault(key, value)
    return found


def _inline_fields(text: str) -> list[tuple[str, str]]:
    """The ``label：value`` fields of one line, in order. A value ends where the next label starts
    a field (发布时间：2018年01月23日　信息来源：工商总局办公厅), and that field is read next; a
    later field's value also ends at a word of the page's own chrome (文章类型：原创, 阅读次数：)."""
    found: list[tuple[str, str]] = []
    at = 0
    while (match := _INLINE_RE.search(text, at)) is not None:
        rest = match.group(2)
        following = _INLINE_RE.search(rest)
        at = match.start(2) + (following.start() if following else len(rest))
        value = _cut_at_next_label(rest)
        if found:
            value = _cut_at_unknown_label(value)
        if value:
            found.append((LABELS[squash(match.group(1))], value))
    return found


def _cut_at_unknown_label(value: str) -> str:
    """``value`` up to a short word and a colon that opens it or follows a space: another field,
    one PolicyWatch has no name for (阅读次数： 字体：, 文章类型：原创)."""
    match = _UNKNOWN_LABEL_RE.search(value)
    return value[: match.start()].strip() if match else value


def _short_visible_texts(root: etree._Element, limit: int) -> dict[etree._Element, str]:
    """:func:`_visible_text` of every element of ``root`` (``root`` included) that has one, in one
    walk of the tree: children before parents, each element's sizes summed from its children's,
    and its text joined only when it is short. Elements left out have None for a text."""
    most_nodes = _NODES_PER_CHARACTER * limit - 1
    sizes: dict[etree._Element, tuple[int, int]] = {}  # element -> (visible characters, nodes read)
    texts: dict[etree._Element, str] = {}
    for el in reversed(list(root.iter(etree.Element))):
        text = el.text
        seen = _characters(text) if text else 0
        nodes = len(el)
        parts = [text] if text else []
        for child in el:
            tag = child.tag
            if isinstance(tag, str) and tag != "script" and tag != "style":
                child_seen, child_nodes = sizes[child]
                seen += child_seen
                nodes += 1 + child_nodes
                parts.append(texts.get(child, ""))  # there when ``el`` is short: its children are
            tail = child.tail
            if tail:
                seen += _characters(tail)
                parts.append(tail)
        sizes[el] = (seen, nodes)
        if seen <= limit and nodes <= most_nodes:
            texts[el] = "".join(parts)
    return texts


def _characters(text: str) -> int:
    """How many characters of ``text`` are not spaces."""
    return 0 if text.isspace() else len(text) - len(_SPACES_RE.findall(text))


def _visible_text(el: etree._Element, limit: int) -> str | None:
    """The element's text without its scripts and styles (来源：<script>document.write(…)</script>),
    or None when it holds more than ``limit`` characters besides spaces, or more elements than
    such a text could: callers skip those, and reading them whole would make every element at the
    top of a deep chain cost the whole chain."""
    parts: list[str] = []
    seen = 0
    budget = _NODES_PER_CHARACTER * limit - 1 - len(el)
    if budget < 0:
        return None
    # Text in document order; an explicit stack of (children still to read, tail due after them)
    # handles any depth of nesting, and children are read one at a time, so a container is left
    # as soon as its text is too long, without touching the rest of its children.
    stack: list[tuple[Iterator[etree._Element], str | None]] = [(iter(el), None)]
    text: str | None = el.text
    while True:
        if text:
            for start in range(0, len(text), _CHUNK):  # a huge text node is read no further than needed
                chunk = text[start : start + _CHUNK]
                parts.append(chunk)
                seen += len(chunk) - len(_SPACES_RE.findall(chunk))
                if seen > limit:
                    return None
        if not stack:
            return "".join(parts)
        children, tail = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            text = tail
        elif isinstance(child.tag, str) and child.tag not in ("script", "style"):
            budget -= 1 + len(child)
            if budget < 0:
                return None
            stack.append((iter(child), child.tail))
            text = child.text
        else:  # a script, style or comment: only what follows it shows
            text = child.tail


def _value_after(el: etree._Element) -> str:
    """The value for a label element: its tail text, else the next sibling's text. Another
    label (阅读次数：, 作者：) is no value: the label's own value was left out of the page."""
    tail = clean_line(el.tail or "")
    if tail:
        return _cut_at_next_label(tail)
    sibling = el.getnext()
    while sibling is not None and not isinstance(sibling.tag, str):
        sibling = sibling.getnext()
    if sibling is not None:
        return _cut_at_next_label(clean_line(text_of(sibling)))
    return ""


def _cut_at_next_label(value: str) -> str:
    # A value that opens with the next label and its value (来源：发布时间：2023-05-18, the source
    # written by a script) is no value: the label's own is empty.
    match = _INLINE_RE.search(value)
    if match:
        value = value[: match.start()]
    value = value.strip()
    return "" if _BARE_LABEL_RE.fullmatch(value) else value.strip(" ：:")


def normalize_validity(value: str | None) -> str | None:
    """已废止 -> 废止, 已失效 -> 失效, 现行有效 -> 有效."""
    if not value:
        return None
    for needle, norm in _VALIDITY:
        if needle in value:
            return norm
    return None


def clean_title(text: str | None, site_names: list[str]) -> str | None:
    """Strip the site name from a <title>: "…的通知_海南省人民政府网" -> "…的通知"."""
    if not text:
        return None
    text = clean_line(text)
    parts = [p for p in _SITE_SPLIT_RE.split(text) if p]
    if len(parts) > 1:
        keep = [p for p in parts if not _is_site_name(p, site_names)]
        text = max(keep or parts[:1], key=len)
    return text or None


def _is_site_name(part: str, site_names: list[str]) -> bool:
    if any(name and (part == name or part in name) for name in site_names):
        return True
    return (
        bool(
            re.search(
                r"(网|网站|门户|官网|官方网站|平台|首页|人民政府门户网站|人民政府|人民政府办公厅|政府)$", part
            )
        )
        and len(part) <= 20
    )


def pick_title(root: etree._Element, page_meta: PageMeta) -> str | None:
    """The document title: 标题 label, ArticleTitle meta, a heading matching <title>, else <title>."""
    site_names = [page_meta.meta.get("sitename", "")]
    title_el = root.find(".//title")
    from_tag = clean_title(string_value(title_el) if title_el is not None else None, site_names)
    headings = _heading_texts(root)
    declared = page_meta.labelled.get("title") or clean_line(
        MARKUP_RE.sub("", page_meta.meta.get("articletitle") or "")
    )
    if declared:
        return _visible_form(declared, headings, root)
    name = page_meta.labelled.get("name")
    if name:
        # The document's title holds the name and says more (…项目…成交公告): prefer the heading.
        longer = [h for h in headings if name in h and len(h) > len(name)]
        return max(longer, key=len) if longer else name
    if from_tag:
        matching = [h for h in headings if h in from_tag or from_tag in h]
        return max(matching, key=len) if matching else _visible_form(from_tag, headings, root)
    return headings[0] if headings else None


def _visible_form(declared: str, headings: list[str], root: etree._Element | None = None) -> str:
    """The page's heading when it is the declared title as shown, edited since (a changed or an
    added character): what readers see is what an edit changes. A heading that only abridges the
    title (a shorter heading of a results notice) leaves the declared title in place. With
    ``root``, a page that shows the title in no heading is read for it in its text too."""
    for heading in headings:
        if heading == declared:
            return declared
        if _edited_form(heading, declared):
            return heading
    if root is None:
        return declared
    shown = [
        line
        for line in _title_sized_texts(root, len(declared))
        if line == declared or _edited_form(line, declared)
    ]
    return declared if not shown or declared in shown else shown[0]


def _edited_form(text: str, title: str) -> bool:
    return len(text) >= len(title) - 2 and SequenceMatcher(None, text, title, autojunk=False).ratio() >= 0.8


_BODY_TEXTS = etree.XPath("//body//text()[not(ancestor::script or ancestor::style or ancestor::title)]")


def _title_sized_texts(root: etree._Element, size: int) -> Iterator[str]:
    """The page's text nodes about as long as a title of ``size`` characters."""
    for node in _BODY_TEXTS(root):
        if size - 2 <= len(node.strip()) <= size + 40:
            line = clean_line(str(node))
            if size - 2 <= len(line) <= size + 4:
                yield line


# One walk for every element that is not an h1 or h2 (a union of //* paths walks the tree once each).
_HEADINGS = etree.XPath(
    "//h1|//h2|//*[@id='title' or (@class and (contains(concat(' ',normalize-space(@class),' '),' title ')"
    " or contains(@class,'article-title') or contains(@class,'detail-title')))]"
)


def _heading_texts(root: etree._Element) -> list[str]:
    out: list[str] = []
    for el in _HEADINGS(root):
        text = clean_line(text_of(el))
        if 6 <= len(text) <= 150 and text not in out:
            out.append(text)
    return out


_BYLINE_WORD_RE = re.compile(r"来源|作者|编辑|浏览|点击|阅读|字号|字体|打印|分享|发布|【")
_BYLINE_DATE_RE = re.compile(
    r"(?<!\d)(?:19|20)\d{2}\s*(?:[-/.]|年)\s*\d{1,2}\s*(?:[-/.]|月)\s*\d{1,2}\s*日?(?:\s+\d{1,2}[:：]\d{2})?"
)


def byline_date(root: etree._Element) -> date | None:
    """The date of a news-style byline ("2021年06月10日 17:35 来源：… 【打印】"), for pages that
    label no 发布日期: the first short line near the top that holds a date and a byline word."""
    for count, el in enumerate(root.iter("p", "div", "span", "td", "li", "h3", "h4", "h5", "h6", "em", "i")):
        if count > 3000:
            break
        if len(el) > 12:
            continue
        own = clean_line(_visible_text(el, 120) or "")
        if not own or len(own) > 120:
            continue
        match = _BYLINE_DATE_RE.search(own)
        if match and (_BYLINE_WORD_RE.search(own) or ":" in match.group(0) or "：" in match.group(0)):
            return parse_date(match.group(0))
    return None


def label_date(page_meta: PageMeta, key: str) -> date | None:
    return parse_date(page_meta.labelled.get(key))


def label_doc_number(page_meta: PageMeta) -> str | None:
    return parse_doc_number(page_meta.labelled.get("doc_number"))
