"""The due rechecks (``storage.revisits.notices_due_of_sites``) at the edges of each age tier.

A table of notices (recheck_due_cases.yaml) on an SQLite file and on PostgreSQL: the 15-minute
monitor ("fresh", the first tier) and the nightly recheck ("due", every tier) each find exactly the
notices the table marks due, never-checked ones first, then the least recently checked.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from flows.recheck_plan import recheck_tiers
from storage.db import session_scope
from storage.models import Notice
from storage.revisits import notices_due_of_sites
from tests.support.outbox_db import ensure_source

CASES: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "recheck_due_cases.yaml").read_text())
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def _last_checked(case: dict[str, Any]) -> datetime | None:
    return None if case["checked"] is None else NOW - timedelta(**case["checked"])


@pytest.fixture()
def known_notices(database_url: str) -> str:
    with session_scope(database_url) as session:
        site = ensure_source(session, "a")
        other = ensure_source(session, "b")
        for case in CASES:
            for source in (site, other):
                published = case["published"]
                session.add(
                    Notice(
                        source_id=source.id,
                        url=f"http://{source.slug}.example/{case['id']}.html",
                        status=case.get("status", "active"),
                        published_date=None
                        if published is None
                        else (NOW - timedelta(days=published)).date().isoformat(),
                        last_checked_at=_last_checked(case),
                    )
                )
    return database_url


@pytest.mark.parametrize(
    ("policy", "column"), [("fresh", "fresh"), ("due", "nightly")], ids=["monitor", "nightly"]
)
def test_due_rechecks_are_the_tables_due_notices_never_checked_first(
    known_notices: str, policy: str, column: str
) -> None:
    with session_scope(known_notices) as session:
        due = notices_due_of_sites(session, ["a"], tiers=recheck_tiers(policy, NOW), limit=1_000)
    found = [target.url.rsplit("/", 1)[1].removesuffix(".html") for target in due]
    assert {target.slug for target in due} <= {"a"}
    assert sorted(found) == sorted(case["id"] for case in CASES if case[column])
    by_id = {case["id"]: case for case in CASES}
    checks = [_last_checked(by_id[name]) for name in found]
    never = sum(check is None for check in checks)
    assert all(check is None for check in checks[:never]), found
    assert checks[never:] == sorted(check for check in checks if check is not None), found
    assert [target.status for target in due] == [by_id[name].get("status", "active") for name in found]


def test_the_limit_keeps_the_least_recently_checked(known_notices: str) -> None:
    with session_scope(known_notices) as session:
        due = notices_due_of_sites(session, ["a", "b"], tiers=recheck_tiers("due", NOW), limit=8)
    never_checked = {case["id"] for case in CASES if case["nightly"] and case["checked"] is None}
    found = [target.url.rsplit("/", 1)[1].removesuffix(".html") for target in due]
    assert len(found) == 8
    assert set(found) == never_checked  # 4 never-checked notices on each of the two sites
