"""Noise: byte changes that must never cause an alert.

Always on: dynamic sites (``SiteSpec.dynamic``) put a visit counter, a page-generation time and
a script nonce inline, fresh on every request. Static sites (TRS, gkmlpt, hanweb) keep their
pages byte-stable between republications, like the static files they are; their counter comes
from a separate script request (``urls.COUNT_PATH``), which is what lets them answer 304.

On demand (admin ``noise``): every kind below bumps an epoch that changes the page's bytes —
the static pages too, as a republication would — but never the notice's text.
"""

from __future__ import annotations

import hashlib
import html
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

NOISE_KINDS = ("counter", "timestamp", "nonce", "related_links", "nav_order", "whitespace", "markup")
CHINA = timezone(timedelta(hours=8))
_EPOCH_BASE = datetime(2024, 3, 1, 9, 0, tzinfo=CHINA)


@dataclass(frozen=True)
class NoiseView:
    """The noise values one rendering uses."""

    counter: int = 1024
    generated_at: str = "2024-03-01 09:00:00"
    nonce: str = "a1b2c3d4e5f6"
    related_offset: int = 0
    nav_rotation: int = 0
    whitespace: int = 0
    markup: int = 0


def noise_view(epochs: dict[str, int], *, key: str, live: bool, hits: int = 0) -> NoiseView:
    """The noise for one page: from the epochs alone (``live=False``), or per request as well."""
    digest = hashlib.sha256(f"{key}|{epochs.get('nonce', 0)}".encode()).hexdigest()
    counter = 300 + int(digest[:4], 16) % 5000 + 17 * epochs.get("counter", 0)
    generated = _EPOCH_BASE + timedelta(hours=epochs.get("timestamp", 0), minutes=int(digest[4:6], 16) % 60)
    view = NoiseView(
        counter=counter,
        generated_at=f"{generated:%Y-%m-%d %H:%M:%S}",
        nonce=digest[8:24],
        related_offset=epochs.get("related_links", 0),
        nav_rotation=epochs.get("nav_order", 0),
        whitespace=epochs.get("whitespace", 0),
        markup=epochs.get("markup", 0),
    )
    if not live:
        return view
    now = datetime.now(UTC).astimezone(CHINA)
    return NoiseView(
        counter=counter + hits,
        generated_at=f"{now:%Y-%m-%d %H:%M:%S}.{now.microsecond // 1000:03d}",
        nonce=secrets.token_hex(8),
        related_offset=view.related_offset,
        nav_rotation=view.nav_rotation,
        whitespace=view.whitespace,
        markup=view.markup,
    )


def rotate(items: list[str] | tuple[str, ...], by: int) -> list[str]:
    items = list(items)
    if not items:
        return items
    by %= len(items)
    return items[by:] + items[:by]


def paragraph_html(text: str, markup: int) -> str:
    """One body paragraph; the ``markup`` variant changes tags and attributes, never the text."""
    body = html.escape(text, quote=False)
    variant = markup % 3
    if variant == 1:
        return f'<p style="text-indent: 2em;">{body}</p>'
    if variant == 2:
        return (
            '<p class="MsoNormal" style="line-height:28.0pt"><span style="font-family:仿宋_GB2312;'
            f'font-size:16.0pt">{body}</span></p>'
        )
    return f"<p>{body}</p>"


def apply_whitespace(page: str, variant: int) -> str:
    """Re-indent the markup between tags; text inside elements is untouched."""
    variant %= 3
    if variant == 1:
        return page.replace(">\n<", ">\r\n  <")
    if variant == 2:
        return page.replace(">\n<", ">\n\n\t<")
    return page
