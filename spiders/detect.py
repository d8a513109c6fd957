"""``policywatch sites detect``: from one list page to a proposed ``sites/*.toml`` entry, with reasons.

Two readings of the page are put side by side: the CMS family that its own machinery betrays
(:func:`notices.listing.recognise_cms`: ``createPageHTML``, ``<datastore>``, ``/gkmlpt/``, …, with
the items and next pages :func:`notices.listing.parse_listing` finds), and what each flavour's list
parser (:mod:`spiders.flavours`) actually reads from it. A flavour is proposed only when the page's
family is one a flavour implements and that parser reads rows (or the page is the family's
JavaScript shell with its data request), or, for a page of no known family, when one parser reads a
real list from it. ``generic`` is the fallback, never ahead of a family that has a flavour: proposed
for a page of no known family (its cms then ``generic``), or of a family whose own parser reads
nothing there, when its links follow one of the known URL dialects
(:data:`spiders.flavours.generic.DIALECTS`). Every step that decided something is said in ``reasons``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

from notices.decode import decode_html
from notices.list_records import json_payload
from notices.listing import parse_listing
from notices.model import ListItem, RawPage
from sites import FLAVOURS, Site
from spiders.flavours import ListPage, ListRow, PageRequest, get_flavour
from spiders.flavours.generic import dominant_dialect
from spiders.flavours.hanweb import jpage_params
from spiders.flavours.hanweb_jpaas import UNIT_PATH, is_unit_url, unit_query
from spiders.flavours.shanghai import jquery_pager
from spiders.flavours.trs import parse_create_page_html
from spiders.site_proposal import propose_toml

# The families a flavour implements; the others are recognised and reported, not yet crawlable.
FLAVOUR_OF_CMS = {
    "trs": "trs",
    "gkmlpt": "gkmlpt",
    "hanweb": "hanweb",
    "anhui": "anhui",
    "hanweb_jpaas": "hanweb_jpaas",
    "ilist": "ilist",
    "shanghai": "shanghai",
}
# Families whose flavour reads only the family's JSON list answer: proposed when it reads this page.
JSON_FLAVOUR_OF_CMS = {"ucap": "ucap", "igs": "igs"}
_JSON_REQUEST = {
    "ucap": "/common/search/<channelId>?page=1&_pageSize=15&_isAgg=true&_isJson=true&_template=index",
    "igs": "/igs/front/search/list.html?pageNumber=1&pageSize=15&filter[CHANNELID]=<id>&index=…&type=…",
}
# A page of no known family is proposed for a flavour only when that parser reads a real list.
MIN_ROWS_WITHOUT_FAMILY = 3
# Flavours proposed only by their own rule, never as the parser that merely reads the most rows:
# shanghai for its family's pages, generic for a page of no family whose links follow a dialect.
_NOT_BY_ROWS = ("shanghai", "generic")


@dataclass(frozen=True)
class Detection:
    """What ``sites detect`` found on one list page (the ``--json`` contract: these keys)."""

    cms: str | None
    flavour: str | None
    items: list[ListItem]
    next_pages: list[str]
    toml: str
    reasons: list[str] = field(default_factory=list)

    def contract_json(self) -> dict[str, Any]:
        return {
            "cms": self.cms,
            "flavour": self.flavour,
            "items": [
                {"url": i.url, "title": i.title, "date": i.date.isoformat() if i.date else None}
                for i in self.items
            ],
            "next_pages": self.next_pages,
            "toml": self.toml,
            "reasons": self.reasons,
        }


def detect_site(
    page: RawPage, *, slug: str | None = None, fetch: Callable[[PageRequest], RawPage] | None = None
) -> Detection:
    """Recognise the family of the list page ``page`` and propose its site entry.

    ``fetch``: how to make one more request, for a JavaScript shell whose rows come from a data
    request (Hanweb's dataproxy.jsp POST); without it such a page's rows are not read.
    """
    content_type = page.headers.get("content-type")
    text, _warnings = decode_html(page.body, _charset(content_type))
    listing = parse_listing(text, page.url)
    reasons: list[str] = []
    cms = listing.cms
    if cms == "hanweb" and (is_unit_url(page.url) or "jpaas-publish-server" in text):
        # Rows of /art/… links count as Hanweb cues; the jpaas gateway that serves them says which Hanweb.
        cms = "hanweb_jpaas"
        reasons.append("Hanweb's /art/ URL shapes, served through its jpaas gateway: the hanweb_jpaas family")
    if cms:
        reasons.append(f"{_family_name(cms)}: {_family_evidence(cms, text, page.url)}")
    else:
        reasons.append("no CMS family's cues on the page (no createPageHTML, <datastore>, /gkmlpt/ …)")
    reasons.append(
        f"the page holds {len(listing.items)} document links"
        + (f" ({sum(1 for i in listing.items if i.date)} with a date)" if listing.items else "")
        + (f", read from its {listing.how}" if listing.how and listing.items else "")
    )
    params = _params(text, page.url)
    readings: dict[str, ListPage | None] = {name: _read_with(name, page, params) for name in FLAVOURS}
    flavour = _choose(cms, readings, reasons)
    if flavour == "generic" and cms is None:
        cms = "generic"
    items = list(listing.items)
    next_pages = list(listing.next_pages)
    if flavour is not None:
        reading = readings[flavour] or ListPage()
        if reading.shell and not reading.rows and reading.next_request is not None and fetch is not None:
            reading = _read_data_request(flavour, page, params, reading.next_request, fetch, reasons)
        if reading.rows:
            # The flavour's rows are what the crawl follows; where its parser misses a title or a
            # date that the page shows, the generic reading of the same link fills it in.
            shown = {item.url: item for item in listing.items}
            items = [_row_item(row, shown.get(row.url)) for row in reading.rows]
        if reading.next_request is not None and reading.next_request.url not in next_pages:
            next_pages.insert(0, reading.next_request.url)
        if reading.total_pages:
            reasons.append(f"pagination: {reading.total_pages} pages")
    toml = propose_toml(
        page.url, text, flavour, params if flavour in ("hanweb", "gkmlpt") else {}, items, slug
    )
    return Detection(cms, flavour, items, next_pages, toml, reasons)


def _row_item(row: ListRow, shown: ListItem | None) -> ListItem:
    day = date.fromisoformat(row.date) if row.date else None
    if shown is None:
        return ListItem(row.url, row.title, day)
    return ListItem(row.url, row.title or shown.title, day or shown.date)


def _charset(content_type: str | None) -> str | None:
    match = re.search(r"charset=([\w-]+)", content_type or "", re.I)
    return match.group(1) if match else None


def _family_name(cms: str) -> str:
    return {
        "trs": "TRS WCM",
        "hanweb": "Hanweb jcms",
        "hanweb_jpaas": "Hanweb jpaas",
        "gkmlpt": "Guangdong gkmlpt",
        "ucap": "开普云 UCAP",
        "igs": "IGS search front",
        "ilist": "iList.jsp",
        "shanghai": "the Shanghai platform",
        "anhui": "the Anhui platform",
        "epoint": "Epoint",
        "nfcms": "NFCMS",
    }.get(cms, cms)


def _the_family(cms: str) -> str:
    """ "the TRS WCM family", "the Shanghai platform": the family as a reason names it."""
    name = _family_name(cms)
    return name if name.startswith("the ") else f"the {name} family"


def _family_evidence(cms: str, text: str, url: str) -> str:
    """The cue that gave the family away, as a reader can check it in the page."""
    if cms == "trs":
        found = parse_create_page_html(text)
        if found:
            return f"createPageHTML(…) with {found[0]} pages of {found[1]}_N.{found[2]}"
        return "TRS URL shapes (tYYYYMMDD_N.html) and class names"
    if cms == "hanweb":
        records = len(re.findall(r"<record>", text, re.I))
        ids = ", ".join(
            f"{k}={v}" for k, v in jpage_params(text).items() if k in ("webid", "columnid", "unitid")
        )
        what = f"<datastore> with {records} records" if records else "jpage/dataproxy.jsp list script"
        return what + (f", {ids}" if ids else "")
    if cms == "gkmlpt":
        return "the gkmlpt platform (/gkmlpt/ API or pages)"
    if cms == "anhui":
        return "the Anhui platform's /site/tpl/ or content/column/ pages"
    if cms == "hanweb_jpaas":
        query = unit_query(text) or unit_query(_unit_fragment(text))
        ids = ", ".join(f"{k}={query[k]}" for k in ("webId", "pageId", "tagId") if k in query)
        where = "the gateway's JSON answer" if is_unit_url(url) else "a script or pager naming the gateway"
        return f"{where} ({UNIT_PATH})" + (f", {ids}" if ids else "")
    if cms == "ilist":
        column = parse_qs(urlsplit(url).query).get("cat_id")
        return "an iList.jsp column" + (f" (cat_id={column[0]})" if column else "") + ", paged by cur_page=N"
    if cms == "shanghai":
        shown_ids = sorted(set(re.findall(r"ivs_(?:title|content|date)", text)))
        pages = jquery_pager(text)
        cues = [f"#{', #'.join(shown_ids)}"] if shown_ids else []
        cues += [f"jQuery .pagination({{totalPage: {pages}}})"] if pages is not None else []
        return ", ".join(cues) or "its list classes (uli16, nowrapli) and /assets/js/ETUI/ scripts"
    return "its list machinery in the page or URL"


def _unit_fragment(text: str) -> str:
    """The HTML a jpaas gateway answer carries (``data.html``), or nothing."""
    payload = json_payload(text)
    data = payload.get("data") if isinstance(payload, dict) else None
    fragment = data.get("html") if isinstance(data, dict) else None
    return fragment if isinstance(fragment, str) else ""


def _params(text: str, url: str) -> dict[str, str | int]:
    """Flavour parameters readable from the page: Hanweb's jpage ids, gkmlpt's category and sid."""
    found: dict[str, str | int] = dict(jpage_params(text))
    found.pop("webname", None)
    match = re.search(r"/gkmlpt/api/all/(\d+)", url)
    if match:
        found["cat_id"] = match.group(1)
        sid = parse_qs(urlsplit(url).query).get("sid")
        if sid:
            found["sid"] = sid[0]
    return found


def _provisional_site(flavour: str, url: str, params: dict[str, str | int]) -> Site:
    """An entry for the column at ``url`` read as ``flavour``: what its parser needs to run."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        parts = urlsplit("http://detect.invalid/" + parts.path.lstrip("/"))
    return Site(
        slug="detect",
        name="detect",
        region="",
        level="province",
        base_url=f"{parts.scheme}://{parts.netloc}",
        flavour=flavour,  # type: ignore[arg-type]
        list_urls=[url],
        params=params,
        allow_private_network=True,  # it only runs a list parser on a page already fetched; never crawled
    )


def _read_with(flavour: str, page: RawPage, params: dict[str, str | int]) -> ListPage | None:
    """What one flavour's list parser reads from the page (None when it cannot read it at all)."""
    site = _provisional_site(flavour, page.url, params)
    parser = get_flavour(flavour)
    try:
        # The request the spider would make for this page: its page number tells a shell from data.
        first = parser.first_requests(site)
        request = next((r for r in first if r.url == page.url), None)
        if request is None:
            request = PageRequest(url=page.url, page_no=first[0].page_no if first else 1)
        return parser.parse_list(site, request, page.url, page.body, page.headers.get("content-type"))
    except Exception:  # noqa: BLE001 - a parser that cannot read the page simply does not fit it
        return None


def _read_data_request(
    flavour: str,
    page: RawPage,
    params: dict[str, str | int],
    request: PageRequest,
    fetch: Callable[[PageRequest], RawPage],
    reasons: list[str],
) -> ListPage:
    """The rows of a shell's data request, read by the flavour's parser as the spider would."""
    answer = fetch(request)
    if answer.status != 200:
        reasons.append(f"its data request {request.method} {request.url} answered HTTP {answer.status}")
        return ListPage()
    parser = get_flavour(flavour)
    site = _provisional_site(flavour, page.url, params)
    reading = parser.parse_list(site, request, answer.url, answer.body, answer.headers.get("content-type"))
    reasons.append(f"its data request {request.method} {request.url} holds {len(reading.rows)} rows")
    return reading


def _choose(cms: str | None, readings: dict[str, ListPage | None], reasons: list[str]) -> str | None:
    for name, reading in readings.items():
        if reading is not None and (reading.rows or reading.shell):
            shell = " (a JavaScript shell; rows come from its data request)" if reading.shell else ""
            if reading.shell and name == "shanghai":
                older = f", then {len(reading.archives)} older ones" if reading.archives else ""
                shell = f" (a section of year archives; rows come from the newest year's archive{older})"
            reasons.append(f"flavour {name} reads {len(reading.rows)} rows{shell}")
    if cms in FLAVOUR_OF_CMS:
        name = FLAVOUR_OF_CMS[cms]
        reading = readings.get(name)
        if reading is not None and (reading.rows or (reading.shell and reading.next_request is not None)):
            reasons.append(f"proposed flavour: {name} ({_the_family(cms)}; its parser reads the list)")
            return name
        search = readings.get("json_list")
        if search is not None and search.rows:
            reasons.append(
                f"proposed flavour: json_list (a JSON or JSONP list of {_the_family(cms)} documents; "
                f"its parser reads {len(search.rows)} records)"
            )
            return "json_list"
        fallback = _generic_fallback(readings)
        if fallback is not None:
            reasons.append(fallback)
            reasons.append(
                f"proposed flavour: generic ({_the_family(cms)}'s parser {name} reads no rows "
                "from this page, but its document links follow a known dialect)"
            )
            return "generic"
        reasons.append(
            f"proposed flavour: {name} ({_the_family(cms)}), but its parser reads no rows from "
            "this page: check that it is the column's list page, or give the entry selectors or params"
        )
        return name
    if cms in JSON_FLAVOUR_OF_CMS:
        name = JSON_FLAVOUR_OF_CMS[cms]
        reading = readings.get(name)
        if reading is not None and reading.rows:
            reasons.append(f"proposed flavour: {name} ({_the_family(cms)}'s JSON list answer)")
            return name
        reasons.append(
            f"{_the_family(cms)}'s flavour {name} reads its JSON list answer, which this page is "
            f"not: point detect at the column's data request ({_JSON_REQUEST[cms]})"
        )
    elif cms is not None:
        reasons.append(f"no flavour implements {_the_family(cms)} yet: the entry cannot be crawled")
        return None
    fallback = _generic_fallback(readings) if cms is None else None
    if fallback is not None:
        reasons.append(fallback)
        reasons.append(
            "proposed flavour: generic (no family cues, but its document links follow a known dialect)"
        )
        return "generic"
    best = max(
        ((len(r.rows), name) for name, r in readings.items() if r is not None and name not in _NOT_BY_ROWS),
        default=(0, ""),
    )
    if best[0] >= MIN_ROWS_WITHOUT_FAMILY:
        cues = "no family cues" if cms is None else f"not the {_family_name(cms)} JSON answer"
        reasons.append(f"proposed flavour: {best[1]} ({cues}, but its parser reads {best[0]} rows)")
        return best[1]
    reasons.append("no flavour reads a list from this page")
    return None


def _generic_fallback(readings: dict[str, ListPage | None]) -> str | None:
    """The reason line for the generic flavour, when its rows follow one URL dialect in number."""
    generic = readings.get("generic")
    found = dominant_dialect([r.url for r in generic.rows]) if generic is not None else None
    if found is None or found[1] < MIN_ROWS_WITHOUT_FAMILY:
        return None
    return f"generic: {found[1]} links in the {found[0].label} dialect"
