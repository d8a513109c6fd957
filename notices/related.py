"""Related-links blocks inside the content container: a 相关链接/相关文章 heading and the links under it.

Templates put them after the text, often inside the element that holds it and with no class name to
tell them apart. Their links change whenever the site publishes something close, so a body that
kept them would alert on every such change. A block is the heading's nearest ancestor (short of
the container) whose text is mostly links; or, when the heading stands directly in the container,
the heading and the link-only siblings after it.
"""

from __future__ import annotations

import re

from lxml import etree

from notices.html import element_lines, text_of
from notices.text import cjk_count

_HEADING_WORD = r"[【\[]?\s*(?:相关(?:链接|文章|阅读|新闻|文件|解读|信息|政策|稿件|报道|推荐)|延伸阅读|推荐阅读|热点推荐|猜你喜欢)\s*[】\]]?"
# One heading word, or a row of tabs (相关文章 | 相关解读), with an optional 更多>> after it.
RELATED_HEADING_RE = re.compile(
    rf"^{_HEADING_WORD}(?:\s*[|｜/·]?\s*{_HEADING_WORD})*\s*[:：]?\s*(?:更多\s*>*|>>|[Mm]ore\s*>*)?$"
)
_MOSTLY_LINKS = 0.6
_MAX_HEADING_CHILDREN = 3


def without_related_blocks(container: etree._Element, lines: list[str]) -> list[str]:
    """``lines`` (the container's :func:`notices.html.element_lines`) without its related-links
    blocks; ``lines`` itself when it holds no related heading."""
    if not any(RELATED_HEADING_RE.match(line) for line in lines):
        return lines
    out = list(lines)
    for heading in _headings(container):
        block = _block_lines(container, heading)
        at = _find_run(out, block)
        if at is not None:
            del out[at : at + len(block)]
    return out


def _headings(container: etree._Element) -> list[etree._Element]:
    """The innermost elements whose whole text is a related heading."""
    found = []
    for el in container.iter():
        if el is container or not isinstance(el.tag, str) or len(el) > _MAX_HEADING_CHILDREN:
            continue
        text = _short_text(el)
        if (
            text
            and RELATED_HEADING_RE.match(text)
            and not any(isinstance(c.tag, str) and RELATED_HEADING_RE.match(_short_text(c) or "") for c in el)
        ):
            found.append(el)
    return found


def _short_text(el: etree._Element, limit: int = 40) -> str | None:
    """The element's text on one line, or None when it is longer than a heading can be."""
    parts, size = [], 0
    for piece in el.itertext():
        parts.append(piece)
        size += len(piece)
        if size > limit * 4:
            return None
    text = " ".join("".join(parts).split())
    return text if len(text) <= limit else None


def _link_share(el: etree._Element, heading: etree._Element) -> float:
    """How much of ``el``'s text, the heading's aside, is link text."""
    total = cjk_count(text_of(el)) - cjk_count(text_of(heading))
    links = sum(cjk_count("".join(a.itertext())) for a in el.iter("a"))
    return links / total if total > 0 else 0.0


def _is_link_only(el: etree._Element) -> bool:
    text = cjk_count(text_of(el))
    return text > 0 and sum(cjk_count("".join(a.itertext())) for a in el.iter("a")) >= text * _MOSTLY_LINKS


def _block_lines(container: etree._Element, heading: etree._Element) -> list[str]:
    top = heading  # the outermost element that holds the heading and nothing else
    while (
        (parent := top.getparent()) is not None
        and parent is not container
        and RELATED_HEADING_RE.match(_short_text(parent) or "")
    ):
        top = parent
    block: etree._Element | None = None
    parent = top.getparent()
    while parent is not None and parent is not container and _link_share(parent, top) >= _MOSTLY_LINKS:
        block = parent
        parent = parent.getparent()
    if block is not None:
        return element_lines(block)
    # The heading stands among the container's paragraphs: it and the link-only blocks after it.
    lines = element_lines(top)
    sibling = top.getnext()
    while sibling is not None and isinstance(sibling.tag, str) and _is_link_only(sibling):
        lines += element_lines(sibling)
        sibling = sibling.getnext()
    return lines if len(lines) > 1 else []


def _find_run(lines: list[str], run: list[str]) -> int | None:
    """Where ``run`` stands as a contiguous stretch of ``lines`` (the last such place), or None."""
    if not run:
        return None
    for at in range(len(lines) - len(run), -1, -1):
        if lines[at : at + len(run)] == run:
            return at
    return None
