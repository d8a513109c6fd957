"""A 文号 or 索引号 that only the list row names (gkmlpt's, UCAP's and IGS's JSON lists, Wuhan's
script rows) reaches the stored notice when its own page shows none; what the page shows wins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

import notices
from changes.grouping import normalize_doc_number
from notices.model import RawPage
from tests.ingest.test_ingest_parallel import HAINAN, PAGES, Step, ingest, store

DOC_NUMBER = "琼府〔2017〕69号"  # what the Hainan page shows, in its metadata table and first line
INDEX_NUMBER = "00817460-3/2017-00412"


def hainan(url: str, *, doc_number_shown: bool) -> RawPage:
    meta = json.loads((PAGES / HAINAN / "meta.json").read_text(encoding="utf-8"))
    html = (PAGES / HAINAN / "input.html").read_text(encoding="utf-8")
    if not doc_number_shown:
        html = html.replace(DOC_NUMBER, "")
    return RawPage(url=url, body=html.encode("utf-8"), status=200, headers=meta["headers"])


BARE = "http://site-a.example/202408/t20240801_1.html"  # its page shows no 文号
SHOWN = "http://site-a.example/202408/t20240801_2.html"  # its page shows one, the list another
UNLISTED = "http://site-a.example/202408/t20240801_3.html"  # no 文号 on its page, no list row

STEPS: list[Step] = [
    ("site-a", hainan(BARE, doc_number_shown=False), None),
    ("site-a", hainan(SHOWN, doc_number_shown=True), None),
    ("site-a", hainan(UNLISTED, doc_number_shown=False), None),
]


def list_rows(database_url: str) -> None:
    from storage.db import session_scope
    from storage.listed import ListedMark, record_listed
    from storage.models import Source

    with session_scope(database_url) as session:
        source = session.scalar(select(Source).where(Source.slug == "site-a"))
        assert source is not None
        record_listed(
            session,
            source.id,
            {
                # As a list writes it: other brackets, before normalization.
                BARE: ListedMark("sig-1", "琼府[2017]69号", "006939748/2024-00001"),
                SHOWN: ListedMark("sig-2", "琼府〔2017〕99号", None),
            },
        )


def test_the_page_without_the_numbers_takes_them_from_its_list_row(database_url: str, tmp_path: Path) -> None:
    from storage.db import session_scope
    from storage.models import Notice, NoticeVersion, Policy

    bare = notices.extract(hainan(BARE, doc_number_shown=False))
    assert (bare.page_kind.value, bare.doc_number, bare.index_number) == ("notice", None, INDEX_NUMBER)

    store(database_url, STEPS, tmp_path)
    list_rows(database_url)
    report = ingest(database_url, workers=1)
    assert report.versions == 3

    with session_scope(database_url) as session:
        stored = {
            notice.url: (version.record, session.get(Policy, notice.policy_id))
            for notice, version in session.execute(
                select(Notice, NoticeVersion).join(NoticeVersion, NoticeVersion.notice_id == Notice.id)
            )
        }
        record, policy = stored[BARE]
        # The list's 文号, normalized; the page's own 索引号 wins over the list's.
        assert (record["doc_number"], record["index_number"]) == (DOC_NUMBER, INDEX_NUMBER)
        assert policy is not None and policy.doc_number == normalize_doc_number(DOC_NUMBER)
        assert stored[SHOWN][0]["doc_number"] == DOC_NUMBER
        assert stored[UNLISTED][0]["doc_number"] is None


@pytest.mark.parametrize("listed", ["", "无", "null"])
def test_a_list_value_that_is_no_doc_number_is_not_taken(
    database_url: str, tmp_path: Path, listed: str
) -> None:
    from storage.db import session_scope
    from storage.listed import ListedMark, record_listed
    from storage.models import NoticeVersion, Source

    store(database_url, STEPS[:1], tmp_path)
    with session_scope(database_url) as session:
        source = session.scalar(select(Source).where(Source.slug == "site-a"))
        assert source is not None
        record_listed(session, source.id, {BARE: ListedMark("sig", listed or None, None)})
    ingest(database_url, workers=1)
    with session_scope(database_url) as session:
        (record,) = session.scalars(select(NoticeVersion.record))
    assert record["doc_number"] is None
