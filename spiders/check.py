"""``policywatch sites check``: does a site's list and detail extraction still work, live?

Quick and Scrapy-free: the first list page (and, for JavaScript-rendered lists, its data
request) is fetched through :class:`spiders.polite.PoliteFetcher` (confined to the site, robots.txt
obeyed, one request at a time per host with the site's delay), the flavour's list parser reads
it, then one detail page goes through ``notices.extract``. Works against govsim too
(``POLICYWATCH_SITE_OVERRIDES``). :mod:`spiders.check_run` checks many sites in one run.

Every problem found says what to do about it (``fix``): see :data:`FIXES`.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import config
from notices.model import RawPage
from sites import Site
from spiders.faults import Verdict, classify
from spiders.flavours import ListPage, PageRequest, get_flavour
from spiders.polite import DeadlineReached, HostUnresolved, PoliteFetcher, RequestRefused, RobotsDisallowed

DOCS_BLOCKED = "docs/deploy.md#live-site-checks"

# What to do about each kind of problem; {slug}, {list_url} and {detail_url} are filled in.
FIXES: dict[str, str] = {
    "unresolved": (
        "host name does not resolve: the site may have moved; find its new address and update base_url "
        "in sites/{slug}.toml (or set enabled = false)"
    ),
    "dns": (
        "the host name could not be looked up (no answer from DNS): check this machine's network and "
        "resolver, then check again; if only this site fails, see whether {list_url} still exists"
    ),
    "unreachable": (
        "the host did not answer: check again later; if it still fails next week, open {list_url} in a "
        "browser and update base_url in sites/{slug}.toml"
    ),
    "refused": (
        "a request left the site's hosts: if the new host is the site's own, add it to extra_hosts "
        "(or update base_url) in sites/{slug}.toml"
    ),
    "forbidden-address": (
        "the host name resolves to an address the crawler never connects to: check base_url in "
        "sites/{slug}.toml (set allow_private_network = true only if the site really is on a private network)"
    ),
    "robots": (
        "robots.txt disallows the page: leave the site alone, or set politeness.obey_robots = false "
        "with a robots_override_reason in sites/{slug}.toml only if the site allows it"
    ),
    "blocked-ruishu": (
        "HTTP 412 anti-bot challenge (瑞数): back off, do not retry from this address for a day; "
        f"see {DOCS_BLOCKED}"
    ),
    "blocked": f"anti-bot challenge: back off, do not retry from this address for a day; see {DOCS_BLOCKED}",
    "denied": (
        "access denied: the site refuses this machine's address; back off and check from another "
        f"network; see {DOCS_BLOCKED}"
    ),
    "maintenance": "the site shows a maintenance page: check again tomorrow; nothing to change",
    "server-error": "the server answered with an error: check again later; nothing to change yet",
    "list-gone": (
        "the list page is gone (HTTP {status}): find the column on the site and update list_urls in "
        "sites/{slug}.toml, then `policywatch sites check {slug}`"
    ),
    "off-pattern": (
        "list page yielded no links matching detail_url_pattern: run `policywatch sites detect {list_url}` "
        "and update sites/{slug}.toml"
    ),
    "no-rows": (
        "list page yielded no notices (the template changed, or the list is built by JavaScript): run "
        "`policywatch sites detect {list_url}` and update sites/{slug}.toml"
    ),
    "not-notice": (
        "the sample detail page is not a notice: run `policywatch extract {detail_url}` to see why, and "
        "tighten detail_url_pattern in sites/{slug}.toml"
    ),
    "fields": (
        "the detail page lacks fields: run `policywatch extract {detail_url}`; save the page as a fixture "
        "under tests/fixtures/pages and report it for notices/"
    ),
    "deadline": "not checked (deadline): run again with a larger --deadline, or for fewer sites (--sites)",
    "deadline-partway": "the run's deadline came partway: run again with a larger --deadline, or --sites {slug}",
}


@dataclass
class SiteCheck:
    """What one live check found. ``ok`` when rows were listed and the sample detail is a notice.

    ``problem`` and ``fix`` are the first problem found and what to do about it; ``problems`` are
    all of them. ``blocked`` names the challenge family when the site answered with an anti-bot
    page: one of :data:`notices.challenges.CHALLENGE_FAMILIES` (``ruishu``, ``wzws``, ``jiasule``,
    ``yunsuo``, ``aliyun``, ``cloudflare``), ``challenge`` when none is recognised, ``denied`` for a
    plain refusal (HTTP 403/521).
    """

    slug: str
    name: str = ""
    ok: bool = False
    list_url: str = ""
    list_status: int | None = None
    list_reachable: bool = False
    blocked: str | None = None
    rows: int = 0
    list_pages: int | None = None
    detail_url: str | None = None
    detail_status: int | None = None
    page_kind: str | None = None
    title: str | None = None
    published_date: str | None = None
    body_chars: int = 0
    problem: str | None = None
    fix: str | None = None
    problem_kind: str | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    checked: bool = True

    def fail(self, kind: str, message: str, **values: object) -> None:
        """Record a problem; the first one is the site's ``problem``, with its ``fix``."""
        self.problems.append(message)
        if self.problem is None:
            self.problem, self.problem_kind = message, kind
            self.fix = FIXES[kind].format(
                slug=self.slug, list_url=self.list_url, detail_url=self.detail_url, **values
            )

    @property
    def state(self) -> str:
        return "NOT CHECKED" if not self.checked else "OK" if self.ok else "BROKEN"

    def describe(self) -> str:
        head = f"{self.slug}: {self.state} ({self.elapsed:.1f} s)"
        if not self.checked:
            return f"{head}\n  problem: {self.problem}\n  fix: {self.fix}"
        lines = [head, f"  list   {self.list_url} -> HTTP {self.list_status}, {self.rows} rows"]
        if self.detail_url:
            lines.append(
                f"  detail {self.detail_url} -> HTTP {self.detail_status}, page_kind={self.page_kind}, "
                f"title={self.title!r}, published={self.published_date}, body={self.body_chars} chars"
            )
        lines += [f"  problem: {p}" for p in self.problems]
        if self.fix:
            lines.append(f"  fix: {self.fix}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def report_entry(self) -> dict[str, Any]:
        """This site's entry in the ``--json`` report (see docs/deploy.md, "Live site checks")."""
        detail = None
        if self.detail_url is not None:
            detail = {
                "http_status": self.detail_status,
                "page_kind": self.page_kind,
                "title": self.title,
                "published_date": self.published_date,
                "body_chars": self.body_chars,
            }
        return {
            "slug": self.slug,
            "name": self.name,
            "checked": self.checked,
            "list_url": self.list_url,
            "list_reachable": self.list_reachable,
            "http_status": self.list_status,
            "blocked": self.blocked,
            "items_found": self.rows,
            "detail_url": self.detail_url,
            "detail_extracted": detail,
            "ok": self.ok,
            "problem": self.problem,
            "problem_kind": self.problem_kind,
            "fix": self.fix,
            "problems": self.problems,
            "seconds": round(self.elapsed, 2),
        }


def not_checked(site: Site, reason: str = "deadline") -> SiteCheck:
    """The report entry of a site the run had no time left for."""
    result = SiteCheck(slug=site.slug, name=site.name, checked=False)
    result.list_url = _first_list_url(site)
    result.fail(reason, f"not checked ({reason})")
    return result


def check_site(
    site: Site,
    *,
    timeout: float = 30,
    fetcher: PoliteFetcher | None = None,
    deadline: float | None = None,
) -> SiteCheck:
    """Fetch ``site``'s first list page and one detail page; report what still works.

    ``fetcher`` is shared by the sites of one run (a new one, with ``POLICYWATCH_DELAY_SCALE``,
    when None); ``deadline`` (a :func:`time.monotonic` time): no request is sent after it.
    """
    started = time.monotonic()
    fetcher = fetcher or PoliteFetcher(delay_scale=config.current().delay_scale)
    result = SiteCheck(slug=site.slug, name=site.name)

    def fetch(request: PageRequest) -> tuple[int, bytes, dict[str, str]]:
        return fetcher.fetch(site, request, timeout, deadline)

    where = "list page"
    try:
        listing = _check_list(site, result, fetch)
        if listing is not None and listing.rows:
            where = "detail page"
            _check_detail(site, listing.rows[0].url, result, fetch)
    except RobotsDisallowed as exc:
        result.fail("robots", f"{where}: {exc}")
    except RequestRefused as exc:
        kind = "forbidden-address" if " resolves to " in str(exc) else "refused"
        result.fail(kind, f"request failed: {exc}")
    except DeadlineReached as exc:
        result.fail("deadline-partway", f"{where}: {exc} not fetched, the run's deadline came first")
    except HostUnresolved as exc:
        if exc.permanent:
            result.fail("unresolved", f"request failed: host name does not resolve: {exc}")
        else:
            result.fail("dns", f"request failed: DNS lookup failed: {exc}")
    except (OSError, ValueError) as exc:  # refused connections, timeouts, resets, bad URLs
        result.fail("unreachable", f"request failed: {_failure(exc)}")
    result.ok = (
        not result.problems
        and result.rows > 0
        and result.detail_status == 200
        and result.page_kind in ("notice", None)  # None: notices.extract is not there to ask
    )
    result.elapsed = time.monotonic() - started
    return result


def _failure(exc: BaseException) -> str:
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "timed out" if str(exc) in ("", "timed out") else f"timed out ({exc})"
    return f"{type(exc).__name__}: {exc}"


def _first_list_url(site: Site) -> str:
    return get_flavour(site.flavour).first_requests(site)[0].url


def _check_list(site: Site, result: SiteCheck, fetch: Any) -> ListPage | None:
    flavour = get_flavour(site.flavour)
    first = flavour.first_requests(site)[0]
    result.list_url = first.url
    request: PageRequest | None = first
    listing = None
    for _ in range(2):  # the static page, then the data request of a JavaScript-rendered list
        if request is None or urlsplit(request.url).scheme not in ("http", "https"):
            break
        status, body, headers = fetch(request)
        result.list_status = status
        result.list_reachable = True
        verdict = classify(status, body, _set_cookies(headers))
        if verdict is not None:
            _fail_verdict(result, "list page", request.url, status, verdict)
            return None
        listing = flavour.parse_list(site, request, request.url, body, headers.get("content-type"))
        if not listing.shell:
            break
        request = listing.next_request
    if listing is None or not listing.rows:
        if listing and listing.off_pattern:
            result.fail(
                "off-pattern",
                "list page yielded no notices; the template may have changed "
                f"({listing.off_pattern} links did not match detail_url_pattern)",
            )
        else:
            result.fail("no-rows", "list page yielded no notices; the template may have changed")
        return None
    result.rows, result.list_pages = len(listing.rows), listing.total_pages
    return listing


def _set_cookies(headers: dict[str, str]) -> list[str]:
    return [headers["set-cookie"]] if "set-cookie" in headers else []


def _fail_verdict(result: SiteCheck, where: str, url: str, status: int, verdict: Verdict) -> None:
    message = f"{where} {url} is {verdict.reason}"
    if verdict.kind == "blocked":
        result.blocked = verdict.family or "challenge"
        if result.blocked == "denied":
            result.fail("denied", message)
        elif result.blocked == "ruishu":
            result.fail("blocked-ruishu", message)
        else:
            result.fail("blocked", message)
    elif verdict.maintenance:
        result.fail("maintenance", message)
    elif where == "list page" and status in (404, 410):
        result.fail("list-gone", message, status=status)
    else:
        result.fail("server-error", message)


def _check_detail(site: Site, url: str, result: SiteCheck, fetch: Any) -> None:
    result.detail_url = url
    status, body, headers = fetch(PageRequest(url=url))
    result.detail_status = status
    verdict = classify(status, body, _set_cookies(headers))
    if verdict is not None:
        _fail_verdict(result, "detail page", url, status, verdict)
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
        result.fail("not-notice", f"detail page {url} was classified as {result.page_kind!r}, not a notice")
    for name, value in (
        ("title", notice.title),
        ("published date", notice.published_date),
        ("body", notice.body),
    ):
        if not value:
            result.fail("fields", f"detail page {url}: no {name} extracted")


def _extractor() -> Any:
    """``notices.extract``, imported late: the check still reports list health without it."""
    try:
        from notices.extract import extract
    except ImportError:
        return None
    return extract
