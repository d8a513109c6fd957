"""What govsim's list pages and list APIs both show of a row and of the paging: the page count, a
title cut as lists cut it, the time of day a notice was published, a jpaas column's query."""

from __future__ import annotations

import math
from datetime import datetime

from govsim.model import Notice
from govsim.noise import CHINA
from govsim.render.chrome import RenderContext


def page_count(total: int, size: int) -> int:
    return max(1, math.ceil(total / size))


def short_title(title: str, limit: int = 32) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"


def published_at(n: Notice) -> datetime:
    """The list's publication time: the visible date at a time of day fixed per notice."""
    return datetime(n.published.year, n.published.month, n.published.day, 9 + int(n.id) % 8, int(n.id) % 60,
                    tzinfo=CHINA)  # fmt: skip


def jpaas_query(ctx: RenderContext) -> str:
    """The ``queryData`` a jpaas column declares, single-quoted as the pages write it."""
    p = ctx.site.params
    fields = {"webId": p["web_id"], "pageId": p["page_id"], "tplSetId": p["tpl_set_id"], "tagId": p["tag_id"],
              "parseType": "bulidstatic", "pageType": "column", "editType": "null"}  # fmt: skip
    return "{" + ",".join(f"'{k}':'{v}'" for k, v in fields.items()) + "}"
