"""The site registry: one TOML file per monitored site in this folder, validated when loaded.

- :class:`Site` / :class:`Politeness` (:mod:`sites.schema`): what an entry may say;
- :data:`FLAVOURS` / :data:`FlavourName`: the flavour names, defined here once (spiders and govsim
  implement each of them); :data:`CMS_FAMILIES` / :data:`CmsName`: the CMS families an entry's ``cms``
  names, each with a one-line description;
- :func:`load_registry` / :func:`select_sites` (:mod:`sites.loader`): the entries in force, with
  their govsim base-URL overrides.
"""

from __future__ import annotations

from pathlib import Path

from sites.loader import RegistryError, SiteFileProblem, load_registry, load_site_file, select_sites
from sites.schema import (
    CMS_FAMILIES,
    CMS_NAMES,
    FLAVOURS,
    CmsName,
    Evidence,
    FixtureEvidence,
    FlavourName,
    Politeness,
    RepositoryEvidence,
    Site,
)

# The entries that ship with PolicyWatch (the default of POLICYWATCH_SITES_DIRS).
DEFAULT_SITES_DIR = Path(__file__).resolve().parent

__all__ = [
    "CMS_FAMILIES",
    "CMS_NAMES",
    "FLAVOURS",
    "CmsName",
    "Evidence",
    "FixtureEvidence",
    "RepositoryEvidence",
    "DEFAULT_SITES_DIR",
    "FlavourName",
    "Politeness",
    "RegistryError",
    "SiteFileProblem",
    "Site",
    "load_registry",
    "load_site_file",
    "select_sites",
]
