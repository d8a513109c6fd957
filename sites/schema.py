"""The schema of a ``sites/*.toml`` entry: what a monitored site is, and how politely to crawl it.

An unknown key, a missing field or an unknown flavour is a validation error, so a broken entry
fails at start-up (with its file name, see :mod:`sites.loader`), not at 3 a.m. in a crawl.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal, TypeVar, get_args
from urllib.parse import urljoin, urlsplit

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

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
FlavourName = Literal[
    "trs",
    "gkmlpt",
    "hanweb",
    "anhui",
    "portal",
    "ucap",
    "igs",
    "hanweb_jpaas",
    "ilist",
    "shanghai",
    "generic",
    "json_list",
]
FLAVOURS: tuple[FlavourName, ...] = get_args(FlavourName)
T = TypeVar("T")

# The CMS families of Chinese government sites (see docs/flavours.md and `policywatch sites detect`):
# the same names `notices.listing.recognise_cms` gives a list page, plus `generic` and `unknown`.
# A family is what the site runs; `flavour` is the list parser that walks it today, which for a
# family without a list parser of its own is usually `portal` (and the entry's notes say so).
CmsName = Literal[
    "trs",
    "hanweb",
    "hanweb_jpaas",
    "gkmlpt",
    "nfcms",
    "ucap",
    "shanghai",
    "anhui",
    "igs",
    "ilist",
    "epoint",
    "generic",
    "unknown",
]
CMS_FAMILIES: dict[CmsName, str] = {
    "trs": "TRS WCM static pages: `index_N.html`, page count in `createPageHTML`/`createPage`/`pageCount`, "
    "details `YYYYMM/tYYYYMMDD_<id>.html`",
    "hanweb": "Hanweb (大汉) jcms: `/col/col<N>/index.html`, rows in `<datastore><recordset>`, next pages "
    "POSTed to `dataproxy.jsp`, details `/art/YYYY/M/D/art_<col>_<id>.html`",
    "hanweb_jpaas": "Hanweb's newer jpaas gateway: `/api-gateway/jpaas-publish-server/front/page/build/unit`",
    "gkmlpt": "Guangdong's disclosure platform: JSON `/gkmlpt/api/all/<cat>?page=N&sid=<SID>`, "
    "details `/gkmlpt/content/…/post_<id>.html`",
    "nfcms": "Guangdong's portal CMS (NFCMS): `post_<id>.html` / `mpost_<id>.html`, `NFCMS_SITE_ID` in the page",
    "ucap": "开普云 UCAP: JSON `/common/search/<channel>?_isJson=true`, `<ucapcontent>` in details",
    "shanghai": "the Shanghai platform: `#ivs_content` details, jQuery `.pagination({totalPage:N})`, "
    "year archives",
    "anhui": "the Anhui government platform: `/content/column/<id>?pageIndex=N`, `/site/label/…`, "
    "details `/public/<unit>/<id>.html`",
    "igs": "the IGS search front: JSON `/igs/front/search/list.html` (fields BT, DOCPUBURL, ZXSJ, CWRQ)",
    "ilist": "the `iList.jsp` platform: `/info/iList.jsp?cat_id=…&cur_page=N`",
    "epoint": "Epoint (国泰新点): `/001/001001/subPage.html` category-code paths, `ewb-` classes",
    "generic": "no known vendor: a static list recognised by its detail URLs' dialect alone",
    "unknown": "not yet identified (the default for a site file that does not say)",
}
CMS_NAMES: tuple[CmsName, ...] = get_args(CmsName)
NEVER_CHECKED = "never"
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class RepositoryEvidence(BaseModel):
    """A file in a public repository that shows the entry's URL or structure."""

    model_config = ConfigDict(extra="forbid")

    repository: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9._-]+$",
        description="`owner/name` of a public GitHub repository",
    )
    path: str = Field(
        pattern=r"^[^/\s](.*\S)?$", description="the file's path in the repository (no leading `/`)"
    )
    commit: str = Field(
        pattern=r"^[0-9a-f]{40}$",
        description="the full 40-hex commit of the version read (a short hash can become ambiguous)",
    )
    what: str = Field(min_length=1, description="what the file shows: the URL, the column, the structure")


class FixtureEvidence(BaseModel):
    """A real page saved in the project's fixtures that shows the entry's URL or structure."""

    model_config = ConfigDict(extra="forbid")

    fixture: str = Field(
        pattern=r"^tests/fixtures/pages/[A-Za-z0-9_.-]+$",
        description="the fixture folder, `tests/fixtures/pages/<name>`",
    )
    what: str = Field(min_length=1, description="what the saved page shows")


def _evidence_kind(value: object) -> str:
    """Which kind of evidence a table is: one naming a `fixture` is a saved page, any other a file."""
    if isinstance(value, dict):
        return "fixture" if "fixture" in value else "repository"
    return "fixture" if isinstance(value, FixtureEvidence) else "repository"


Evidence = Annotated[
    Annotated[RepositoryEvidence, Tag("repository")] | Annotated[FixtureEvidence, Tag("fixture")],
    Discriminator(_evidence_kind),
]


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
    cms: CmsName = Field(
        "unknown",
        description="the CMS family the site runs (see `cms` below); may differ from the flavour that walks it",
    )
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
    notes: str = Field(
        "", description="free text for whoever maintains the entry: what is and is not confirmed"
    )
    evidence: list[Evidence] = Field(
        default_factory=list,
        description=(
            "where the URL and structure come from: `[[evidence]]` tables of `repository`, `path`, `commit`, "
            "`what`, or of `fixture`, `what` (see `[[evidence]]` below); every shipped entry has one or more, "
            "a site file of your own may leave it out"
        ),
    )
    checked: str = Field(
        NEVER_CHECKED,
        description=(
            "`never`, or the day (`YYYY-MM-DD`) a live `policywatch sites check` last passed on this entry"
        ),
    )

    @field_validator("flavour", mode="before")
    @classmethod
    def _known_flavour(cls, value: object) -> object:
        # Before pydantic's own Literal check, whose message would not say "flavour".
        if value not in FLAVOURS:
            raise ValueError(f"unknown flavour {value!r}; known flavours: {', '.join(FLAVOURS)}")
        return value

    @field_validator("detail_url_pattern")
    @classmethod
    def _pattern_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"detail_url_pattern {value!r} is not a regular expression: {exc}") from None
        return value

    @field_validator("cms", mode="before")
    @classmethod
    def _known_cms(cls, value: object) -> object:
        if value not in CMS_NAMES:
            raise ValueError(f"unknown cms {value!r}; known families: {', '.join(CMS_NAMES)}")
        return value

    @field_validator("checked", mode="before")
    @classmethod
    def _checked_day(cls, value: object) -> object:
        # TOML writes a bare day (checked = 2026-12-01) as a date: keep it as its ISO text.
        if isinstance(value, date):
            return value.isoformat()
        if value == NEVER_CHECKED:
            return value
        if isinstance(value, str) and _ISO_DAY.match(value):
            try:
                date.fromisoformat(value)
            except ValueError:
                pass
            else:
                return value
        raise ValueError(f"checked must be 'never' or a day YYYY-MM-DD, not {value!r}")

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
