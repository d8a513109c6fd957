"""The ``json_list`` list parser; :class:`JsonListFlavour` documents the flavour."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from notices.links import PageLinks
from notices.list_records import int_field
from sites import Site
from spiders.flavours.base import Flavour, ListPage, PageRequest
from spiders.flavours.records import DOC_NUMBER_KEYS, payload_of, present, record_rows, with_query


class JsonListFlavour(Flavour):
    """json_list — a column list served as a JSON (or JSONP) document of records: ``{"data": [...]}``.

    Two shapes are known. Jilin's search service answers
    ``/govsearch/jsonp/<list>.jsp?page=N&…&callback=result`` with blank lines, then
    ``result({"data": [{"MetaDataId", "puburl", "tip": {"title", "dates", "filenum",
    "publisher"}}]})``: the record's URL is ``puburl`` (absolute, on the disclosure host, which the
    entry lists in ``extra_hosts``), its title, date and 文号 sit in ``tip``. A TRS JSON export
    (Hubei's ``zcwj.json``) holds the whole column in one answer, ``{"data": [{"URL", "FILENAME",
    "FILENUM", "PUBDATE", …}]}``. Each record with a title and a URL is a row (the same reading as
    ``policywatch extract`` on the saved answer); the 文号 comes from ``filenum``/``FILENUM``.

    Paging: only a URL with a ``page`` query parameter pages (``page`` from 1). The sources show no
    total, so the walk goes on while a page has rows (a page past the last holds none), up to the
    site's ``max_list_pages``; a total in the answer (``pageCount``, ``total``, ``totalCount``) ends
    it sooner. Every record is a document, so there is no default ``detail_url_pattern``.

    Evidence: SmartDataLab/Policy_crawler ``src/crawl_data/crawl_data/spiders/JilinSpider.py`` (the
    URL, ``data[]``, ``puburl``, ``tip.title/dates/filenum/publisher``, the blank-line prefix);
    edddyeddy/GYSpider ``JLGovSpider/JiLinGovSpider.py`` (the same service for 规章 and 规范性文件,
    ``result(...)``); the saved Hubei answer ``tests/fixtures/pages/real_hubei_scjg_list_json``.
    """

    name = "json_list"

    def parse(
        self, site: Site, request: PageRequest, url: str, body: bytes, content_type: str | None
    ) -> ListPage:
        payload = payload_of(body, content_type, site)
        if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
            return ListPage()  # not the list answer (an error page): no rows, so the spider reports it
        records = [r for r in payload["data"] if isinstance(r, dict)]
        links = PageLinks(url)
        rows = record_rows(records, links, _doc_number)
        paged = "page" in dict(parse_qsl(urlsplit(url).query))
        pages = _page_count(payload, len(records)) if paged else 1
        next_request = None
        if paged and rows and (pages is None or request.page_no < pages):
            next_request = PageRequest(
                url=with_query(url, page=request.page_no + 1), page_no=request.page_no + 1
            )
        return ListPage(
            rows=rows, next_request=next_request, total_pages=pages, malformed_links=tuple(links.warnings())
        )


def _doc_number(record: Mapping[str, Any]) -> str | None:
    for fields in (record, *(v for v in record.values() if isinstance(v, dict))):
        for key in DOC_NUMBER_KEYS:
            if key in fields:
                return present(fields[key])
    return None


def _page_count(payload: Mapping[str, Any], rows: int) -> int | None:
    pages = int_field(payload.get("pageCount"))
    if pages is not None:
        return pages
    total = int_field(payload.get("total")) or int_field(payload.get("totalCount"))
    return -(-total // rows) if total is not None and rows else None
