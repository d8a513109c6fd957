"""Typed records that cross stage boundaries: raw pages in, notice records out.

Nothing here imports Scrapy, Prefect or SQLAlchemy. Records serialize to plain JSON
(``to_dict`` / ``from_dict``) so storage can keep them and ``policywatch extract`` can print them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class PageKind(StrEnum):
    NOTICE = "notice"
    LIST = "list"
    BLOCKED = "blocked"  # anti-bot challenge (Ruishu 412, cookie/JS challenge, "请稍候…")
    ERROR = "error"  # maintenance, not-found or empty page, even when served with HTTP 200
    OTHER = "other"  # portals, gateways, frame shells, redirects, statistics, database records, search pages


@dataclass(frozen=True)
class RawPage:
    """One fetched HTTP response, exactly as received (body is undecoded bytes)."""

    url: str
    body: bytes
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)  # names lower-cased
    fetched_at: datetime | None = None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class Attachment:
    name: str
    url: str  # absolute
    text: str | None = None  # extracted text, when the file was fetched and could be read
    sha256: str | None = None  # of the attachment bytes, when fetched


@dataclass(frozen=True)
class OutlineNode:
    """A numbered heading such as 四、 / （二） / 5. / （1）, located by its full path."""

    path: str  # e.g. "四、（二）5."
    marker: str  # e.g. "5."
    heading: str  # the text of the heading line (without the marker)
    paragraph_index: int  # index into Notice.paragraphs where this node starts
    children: tuple[OutlineNode, ...] = ()


@dataclass(frozen=True)
class Responsibility:
    """Departments named for one task, e.g. （市农委、市商务委…按职责分工负责）."""

    task_path: str | None  # outline path of the task, when it has one
    task: str  # the task text (first sentence or heading)
    lead: tuple[str, ...] = ()  # 牵头 departments, or all of them when no lead is named
    support: tuple[str, ...] = ()  # 配合 departments


@dataclass(frozen=True)
class ListItem:
    """One document link of a list page: absolute URL, title and date as the list shows them."""

    url: str
    title: str
    date: date | None = None


@dataclass(frozen=True)
class Listing:
    """What a list page holds, in page order: its items, the pages after it, its CMS family."""

    items: tuple[ListItem, ...] = ()
    next_pages: tuple[str, ...] = ()
    cms: str | None = None  # e.g. "trs", "hanweb", "gkmlpt"; None when no family's cues are there
    how: str = ""  # where the items were found: html, comment, datastore, script, written markup, json


@dataclass(frozen=True)
class Notice:
    """A normalized page. Only ``page_kind == NOTICE`` records become stored versions."""

    url: str
    page_kind: PageKind
    title: str | None = None
    doc_number: str | None = None  # 文号, normalized: 琼府〔2017〕69号
    issuer: str | None = None  # 发文机关
    index_number: str | None = None  # 索引号
    topic: str | None = None  # 主题分类
    validity: str | None = None  # 有效 / 失效 / 废止
    source: str | None = None  # 来源
    written_date: date | None = None  # 成文日期
    published_date: date | None = None  # the visible 发布日期 wins over meta PubDate
    meta_published_date: date | None = None  # <meta name="PubDate">, kept when it disagrees
    paragraphs: tuple[str, ...] = ()
    outline: tuple[OutlineNode, ...] = ()
    responsibilities: tuple[Responsibility, ...] = ()
    citations: tuple[str, ...] = ()  # doc numbers this notice cites
    attachments: tuple[Attachment, ...] = ()
    warnings: tuple[str, ...] = ()
    listing: Listing | None = None  # list pages only

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)

    def to_dict(self) -> dict[str, Any]:
        return _to_jsonable(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Notice:
        return Notice(
            url=data["url"],
            page_kind=PageKind(data["page_kind"]),
            title=data.get("title"),
            doc_number=data.get("doc_number"),
            issuer=data.get("issuer"),
            index_number=data.get("index_number"),
            topic=data.get("topic"),
            validity=data.get("validity"),
            source=data.get("source"),
            written_date=_parse_date(data.get("written_date")),
            published_date=_parse_date(data.get("published_date")),
            meta_published_date=_parse_date(data.get("meta_published_date")),
            paragraphs=tuple(data.get("paragraphs") or ()),
            outline=tuple(_outline_from_dict(n) for n in data.get("outline") or ()),
            responsibilities=tuple(
                Responsibility(
                    task_path=r.get("task_path"),
                    task=r["task"],
                    lead=tuple(r.get("lead") or ()),
                    support=tuple(r.get("support") or ()),
                )
                for r in data.get("responsibilities") or ()
            ),
            citations=tuple(data.get("citations") or ()),
            attachments=tuple(
                Attachment(name=a["name"], url=a["url"], text=a.get("text"), sha256=a.get("sha256"))
                for a in data.get("attachments") or ()
            ),
            warnings=tuple(data.get("warnings") or ()),
            listing=_listing_from_dict(data["listing"]) if data.get("listing") else None,
        )

    def contract_json(self) -> dict[str, Any]:
        """The stable ``policywatch extract --json`` shape (see README, "Contracts")."""
        full = self.to_dict()
        out: dict[str, Any] = {
            "page_kind": full["page_kind"],
            "title": full["title"],
            "doc_number": full["doc_number"],
            "issuer": full["issuer"],
            "index_number": full["index_number"],
            "written_date": full["written_date"],
            "published_date": full["published_date"],
            "body": self.body,
            "attachments": [{"name": a["name"], "url": a["url"]} for a in full["attachments"]],
            "warnings": full["warnings"],
        }
        for extra in (
            "topic",
            "validity",
            "source",
            "meta_published_date",
            "citations",
            "responsibilities",
            "outline",
        ):
            out[extra] = full[extra]
        if self.page_kind is PageKind.LIST:
            listing = self.listing or Listing()
            out["items"] = [
                {"url": item.url, "title": item.title, "date": item.date.isoformat() if item.date else None}
                for item in listing.items
            ]
            out["next_pages"] = list(listing.next_pages)
            out["cms"] = listing.cms
        return out


def _parse_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _listing_from_dict(data: Mapping[str, Any]) -> Listing:
    return Listing(
        items=tuple(
            ListItem(url=i["url"], title=i["title"], date=_parse_date(i.get("date")))
            for i in data.get("items") or ()
        ),
        next_pages=tuple(data.get("next_pages") or ()),
        cms=data.get("cms"),
        how=data.get("how") or "",
    )


def _outline_from_dict(data: Mapping[str, Any]) -> OutlineNode:
    return OutlineNode(
        path=data["path"],
        marker=data["marker"],
        heading=data["heading"],
        paragraph_index=int(data["paragraph_index"]),
        children=tuple(_outline_from_dict(c) for c in data.get("children") or ()),
    )


def _to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [_to_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _to_jsonable(v) for k, v in value.items()}
    return value
