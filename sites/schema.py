"""The schema of a ``sites/*.toml`` entry: what a monitored site is, and how politely to crawl it.

An unknown key, a missing field or an unknown flavour is a validation error, so a broken entry
fails at start-up (with its file name, see :mod:`sites.loader`), not at 3 a.m. in a crawl.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar, get_args
from urllib.parse import urljoin, urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sites.confinement import (
    Origin,
    address_refusal,
    extra_host_origins,
    literal_address,
    origin,
    site_origins,
    url_refusal,
)

# Every flavour the spider knows how to page through: one list parser per name in
# spiders/flavours/, one replica per name in govsim (see docs/flavours.md).
FlavourName = Literal["trs", "gkmlpt", "hanweb", "anhui", "portal"]
FLAVOURS: tuple[FlavourName, ...] = get_args(FlavourName)
T = TypeVar("T")


class Politeness(BaseModel):
    """How hard one site may be crawled; the spider gives each site its own download slot."""

    model_config = ConfigDict(extra="forbid")

    download_delay: float = Field(1.0, ge=0, description="seconds between requests to this site")
    concurrency: int = Field(2, ge=1, le=16, description="parallel requests to this site")
    obey_robots: bool = Field(
        True, description="follow the site's robots.txt (false needs robots_override_reason)"
    )
    robots_override_reason: str | None = Field(
        None, description="required when obey_robots is false; recorded with every crawl run"
    )
    max_list_pages: int = Field(5, ge=1, description="list pages walked per cycle at most")
    timeout: float = Field(30.0, gt=0, description="per-request timeout in seconds")

    @field_validator("robots_override_reason")
    @classmethod
    def _reason_not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("robots_override_reason must not be blank")
        return value


class Site(BaseModel):
    """One monitored government site."""

    model_config = ConfigDict(extra="forbid")

    slug: str = Field(
        pattern=r"^[a-z0-9][a-z0-9_-]*$",
        description="lower-case letters, digits, `-` and `_`; the file name without `.toml`",
    )
    name: str = Field(description="the publisher, as alerts name it: 海南省人民政府")
    region: str = Field(description="the province (and city) in Chinese, for subscribers' `regions` filter")
    level: Literal["national", "province", "city", "municipality", "county", "portal"] = Field(
        description="the government level; `portal` for a site that reposts others' notices"
    )
    base_url: str = Field(
        pattern=r"^https?://",
        description="scheme and host (and port) of the site; its own host for confinement",
    )
    flavour: FlavourName
    list_urls: list[str] = Field(
        min_length=1, description="relative to base_url, or absolute on one of the site's hosts"
    )
    extra_hosts: list[str] = Field(
        default_factory=list,
        description=(
            "other hosts the crawler may fetch from besides base_url's, e.g. an attachment server: "
            "'fj.example.gov.cn' or 'fj.example.gov.cn:8080' (http and https), or "
            "'https://fj.example.gov.cn:8443' (that origin only); every other host is refused"
        ),
    )
    allow_private_network: bool = Field(
        False,
        description=(
            "let the crawler connect to loopback, private, shared and link-local addresses for this "
            "site (govsim's replicas on 127.0.0.x); metadata, multicast and reserved addresses stay refused"
        ),
    )
    detail_url_pattern: str | None = Field(None, description="regex a detail URL must match")
    encoding: str | None = Field(None, description="charset hint when the site declares none or a wrong one")
    selectors: dict[str, str] = Field(default_factory=dict, description="flavour-specific overrides")
    params: dict[str, str | int] = Field(default_factory=dict, description="flavour-specific list parameters")
    politeness: Politeness = Field(default_factory=Politeness, description="see `[politeness]` below")
    enabled: bool = Field(True, description="false keeps the entry but leaves it out of every cycle")
    notes: str = Field("", description="free text for whoever maintains the entry")

    @field_validator("flavour", mode="before")
    @classmethod
    def _known_flavour(cls, value: object) -> object:
        # Before pydantic's own Literal check, whose message would not say "flavour".
        if value not in FLAVOURS:
            raise ValueError(f"unknown flavour {value!r}; known flavours: {', '.join(FLAVOURS)}")
        return value

    def model_post_init(self, __context: object) -> None:
        if not self.politeness.obey_robots and not self.politeness.robots_override_reason:
            raise ValueError(f"site {self.slug}: obey_robots = false needs politeness.robots_override_reason")

    @model_validator(mode="after")
    def _confined(self) -> Site:
        """The site's own URLs obey the crawler's rules (sites.confinement), so a bad file fails at load."""
        hosts = [("base_url", self.base_url, frozenset({_checked(origin, "base_url", self.base_url)}))]
        hosts += [
            ("extra_hosts", e, _checked(extra_host_origins, "extra_hosts", e)) for e in self.extra_hosts
        ]
        for key, value, origins in hosts:
            for _, host, _ in origins:
                address = literal_address(host)
                reason = address and address_refusal(
                    address, allow_private_network=self.allow_private_network
                )
                if reason:
                    hint = _PRIVATE_HINT if "allow_private_network" in reason else ""
                    raise ValueError(f"{key} {value!r}: {reason}{hint}")
        for entry, url in zip(self.list_urls, self.absolute_list_urls(), strict=True):
            reason = self.url_refusal(url)
            if reason:
                raise ValueError(f"list_urls entry {entry!r}: {reason}")
        return self

    def origins(self) -> frozenset[Origin]:
        """The ``(scheme, host, port)`` origins the crawler may fetch this site from."""
        return site_origins(self.base_url, self.extra_hosts)

    def url_refusal(self, url: str) -> str | None:
        """Why the crawler must not fetch ``url`` for this site, or None when it may."""
        return url_refusal(url, self.origins(), allow_private_network=self.allow_private_network)

    def absolute_list_urls(self) -> list[str]:
        """``list_urls`` resolved against ``base_url``."""
        base = self.base_url.rstrip("/") + "/"
        return [u if urlsplit(u).scheme else urljoin(base, u.lstrip("/")) for u in self.list_urls]

    def with_base_url(self, base_url: str, *, allow_private_network: bool | None = None) -> Site:
        """The same entry served from ``base_url`` (how an entry runs against its govsim replica),
        validated again; ``allow_private_network`` replaces the entry's own when given."""
        data: dict[str, Any] = {**self.model_dump(), "base_url": base_url.rstrip("/")}
        if allow_private_network is not None:
            data["allow_private_network"] = allow_private_network
        return Site.model_validate(data)


_PRIVATE_HINT = (
    "; set allow_private_network = true only for a site that really is on a private network "
    "(govsim's replicas are)"
)


def _checked(parse: Callable[[str], T], key: str, value: str) -> T:
    try:
        return parse(value)
    except ValueError as exc:
        raise ValueError(f"{key} {value!r}: {exc}") from None
