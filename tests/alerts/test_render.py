"""Alert texts: Chinese labels first, scraped text escaped, every channel within its limit."""

from __future__ import annotations

import dataclasses

import pytest

from alerts.context import AlertContext, SourceLink
from alerts.render import CHANNELS, TRUNCATED, channel_for_url, render_alert, render_digest
from changes.model import ChangeKind, EditOp, LocatedEdit

SOURCES = (
    SourceLink("海南省人民政府", "http://www.hainan.gov.cn/szfwj/t1.html", "hainan", "海南省"),
    SourceLink("中国政府网", "https://www.gov.cn/zhengce/content/t2.html", "govcn", "全国"),
)


def context(kind: ChangeKind = ChangeKind.EDITED, *, edits: int = 1, repealed: bool = False) -> AlertContext:
    located = tuple(
        LocatedEdit(
            path=f"四、（二）{i + 1}.",
            op=EditOp.REPLACE,
            old=f"{i + 1}. 到2020年底前完成<script>alert('x')</script>建设任务。" + "各地要认真落实。" * 20,
            new=f"{i + 1}. 到2025年底前完成<script>alert('x')</script>建设任务。" + "各地要认真落实。" * 20,
            paragraph_index=5 + i,
            highlights=(
                (0, f"{i + 1}. 到"),
                (-1, "2020"),
                (1, "2025"),
                (0, "年底前完成<script>alert('x')</script>建设任务。"),
            ),
        )
        for i in range(edits)
    )
    return AlertContext(
        change_id=7,
        kind=kind,
        priority="high" if repealed else "normal",
        summary="内容变更：关于<b>优化</b>营商环境的通知 —— 四、（二）1.: 2020年 → 2025年",
        title="海南省人民政府关于进一步优化营商环境的通知<img src=x onerror=alert(1)>",
        issuer="海南省人民政府",
        doc_number="琼府〔2020〕12号",
        written_date="2020-03-01",
        published_date="2020-03-05",
        validity="废止" if repealed else "有效",
        sources=SOURCES,
        edits=located,
        repealed=repealed,
    )


@pytest.mark.parametrize(
    ("kind", "repealed", "label"),
    [
        (ChangeKind.NEW, False, "新发布"),
        (ChangeKind.EDITED, False, "内容变更"),
        (ChangeKind.METADATA, False, "元数据变更"),
        (ChangeKind.METADATA, True, "已废止"),
        (ChangeKind.ATTACHMENT, False, "附件变更"),
        (ChangeKind.REMOVED, False, "已撤下"),
        (ChangeKind.RESTORED, False, "已恢复"),
        (ChangeKind.REORDERED, False, "顺序调整"),
    ],
    ids=lambda v: str(v),
)
@pytest.mark.parametrize("url", ["mailto://127.0.0.1", "json://127.0.0.1/x", "dingtalk://t", "wecombot://k"])
def test_kind_label_comes_first(kind: ChangeKind, repealed: bool, label: str, url: str) -> None:
    message = render_alert(context(kind, repealed=repealed), channel_for_url(url))
    first = message.title or message.body
    assert label in first.splitlines()[0]
    if message.title:
        assert message.title.startswith(f"[{label}]")


def test_order_kind_title_issuer_docnumber_dates_links_diff() -> None:
    body = render_alert(context(), channel_for_url("tgram://bot/chat")).body
    order = [
        "内容变更",
        "发文机关",
        "文号",
        "成文日期",
        "发布日期",
        SOURCES[0].url,
        SOURCES[1].url,
        "四、（二）1.: 2020年 → 2025年",
    ]
    positions = [body.index(marker) for marker in order]
    assert positions == sorted(positions)


def test_html_escapes_scraped_text() -> None:
    message = render_alert(context(), channel_for_url("mailto://127.0.0.1"))
    assert message.format == "html"
    assert "<script>" not in message.body and "<img" not in message.body and "<b>优化" not in message.body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in message.body
    assert "<del " in message.body and ">2020</del>" in message.body and ">2025</ins>" in message.body
    assert f'<a href="{SOURCES[1].url}">中国政府网</a>' in message.body


def test_markdown_escapes_scraped_text() -> None:
    message = render_alert(context(), channel_for_url("dingtalk://token"))
    assert message.format == "markdown"
    assert "<script>" not in message.body and "\\<script\\>" in message.body
    assert "~~2020~~ → **2025**" in message.body
    assert f"[中国政府网]({SOURCES[1].url})" in message.body


@pytest.mark.parametrize("scheme", sorted(CHANNELS))
def test_every_channel_stays_within_its_limit(scheme: str) -> None:
    channel = CHANNELS[scheme]
    ctx = context(edits=1500)
    message = render_alert(ctx, channel)
    unlimited = render_alert(ctx, dataclasses.replace(channel, max_len=10**9))
    assert channel.size(unlimited.body) > channel.max_len  # the case really needs cutting
    assert channel.size(message.body) <= channel.max_len
    assert TRUNCATED in message.body.splitlines()[-1]
    for kept in ("内容变更", SOURCES[0].url, SOURCES[1].url):
        assert kept in message.body or kept in message.title


def test_wecom_limit_is_in_bytes() -> None:
    channel = channel_for_url("wecombot://botkey")
    body = render_alert(context(edits=50), channel).body
    assert len(body.encode("utf-8")) <= 2048 < len(body.encode("utf-8")) + 2048
    assert TRUNCATED in body


def test_short_message_is_not_truncated() -> None:
    body = render_alert(context(edits=1), channel_for_url("tgram://bot/chat")).body
    assert TRUNCATED not in body


def _another_notice(ctx: AlertContext, n: int) -> AlertContext:
    source = dataclasses.replace(SOURCES[0], url=f"http://www.hainan.gov.cn/szfwj/t{n}.html")
    return dataclasses.replace(ctx, change_id=n, title=f"第{n}号通知", sources=(source,))


def test_digest_lists_every_change_and_fits() -> None:
    contexts = [_another_notice(context(edits=30), n) for n in range(5)]
    channel = channel_for_url("wecombot://k")
    message = render_digest(contexts, channel)
    assert channel.size(message.body) <= channel.max_len
    assert message.body.count("内容变更｜") >= 5
    assert "共5条" in message.body


@pytest.mark.parametrize("scheme", ["mailto", "json", "wecombot"])
def test_digest_lists_each_notice_once_with_its_doc_number_and_dates(scheme: str) -> None:
    edited = _another_notice(context(edits=1), 1)
    repealed = dataclasses.replace(
        _another_notice(context(ChangeKind.METADATA, repealed=True), 1), change_id=2
    )
    other = _another_notice(context(edits=1), 3)
    message = render_digest([edited, other, repealed], channel_for_url(f"{scheme}://x"))
    body = message.body
    assert body.count("第1号通知") == 2, body  # its heading among the notices, and above its diffs
    assert "内容变更、已废止｜第1号通知" in body and "共2条" in message.title + body
    assert body.count("琼府〔2020〕12号") == 2 and body.count("2020-03-05") == 2, body


def test_preview_from_records_without_a_database() -> None:
    from alerts.render import render_artifact
    from changes import detect
    from notices.model import Notice, PageKind

    old = Notice(
        url="http://x/1.html",
        page_kind=PageKind.NOTICE,
        title="通知",
        validity="有效",
        paragraphs=("正文。",),
    )
    new = Notice(
        url="http://x/1.html",
        page_kind=PageKind.NOTICE,
        title="通知",
        validity="废止",
        paragraphs=("正文。",),
    )
    ctx = AlertContext.from_records(detect(old, new), new)
    text = render_artifact(ctx)
    assert text.startswith("### 已废止｜通知") and "(http://x/1.html)" in text and "有效 → 废止" in text
    assert ctx.priority == "high"


def _validity_change() -> AlertContext:
    repeal = LocatedEdit(
        path=None,
        op=EditOp.REPLACE,
        old="有效",
        new="废止",
        field="validity",
        highlights=((-1, "有效"), (1, "废止")),
    )
    return dataclasses.replace(context(ChangeKind.METADATA, repealed=True), edits=(repeal,))


@pytest.mark.parametrize("scheme", ["mailto", "json", "dingtalk", "wecombot", "feishu", "tgram"])
def test_what_changed_reads_old_to_new_with_the_url_in_every_text_a_reader_gets(scheme: str) -> None:
    """The mail's plain-text part is what Apprise derives from the HTML: it must read the same."""
    from apprise import NotifyFormat
    from apprise.conversion import convert_between

    message = render_alert(_validity_change(), channel_for_url(f"{scheme}://x"))
    text = message.body
    if message.format == "html":
        text = convert_between(NotifyFormat.HTML, NotifyFormat.TEXT, text)
    elif message.format == "markdown":
        text = text.replace("~~", "").replace("**", "")  # what a client shows once it renders it
    assert "有效 → 废止" in text, text
    assert "有效废止" not in text
    assert SOURCES[0].url in text
