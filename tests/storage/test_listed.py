"""The stored signatures of a site's list rows (``storage.listed``), on an SQLite file and on
PostgreSQL: recorded, updated, and read back for the whole site or for the URLs of one list page."""

from __future__ import annotations

from storage.db import session_scope
from storage.listed import ListedMark, listed_metadata, listed_signatures, record_listed
from tests.support.outbox_db import ensure_source


def test_signatures_are_read_back_for_the_site_or_for_one_pages_urls(database_url: str) -> None:
    with session_scope(database_url) as session:
        site, other = ensure_source(session, "a").id, ensure_source(session, "b").id
        record_listed(
            session, site, {"http://a/1.html": ListedMark("one"), "http://a/2.html": ListedMark("two")}
        )
        record_listed(session, other, {"http://a/1.html": ListedMark("elsewhere")})
    with session_scope(database_url) as session:
        record_listed(
            session,
            site,
            {
                "http://a/2.html": ListedMark("two, retitled", "某政规〔2026〕4号"),
                "http://a/3.html": ListedMark("three", None, "006939748/2026-00003"),
            },
        )
    with session_scope(database_url) as session:
        assert listed_signatures(session, site) == {
            "http://a/1.html": "one",
            "http://a/2.html": "two, retitled",
            "http://a/3.html": "three",
        }
        page = ["http://a/2.html", "http://a/3.html", "http://a/new.html"]
        assert listed_signatures(session, site, among=page) == {
            "http://a/2.html": "two, retitled",
            "http://a/3.html": "three",
        }
        assert listed_signatures(session, other, among=page) == {}
        assert listed_signatures(session, site, among=[]) == {}
        # What the rows carried, as last recorded.
        assert listed_metadata(session, site, "http://a/1.html") == (None, None)
        assert listed_metadata(session, site, "http://a/2.html") == ("某政规〔2026〕4号", None)
        assert listed_metadata(session, site, "http://a/3.html") == (None, "006939748/2026-00003")
        assert listed_metadata(session, other, "http://a/3.html") == (None, None)
