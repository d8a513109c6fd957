"""The notice text: find the content container and split it into paragraphs.

Which of its lines are chrome or repeats is decided in :mod:`notices.body_lines`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

from lxml import etree

from notices.attachments import is_attachment_url
from notices.body_lines import dedupe, has_text, is_noise_line
from notices.html import BLOCK_TAGS, element_lines, is_noise, parse_html
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
    return dedupe([line for line in lines if not is_noise_line(line) and has_text(line)])
