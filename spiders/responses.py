"""What the spider keeps of a Scrapy response: the :class:`FetchedPage` item it becomes."""

from __future__ import annotations

from datetime import UTC, datetime

from scrapy.http import Response

from spiders.items import FetchedPage
from spiders.protocol import FLAG

REDIRECTED_TO_HEADER = "x-policywatch-redirected-to"  # added to stored headers after an on-site redirect


def fetched_page(slug: str, role: str, response: Response) -> FetchedPage:
    """``response`` as the page to store, under the URL its list gave (an on-site redirect's target
    is kept in :data:`REDIRECTED_TO_HEADER`), with the crawler's flag if it recognised one."""
    flag = response.meta.get(FLAG)
    headers = stored_headers(response)
    listed_url = (response.meta.get("redirect_urls") or [response.url])[0]
    if listed_url != response.url:
        headers[REDIRECTED_TO_HEADER] = response.url
    return FetchedPage(
        site=slug,
        role=role,
        url=listed_url,
        status=response.status,
        body=response.body,
        fetched_at=datetime.now(UTC),
        headers=headers,
        flag=flag[0] if flag else None,
        flag_reason=f"crawler: {flag[1]}" if flag else None,
    )


def stored_headers(response: Response) -> dict[str, str]:
    """The response's headers, lower-cased, without the cookies it set."""
    return {
        key.decode("latin-1").lower(): b", ".join(values).decode("latin-1")
        for key, values in response.headers.items()
        if key.lower() != b"set-cookie"
    }


def content_type(response: Response) -> str | None:
    value = response.headers.get(b"Content-Type")
    return value.decode("latin-1") if value else None
