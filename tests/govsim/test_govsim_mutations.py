"""Every mutation changes exactly what it reports; noise changes bytes but never the notice text."""

from __future__ import annotations

import io
import re

import docx
import pypdf
import pytest

from govsim.noise import NOISE_KINDS
from govsim.testing import GovsimHandle
from tests.govsim.fetching import body_paragraphs, fetch

FLAVOUR = {
    "hainan": "trs",
    "guangdong": "gkmlpt",
    "chuzhou": "anhui",
    "zhejiang-sim": "hanweb",
    "lawportal-sim": "portal",
    "heilongjiang-sim": "ucap",
    "tianjin-sim": "igs",
    "hangzhou-sim": "hanweb_jpaas",
    "shaanxi-sim": "ilist",
    "shanghai-sim": "shanghai",
    "sichuan-sim": "generic",
    "jilin-sim": "json_list",
    "wuhan-sim": "trs",
}


def _first_list(sim: GovsimHandle, slug: str) -> str:
    return next(s for s in sim.admin.sites() if s["slug"] == slug)["list_urls"][0]


@pytest.mark.parametrize("slug", list(FLAVOUR))
def test_publish_puts_a_new_notice_on_top_of_the_first_list_page(sim: GovsimHandle, slug: str) -> None:
    before = sim.admin.notices(slug)
    published = sim.admin.publish(slug, seed=3)
    after = sim.admin.notices(slug)
    assert [n["id"] for n in after] == [published["notice_id"]] + [n["id"] for n in before]
    if slug == "zhejiang-sim":
        listing = fetch(sim.base_urls[slug] + "/module/jpage/dataproxy.jsp?startrecord=1&endrecord=15&perpage=15",
                        method="POST").body.decode()  # fmt: skip
    else:
        listing = fetch(_first_list(sim, slug)).body.decode()
    assert published["url"].removeprefix(sim.base_urls[slug]).rsplit("/", 1)[-1] in listing
    page = fetch(published["url"])
    assert page.status == 200
    assert body_paragraphs(FLAVOUR[slug], page.body) == published["paragraphs"]


def test_publish_is_deterministic_from_the_seed(sim: GovsimHandle) -> None:
    first = sim.admin.publish("hainan", seed=11)
    sim.admin.reset()
    assert sim.admin.publish("hainan", seed=11) == first
    sim.admin.reset()
    other = sim.admin.publish("hainan", seed=12)
    assert other["notice_id"] != first["notice_id"]
    assert other["title"] != first["title"]
    assert other["paragraphs"] != first["paragraphs"]


@pytest.mark.parametrize("slug", list(FLAVOUR))
def test_edit_paragraph_changes_that_paragraph_only(sim: GovsimHandle, slug: str) -> None:
    notices = sim.admin.notices(slug)
    notice = next((n for n in notices if n["origin"] == "seed"), notices[0])
    before = body_paragraphs(FLAVOUR[slug], fetch(notice["url"]).body)
    change = sim.admin.edit_paragraph(slug, notice["id"])
    after = body_paragraphs(FLAVOUR[slug], fetch(notice["url"]).body)
    index = change["paragraph_index"]
    assert before[index] == change["old_text"] and after[index] == change["new_text"] != change["old_text"]
    assert before[:index] + before[index + 1 :] == after[:index] + after[index + 1 :]


def test_edit_with_given_text(sim: GovsimHandle) -> None:
    notice = sim.admin.notices("chongqing")[2]
    change = sim.admin.edit_paragraph("chongqing", notice["id"], paragraph_index=1, text="新的第二段。")
    assert change["paragraph_index"] == 1
    assert body_paragraphs("trs", fetch(notice["url"]).body)[1] == "新的第二段。"


def test_repeal_redate_retitle_renumber(sim: GovsimHandle) -> None:
    notice = next(n for n in sim.admin.notices("hainan") if n["origin"] == "seed")
    before = fetch(notice["url"]).body.decode()
    change = sim.admin.change_metadata("hainan", notice["id"], validity="已废止", published="2018-01-05",
                                       title="海南省人民政府关于废止部分文件的通知", doc_number="琼府〔2018〕1号")  # fmt: skip
    assert change["changed"]["validity"] == {"old": "有效", "new": "已废止"}
    assert change["changed"]["published"] == {"old": "2017-08-17", "new": "2018-01-05"}
    page = fetch(notice["url"]).body.decode()  # the URL keeps its first publication date
    assert ">已废止</td>" in page and "2018年01月05日" in page and "琼府〔2018〕1号" in page
    assert "海南省人民政府关于废止部分文件的通知" in page
    # <meta PubDate> keeps the first publication; the visible date moved.
    assert re.search(r'name="PubDate" content="2017-08-17', page) and re.search(
        r'name="PubDate" content="2017-08-17', before
    )
    assert body_paragraphs("trs", page.encode()) == body_paragraphs("trs", before.encode())


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_attachment_carries_the_notice_text(sim: GovsimHandle, kind: str) -> None:
    notice = sim.admin.notices("guangdong")[1]
    full = sim.admin.notice("guangdong", notice["id"])
    change = sim.admin.set_attachment("guangdong", notice["id"], kind=kind)
    assert change["paragraphs_changed"]
    page = fetch(notice["url"]).body.decode()
    assert "详见附件" in page and change["file_name"] in page
    got = fetch(change["attachment_url"])
    assert got.status == 200
    if kind == "pdf":
        text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(got.body)).pages)
    else:
        text = "".join(p.text for p in docx.Document(io.BytesIO(got.body)).paragraphs)
    squash = lambda s: re.sub(r"\s+", "", s)  # noqa: E731
    assert squash(text) == squash(change["text"])
    for paragraph in full["paragraphs"]:
        assert squash(paragraph) in squash(text)


def test_replacing_an_attachment_with_given_text(sim: GovsimHandle) -> None:
    notice = sim.admin.notices("chuzhou")[0]
    first = sim.admin.set_attachment("chuzhou", notice["id"], kind="docx", text="第一版附件")
    second = sim.admin.set_attachment("chuzhou", notice["id"], kind="docx", text="第二版附件")
    assert second["replaced"] == [first["file_name"]]
    body = fetch(second["attachment_url"]).body
    assert [p.text for p in docx.Document(io.BytesIO(body)).paragraphs] == ["第二版附件"]
    assert fetch(first["attachment_url"]).status == 404


@pytest.mark.parametrize("status", [404, 410])
def test_remove_and_restore(sim: GovsimHandle, status: int) -> None:
    notice = sim.admin.notices("qinghai")[0]
    listing = _first_list(sim, "qinghai")
    sim.admin.remove("qinghai", notice["id"], status=status)
    assert fetch(notice["url"]).status == status
    assert notice["id"] not in fetch(listing).body.decode()
    sim.admin.restore("qinghai", notice["id"])
    assert fetch(notice["url"]).status == 200
    assert notice["id"] in fetch(listing).body.decode()


@pytest.mark.parametrize("slug", ["hainan", "chuzhou"])
@pytest.mark.parametrize("kind", NOISE_KINDS)
def test_noise_changes_bytes_not_text(sim: GovsimHandle, slug: str, kind: str) -> None:
    notice = sim.admin.notices(slug)[0]
    before = fetch(notice["url"]).body
    result = sim.admin.noise(slug, kind)
    assert result["text_changed"] is False
    after = fetch(notice["url"]).body
    assert after != before
    assert body_paragraphs(FLAVOUR[slug], after) == body_paragraphs(FLAVOUR[slug], before)


def test_noise_on_one_notice_leaves_the_others_alone(sim: GovsimHandle) -> None:
    one, other = sim.admin.notices("hainan")[:2]
    other_before = fetch(other["url"]).body
    one_before = fetch(one["url"]).body
    sim.admin.noise("hainan", "markup", one["id"])
    assert fetch(one["url"]).body != one_before
    assert fetch(other["url"]).body == other_before


def test_always_on_noise_dynamic_pages_differ_per_request_static_pages_do_not(sim: GovsimHandle) -> None:
    dynamic = sim.admin.notices("chuzhou")[0]["url"]
    assert fetch(dynamic).body != fetch(dynamic).body
    static = sim.admin.notices("hainan")[0]
    assert fetch(static["url"]).body == fetch(static["url"]).body
    counter = sim.base_urls["hainan"] + f"/interface/visit/count.jsp?docid={static['id']}"
    assert fetch(counter).body != fetch(counter).body


def test_reset_restores_the_start_state(sim: GovsimHandle) -> None:
    before = sim.admin.notices("hainan")
    page = fetch(before[0]["url"]).body
    sim.admin.edit_paragraph("hainan", before[0]["id"])
    sim.admin.publish("hainan")
    sim.admin.noise("hainan", "nav_order")
    sim.admin.reset()
    assert sim.admin.notices("hainan") == before
    assert fetch(before[0]["url"]).body == page


def test_admin_errors_are_clear(sim: GovsimHandle) -> None:
    from govsim.client import GovsimError

    with pytest.raises(GovsimError, match="unknown site 'nowhere'"):
        sim.admin.publish("nowhere")
    with pytest.raises(GovsimError, match="no notice 1"):
        sim.admin.remove("hainan", "1")
    with pytest.raises(GovsimError, match="unknown noise kind"):
        sim.admin.noise("hainan", "glitter")
    with pytest.raises(GovsimError, match="unknown fault"):
        sim.admin.fault("hainan", "meteor")
