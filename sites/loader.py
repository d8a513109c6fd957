"""Loading the registry: every ``*.toml`` entry of the registry folders, validated, by slug.

The folders are ``POLICYWATCH_SITES_DIRS`` (default: this package's own folder) and the base-URL
overrides come from the JSON file named by ``POLICYWATCH_SITE_OVERRIDES``, both read through
:func:`config.current`. An override is ``slug: base_url`` or ``slug: {"base_url": …,
"allow_private_network": true}`` (what govsim writes, its replicas being on 127.0.0.x); the
overridden entry is validated again, so an override to ``file://`` or a metadata address fails.
"""

from __future__ import annotations

import difflib
import json
import logging
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

import config
from sites.schema import Site

log = logging.getLogger(__name__)


class RegistryError(ValueError):
    """A site file is missing, malformed or inconsistent."""


class SiteOverride(BaseModel):
    """One entry of the overrides file: where a registry entry is served instead."""

    model_config = ConfigDict(extra="forbid")

    base_url: str
    allow_private_network: bool | None = None  # None: the site file's own setting


Overrides = Mapping[str, str | Mapping[str, Any]]


def load_site_file(path: Path) -> Site:
    """The entry in ``path``; a :class:`RegistryError` naming the file when it is not valid."""
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


def _base_url_overrides(path: Path | None) -> dict[str, Any]:
    """The overrides JSON file at ``path`` (govsim writes one); none when ``path`` is None."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise RegistryError(f"POLICYWATCH_SITE_OVERRIDES={path}: cannot read it: {exc}") from exc
    if not isinstance(data, dict):
        raise RegistryError(f"POLICYWATCH_SITE_OVERRIDES={path}: expected a JSON object of slug -> base_url")
    return {str(k): v for k, v in data.items()}


def _overridden(site: Site, value: object, where: str) -> Site:
    """``site`` served where the override ``value`` says; a RegistryError naming ``where`` and the slug."""
    try:
        override = (
            SiteOverride(base_url=value) if isinstance(value, str) else SiteOverride.model_validate(value)
        )
        return site.with_base_url(override.base_url, allow_private_network=override.allow_private_network)
    except (ValidationError, ValueError) as exc:
        raise RegistryError(f"{where}: override of {site.slug}: {exc}") from exc


@dataclass(frozen=True)
class SiteFileProblem:
    """A site file that did not load: skipped, so the other sites still run."""

    path: Path
    message: str  # what is wrong, naming the file and the key

    @property
    def slug(self) -> str:
        return self.path.stem


def load_registry(
    dirs: Iterable[Path] | None = None,
    overrides: Overrides | None = None,
    *,
    include_disabled: bool = False,
    problems: list[SiteFileProblem] | None = None,
) -> dict[str, Site]:
    """Load every ``*.toml`` site in ``dirs`` (default: the settings' ``sites_dirs``).

    ``overrides`` maps slug -> base URL, or -> ``{"base_url", "allow_private_network"}`` (default:
    the settings' ``site_overrides_path`` file); it is how the same entry runs against its govsim
    replica.

    A file that does not load (not TOML, an invalid key, a slug defined twice, a refused override)
    is skipped, so one broken entry never stops the others: it is appended to ``problems`` when the
    caller collects them, and logged as a warning otherwise. A missing folder or an unreadable
    overrides file concerns every site and raises :class:`RegistryError`.
    """
    settings = config.current()
    dirs = list(dirs) if dirs is not None else list(settings.sites_dirs)
    if overrides is None:
        where = f"POLICYWATCH_SITE_OVERRIDES={settings.site_overrides_path}"
        overrides = _base_url_overrides(settings.site_overrides_path)
    else:
        where = "site overrides"
    sites: dict[str, Site] = {}
    for directory in dirs:
        if not directory.is_dir():
            raise RegistryError(f"sites directory {directory} does not exist")
        for path in sorted(directory.glob("*.toml")):
            try:
                site = load_site_file(path)
                if site.slug in sites:
                    raise RegistryError(f"{path}: slug {site.slug!r} is defined twice")
                if site.slug in overrides:
                    site = _overridden(site, overrides[site.slug], where)
            except RegistryError as exc:
                problem = SiteFileProblem(path, str(exc))
                if problems is None:
                    log.warning("skipped a site file that does not load: %s", problem.message)
                else:
                    problems.append(problem)
                continue
            if site.enabled or include_disabled:
                sites[site.slug] = site
    return sites


def select_sites(
    registry: Mapping[str, Site],
    slugs: Iterable[str] | None,
    problems: Sequence[SiteFileProblem] = (),
) -> list[Site]:
    """The sites named by ``slugs`` (all when None/empty), with a clear error for unknown names
    (and, for a name whose file did not load, what is wrong with it)."""
    wanted = [s for s in (slugs or []) if s]
    if not wanted:
        return list(registry.values())
    unknown = [s for s in wanted if s not in registry]
    if unknown:
        broken = {p.slug: p.message for p in problems}
        if any(s in broken for s in unknown):
            raise RegistryError("; ".join(f"site {s}: {broken[s]}" for s in unknown if s in broken))
        raise RegistryError(f"unknown site(s): {', '.join(unknown)}; {_known_hint(unknown, registry)}")
    return [registry[s] for s in wanted]


def _known_hint(unknown: Sequence[str], registry: Mapping[str, Site]) -> str:
    """The known slugs when they are few; otherwise the close ones and where to see them all."""
    known = sorted(registry)
    if len(known) <= _LIST_KNOWN_UP_TO:
        return f"known: {', '.join(known)}"
    close = sorted({m for s in unknown for m in difflib.get_close_matches(s, known, n=3, cutoff=0.6)})
    hint = f"did you mean {', '.join(close)}? " if close else ""
    return f"{hint}{len(known)} sites are known (`policywatch sites list` names them)"


# Beyond this many, naming every known slug in an error hides the message.
_LIST_KNOWN_UP_TO = 12
