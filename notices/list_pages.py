"""The pages after a list page, as its pager implies them: TRS ``createPageHTML``, jQuery
pagination plugins, page-count variables, and 下一页 links."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from lxml import etree

from notices.links import PageLinks, absolute_url
from notices.list_records import MAX_NEXT_PAGES, SKIP_HREF_RE
from notices.text import clean_line

_NEXT_TEXT_RE = re.compile(r"^\s*(?:下一页|下页|后一页|下一頁|next\s*page|next|›|»|>)\s*$", re.I)
_PAGE_EXTS = ("shtml", "html", "htm", "jhtml", "jsp", "php", "aspx")

_CREATE_PAGE_RE = re.compile(r"createPage(?:HTML)?\s*\(([^()]*)\)")
_PAGINATION_PLUGIN_RE = re.compile(r"\.pagination\(\s*\{[^}]*?totalPage\s*:\s*(\d+)", re.S)
_PLUGIN_CURRENT_RE = re.compile(r"\.pagination\(\s*['\"]setPage['\"]\s*,\s*(\d+)")
_PAGE_VARS_RE = re.compile(r"(?:var\s+)?(?:pageCount|countPage|totalPage|_nPageCount)\s*=\s*(\d+)", re.I)


def next_pages(text: str, root: etree._Element | None, url: str, links: PageLinks) -> Iterator[str]:
    seen: set[str] = set()
    for candidate in _pager_pages(text, url):
        if candidate not in seen and candidate != url:
            seen.add(candidate)
            yield candidate
    if root is None:
        return
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if (
            href
            and not SKIP_HREF_RE.match(href)
            and _NEXT_TEXT_RE.match(clean_line(" ".join(anchor.itertext())) or anchor.get("title") or "")
        ):
            next_url = links.url(href)
            if next_url is not None and next_url not in seen and next_url != url:
                seen.add(next_url)
                yield next_url


def _pager_pages(text: str, url: str) -> Iterator[str]:
    """The pages a TRS-style pager call implies: ``createPageHTML(count, current, "index", "html")``
    or ``createPageHTML('page_div', count, current, 'index', 'shtml', total)``; page 0 is
    ``index.html``, page k is ``index_k.html``."""
    for match in _CREATE_PAGE_RE.finditer(text):
        args = [a.strip().strip("'\"") for a in match.group(1).split(",")]
        numbers = [int(a) for a in args if re.fullmatch(r"\d+", a)]
        words = [a for a in args if a and not re.fullmatch(r"\d+", a)]
        ext = next((w for w in words if w.lower() in _PAGE_EXTS), None)
        if len(numbers) < 2 or ext is None:
            continue
        prefix = words[words.index(ext) - 1] if words.index(ext) > 0 else "index"
        count, current = numbers[0], numbers[1]
        if args and not re.fullmatch(r"\d+", args[0]) and current >= 1:
            current -= 1  # the element-id form counts pages from 1 on the real sites seen
        yield from _trs_pages(url, prefix, ext, count, current)
        return
    plugin = _PAGINATION_PLUGIN_RE.search(text)
    if plugin:
        # jQuery pagination ({totalPage: N}, "setPage", current, N): page i is <name>_i.<ext>, page 1
        # the column's own page.
        shown = _PLUGIN_CURRENT_RE.search(text)
        first = int(shown.group(1)) if shown else 1
        stem, _, ext = (urlsplit(url).path.rsplit("/", 1)[-1] or "index.html").rpartition(".")
        if first > 1:
            stem = stem.removesuffix(f"_{first}")  # page 2 is index_2.html: its pages are index_N too
        for page in range(first + 1, min(int(plugin.group(1)), first + MAX_NEXT_PAGES) + 1):
            candidate = absolute_url(url, f"{stem or 'index'}_{page}.{ext or 'html'}")
            if candidate is None:
                return
            yield candidate
        return
    variables = _PAGE_VARS_RE.search(text)
    if variables:
        name = re.search(r"pageName\s*=\s*['\"]([\w-]+)['\"]", text)
        suffix = re.search(r"pageExt\s*=\s*['\"](\w+)['\"]", text)
        yield from _trs_pages(
            url,
            name.group(1) if name else "index",
            suffix.group(1) if suffix else "html",
            int(variables.group(1)),
            0,
        )


def _trs_pages(url: str, prefix: str, ext: str, count: int, current: int) -> Iterator[str]:
    for page in range(current + 1, min(count, current + 1 + MAX_NEXT_PAGES)):
        candidate = absolute_url(url, f"{prefix}_{page}.{ext}")
        if candidate is None:  # the pager's own words make no URL (prefix "http://[")
            return
        yield candidate
