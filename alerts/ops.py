"""Tell the operators when sites keep failing: one message per cycle, never one per site.

The monitor flow already shows every failing site in a Prefect artifact; this is the push
notification for the ones that need a human: a site that has failed ``threshold`` cycles in a row
for a reason that will not go away by itself.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import config
from alerts.notify import apprise_notify
from alerts.render import RenderedMessage
from alerts.secrets import SecretReferenceError, mask_url, resolve_url

log = logging.getLogger(__name__)

# Failures that need a human. Timeouts, resets and maintenance pages usually pass on their own.
CHALLENGE = "blocked by an anti-bot challenge"
SERVER_ERROR = "server errors (HTTP 5xx)"
NO_ITEMS = "list pages stopped yielding notices (template changed?)"
ROBOTS = "robots.txt disallows the pages"

_SERVER_ERROR_RE = re.compile(r"\bHTTP 5\d\d\b")


@dataclass(frozen=True)
class FailingSite:
    slug: str
    consecutive_failures: int
    reason: str
    error: str


def failure_reason(site: Mapping[str, Any]) -> str | None:
    """Why a failing site (a row of ``flows.steps.site_health``) needs ops, or None if it does not."""
    error = str(site.get("error") or "")
    if site.get("status") == "blocked":
        return CHALLENGE
    if "robots.txt disallows" in error or "robots_disallowed" in error:
        return ROBOTS
    if "yielded no notices" in error or "stopped yielding" in error:
        return NO_ITEMS
    if _SERVER_ERROR_RE.search(error):
        return SERVER_ERROR
    return None


def sites_needing_ops(failing: Sequence[Mapping[str, Any]], threshold: int) -> list[FailingSite]:
    """Failing sites at or past ``threshold`` consecutive failures, for a reason that counts."""
    out = []
    for site in failing:
        count = int(site.get("consecutive_failures") or 0)
        reason = failure_reason(site)
        if count >= threshold and reason is not None:
            slug = str(site.get("site") or site.get("slug"))
            out.append(FailingSite(slug, count, reason, str(site.get("error") or "")))
    return sorted(out, key=lambda s: (-s.consecutive_failures, s.slug))


def render_ops_message(sites: Sequence[FailingSite], threshold: int) -> RenderedMessage:
    """The ops alert, as plain text: what failed, for how long, and what to look at."""
    title = (
        f"PolicyWatch: {len(sites)} site{'s' if len(sites) != 1 else ''} failing {threshold}+ cycles in a row"
    )
    lines = []
    for site in sites:
        lines.append(f"- {site.slug}: {site.reason}, {site.consecutive_failures} cycles in a row")
        if site.error:
            lines.append(f"  last error: {site.error[:500]}")
    lines.append("")
    lines.append(
        "Check the site in a browser, then `policywatch sites check SLUG`; a changed template needs "
        "sites/SLUG.toml updated, a challenge needs the back-off to run out (or a slower politeness)."
    )
    return RenderedMessage(title=title, body="\n".join(lines), format="text")


def ops_alert_for_failing_sites(
    failing: list[dict[str, Any]],
    *,
    threshold: int = 3,
    urls: Sequence[str] | None = None,
) -> list[str]:
    """Send ONE alert listing the sites failing ``threshold``+ cycles in a row; return their slugs.

    ``failing`` is what ``flows.steps.site_health`` returns (``site``, ``status``, ``error``,
    ``consecutive_failures``). Failures that count: blocked by a challenge, HTTP 5xx, list pages
    that stopped yielding notices, robots.txt disallowing. ``urls`` default to
    ``$POLICYWATCH_OPS_URLS`` (comma-separated; literal URLs or ``$VAR`` / ``prefect-secret:`` references);
    with none configured nothing is sent and a warning is logged. Each URL is sent to as the outbox
    sends (:func:`alerts.notify.apprise_notify`); URLs are shown masked only. Returns the slugs
    alerted ([] when nothing was due or nothing could be delivered).
    """
    sites = sites_needing_ops(failing, threshold)
    if not sites:
        return []
    configured = [u.strip() for u in (config.current().ops_urls if urls is None else urls) if u.strip()]
    slugs = ", ".join(s.slug for s in sites)
    if not configured:
        log.warning(
            "sites failing %s+ cycles in a row: %s; no ops alert sent (set POLICYWATCH_OPS_URLS)",
            threshold,
            slugs,
        )
        return []
    message = render_ops_message(sites, threshold)
    delivered = []
    for url in configured:
        shown = mask_url(url)
        try:
            ok, error = apprise_notify(resolve_url(url), message)
        except SecretReferenceError as exc:
            ok, error = False, str(exc)
        if ok:
            delivered.append(shown)
        else:
            log.error("ops alert about %s could not be delivered to %s: %s", slugs, shown, error)
    if not delivered:
        return []
    log.info("ops alert about %s sent to %s", slugs, ", ".join(delivered))
    return [s.slug for s in sites]
