"""Grouping never merges what differs, through ingest: notices whose bodies are the same boilerplate
(identical fingerprints) but whose doc numbers differ, or that come from one site, are each a policy
of their own and each alerted; a repost with the same doc number on another site is not alerted again.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from notices.model import RawPage
from tests.ingest.test_ingest_parallel import HAINAN, PAGES, Step, ingest, store

TITLE = "海南省人民政府关于印发海南省新形势下加强打击侵犯知识产权和制售假冒伪劣商品工作实施方案的通知"
DOC_NUMBER = "琼府〔2017〕69号"
# A body many notices share word for word: the documents themselves are in the attachments.
BOILERPLATE = (
    '<div class="TRS_Editor"><p>各市、县、自治县人民政府，省政府直属各单位：</p>'
    "<p>现将有关文件印发给你们，请认真贯彻执行。</p><p>海南省人民政府</p><p>2017年8月17日</p>"
)


def boilerplate_notice(url: str, title: str, doc_number: str) -> RawPage:
    """The Hainan fixture page with the shared body, its own title and its own doc number."""
    meta = json.loads((PAGES / HAINAN / "meta.json").read_text(encoding="utf-8"))
    html = (PAGES / HAINAN / "input.html").read_text(encoding="utf-8")
    start, end = html.index('<div class="TRS_Editor">'), html.index("</div><!--<$[信息内容]>end-->")
    html = (html[:start] + BOILERPLATE + html[end:]).replace(TITLE, title).replace(DOC_NUMBER, doc_number)
    return RawPage(url=url, body=html.encode("utf-8"), status=200, headers=meta["headers"])


STEPS: list[Step] = [
    (
        "site-a",
        boilerplate_notice("http://a.example/1.html", "关于印发甲方案的通知", "琼府〔2017〕69号"),
        None,
    ),
    (
        "site-a",
        boilerplate_notice("http://a.example/2.html", "关于印发乙办法的通知", "琼府〔2017〕70号"),
        None,
    ),
    (
        "site-b",
        boilerplate_notice("http://b.example/1.html", "关于印发丙规定的通知", "琼府〔2017〕71号"),
        None,
    ),
    ("site-c", boilerplate_notice("http://c.example/1.html", "关于印发甲方案的通知", "琼府[2017]69号"), None),
]


def test_notices_that_differ_are_each_alerted(database_url: str, tmp_path: Path) -> None:
    from storage.db import session_scope
    from storage.models import Change, Delivery, Notice

    store(database_url, STEPS, tmp_path)
    ingest(database_url, workers=1)
    with session_scope(database_url) as session:
        notices = {n.id: n for n in session.scalars(select(Notice))}
        policy = {n.url: n.policy_id for n in notices.values()}
        alerted = {
            notices[change.notice_id].url: change.alerted
            for change in session.scalars(select(Change).where(Change.kind == "new"))
        }
        delivered = sorted(
            notices[change.notice_id].url
            for change in session.scalars(
                select(Change).join(Delivery, Delivery.change_id == Change.id).where(Change.kind == "new")
            )
        )
    # Same body, other doc number (same site or another site): a policy of its own, alerted.
    assert (
        len(
            {
                policy[u]
                for u in ("http://a.example/1.html", "http://a.example/2.html", "http://b.example/1.html")
            }
        )
        == 3
    )
    # Same doc number on another site: the same policy, a repost, not alerted again.
    assert policy["http://c.example/1.html"] == policy["http://a.example/1.html"]
    assert alerted == {
        "http://a.example/1.html": True,
        "http://a.example/2.html": True,
        "http://b.example/1.html": True,
        "http://c.example/1.html": False,
    }
    assert delivered == ["http://a.example/1.html", "http://a.example/2.html", "http://b.example/1.html"]
