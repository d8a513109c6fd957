"""The schema of a ``sites/*.toml`` entry: what a monitored site is, and how politely to crawl it.

An unknown key, a missing field or an unknown flavour is a validation error, so a broken entry
fails at start-up (with its file name, see :mod:`sites.loader`), not at 3 a.m. in a crawl.
"""

from __future__ import annotations

from typing import Literal, get_args
from urllib.parse import urljoin

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Every flavour the spider knows how to page through: one list parser per name in
# spiders/flavours/, one replica per name in govsim (see docs/flavours.md).
FlavourName = Literal["trs", "gkmlpt", "hanweb", "anhui", "portal"]
FLAVOURS: tuple[FlavourName, ...] = get_args(FlavourName)


class Politeness(BaseModel):
    """How hard one site may be crawled; the spider gives each site its own download slot."""

    model_config = ConfigDict(extra="forbid")

    download_delay: float = Field(1.0, ge=0, description="seconds between requests to this site")
    concurrency: int = Field(2, ge=1, le=16, description="parallel requests to this site")
    obey_robots: bool = True
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

    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    region: str
    level: Literal["national", "province", "city", "municipality", "county", "portal"]
    base_url: str = Field(pattern=r"^https?://")
    flavour: FlavourName
    list_urls: list[str] = Field(min_length=1, description="relative to base_url, or absolute")
    detail_url_pattern: str | None = Field(None, description="regex a detail URL must match")
    encoding: str | None = Field(None, description="charset hint when the site declares none or a wrong one")
    selectors: dict[str, str] = Field(default_factory=dict, description="flavour-specific overrides")
    params: dict[str, str | int] = Field(default_factory=dict, description="flavour-specific list parameters")
    politeness: Politeness = Field(default_factory=Politeness)
    enabled: bool = True
    notes: str = ""

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

    def absolute_list_urls(self) -> list[str]:
        """``list_urls`` resolved against ``base_url``."""
        base = self.base_url.rstrip("/") + "/"
        return [urljoin(base, u.lstrip("/")) if not u.startswith("http") else u for u in self.list_urls]

    def with_base_url(self, base_url: str) -> Site:
        """The same entry served from ``base_url`` (how an entry runs against its govsim replica)."""
        return self.model_copy(update={"base_url": base_url.rstrip("/")})
