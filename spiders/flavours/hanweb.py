"""The ``hanweb`` list parser; :class:`HanwebFlavour` documents the flavour."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

from parsel import Selector

from notices.links import PageLinks
from sites import Site
from spiders.flavours.base import Flavour, ListPage, ListRow, PageRequest, decode, html_rows

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_COLUMN_IN_URL = re.compile(r"/col/col(\d+)/")
DATAPROXY = "module/jpage/dataproxy.jsp"
DEFAULT_PER_PAGE = 15


def jpage_params(script_text: str) -> dict[str, str]:
    """``webid``/``columnid``/``unitid``/``perpage``/``webname`` as configured in the page's scripts."""
    found: dict[str, str] = {}
    for key in ("webid", "columnid", "unitid", "perpage"):
        match = re.search(rf"\b{key}\b['\"]?\s*[:=]\s*['\"]?(\d+)", script_text, re.I)
        if match:
            found[key] = match.group(1)
    match = re.search(r"\bwebname\b['\"]?\s*[:=]\s*['\"]([^'\"]*)['\"]", script_text, re.I)
    if match:
        found["webname"] = match.group(1)
    return found


class HanwebFlavour(Flavour):
    """hanweb — Hanweb jcms (Zhejiang style), the "JavaScript-rendered list".

    The list page ``col/col<columnid>/index.html`` has no rows in its static HTML: a script configures
    jpage, and the browser POSTs to
    ``module/jpage/dataproxy.jsp?startrecord=S&endrecord=E&perpage=P`` with the form fields
    ``col=1&appid=1&webid=<webid>&path=/&columnid=<columnid>&sourceContentType=1&unitid=<unitid>&webname=<name>&permissiontype=0``.
    The answer is XML: ``<datastore><totalrecord>T</totalrecord>…<recordset><record><![CDATA[<li><a
    href="/art/YYYY/M/D/art_<col>_<id>.html" title="…">…</a><span>YYYY-MM-DD</span></li>]]></record>…``.

    So the spider fetches the list page, reads ``webid``, ``columnid``, ``unitid`` and ``perpage`` from
    its script (the site's ``params`` win when given), then POSTs for each page of records. When the
    static page already embeds the first records (``<script type="text/xml">``), they count as page 1.
    Details are ``art/YYYY/M/D/art_<col>_<id>.html``.
    """

    name = "hanweb"
    default_detail_pattern = r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$"

    def first_requests(self, site: Site) -> list[PageRequest]:
        # Page 0 is the static shell; data pages are numbered from 1.
        return [PageRequest(url=url, page_no=0) for url in site.absolute_list_urls()]

    def parse(
        self, site: Site, request: PageRequest, url: str, body: bytes, content_type: str | None
    ) -> ListPage:
        text = decode(body, content_type, site)
        config = dict(request.form)
        if request.method == "POST":
            config["perpage"] = parse_qs(urlsplit(request.url).query).get("perpage", [""])[0]
        else:
            config = self._config(site, url, text)
            if not {"webid", "columnid", "unitid"} <= config.keys():
                return ListPage()  # neither the script nor params say where the rows are
        per_page = int(config.get("perpage") or DEFAULT_PER_PAGE)
        records = _RECORD.findall(text)
        links = PageLinks(url)
        rows = self._rows(records, links)
        total_match = _TOTAL.search(text)
        total = int(total_match.group(1)) if total_match else len(rows)
        total_pages = max(1, -(-total // per_page))
        page_no = max(request.page_no, 1) if records else request.page_no
        next_request = None
        if page_no < total_pages or (page_no == 0 and not records):
            next_request = self._data_request(site, config, page_no + 1, per_page)
        return ListPage(
            rows=rows,
            next_request=next_request,
            total_pages=total_pages,
            shell=page_no == 0,
            malformed_links=tuple(links.warnings()),
        )

    def _config(self, site: Site, url: str, text: str) -> dict[str, str]:
        scripts = " ".join(Selector(text=text).css("script::text").getall())
        config = jpage_params(scripts)
        column = _COLUMN_IN_URL.search(url)
        if column and "columnid" not in config:
            config["columnid"] = column.group(1)
        config.update({k: str(v) for k, v in site.params.items()})
        config.setdefault("webname", site.name)
        return config

    def _rows(self, records: list[str], links: PageLinks) -> list[ListRow]:
        if not records:
            return []
        selector = Selector(text="<ul>" + "".join(records) + "</ul>")
        return html_rows(selector, links.base, "li", "span::text", links)

    def _data_request(self, site: Site, config: dict[str, str], page_no: int, per_page: int) -> PageRequest:
        start = (page_no - 1) * per_page + 1
        query = urlencode({"startrecord": start, "endrecord": start + per_page - 1, "perpage": per_page})
        form = (
            ("col", "1"),
            ("appid", "1"),
            ("webid", config["webid"]),
            ("path", "/"),
            ("columnid", config["columnid"]),
            ("sourceContentType", "1"),
            ("unitid", config["unitid"]),
            ("webname", config.get("webname", "")),
            ("permissiontype", "0"),
        )
        url = urljoin(site.base_url.rstrip("/") + "/", f"{DATAPROXY}?{query}")
        return PageRequest(url=url, page_no=page_no, method="POST", form=form)
