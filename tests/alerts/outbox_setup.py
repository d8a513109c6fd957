"""Shared setup for the outbox tests: a database with changes, and subscriptions written to a file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.outbox import enqueue
from alerts.subscriptions import SubscriptionConfig, load_subscriptions, sync_subscriptions
from changes import detect
from notices.model import Notice, PageKind
from storage.db import session_factory
from storage.models import Delivery
from tests.support.outbox_db import seed_change


def write_subscriptions(path: Path, entries: Sequence[dict[str, object]]) -> list[SubscriptionConfig]:
    lines = []
    for entry in entries:
        lines.append("[[subscription]]")
        for key, value in entry.items():
            if isinstance(value, list):
                lines.append(f"{key} = [{', '.join(_quote(v) for v in value)}]")
            else:
                lines.append(f"{key} = {_quote(value)}")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return load_subscriptions(path)


def _quote(value: object) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def new_notice(n: int, **fields: object) -> Notice:
    data: dict[str, object] = {
        "url": f"http://www.hainan.gov.cn/szfwj/t{n}.html",
        "page_kind": PageKind.NOTICE,
        "title": f"测试通知{n:03d}",
        "doc_number": f"琼府〔2024〕{n}号",
        "issuer": "海南省人民政府",
        "paragraphs": (f"第{n}号通知正文。",),
    }
    data.update(fields)
    return Notice(**data)  # type: ignore[arg-type]


def setup_outbox(
    db_url: str, configs: Sequence[SubscriptionConfig], count: int, **fields: object
) -> sessionmaker[Session]:
    """``count`` new-notice changes, each enqueued to ``configs`` in the change's own transaction."""
    factory = session_factory(db_url)
    with factory() as session, session.begin():
        rows = sync_subscriptions(session, list(configs))
    for n in range(1, count + 1):
        record = new_notice(n, **fields)
        with factory() as session, session.begin():
            change = seed_change(session, record, detect(None, record))
            enqueue(session, change, rows)
    return factory


def statuses(factory: sessionmaker[Session]) -> list[str]:
    with factory() as session:
        return list(session.scalars(select(Delivery.status).order_by(Delivery.id)))
