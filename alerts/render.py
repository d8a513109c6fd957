"""Alert texts, in Chinese: HTML (email), Markdown (DingTalk, JSON webhooks, Prefect artifacts), plain text
(WeCom, Feishu/Lark, Telegram), each cut to its channel's limit. Renderers and channels are registries.

Order of every message: the change kind, title, issuer, doc number, dates, a link to every source,
then the located diff. When a channel's limit is reached the diff is cut and ends with
"…（全文见链接）"; the kind, title and links always stay. Scraped one-line fields (the title, the
issuer, the doc number) are reduced to plain text first (:func:`plain_text`): no markup, no
entities, no control characters, one line, bounded; then each renderer escapes them for its format.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from alerts.context import AlertContext
from changes.model import DIFF_DELETE, DIFF_EQUAL, DIFF_INSERT, EditOp, LocatedEdit

TRUNCATED = "…（全文见链接）"
_CONTEXT_CHARS = 24
_MAX_TITLE = 120
_MAX_SUMMARY = 1000


@dataclass(frozen=True)
class Channel:
    """How one kind of Apprise target wants its messages."""

    name: str
    format: str  # a key of RENDERERS
    max_len: int
    unit: str = "chars"  # or "bytes" (UTF-8)
    uses_title: bool = False  # False: the title is folded into the body by us, not by Apprise

    def size(self, text: str) -> int:
        return len(text.encode("utf-8")) if self.unit == "bytes" else len(text)


_EMAIL = Channel("email", "html", 200_000, uses_title=True)
_JSON = Channel("webhook", "markdown", 60_000, uses_title=True)
CHANNELS: dict[str, Channel] = {
    "mailto": _EMAIL,
    "mailtos": _EMAIL,
    "json": _JSON,
    "jsons": _JSON,
    "dingtalk": Channel("dingtalk", "markdown", 20_000, unit="bytes"),
    "wecombot": Channel("wecom", "text", 2_048, unit="bytes"),
    "feishu": Channel("feishu", "text", 19_000),
    "lark": Channel("lark", "text", 19_000),
    "tgram": Channel("telegram", "text", 4_096),
    "discord": Channel("discord", "markdown", 2_000),
    "slack": Channel("slack", "text", 3_900),
}
DEFAULT_CHANNEL = Channel("default", "text", 4_000, uses_title=True)
ARTIFACT_CHANNEL = Channel("prefect-artifact", "markdown", 100_000, uses_title=True)


def channel_for_url(url: str) -> Channel:
    """The channel spec for a (resolved) Apprise URL, by its scheme."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    return CHANNELS.get(scheme, DEFAULT_CHANNEL)


@dataclass(frozen=True)
class RenderedMessage:
    title: str
    body: str
    format: str  # html | markdown | text


class Renderer(Protocol):
    format: str

    def line(self, label: str, value: str) -> str: ...
    def heading(self, text: str) -> str: ...
    def link(self, name: str, url: str) -> str: ...
    def edit(self, edit: LocatedEdit) -> str: ...
    def join(self, lines: Sequence[str]) -> str: ...
    def note(self, text: str) -> str: ...


def _trim_equal(text: str, position: str) -> str:
    """Keep a little context around changes inside long paragraphs."""
    if len(text) <= 2 * _CONTEXT_CHARS:
        return text
    if position == "first":
        return "…" + text[-_CONTEXT_CHARS:]
    if position == "last":
        return text[:_CONTEXT_CHARS] + "…"
    return text[:_CONTEXT_CHARS] + "…" + text[-_CONTEXT_CHARS:]


def _chunks(edit: LocatedEdit) -> list[tuple[int, str]]:
    if edit.op is EditOp.INSERT:
        return [(DIFF_INSERT, edit.new or "")]
    if edit.op is EditOp.DELETE:
        return [(DIFF_DELETE, edit.old or "")]
    if edit.field or not edit.highlights:
        return [(DIFF_DELETE, edit.old or "（空）"), (DIFF_INSERT, edit.new or "（空）")]
    out = []
    last = len(edit.highlights) - 1
    for i, (op, text) in enumerate(edit.highlights):
        if op == DIFF_EQUAL:
            text = _trim_equal(text, "first" if i == 0 else "last" if i == last else "middle")
        out.append((op, text))
    return out


_SPACES = re.compile(r"\s+")
# Markup a scraped field may carry: elements whose content is code, tags, comments, a cut-off tag.
_CODE_ELEMENTS = re.compile(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<!--.*?(?:-->|$)|</?[A-Za-z][^<>]*>|</?[A-Za-z][^<>]*$", re.DOTALL)


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def plain_text(text: str, limit: int = 200) -> str:
    """``text`` as one line of plain text: tags and script/style content removed, entities decoded
    (twice-escaped ones too), control and invisible format characters dropped, whitespace
    collapsed, cut to ``limit`` characters (ending in …)."""
    for _ in range(3):  # &amp;lt;b&amp;gt; takes two rounds; a third finds nothing left
        decoded = _TAGS.sub("", _CODE_ELEMENTS.sub("", html.unescape(text)))
        if decoded == text:
            break
        text = decoded
    text = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or not unicodedata.category(ch).startswith("C")
    )
    text = _one_line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class TextRenderer:
    """Plain text: ``四、（二）5.: 2020年 → 2025年``."""

    format = "text"

    def line(self, label: str, value: str) -> str:
        return f"{label}：{_one_line(value)}"

    def heading(self, text: str) -> str:
        return f"【{_one_line(text)}】"

    def link(self, name: str, url: str) -> str:
        return f"- {_one_line(name)}：{url}"

    def edit(self, edit: LocatedEdit) -> str:
        return f"· {edit.location}: {_one_line(edit.excerpt())}"

    def join(self, lines: Sequence[str]) -> str:
        return "\n".join(lines)

    def note(self, text: str) -> str:
        return text


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~])")


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", _one_line(text))


class MarkdownRenderer:
    """Markdown: deletions ~~struck~~, insertions **bold**; scraped text escaped."""

    format = "markdown"

    def line(self, label: str, value: str) -> str:
        return f"- **{label}**：{md_escape(value)}"

    def heading(self, text: str) -> str:
        return f"### {md_escape(text)}"

    def link(self, name: str, url: str) -> str:
        return f"- [{md_escape(name)}]({url.replace(')', '%29').replace(' ', '%20')})"

    def edit(self, edit: LocatedEdit) -> str:
        parts = []
        previous = None
        for op, text in _chunks(edit):
            shown = md_escape(text)
            if not shown:
                continue
            if op == DIFF_INSERT and previous == DIFF_DELETE:
                parts.append("→")  # readable where a client shows no strike-through
            parts.append(
                f"~~{shown}~~" if op == DIFF_DELETE else f"**{shown}**" if op == DIFF_INSERT else shown
            )
            previous = op
        return f"- `{edit.location.replace('`', '')}`: " + " ".join(parts)

    def join(self, lines: Sequence[str]) -> str:
        return "\n".join(lines)

    def note(self, text: str) -> str:
        return f"\n{text}"


_DEL_STYLE = "background:#fde8e8;color:#b00020;text-decoration:line-through"
_INS_STYLE = "background:#e6f6e6;color:#006400;text-decoration:none"


class HtmlRenderer:
    """HTML for email: every scraped string escaped; <del>/<ins> with inline styles (mail clients drop CSS)."""

    format = "html"

    def line(self, label: str, value: str) -> str:
        return f"<p><b>{html.escape(label)}</b>：{html.escape(value)}</p>"

    def heading(self, text: str) -> str:
        return f"<h3>{html.escape(text)}</h3>"

    # The mail's plain-text part is this HTML with the tags stripped (Apprise derives it), so what a
    # reader needs must be text: the URL after its link, an arrow between what went and what came.
    def link(self, name: str, url: str) -> str:
        href = html.escape(url, quote=True)
        return f'<li><a href="{href}">{html.escape(name)}</a>：{html.escape(url)}</li>'

    def edit(self, edit: LocatedEdit) -> str:
        parts = []
        previous = None
        for op, text in _chunks(edit):
            escaped = html.escape(text)
            if op == DIFF_DELETE:
                parts.append(f'<del style="{_DEL_STYLE}">{escaped}</del>')
            elif op == DIFF_INSERT:
                if previous == DIFF_DELETE:
                    parts.append(" → ")
                parts.append(f'<ins style="{_INS_STYLE}">{escaped}</ins>')
            else:
                parts.append(escaped)
            previous = op
        return f"<li><b>{html.escape(edit.location)}</b>: {''.join(parts)}</li>"

    def join(self, lines: Sequence[str]) -> str:
        out = []
        in_list = False
        for line in lines:
            is_item = line.startswith("<li>")
            if is_item and not in_list:
                out.append("<ul>")
            elif not is_item and in_list:
                out.append("</ul>")
            in_list = is_item
            out.append(line)
        if in_list:
            out.append("</ul>")
        return "\n".join(out)

    def note(self, text: str) -> str:
        return f"<p><i>{html.escape(text)}</i></p>"


RENDERERS: dict[str, Renderer] = {r.format: r for r in (TextRenderer(), MarkdownRenderer(), HtmlRenderer())}


def _short(text: str, limit: int = _MAX_TITLE) -> str:
    return plain_text(text, limit)


def header_lines(ctx: AlertContext, r: Renderer) -> list[str]:
    lines = [r.heading(f"{ctx.label}｜{_short(ctx.title)}")]
    for label, value in (
        ("发文机关", ctx.issuer),
        ("文号", ctx.doc_number),
        ("成文日期", ctx.written_date),
        ("发布日期", ctx.published_date),
        ("效力", ctx.validity if ctx.repealed or ctx.validity not in (None, "", "有效") else None),
    ):
        if value:
            lines.append(r.line(label, _short(str(value))))
    for source in ctx.sources:
        lines.append(r.link(source.name or urlsplit(source.url).netloc, source.url))
    return lines


def diff_lines(ctx: AlertContext, r: Renderer) -> list[str]:
    lines = [r.line("摘要", plain_text(ctx.summary, _MAX_SUMMARY))] if ctx.summary else []
    lines.extend(r.edit(e) for e in ctx.edits)
    return lines


def fit(head: Sequence[str], tail: Sequence[str], r: Renderer, channel: Channel, title: str = "") -> str:
    """``head`` always, then as much of ``tail`` as the channel allows, then the truncation note."""
    budget = channel.max_len - (0 if channel.uses_title else channel.size(title) + 1)
    body = r.join([*head, *tail])
    if channel.size(body) <= budget:
        return body
    note = r.note(TRUNCATED)
    kept: list[str] = list(head)
    for line in tail:
        candidate = r.join([*kept, line, note])
        if channel.size(candidate) > budget:
            break
        kept.append(line)
    body = r.join([*kept, note])
    while channel.size(body) > budget and len(kept) > 1:
        kept.pop(1)  # drop metadata lines before links and the kind heading
        body = r.join([*kept, note])
    return body


def render_alert(ctx: AlertContext, channel: Channel = DEFAULT_CHANNEL) -> RenderedMessage:
    """One change, for one channel."""
    r = RENDERERS[channel.format]
    title = f"[{ctx.label}] {_short(ctx.title, 80)}"
    body = fit(header_lines(ctx, r), diff_lines(ctx, r), r, channel, "" if channel.uses_title else title)
    return RenderedMessage(title=title if channel.uses_title else "", body=body, format=r.format)


def render_digest(contexts: Sequence[AlertContext], channel: Channel = DEFAULT_CHANNEL) -> RenderedMessage:
    """Several changes in one message, each notice once: its heading (every kind of change it had),
    文号, dates and links first, then the diffs of all its changes."""
    r = RENDERERS[channel.format]
    by_notice: dict[str, list[AlertContext]] = {}
    for ctx in contexts:
        key = ctx.sources[0].url if ctx.sources else ctx.title
        by_notice.setdefault(key, []).append(ctx)
    title = f"[政策变更摘要] 共{len(by_notice)}条"
    head: list[str] = [r.heading(title)] if not channel.uses_title else []
    tail: list[str] = []
    for changes in by_notice.values():
        latest = changes[-1]  # its 文号, dates and validity as they now stand
        labels = "、".join(dict.fromkeys(c.label for c in changes))
        heading = r.heading(f"{labels}｜{_short(latest.title)}")
        head.append(heading)
        head.extend(header_lines(latest, r)[1:])
        tail.append(heading)
        for ctx in changes:
            tail.extend(diff_lines(ctx, r))
    body = fit(head, tail, r, channel)
    return RenderedMessage(title=title if channel.uses_title else "", body=body, format=r.format)


def render_artifact(ctx: AlertContext) -> str:
    """Markdown for a Prefect artifact (no practical length limit)."""
    return render_alert(ctx, ARTIFACT_CHANNEL).body


def render_unified(ctx: AlertContext) -> str:
    """The unified diff of the normalized paragraphs (empty for kinds without a body diff)."""
    return ctx.unified_diff
