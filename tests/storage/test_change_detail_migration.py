"""An existing database upgrades with ``policywatch db upgrade`` and its changes still alert with their diffs.

Before revision 0003 ingest stored a change's detail as ``{"change": Change.to_dict(), "record":
{...}}``; now it is exactly ``Change.to_dict()`` and the alert reads the record from the version the
change points to. The database here is built at revision 0002 and filled the way the old ingest
wrote it (``_record_change`` in policywatch/ingest.py before the ingest stage existed).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, sessionmaker

from changes import ChangeKind, detect, removal_change
from changes.model import Change as ChangeRecord
from notices.model import Notice as NoticeRecord
from tests.changes.notice_builders import build_notice

BASE: dict[str, Any] = {
    "url": "http://www.hainan.gov.cn/hainan/szfwj/202001/t1.html",
    "page_kind": "notice",
    "title": "海南省人民政府关于加快数字政府建设的通知",
    "doc_number": "琼府〔2020〕7号",
    "issuer": "海南省人民政府",
    "written_date": "2020-01-10",
    "published_date": "2020-01-15",
    "paragraphs": [
        "各市、县、自治县人民政府，省政府直属各单位：",
        "一、总体要求",
        "以数字化改革引领政府职能转变。",
        "二、重点任务",
        "（一）加快政务云平台建设，2020年底前完成省级平台迁移。",
        "三、保障措施",
        "各地要建立工作台账。",
    ],
    "responsibilities": [],
}
REMOVED_URL = "http://www.hainan.gov.cn/hainan/szfwj/202001/t2.html"


def _alembic(url: str, action: str, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    from storage.db import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = url
    getattr(command, action)(config, revision)


@pytest.fixture()
def old_sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on the database at revision 0002 (an engine of its own: the cached ones migrate)."""
    _alembic(database_url, "upgrade", "0002")
    engine = create_engine(database_url)
    yield sessionmaker(engine)
    engine.dispose()


def _old_detail(detected: ChangeRecord, record: NoticeRecord | None) -> dict[str, Any]:
    """What the old ``_record_change`` stored."""
    detail: dict[str, Any] = {"change": detected.to_dict()}
    if record is not None:
        detail["record"] = {
            k: v
            for k, v in record.to_dict().items()
            if k not in ("paragraphs", "outline", "responsibilities")
        }
    return detail


def _store_old_world(sessions: sessionmaker[Session]) -> dict[str, dict[str, Any]]:
    """An edited notice and a removed one, stored as the old code path did; {"url kind": old detail}."""
    from storage import versions as version_store
    from tests.support.outbox_db import ensure_source

    first = build_notice(BASE, {})
    paragraphs = list(BASE["paragraphs"])
    paragraphs[4] = "（一）加快政务云平台建设，2025年底前完成省级平台迁移。"
    edited = build_notice(BASE, {"paragraphs": paragraphs})
    gone = build_notice(BASE, {"url": REMOVED_URL, "title": "海南省政务数据共享管理办法", "doc_number": None})
    details: dict[str, dict[str, Any]] = {}
    with sessions() as session, session.begin():
        source = ensure_source(session, "hainan", name="海南省人民政府")

        def change(notice: Any, detected: ChangeRecord, record: NoticeRecord, **versions: Any) -> None:
            detail = _old_detail(detected, record)
            version_store.add_change(
                session,
                notice,
                kind=detected.kind.value,
                priority=detected.priority,
                summary=detected.summary,
                detail=detail,
                alerted=True,
                **versions,
            )
            details[f"{notice.url} {detected.kind.value}"] = detail

        for records in ([first, edited], [gone]):
            notice = version_store.new_notice(source, records[0].url)
            session.add(notice)
            session.flush()
            previous: tuple[int, NoticeRecord] | None = None
            for record in records:
                version = version_store.add_version(session, notice, record.to_dict(), snapshot_id=None)
                detected = detect(previous[1] if previous else None, record)
                change(
                    notice,
                    detected,
                    record,
                    from_version_id=previous[0] if previous else None,
                    to_version_id=version.id,
                )
                previous = (version.id, record)
        assert previous is not None
        removal = removal_change(ChangeKind.REMOVED, gone.title, REMOVED_URL, http_status=404)
        change(notice, removal, gone, from_version_id=previous[0], to_version_id=None)
    return details


def _stored(sessions: sessionmaker[Session]) -> dict[str, tuple[int, dict[str, Any]]]:
    from storage.models import Change, Notice

    with sessions() as session:
        rows = session.execute(select(Change, Notice.url).join(Notice, Notice.id == Change.notice_id))
        return {f"{url} {change.kind}": (change.id, change.detail) for change, url in rows}


def test_an_upgraded_database_alerts_its_stored_changes_with_their_diffs(
    database_url: str, old_sessions: sessionmaker[Session]
) -> None:
    from alerts.context import load_alert_context
    from alerts.render import ARTIFACT_CHANNEL, DEFAULT_CHANNEL, render_alert
    from policywatch.cli import main
    from storage.db import session_factory

    old = _store_old_world(old_sessions)
    assert (
        sorted(old)
        == sorted(_stored(old_sessions))
        == [
            f"{BASE['url']} edited",
            f"{BASE['url']} new",
            f"{REMOVED_URL} new",
            f"{REMOVED_URL} removed",
        ]
    )
    with pytest.raises(KeyError):  # what the new code would make of the old shape
        ChangeRecord.from_dict(old[f"{BASE['url']} edited"])

    result = CliRunner().invoke(main, ["db", "upgrade"], env={"POLICYWATCH_DATABASE_URL": database_url})
    assert result.exit_code == 0, result.output

    stored = _stored(old_sessions)
    # Each detail is now exactly the change it held.
    assert {key: detail for key, (_id, detail) in stored.items()} == {
        key: detail["change"] for key, detail in old.items()
    }
    with session_factory(database_url)() as session:
        edited = load_alert_context(session, stored[f"{BASE['url']} edited"][0])
        removed = load_alert_context(session, stored[f"{REMOVED_URL} removed"][0])

    markdown = render_alert(edited, ARTIFACT_CHANNEL).body
    assert "`二、（一）`" in markdown, markdown  # the located edit
    assert "~~2020~~" in markdown and "**2025**" in markdown, markdown  # and the changed text
    text = render_alert(edited, DEFAULT_CHANNEL).body
    assert "· 二、（一）: 2020年 → 2025年" in text, text
    # The fields the old detail repeated come from the version's record.
    for shown in ("海南省人民政府关于加快数字政府建设的通知", "琼府〔2020〕7号", "2020-01-10", "2020-01-15"):
        assert shown in text, (shown, text)
    assert removed.kind is ChangeKind.REMOVED and removed.title == "海南省政务数据共享管理办法"
    assert render_alert(removed).title == "[已撤下] 海南省政务数据共享管理办法"

    # Going back rebuilds the old shape exactly, and upgrading again gives the new one.
    _alembic(database_url, "downgrade", "0002")
    assert {key: detail for key, (_id, detail) in _stored(old_sessions).items()} == old
    _alembic(database_url, "upgrade", "head")
    assert _stored(old_sessions) == stored
