"""Repeal by citation, through ingest: a new notice that says it repeals an earlier one marks the
earlier one's notice 已废止 with a high-priority alert to its subscribers, in the same ingest, with a
link to the repealing notice; the same statement seen again, or a citation as a legal basis, marks
nothing."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from changes.model import Change as ChangeRecord
from notices.model import RawPage
from tests.ingest.test_ingest_parallel import HAINAN, PAGES, Step, ingest, store

REPEALED_TITLE = "海南省新形势下加强打击侵犯知识产权和制售假冒伪劣商品工作实施方案"
REPEALED_NUMBER = "琼府〔2017〕69号"
REPEALER = "http://a.example/2023/repealer.html"


def notice(url: str, title: str, doc_number: str, paragraphs: list[str]) -> RawPage:
    """The Hainan fixture page with its own title, doc number and body."""
    meta = json.loads((PAGES / HAINAN / "meta.json").read_text(encoding="utf-8"))
    html = (PAGES / HAINAN / "input.html").read_text(encoding="utf-8")
    # The page's own title and doc number first, then the body (which may cite the old ones).
    html = html.replace(f"海南省人民政府关于印发{REPEALED_TITLE}的通知", title)
    html = html.replace(REPEALED_NUMBER, doc_number)
    start, end = html.index('<div class="TRS_Editor">'), html.index("</div><!--<$[信息内容]>end-->")
    body = '<div class="TRS_Editor">' + "".join(f"<p>{p}</p>" for p in paragraphs)
    html = html[:start] + body + html[end:]
    return RawPage(url=url, body=html.encode("utf-8"), status=200, headers=meta["headers"])


def original() -> RawPage:
    meta = json.loads((PAGES / HAINAN / "meta.json").read_text(encoding="utf-8"))
    return RawPage(
        url=meta["url"],
        body=(PAGES / HAINAN / "input.html").read_bytes(),
        status=200,
        headers=meta["headers"],
    )


REPEALING = [
    "各市、县、自治县人民政府，省政府直属各单位：",
    "现将《海南省知识产权保护工作实施方案》印发给你们，请认真贯彻执行。",
    f"本方案自印发之日起施行，《{REPEALED_TITLE}》（{REPEALED_NUMBER}）同时废止。",
]
MERELY_CITING = [
    f"根据《{REPEALED_TITLE}》（{REPEALED_NUMBER}），决定对以下单位予以通报表彰。",
    "根据《海南省表彰奖励办法》（琼府〔2016〕5号），决定废止《海南省评比活动暂行办法》（琼府〔2010〕1号）。",
]

STEPS: list[Step] = [
    ("site-a", original(), None),
    (
        "site-b",
        notice(
            "http://b.example/cites.html",
            "海南省人民政府关于表彰知识产权保护先进集体的通报",
            "琼府〔2023〕13号",
            MERELY_CITING,
        ),
        None,
    ),
    (
        "site-a",
        notice(
            REPEALER,
            "海南省人民政府关于印发海南省知识产权保护工作实施方案的通知",
            "琼府〔2023〕12号",
            REPEALING,
        ),
        None,
    ),
    # The repealing notice fetched again, word for word: no new version, nothing marked twice.
    (
        "site-a",
        notice(
            REPEALER,
            "海南省人民政府关于印发海南省知识产权保护工作实施方案的通知",
            "琼府〔2023〕12号",
            REPEALING,
        ),
        None,
    ),
]


def test_a_repeal_by_citation_marks_and_alerts_the_cited_policy(database_url: str, tmp_path: Path) -> None:
    from storage.db import session_scope
    from storage.models import Change, Delivery, Notice

    store(database_url, STEPS, tmp_path)
    report = ingest(database_url, workers=1)
    with session_scope(database_url) as session:
        urls = {n.id: n.url for n in session.scalars(select(Notice))}
        changes = list(session.scalars(select(Change).order_by(Change.id)))
        delivered = {d.change_id for d in session.scalars(select(Delivery))}
    original_url = original().url
    marks = [c for c in changes if urls[c.notice_id] == original_url and c.kind == "metadata"]
    assert len(marks) == 1, [(urls[c.notice_id], c.kind, c.summary) for c in changes]
    mark = marks[0]
    detail = ChangeRecord.from_dict(mark.detail)
    assert (mark.priority, mark.alerted, detail.repealed, detail.label) == ("high", True, True, "已废止")
    assert detail.extra["repealed_by"]["url"] == REPEALER
    assert detail.extra["repealed_by"]["doc_number"] == "琼府〔2023〕12号"
    assert (
        REPEALER in mark.summary
        and "依据《海南省人民政府关于印发海南省知识产权保护工作实施方案的通知》" in mark.summary
    )
    assert mark.id in delivered, "the cited policy's subscribers are alerted in the same ingest"
    # Citing a policy as the legal basis, or repealing one never stored, marks nothing.
    assert {urls[c.notice_id] for c in changes if c.kind == "metadata"} == {original_url}
    assert any(row.change_id == mark.id for row in report.changes)
