"""``policywatch sites check``: does a site's list and detail extraction still work, live?

Quick and Scrapy-free: urllib fetches the first list page (and, for JavaScript-rendered lists,
the data request), the flavour's list parser reads it, then one detail page goes through
``notices.extract``. Works against govsim too (``POLICYWATCH_SITE_OVERRIDES``).
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from notices.model import RawPage
from sites import Site
from spiders.faults import classify
from spiders.flavours import ListPage, PageRequest, get_flavour
from spiders.settings import DEFAULT_REQUEST_HEADERS, USER_AGENT


@dataclass
class SiteCheck:
    """What one live check found. ``ok`` when rows were listed and the sample detail is a notice."""

    slug: str
    ok: bool = False
    list_url: str = ""
    list_status: int | None = None
    rows: int = 0
    list_pages: int | None = None
    detail_url: str | None = None
    detail_status: int | None = None
    page_kind: str | None = None
    title: str | None = None
    published_date: str | None = None
    body_chars: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    def describe(self) -> str:
        head = f"{self.slug}: {'OK' if self.ok else 'BROKEN'} ({self.elapsed:.1f} s)"
        lines = [head, f"  list   {self.list_url} -> HTTP {self.list_status}, {self.rows} rows"]
        if self.detail_url:
            lines.append(
                f"  detail {self.detail_url} -> HTTP {self.detail_status}, page_kind={self.page_kind}, "
                f"title={self.title!r}, published={self.published_date}, body={self.body_chars} chars"
            )
        lines += [f"  problem: {p}" for p in self.problems]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


class _ConfinedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only when the site may fetch its target (sites.confinement)."""

    def __init__(self, site: Site) -> None:
        self.site = site

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        reason = self.site.url_refusal(newurl)
        if reason is not None:
            raise ValueError(f"{req.full_url} redirected to {newurl}, not followed: {reason}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _fetch(site: Site, request: PageRequest, timeout: float) -> tuple[int, bytes, dict[str, str]]:
    reason = site.url_refusal(request.url)
    if reason is not None:
        raise ValueError(f"refused {request.url}: {reason}")
    data = urlencode(request.form).encode() if request.method == "POST" else None
    headers = {**DEFAULT_REQUEST_HEADERS, "User-Agent": USER_AGENT, **dict(request.headers)}
    if data is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    http_request = urllib.request.Request(request.url, data=data, headers=headers, method=request.method)
    try:
        opener = urllib.request.build_opener(_ConfinedRedirects(site))
        with opener.open(http_request, timeout=timeout) as response:  # http(s) on the site only
            return response.status, response.read(), {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), {k.lower(): v for k, v in exc.headers.items()}


def check_site(site: Site, *, timeout: float = 30) -> SiteCheck:
    """Fetch ``site``'s first list page and one detail page; report what still works."""
    started = time.monotonic()
    result = SiteCheck(slug=site.slug)
    try:
        listing = _check_list(site, result, timeout)
        if listing is not None and listing.rows:
            _check_detail(site, listing.rows[0].url, result, timeout)
    except (OSError, ValueError) as exc:  # network errors, timeouts, bad URLs
        result.problems.append(f"request failed: {type(exc).__name__}: {exc}")
    result.ok = (
        not result.problems
        and result.rows > 0
        and result.detail_status == 200
        and result.page_kind in ("notice", None)  # None: notices.extract is not there to ask
    )
    result.elapsed = time.monotonic() - started
    return result


def _check_list(site: Site, result: SiteCheck, timeout: float) -> ListPage | None:
    flavour = get_flavour(site.flavour)
    first = flavour.first_requests(site)[0]
    result.list_url = first.url
    request: PageRequest | None = first
    listing = None
    for _ in range(2):  # the static page, then the data request of a JavaScript-rendered list
        if request is None or urlsplit(request.url).scheme not in ("http", "https"):
            break
        status, body, headers = _fetch(site, request, timeout)
        result.list_status = status
        verdict = classify(status, body)
        if verdict is not None:
            result.problems.append(f"list page {request.url} is {verdict.reason}")
            return None
        listing = flavour.parse_list(site, request, request.url, body, headers.get("content-type"))
        if not listing.shell:
            break
        request = listing.next_request
    if listing is None or not listing.rows:
        hint = (
            f" ({listing.off_pattern} links did not match detail_url_pattern)"
            if listing and listing.off_pattern
            else ""
        )
        result.problems.append(f"list page yielded no notices; the template may have changed{hint}")
        return None
    result.rows, result.list_pages = len(listing.rows), listing.total_pages
    return listing


def _check_detail(site: Site, url: str, result: SiteCheck, timeout: float) -> None:
    result.detail_url = url
    status, body, headers = _fetch(site, PageRequest(url=url), timeout)
    result.detail_status = status
    verdict = classify(status, body)
    if verdict is not None:
        result.problems.append(f"detail page {url} is {verdict.reason}")
    extract = _extractor()
    if extract is None:
        result.notes.append("notices.extract is not available; only the detail fetch was checked")
        return
    notice = extract(RawPage(url=url, body=body, status=status, headers=headers))
    result.page_kind = str(getattr(notice.page_kind, "value", notice.page_kind))
    result.title = notice.title
    result.published_date = notice.published_date.isoformat() if notice.published_date else None
    result.body_chars = len(notice.body)
    if result.page_kind != "notice":
        result.problems.append(f"detail page {url} was classified as {result.page_kind!r}, not a notice")
    for name, value in (
        ("title", notice.title),
        ("published date", notice.published_date),
        ("body", notice.body),
    ):
        if not value:
            result.problems.append(f"detail page {url}: no {name} extracted")


def _extractor() -> Any:
    """``notices.extract``, imported late: the check still reports list health without it."""
    try:
        from notices.extract import extract
    except ImportError:
        return None
    return extract
