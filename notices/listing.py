"""List pages: the document links a list holds, the pages after it, and the CMS family it came from.

Pure and site-agnostic: any list the crawler meets (a static TRS column, a Hanweb ``<datastore>``
block, a list kept in a JavaScript variable, a gkmlpt / UCAP / IGS JSON response saved as a file)
gives the same :class:`Listing`. Site files may say more (``spiders/flavours``); this needs nothing
but the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date
from urllib.parse import urlsplit

from lxml import etree

from notices.html import base_url, parse_html
from notices.links import PageLinks
from notices.list_pages import next_pages
from notices.list_records import (
    SKIP_HREF_RE,
    fragment_total,
    html_fragment,
    items_from_json,
    items_from_scripts,
    json_cms,
    json_payload,
    next_from_json,
    row_date,
)
from notices.model import Listing, ListItem
from notices.scripted import with_written_markup
from notices.text import cjk_count, clean_line

# Containers whose links are site chrome, never the list: a class or id token that is, or starts
# with, one of these words ("footer", "top-nav", "sidebar_links"; not "margin-top-15").
_CHROME_WORDS = frozenset(
    [
        "nav",
        "navbar",
        "menu",
        "header",
        "head",
        "top",
        "footer",
        "foot",
        "bottom",
        "crumb",
        "crumbs",
        "breadcrumb",
        "position",
        "location",
        "weizhi",
        "friend",
        "friendlink",
        "yqlj",
        "links",
        "link",
        "share",
        "qrcode",
        "sidebar",
        "side",
        "leftnav",
        "leftmenu",
        "tabhead",
        "search",
    ]
)
_ATTACHMENT_RE = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|zip|rar|ofd|jpe?g|png|gif)(?:$|\?)", re.I)


# CMS families, each recognised by cues in the page or its URL (see docs/flavours.md): a strong cue
# (the family's own list machinery) counts three times a weak one (a URL shape or a class name, which
# links to other sites and copied templates also carry).
def _cues(strong: str, weak: str | None = None) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    return re.compile(strong, re.I), re.compile(weak, re.I) if weak else None


_CMS_CUES: tuple[tuple[str, tuple[re.Pattern[str], re.Pattern[str] | None]], ...] = (
    ("gkmlpt", _cues(r"/gkmlpt/|\"post_count\"", r"gkmlpt")),
    (
        "hanweb",
        _cues(
            r"<datastore>|/module/(?:web/)?jpage/|dataproxy\.jsp",
            r"/col/col\d+/|/art/\d{4}/\d{1,2}/\d{1,2}/art_",
        ),
    ),
    # The same vendor's gateway publishes the same col/ and art/ pages, so it shares hanweb's weak
    # cues and wins with its own strong ones; ranked after hanweb, a tie stays hanweb's.
    ("hanweb_jpaas", _cues(r"jpaas|api-gateway/", r"/col/col\d+/|/art/\d{4}/\d{1,2}/\d{1,2}/art_")),
    ("ucap", _cues(r"_isJson=|/common/search/|<ucap|ucapcontent", r"/es-search/")),
    ("igs", _cues(r"/igs/front/")),
    ("ilist", _cues(r"iList\.jsp")),
    ("shanghai", _cues(r"ivs_content|ivs_title|ivs_date", r"\buli16\b|\bnowrapli\b|/assets/js/ETUI/")),
    ("anhui", _cues(r"/site/tpl/|/site/label/", r"/content/column/|class=\"?doc_list|pageIndex=")),
    ("epoint", _cues(r"ewb-|epoint", r"/001/001\d{3}/")),
    ("nfcms", _cues(r"NFCMS")),
    ("trs", _cues(r"createPageHTML|createPage\s*\(", r"TRS_|_trs_|/t\d{8}_\d+\.s?html|CurrChnlCls")),
)
# Site-search widgets say which vendor runs the search box, not the CMS: used only when nothing else fits.
_SEARCH_CUES: tuple[tuple[str, tuple[re.Pattern[str], re.Pattern[str] | None]], ...] = (
    ("hanweb", _cues(r"jsearchfront|jrobot")),
    ("ucap", _cues(r"guestweb4")),
    ("trs", _cues(r"was5/web/search|trs-search")),
)


def recognise_cms(text: str, url: str = "") -> str | None:
    """The CMS family whose cues the page (or its URL) carries most, or None."""
    probe = url + "\n" + text[:400_000]
    for cues in (_CMS_CUES, _SEARCH_CUES):
        best: tuple[int, int, str] | None = None
        for rank, (name, (strong, weak)) in enumerate(cues):
            hits = 3 * len(strong.findall(probe)) + (len(weak.findall(probe)) if weak else 0)
            if hits and (best is None or (hits, -rank) > (best[0], best[1])):
                best = (hits, -rank, name)
        if best:
            return best[2]
    return None


def parse_listing(
    text: str, url: str, root: etree._Element | None = None, links: PageLinks | None = None
) -> Listing:
    """The list a page holds. ``text`` is the decoded page (HTML, XML or JSON), ``root`` its parsed
    tree when the caller has it. Malformed links are left out one by one; ``links``, when given,
    keeps them for the page's warnings."""
    links = links or PageLinks(url)
    cms = recognise_cms(text, url)
    payload = json_payload(text)
    if payload is not None:
        rows = tuple(_dedupe(items_from_json(payload, links)))
        fragment = None if rows else html_fragment(payload)
        if fragment is not None:
            # Rows as markup inside the answer: read like a static list, paged by the answer's query.
            rows = tuple(_dedupe(_items_from_html(parse_html(fragment), links)))
            total = fragment_total(fragment)
            following = next_from_json({"total": total}, url, len(rows)) if total is not None else iter(())
            return Listing(rows, tuple(following), cms, "json")
        return Listing(rows, tuple(next_from_json(payload, url, len(rows))), json_cms(payload) or cms, "json")
    if root is None:
        root = parse_html(text)
    links.base = base_url(root, url)
    records = re.findall(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", text, re.S | re.I)
    items: list[ListItem] = list(_items_from_fragments(records, links)) if records else []
    how = "datastore"
    if not items and root is not None:
        # The rows may be in the markup, in a script's array, in a comment the script draws from,
        # or written by scripts from their variables; a script may hold a menu too, so the
        # best-scoring source wins.
        hidden = [c.text for c in root.iter(etree.Comment) if c.text and "<a" in c.text]
        commented = parse_html("<div>" + "".join(hidden) + "</div>") if hidden else None
        written = with_written_markup(text)
        drawn = parse_html(written) if written is not None else None
        sources = [
            ("html", _items_from_html(root, links)),
            ("script", list(items_from_scripts(root, links))),
            ("comment", _items_from_html(commented, links) if commented is not None else []),
            ("written markup", _items_from_html(drawn, links) if drawn is not None else []),
        ]
        how, items = max(sources, key=lambda source: _score(source[1]))
    return Listing(tuple(_dedupe(items)), tuple(next_pages(text, root, url, links)), cms, how)


# ------------------------------------------------------------------------------------------ HTML


def _text(element: etree._Element) -> str:
    return clean_line(" ".join(element.itertext()))


def _title_part(anchor: etree._Element) -> etree._Element:
    """The part of a link that is its title: a card's heading when the link wraps a whole card
    (<a><h4>title</h4><p>summary</p><span>date</span></a>), else the link."""
    for heading in anchor.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        if cjk_count(_text(heading)) >= 5:
            return heading
    return anchor


def _link_title(anchor: etree._Element) -> str:
    shown = _text(_title_part(anchor))
    full = clean_line(anchor.get("title") or "")
    # Lists cut long titles ("关于印发…的通…"); the title attribute keeps the whole one.
    if full and (
        not shown
        or shown.endswith(("...", "…", ".."))
        or (len(full) > len(shown) and full.startswith(shown[:4]))
    ):
        return full
    return shown


def _row_of(anchor: etree._Element) -> etree._Element:
    node = anchor
    for _ in range(4):
        parent = node.getparent()
        if parent is None:
            break
        node = parent
        if node.tag in ("li", "tr", "dd", "dt", "p") or len(_text(node)) > 40:
            break
    parent = node.getparent()
    if node.tag == "dt" and parent is not None and parent.tag == "dl":
        # <dl><dt><a>title</a></dt><dd>date</dd></dl>: the row is the whole <dl>.
        return parent
    return node


def _signature(row: etree._Element) -> tuple[str, ...]:
    parts = []
    node: etree._Element | None = row
    for _ in range(3):
        if node is None or not isinstance(node.tag, str):
            break
        parts.append(f"{node.tag}.{(node.get('class') or '').strip()}")
        node = node.getparent()
    return tuple(parts)


def _in_chrome(element: etree._Element) -> bool:
    node: etree._Element | None = element
    while node is not None and isinstance(node.tag, str):
        if node.tag in ("nav", "header", "footer", "select", "option"):
            return True
        tokens = f"{node.get('class') or ''} {node.get('id') or ''}".lower().split()
        if any(re.split(r"[-_]", token, maxsplit=1)[0] in _CHROME_WORDS for token in tokens):
            return True
        node = node.getparent()
    return False


def _row_date(
    row: etree._Element, anchor: etree._Element | None = None, url: str | None = None
) -> date | None:
    """The date a row shows beside its link (a date inside the title is not the row's date)."""
    text = _text(row)
    if anchor is not None:
        text = text.replace(_text(_title_part(anchor)), " ", 1)
    return row_date(text, url)


# A link a script follows (href="javascript:openUrl('/art/…html')", onclick="window.open(…)"):
# the first quoted path or URL in it.
_SCRIPTED_TARGET_RE = re.compile(
    r"""['"]((?:https?://|\.{0,2}/)[^'"\s]+|[^'"\s/]+\.(?:s?html?|jsp|aspx?|php)(?:\?[^'"\s]*)?)['"]""", re.I
)


def _anchor_href(anchor: etree._Element) -> str | None:
    """Where a row's link leads: its href, or the page a script handler opens."""
    href = (anchor.get("href") or "").strip()
    if href and not SKIP_HREF_RE.match(href):
        return href
    for handler in (href, anchor.get("onclick") or ""):
        target = _SCRIPTED_TARGET_RE.search(handler)
        if target:
            return target.group(1)
    return None


def _items_from_html(root: etree._Element, links: PageLinks) -> list[ListItem]:
    groups: dict[tuple[str, ...], list[tuple[ListItem, etree._Element]]] = {}
    for anchor in root.iter("a"):
        href = _anchor_href(anchor)
        if href is None:
            continue
        title = _link_title(anchor)
        if cjk_count(title) < 5 or len(title) > 200:
            continue
        row = _row_of(anchor)
        if len(_text(row)) > 300:
            continue
        url = links.url(href)
        if url is None:
            continue
        item = ListItem(url, title, _row_date(row, anchor, url))
        groups.setdefault(_signature(row), []).append((item, anchor))
    best: list[tuple[ListItem, etree._Element]] = []
    best_score = 0.0
    for members in groups.values():
        clean = [(item, a) for item, a in members if not _in_chrome(a)]
        if len(clean) < 2:
            continue
        score = _score([item for item, _ in clean])
        if score > best_score:
            best, best_score = clean, score
    return [item for item, _ in best]


def _score(items: Sequence[ListItem]) -> float:
    """How much a group of links looks like the page's list: many rows, most of them dated."""
    if not items:
        return 0.0
    dated = sum(1 for item in items if item.date is not None)
    return len(items) * (1.0 + dated / len(items)) + (3 if dated >= 2 else 0)


def _items_from_fragments(fragments: Sequence[str], links: PageLinks) -> Iterator[ListItem]:
    for fragment in fragments:
        root = parse_html(f"<div>{fragment}</div>")
        if root is None:
            continue
        for anchor in root.iter("a"):
            href = (anchor.get("href") or "").strip()
            title = _link_title(anchor)
            if href and not SKIP_HREF_RE.match(href) and cjk_count(title) >= 2:
                url = links.url(href)
                if url is not None:
                    yield ListItem(url, title, _row_date(root, anchor, url))
                break


def _dedupe(items: Sequence[ListItem]) -> Iterator[ListItem]:
    seen: set[str] = set()
    for item in items:
        if item.url not in seen and not _ATTACHMENT_RE.search(urlsplit(item.url).path):
            seen.add(item.url)
            yield item
