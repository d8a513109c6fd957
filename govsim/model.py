"""Plain records shared by govsim's modules: sites, notices, attachments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from sites import FlavourName

AttachmentKind = Literal["pdf", "docx"]


@dataclass(frozen=True)
class Theme:
    """The chrome that makes one site look unlike the others."""

    layout: str  # which chrome builder in govsim.render.chrome draws the page
    site_title: str
    colour: str
    nav: tuple[str, ...]
    icp: str  # ICP 备案 line
    police: str  # 公安备案 line
    site_code: str  # 网站标识码
    host_org: str  # 主办单位
    related_pool: tuple[str, ...]  # external links for the rotating related-links box
    css_prefix: str  # class-name prefix, so the markup differs per site


@dataclass(frozen=True)
class SiteSpec:
    """One replica site: its URL shapes, encoding, chrome and content knobs."""

    slug: str
    name: str
    region: str
    level: str
    flavour: FlavourName
    list_path: str  # the first list page, exactly as in the registry entry
    detail_url_pattern: str
    theme: Theme
    doc_prefix: str  # e.g. 琼府; filler doc numbers are 〔YEAR〕N号 after it
    params: dict[str, Any] = field(default_factory=dict)
    page_size: int = 15
    filler_count: int = 30
    seed_key: str | None = None  # the corpus notice this site publishes
    year_span: tuple[int, int] = (2016, 2018)
    encoding: str = "utf-8"  # the bytes on the wire
    declared_charset: str | None = "utf-8"  # what the Content-Type/meta claim
    header_charset: bool = True  # whether the HTTP Content-Type names a charset
    dynamic: bool = False  # per-request counters/timestamps/nonces inline (no byte-stable pages)
    body_twice: bool = False  # the page carries the notice text twice (mobile + desktop copy)
    scripted_rows: bool = False  # trs: each list row is drawn by document.writeln from script variables
    fullwidth_doc_numbers: bool = False
    chinese_numeral_dates: bool = False  # sign-off dates as 二〇一八年三月五日 (〇 is GBK-only)
    repost_of: str | None = None  # portal: the original site's name
    year_archives: str | None = None  # shanghai: the section lists year archives /<this><YYYY>/index.html
    synthetic: bool = False  # not in the real registry: govsim writes its sites/*.toml entry
    id_base: int = 4_000_000
    notes: str = ""

    @property
    def column(self) -> str:
        """The list column directory ("/hainan/szfwj")."""
        path = self.list_path.split("?", 1)[0]
        return path.rsplit("/", 1)[0] if "." in path.rsplit("/", 1)[-1] else path.rstrip("/")


@dataclass
class Attachment:
    """A downloadable file attached to a notice; its text is part of the notice."""

    kind: AttachmentKind
    title: str  # the link text, e.g. 附件：实施方案.pdf
    text: str
    file_name: str  # unique within the site, e.g. P020170817123456701.pdf


@dataclass
class Notice:
    """One policy notice as a site publishes it; mutations edit it in place and bump ``version``."""

    id: str
    title: str
    doc_number: str
    issuer: str
    index_no: str
    topic: str
    written: date
    published: date
    paragraphs: list[str]
    validity: str = "有效"
    attachments: list[Attachment] = field(default_factory=list)
    removed: int | None = None  # 404 or 410 while taken down
    version: int = 0
    modified: datetime | None = None  # Last-Modified; None = the publication time
    origin: str = "filler"  # seed | filler | published
    noise: dict[str, int] = field(default_factory=dict)  # per-notice noise epochs
    url_date: date | None = None  # the date in its URL: fixed at first publication

    def __post_init__(self) -> None:
        if self.url_date is None:
            self.url_date = self.published

    def text(self) -> str:
        return "\n".join(self.paragraphs)

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "doc_number": self.doc_number,
            "issuer": self.issuer,
            "index_no": self.index_no,
            "topic": self.topic,
            "written": self.written.isoformat(),
            "published": self.published.isoformat(),
            "validity": self.validity,
            "removed": self.removed,
            "version": self.version,
            "origin": self.origin,
            "attachments": [
                {"kind": a.kind, "title": a.title, "file_name": a.file_name} for a in self.attachments
            ],
        }
