"""The ``gkmlpt`` list parser; :class:`GkmlptFlavour` documents the flavour."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urlencode, urljoin

from notices.links import PageLinks
from sites import Site
from spiders.flavours.base import Flavour, ListPage, ListRow, PageRequest
from spiders.flavours.records import present

_CHINA = timezone(timedelta(hours=8))


class GkmlptFlavour(Flavour):
    """gkmlpt — the Guangdong government information disclosure platform.

    Lists come from a JSON API, ``gkmlpt/api/all/<catId>?page=N&sid=<sid>`` (``params.cat_id``,
    ``params.sid``; the site's ``list_urls`` may name the first API page directly), answering
    ``{"total": T, "page": N, "pageSize": S, "articles": [{"id", "title", "url", "document_number",
    "identifier", "first_publish_time" (epoch seconds), "publisher"}]}``. The next page exists while
    ``N * S < T``. Details are ``gkmlpt/content/<a>/<b>/post_<id>.html``. A row's
    ``document_number`` (文号) and ``identifier`` (索引号) are kept with it, for a detail page that
    does not show them.
    """

    name = "gkmlpt"
    default_detail_pattern = r"/gkmlpt/content/\d+/\d+/post_\d+\.html$"

    def first_requests(self, site: Site) -> list[PageRequest]:
        if "cat_id" in site.params:
            return [PageRequest(url=self._api_url(site, 1), page_no=1)]
        return super().first_requests(site)

    def _api_url(self, site: Site, page: int) -> str:
        query = urlencode({"page": page, "sid": site.params.get("sid", 1)})
        return urljoin(site.base_url.rstrip("/") + "/", f"gkmlpt/api/all/{site.params['cat_id']}?{query}")

    def parse(
        self, site: Site, request: PageRequest, url: str, body: bytes, content_type: str | None
    ) -> ListPage:
        try:
            data = json.loads(body)
        except ValueError:
            return ListPage()  # not JSON (an error page): no rows, so the spider reports it
        if not isinstance(data, dict):
            return ListPage()
        rows = []
        links = PageLinks(url)
        for article in data.get("articles") or []:
            if not isinstance(article, dict) or not article.get("url"):
                continue
            row_url = links.url(str(article["url"]))
            if row_url is not None:
                rows.append(
                    ListRow(
                        url=row_url,
                        title=str(article.get("title") or ""),
                        date=_day(article),
                        doc_number=present(article.get("document_number")),
                        index_number=present(article.get("identifier")),
                    )
                )
        total, page_size = int(data.get("total") or 0), int(data.get("pageSize") or len(rows) or 1)
        page = int(data.get("page") or request.page_no)
        total_pages = max(1, math.ceil(total / page_size))
        next_request = None
        if page * page_size < total:
            next_request = PageRequest(url=_with_page(url, site, page + 1, self), page_no=page + 1)
        return ListPage(
            rows=rows,
            next_request=next_request,
            total_pages=total_pages,
            malformed_links=tuple(links.warnings()),
        )


def _with_page(url: str, site: Site, page: int, flavour: GkmlptFlavour) -> str:
    if "cat_id" in site.params:
        return flavour._api_url(site, page)
    head, _, query = url.partition("?")
    parts = [p for p in query.split("&") if p and not p.startswith("page=")]
    return f"{head}?{'&'.join([f'page={page}', *parts])}"


def _day(article: dict[str, object]) -> str | None:
    stamp = article.get("first_publish_time")
    if isinstance(stamp, int | float) and stamp > 0:
        return datetime.fromtimestamp(stamp, UTC).astimezone(_CHINA).date().isoformat()
    return None
