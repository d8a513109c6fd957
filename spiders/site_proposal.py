"""The ``sites/*.toml`` entry `policywatch sites detect` proposes for a list page it has read.

The lines a person must check (name, region, level) are marked ``# check``; the rest follows from
the page: its host, its list URL, the flavour that reads it, the parameters read from the page and
the detail-link shape most of its items share.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

from notices.html import parse_html
from notices.model import ListItem
from sites.confinement import address_refusal, literal_address
from spiders.flavours import get_flavour

_LEVEL_OF_HOST = (
    (re.compile(r"^(www\.)?gov\.cn$"), "national"),
    (re.compile(r"^(www\.)?(beijing|tianjin|shanghai|cq|chongqing)\.gov\.cn$"), "municipality"),
)


def propose_toml(
    url: str,
    text: str,
    flavour: str | None,
    params: dict[str, str | int],
    items: list[ListItem],
    slug: str | None = None,
) -> str:
    """A ``sites/*.toml`` entry for the column at ``url``; the lines to check are marked ``# check``."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    slug = slug or slug_for_host(host)
    title = _page_title(text)
    lines = [
        f"# proposed by `policywatch sites detect` from {url}",
        f'slug = "{slug}"',
        f"name = {_toml_string(title or host)}  # check: the publisher's name",
        'region = ""  # check: the province (and city) in Chinese',
        f'level = "{_level(host)}"  # check: national, province, city, municipality, county or portal',
        f'base_url = "{parts.scheme}://{parts.netloc}"',
        *_private_network_line(host),
        f'flavour = "{flavour}"'
        if flavour
        else "# flavour = ?  no flavour reads this page (see the reasons)",
        f"list_urls = [{_toml_string(parts.path + ('?' + parts.query if parts.query else ''))}]",
    ]
    pattern = _detail_pattern(items, flavour)
    if pattern:
        lines.append(f"detail_url_pattern = {_toml_string(pattern)}")
    if params:
        lines.append("")
        lines.append("[params]")
        lines += [f"{key} = {_toml_string(str(value))}" for key, value in params.items()]
    lines += ["", "[politeness]", "download_delay = 2.0", "concurrency = 1", "max_list_pages = 3", ""]
    return "\n".join(lines)


def _private_network_line(host: str) -> list[str]:
    """``allow_private_network = true`` for a site on a loopback or private address (a govsim replica):
    the crawler refuses such addresses otherwise (sites.confinement)."""
    address = literal_address(host)
    if address is None or address_refusal(address, allow_private_network=True) is not None:
        return []
    if address_refusal(address) is None:
        return []
    return ["allow_private_network = true  # check: only for a site that really is on a private network"]


def slug_for_host(host: str) -> str:
    """``www.hainan.gov.cn`` → ``hainan``; ``scjg.hubei.gov.cn`` → ``hubei-scjg``."""
    labels = [
        label for label in host.lower().split(".") if label not in ("www", "gov", "cn", "com", "org", "")
    ]
    slug = "-".join(reversed(labels)) if labels else "site"
    return re.sub(r"[^a-z0-9-]", "-", slug).strip("-") or "site"


def _level(host: str) -> str:
    for pattern, level in _LEVEL_OF_HOST:
        if pattern.match(host):
            return level
    return "province"


def _page_title(text: str) -> str | None:
    root = parse_html(text) if text.lstrip()[:1] == "<" else None
    title = root.findtext(".//title") if root is not None else None
    if not title:
        return None
    parts = [p.strip() for p in re.split(r"[-_|—–]+", title) if p.strip()]
    return parts[-1] if parts else None


def _detail_pattern(items: list[ListItem], flavour: str | None) -> str | None:
    """None when the flavour's own pattern fits most items; else the file-name shape most items share."""
    if not items:
        return None
    default = get_flavour(flavour).default_detail_pattern if flavour else None
    if default and 2 * sum(1 for i in items if re.search(default, i.url)) >= len(items):
        return None
    shapes = Counter(
        re.sub(r"\d+", r"\\d+", re.escape(urlsplit(i.url).path.rsplit("/", 1)[-1])) for i in items
    )
    shape, count = shapes.most_common(1)[0]
    return f"/{shape}$" if shape and 2 * count >= len(items) else None


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
