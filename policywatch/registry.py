"""The site registry: one TOML file per monitored site, validated when loaded.

An unknown key, a missing field or an unknown flavour fails at start-up with the file name,
not at 3 a.m. in the middle of a crawl.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal
from urllib.parse import urljoin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SITES_DIR = PROJECT_ROOT / "sites"

# Every flavour the spider knows how to page through (see docs/flavours.md).
FLAVOURS = ("trs", "gkmlpt", "hanweb", "anhui", "portal")


class RegistryError(ValueError):
    """A site file is missing, malformed or inconsistent."""


class Politeness(BaseModel):
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
    flavour: str
    list_urls: list[str] = Field(min_length=1, description="relative to base_url, or absolute")
    detail_url_pattern: str | None = Field(None, description="regex a detail URL must match")
    encoding: str | None = Field(None, description="charset hint when the site declares none or a wrong one")
    selectors: dict[str, str] = Field(default_factory=dict, description="flavour-specific overrides")
    params: dict[str, str | int] = Field(default_factory=dict, description="flavour-specific list parameters")
    politeness: Politeness = Field(default_factory=Politeness)
    enabled: bool = True
    notes: str = ""

    @field_validator("flavour")
    @classmethod
    def _known_flavour(cls, value: str) -> str:
        if value not in FLAVOURS:
            raise ValueError(f"unknown flavour {value!r}; known flavours: {', '.join(FLAVOURS)}")
        return value

    def model_post_init(self, __context: object) -> None:
        if not self.politeness.obey_robots and not self.politeness.robots_override_reason:
            raise ValueError(f"site {self.slug}: obey_robots = false needs politeness.robots_override_reason")

    def absolute_list_urls(self) -> list[str]:
        base = self.base_url.rstrip("/") + "/"
        return [urljoin(base, u.lstrip("/")) if not u.startswith("http") else u for u in self.list_urls]

    def with_base_url(self, base_url: str) -> Site:
        return self.model_copy(update={"base_url": base_url.rstrip("/")})


def load_site_file(path: Path) -> Site:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{path}: not valid TOML: {exc}") from exc
    try:
        site = Site.model_validate(data)
    except (ValidationError, ValueError) as exc:
        raise RegistryError(f"{path}: {exc}") from exc
    if site.slug != path.stem:
        raise RegistryError(f"{path}: slug {site.slug!r} must match the file name {path.stem!r}")
    return site


def sites_dirs_from_env() -> list[Path]:
    raw = os.environ.get("POLICYWATCH_SITES_DIRS")
    if not raw:
        return [DEFAULT_SITES_DIR]
    return [Path(p) for p in raw.split(os.pathsep) if p]


def base_url_overrides_from_env() -> dict[str, str]:
    """POLICYWATCH_SITE_OVERRIDES names a JSON file {slug: base_url} (govsim writes one)."""
    path = os.environ.get("POLICYWATCH_SITE_OVERRIDES")
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise RegistryError(f"POLICYWATCH_SITE_OVERRIDES={path}: cannot read it: {exc}") from exc
    if not isinstance(data, dict):
        raise RegistryError(f"POLICYWATCH_SITE_OVERRIDES={path}: expected a JSON object of slug -> base_url")
    return {str(k): str(v) for k, v in data.items()}


def load_registry(
    dirs: Iterable[Path] | None = None,
    overrides: Mapping[str, str] | None = None,
    *,
    include_disabled: bool = False,
) -> dict[str, Site]:
    """Load every ``*.toml`` site in ``dirs`` (default: $POLICYWATCH_SITES_DIRS or ./sites).

    ``overrides`` maps slug -> base URL (default: the file named by $POLICYWATCH_SITE_OVERRIDES);
    it is how the same entry runs against its govsim replica.
    """
    dirs = list(dirs) if dirs is not None else sites_dirs_from_env()
    overrides = dict(overrides) if overrides is not None else base_url_overrides_from_env()
    sites: dict[str, Site] = {}
    for directory in dirs:
        if not directory.is_dir():
            raise RegistryError(f"sites directory {directory} does not exist")
        for path in sorted(directory.glob("*.toml")):
            site = load_site_file(path)
            if site.slug in sites:
                raise RegistryError(f"{path}: slug {site.slug!r} is defined twice")
            if site.slug in overrides:
                site = site.with_base_url(overrides[site.slug])
            if site.enabled or include_disabled:
                sites[site.slug] = site
    return sites


def select_sites(registry: Mapping[str, Site], slugs: Iterable[str] | None) -> list[Site]:
    """The sites named by ``slugs`` (all when None/empty), with a clear error for unknown names."""
    wanted = [s for s in (slugs or []) if s]
    if not wanted:
        return list(registry.values())
    unknown = [s for s in wanted if s not in registry]
    if unknown:
        raise RegistryError(f"unknown site(s): {', '.join(unknown)}; known: {', '.join(sorted(registry))}")
    return [registry[s] for s in wanted]
