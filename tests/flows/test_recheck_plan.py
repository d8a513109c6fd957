"""Which known notices a recheck re-verifies: by age tier ("due") or all of them, of the named sites only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from flows.recheck_plan import recheck_items
from storage.db import session_scope
from storage.models import Notice, utcnow
from tests.support.outbox_db import ensure_source

# (url, site, status, published days ago or None, last checked days ago or None, due by age tier)
NOTICES = [
    ("fresh-checked-10-minutes-ago", "a", "active", 3, 10 / 1440, True),
    ("fresh-checked-just-now", "a", "active", 3, 1 / 86400, False),
    ("fresh-checked-2-days-ago", "a", "active", 5, 2, True),
    ("fresh-never-checked", "a", "active", 6, None, True),
    ("recent-checked-2-days-ago", "a", "active", 40, 2, True),
    ("recent-checked-an-hour-ago", "a", "active", 40, 1 / 24, False),
    ("recent-at-89-days-checked-3-hours-ago", "a", "active", 89, 3 / 24, False),
    ("old-checked-3-days-ago", "a", "active", 100, 3, False),
    ("old-checked-8-days-ago", "a", "active", 100, 8, True),
    ("undated-never-checked", "a", "active", None, None, True),
    ("undated-checked-3-days-ago", "a", "active", None, 3, False),
    ("missing-old-checked-8-days-ago", "a", "missing", 100, 8, True),
    ("other-site-never-checked", "b", "active", 5, None, True),
]  # fmt: skip


@pytest.fixture()
def known_notices(pipeline_env: str) -> str:
    now = utcnow()
    with session_scope(pipeline_env) as session:
        for url, site, status, published, checked, _due in NOTICES:
            source = ensure_source(session, site)
            session.add(
                Notice(
                    source_id=source.id,
                    url=f"http://{site}.example/{url}.html",
                    status=status,
                    etag=f'"{url}"',
                    last_modified="Mon, 06 Jan 2025 08:00:00 GMT",
                    published_date=(now - timedelta(days=published)).date().isoformat()
                    if published
                    else None,
                    last_checked_at=now - timedelta(days=checked) if checked is not None else None,
                )
            )
    return pipeline_env


def _urls(items: list[dict[str, str | None]]) -> set[str]:
    return {str(i["url"]).rsplit("/", 1)[1].removesuffix(".html") for i in items}


def test_due_rechecks_by_age_every_cycle_daily_or_weekly(known_notices: str) -> None:
    items = recheck_items(["a"], "due")
    assert _urls(items) == {url for url, site, *_, due in NOTICES if site == "a" and due}
    assert {i["slug"] for i in items} == {"a"}


def test_fresh_rechecks_only_the_last_seven_days(known_notices: str) -> None:
    """What the 15-minute monitor deployment rechecks; the older tiers wait for the nightly run."""
    assert _urls(recheck_items(["a"], "fresh")) == {
        "fresh-checked-10-minutes-ago",
        "fresh-checked-2-days-ago",
        "fresh-never-checked",
    }


def test_all_picks_every_known_notice_of_the_named_sites(known_notices: str) -> None:
    assert _urls(recheck_items(["a", "b"], "all")) == {url for url, *_ in NOTICES}
    assert _urls(recheck_items(["b"], "all")) == {"other-site-never-checked"}


def test_an_active_notice_keeps_its_validators_and_a_missing_one_is_fetched_in_full(
    known_notices: str,
) -> None:
    by_url = {str(i["url"]).rsplit("/", 1)[1]: i for i in recheck_items(["a"], "all")}
    active = by_url["old-checked-3-days-ago.html"]
    assert (active["etag"], active["last_modified"]) == (
        '"old-checked-3-days-ago"',
        "Mon, 06 Jan 2025 08:00:00 GMT",
    )
    missing = by_url["missing-old-checked-8-days-ago.html"]
    assert (missing["etag"], missing["last_modified"]) == (None, None)


def test_none_unknown_sites_and_unknown_policies(known_notices: str) -> None:
    assert recheck_items(["a"], "none") == []
    assert recheck_items(["nowhere"], "due") == [], "no known site must not mean every site"
    assert recheck_items(["nowhere"], "all") == []
    with pytest.raises(ValueError, match="'due', 'fresh', 'all', 'none'"):
        recheck_items(["a"], "weekly")


def test_the_recheck_cap_grows_with_the_sites_and_takes_the_least_recently_checked_first(
    known_notices: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fixed total would stretch the weekly tier of a large registry over several weeks."""
    monkeypatch.setattr("flows.recheck_plan.RECHECK_LIMIT_PER_SITE", 2)
    assert _urls(recheck_items(["a"], "due")) == {"fresh-never-checked", "undated-never-checked"}
    assert len(recheck_items(["a", "b"], "due")) == 4
