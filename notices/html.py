"""Parsing HTML safely and turning an element into lines of visible text."""

from __future__ import annotations

import re

from lxml import etree

from notices.links import absolute_url
from notices.nesting import BLOCK_ELEMENTS, MAX_DEPTH, limit_nesting, without_markup
from notices.text import clean_line

MAX_PARSE_CHARS = 4_000_000

# Where text breaks into lines: every block element, and the void <br> and <hr>.
BLOCK_TAGS = BLOCK_ELEMENTS | {"br", "hr"}
SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "iframe",
        "select",
        "option",
        "textarea",
        "button",
        "input",
        "template",
        "svg",
        "object",
        "embed",
        "head",
        "title",
    ]
)
# class/id words of widgets that never hold notice text.
NOISE_ATTR_RE = re.compile(
    r"share|bdshare|(?<![a-z])print(?![a-z])|dayin|qrcode|ewm|erweima|code-?img|related|xgxx|xglj|comment|pinglun|footer|"
    r"breadcrumb|crumb|position|location|weizhi|\bnav|menu|toolbar|font-?size|fontS|pagesource|prenext|"
    r"page-?turn|article-?infos|article-edit|affairs-detail-qcode|copyright|disclaimer|banquan|mianze",
    re.I,
)


def parse_html(text: str) -> etree._Element | None:
    """An lxml tree for any text (fragments included); None when nothing parseable remains.

    Nesting deeper than :data:`notices.nesting.MAX_DEPTH` is flattened first (see notices.nesting),
    so a page of 100,000 unclosed ``<font>`` tags parses whole, in time linear in its length.
    """
    if not text.strip():
        return None
    text = re.sub(r"<\?xml[^>]*\?>", "", text[:MAX_PARSE_CHARS])
    root, too_deep = _parse(text)
    for flatten in (limit_nesting, without_markup):
        if not too_deep:
            break
        text = flatten(text)
        root, too_deep = _parse(text)
    return root


_TOO_DEEP = etree.XPath(f"boolean(//*[ancestor::*[{MAX_DEPTH}]])")


def _parse(text: str) -> tuple[etree._Element | None, bool]:
    """The tree, and whether it is deeper than MAX_DEPTH (or the parser gave up at its own limit)."""
    # lxml's own HTMLParser, not lxml.html's: the same tree, made of plain elements, so reading it
    # from Python does not pay lxml.html's element-class lookup for every node touched.
    parser = etree.HTMLParser(recover=True, remove_comments=False, huge_tree=True)
    try:
        root = etree.fromstring(text, parser)
    except (etree.ParserError, ValueError):
        return None, False
    if root is None:  # nothing but whitespace or comments (lxml.html raised "Document is empty")
        return None, False
    too_deep = any(error.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT for error in parser.error_log) or bool(
        _TOO_DEEP(root)
    )
    return root, too_deep


_SOURCE_NEWLINE_RE = re.compile(r"[\r\n]+")


def is_noise(el: etree._Element) -> bool:
    css_class, css_id = el.get("class"), el.get("id")
    if css_class is None and css_id is None:  # most elements: nothing to match
        return False
    attrs = f"{css_class or ''} {css_id or ''}"
    return bool(attrs.strip()) and bool(NOISE_ATTR_RE.search(attrs))


def element_lines(el: etree._Element, *, skip_noise: bool = True) -> list[str]:
    """Visible text of ``el`` split into lines at block elements and <br>, whitespace-normalized."""
    if not len(el):  # a leaf (most links, labels and cells): its text is one line, or none
        tag = el.tag
        if isinstance(tag, str) and (tag := tag.lower()) != "pre":
            line = "" if tag in SKIP_TAGS else clean_line(el.text or "")
            return [line] if line else []
    parts: list[str] = []
    _walk(el, parts, skip_noise)
    lines = (clean_line(line) for line in "".join(parts).split("\n"))
    return [line for line in lines if line]


def _walk(top: etree._Element, parts: list[str], skip_noise: bool) -> None:
    # An explicit stack of elements still to read and of strings (tails, closing newlines) due
    # after them, so no depth of nesting runs into Python's recursion limit.
    stack: list[etree._Element | str] = [top]
    pop, push, add = stack.pop, stack.append, parts.append
    while stack:
        el = pop()
        if isinstance(el, str):
            add(el)
            continue
        tag = el.tag
        if not isinstance(tag, str):  # comments, processing instructions
            continue
        tag = tag.lower()
        if tag in SKIP_TAGS or (skip_noise and el is not top and is_noise(el)):
            continue
        # A newline in the source text is a space on screen; only blocks and <br> break lines.
        keep = tag == "pre"
        if tag in BLOCK_TAGS:
            add("\n")
            push("\n")
        text = el.text
        if text:
            add(
                text if keep or ("\n" not in text and "\r" not in text) else _SOURCE_NEWLINE_RE.sub(" ", text)
            )
        for child in reversed(el):
            tail = child.tail
            if tail:
                push(
                    tail
                    if keep or ("\n" not in tail and "\r" not in tail)
                    else _SOURCE_NEWLINE_RE.sub(" ", tail)
                )
            push(child)


# What lxml.html's text_content() returns: the string value of an element (all its text nodes).
string_value = etree.XPath("string()", smart_strings=False)


def text_of(el: etree._Element) -> str:
    """All visible text of an element on one line."""
    return " ".join(element_lines(el, skip_noise=False))


def base_url(root: etree._Element | None, page_url: str) -> str:
    """The URL relative links resolve against: <base href> (itself resolved) or the page URL."""
    if root is not None:
        for base in root.iter("base"):
            href = (base.get("href") or "").strip()
            if href:
                return absolute_url(page_url, href) or page_url
    return page_url
