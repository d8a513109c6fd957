"""Page renderers, importable without a server (fixtures are generated from them).

>>> from govsim.world import World
>>> world = World(seed=7)
>>> site = world.site("hainan")
>>> html_bytes = render_detail(site.spec, site.notices()[0], base_url="http://www.hainan.gov.cn")
"""

from __future__ import annotations

from collections.abc import Sequence

from govsim.model import Notice, SiteSpec
from govsim.noise import NoiseView
from govsim.render.chrome import RenderContext
from govsim.render.detail import DETAIL_BUILDERS
from govsim.render.list_answers import JSON_LIST_BUILDERS
from govsim.render.lists import (
    LIST_BUILDERS,
    hanweb_records,
    hanweb_shell,
    jpaas_column,
    js_only_list,
    shanghai_years,
)

__all__ = [
    "RenderContext",
    "encode",
    "render_detail",
    "render_hanweb_records",
    "render_column_shell",
    "render_js_only_list",
    "render_list",
]


def encode(site: SiteSpec, text: str) -> bytes:
    """The page's bytes in the site's wire encoding (which may differ from what it declares)."""
    return text.encode(site.encoding, errors="xmlcharrefreplace")


def _ctx(
    site: SiteSpec, base_url: str, noise: NoiseView | None, related: list[tuple[str, str]] | None
) -> RenderContext:
    return RenderContext(site=site, base_url=base_url, noise=noise or NoiseView(), related=related or [])


def render_detail(
    site: SiteSpec,
    notice: Notice,
    *,
    base_url: str = "",
    noise: NoiseView | None = None,
    related: list[tuple[str, str]] | None = None,
) -> bytes:
    """The detail page of ``notice`` as ``site`` serves it (bytes in the site's encoding)."""
    return encode(site, DETAIL_BUILDERS[site.flavour](_ctx(site, base_url, noise, related), notice))


def render_list(
    site: SiteSpec,
    notices: Sequence[Notice],
    page: int = 0,
    *,
    base_url: str = "",
    noise: NoiseView | None = None,
    size: int | None = None,
    archive: int | None = None,
) -> bytes:
    """List page ``page`` (0-based) over ``notices`` (newest first, the visible ones).

    For gkmlpt, ucap, igs and hanweb_jpaas this is the JSON API answer (ucap, igs and hanweb_jpaas of
    ``size`` rows, the page size the request asked for); for hanweb the static shell without rows (its
    rows come from :func:`render_hanweb_records`; hanweb_jpaas's column page is :func:`render_column_shell`).
    For a section of year archives, ``archive`` 0 is the section page (the years of ``notices``), a
    year that year's archive (``notices`` already that year's).
    """
    ctx = _ctx(site, base_url, noise, None)
    if archive == 0:
        return encode(site, shanghai_years(ctx, sorted({n.published.year for n in notices}, reverse=True)))
    if site.flavour == "hanweb":
        return encode(site, hanweb_shell(ctx, len(notices)))
    if site.flavour in JSON_LIST_BUILDERS:
        size = size or site.page_size
        rows = notices[page * size : (page + 1) * size]
        return JSON_LIST_BUILDERS[site.flavour](ctx, rows, page, len(notices), size).encode("utf-8")
    rows = notices[page * site.page_size : (page + 1) * site.page_size]
    text = LIST_BUILDERS[site.flavour](ctx, rows, page, len(notices))
    return text.encode("utf-8") if site.flavour == "gkmlpt" else encode(site, text)


def render_hanweb_records(
    site: SiteSpec, notices: Sequence[Notice], start: int, end: int, *, per_page: int | None = None
) -> bytes:
    """The dataproxy.jsp XML for records ``start``..``end`` (1-based, inclusive)."""
    rows = notices[max(start, 1) - 1 : end]
    per_page = per_page or int(site.params.get("perpage", site.page_size))
    return hanweb_records(_ctx(site, "", None, None), rows, len(notices), per_page).encode("utf-8")


def render_column_shell(site: SiteSpec, *, base_url: str = "", noise: NoiseView | None = None) -> bytes:
    """A jpaas column page: no rows, the script that names the gateway request that draws them."""
    return encode(site, jpaas_column(_ctx(site, base_url, noise, None)))


def render_js_only_list(site: SiteSpec, *, base_url: str = "", noise: NoiseView | None = None) -> bytes:
    return encode(site, js_only_list(_ctx(site, base_url, noise, None)))
