"""Generic mutations of a saved government page, for the diff acceptance table
(tests/changes/real_mutation_cases.yaml).

Each mutation is a text operation on the decoded page that would apply to any page: a counter
next to the date line, a clock stamp after the content, a script nonce, a related-links block, a
whitespace reflow, renamed classes; or a real edit (a character, a sentence, the title, the date).
Where the text must be edited the fixture's own expected.json says where the notice's text is
(its expected snippets, title and date), never our extractor. A mutation that has nothing to work
on in a page raises :class:`NotApplicable` with the reason; ``variant`` picks the noise values, so
two variants of one mutation are two fetches of the same page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from notices.decode import normalize_charset, sniff_meta_charset
from notices.model import Notice, RawPage
from tests.notices.notice_fixtures import Case, load_cases


class NotApplicable(Exception):
    """The page holds nothing this mutation works on (the message says what is missing)."""


@dataclass(frozen=True)
class PageText:
    """One notice fixture as text, with the codec that turns it back into the page's bytes."""

    name: str
    page: RawPage
    html: str
    codec: str
    expected: dict[str, Any]

    def with_html(self, html: str) -> RawPage:
        body = html.encode(self.codec, errors="xmlcharrefreplace")
        return RawPage(url=self.page.url, body=body, status=self.page.status, headers=self.page.headers)


def notice_pages() -> list[PageText]:
    """Every real-world and corpus fixture whose expected page kind is ``notice``."""
    return [
        _as_text(case)
        for case in load_cases()
        if case.name.startswith(("real_", "rw_", "corpus_")) and case.expected.get("page_kind") == "notice"
    ]


def _as_text(case: Case) -> PageText:
    body = case.page.body
    codecs = ["utf-8", normalize_charset(sniff_meta_charset(body)) or "gb18030"]
    for codec in codecs:
        try:
            html = body.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        return PageText(case.name, case.page, html, codec, case.expected)
    raise AssertionError(f"{case.name}: decodes as none of {codecs}")


Mutation = Callable[[PageText, int], str]
MUTATIONS: dict[str, Mutation] = {}


def mutation(name: str) -> Callable[[Mutation], Mutation]:
    def register(function: Mutation) -> Mutation:
        MUTATIONS[name] = function
        return function

    return register


# --- where things are -----------------------------------------------------------------------

# A tag opens with a letter, "/", "!" or "?"; a "<" before anything else is text (a title that
# nests a title in raw angle brackets: 关于印发<某某措施>的通知).
_HIDDEN_RE = re.compile(
    r"<(script|style|textarea|title)\b.*?</\1\s*>|<!--.*?-->|<[A-Za-z/!?][^>]*>", re.S | re.I
)


def _text_spans(html: str) -> list[tuple[int, int]]:
    """(start, end) of every stretch of visible text: outside tags, comments, scripts and <title>."""
    spans, at = [], 0
    for hidden in _HIDDEN_RE.finditer(html):
        if hidden.start() > at:
            spans.append((at, hidden.start()))
        at = hidden.end()
    spans.append((at, len(html)))
    return spans


def _in_text(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(a <= start and end <= b for a, b in spans)


def _body_start(html: str) -> int:
    opened = re.search(r"<body\b[^>]*>", html, re.I)
    return opened.end() if opened else 0


def visible_occurrences(html: str, text: str) -> list[int]:
    """Offsets where ``text`` stands literally in the page's visible text."""
    spans = _text_spans(html)
    return [m.start() for m in re.finditer(re.escape(text), html) if _in_text(spans, m.start(), m.end())]


def _snippets(page: PageText) -> list[tuple[int, str]]:
    """The expected body snippets that stand once, literally, in the visible text: (offset, text)."""
    body = page.expected.get("body") or {}
    found = []
    for snippet in dict.fromkeys(body.get("body_must_contain") or []):
        if len(snippet) < 8 or not re.search(r"[\u4e00-\u9fff]{4}", snippet):
            continue
        offsets = visible_occurrences(page.html, snippet)
        if len(offsets) == 1 and page.html.count(snippet) == 1:
            found.append((offsets[0], snippet))
    return sorted(found)


def middle_snippet(page: PageText, *, sentence: bool = False) -> tuple[int, str]:
    """The middle one (in page order) of the body's snippets; a whole sentence when ``sentence``."""
    found = _snippets(page)
    if sentence:
        found = [(at, s) for at, s in found if s.endswith(("。", "；", "："))]
    if not found:
        raise NotApplicable("no expected body snippet stands once, literally, in the page text")
    return found[len(found) // 2]


def _after_element(html: str, at: int) -> int:
    """The offset just past the end tag of the block element that holds offset ``at``."""
    closing = re.compile(r"</(p|div|td|li|h[1-6]|section|article|table)\s*>", re.I).search(html, at)
    if closing is None:
        raise NotApplicable("no block end tag after the content")
    return closing.end()


def _content_end(page: PageText) -> int:
    """Just past the block that holds the text's last paragraph (or, when the page does not show
    it literally, its last expected snippet)."""
    last = (page.expected.get("body") or {}).get("last_paragraph") or ""
    offsets = visible_occurrences(page.html, last) if last else []
    if offsets:
        return _after_element(page.html, offsets[-1] + len(last))
    snippets = _snippets(page)
    if not snippets:
        raise NotApplicable("neither the last paragraph nor a body snippet stands literally in the page")
    at, snippet = snippets[-1]
    return _after_element(page.html, at + len(snippet))


def _content_start(page: PageText) -> int:
    """Just past the block that holds the text's first paragraph (or its first expected snippet)."""
    first = (page.expected.get("body") or {}).get("first_paragraph") or ""
    offsets = visible_occurrences(page.html, first) if first else []
    if offsets:
        return _after_element(page.html, offsets[0] + len(first))
    snippets = _snippets(page)
    if not snippets:
        raise NotApplicable("neither the first paragraph nor a body snippet stands literally in the page")
    at, snippet = snippets[0]
    return _after_element(page.html, at + len(snippet))


def date_forms(day: date) -> list[str]:
    y, m, d = day.year, day.month, day.day
    return [
        f"{y}-{m:02d}-{d:02d}",
        f"{y}年{m:02d}月{d:02d}日",
        f"{y}年{m}月{d}日",
        f"{y}/{m:02d}/{d:02d}",
        f"{y}.{m:02d}.{d:02d}",
        f"{y}-{m}-{d}",
    ]


def _published(page: PageText) -> date:
    value = page.expected.get("published_date")
    if not value:
        raise NotApplicable("the page has no expected published date")
    return date.fromisoformat(value)


def date_line_end(page: PageText) -> int:
    """The end of the visible text run that shows the published date (where a counter goes)."""
    spans = _text_spans(page.html)
    start = _body_start(page.html)
    for form in date_forms(_published(page)):
        for match in re.finditer(re.escape(form), page.html[start:]):
            at, end = start + match.start(), start + match.end()
            if _in_text(spans, at, end):
                return next(b for a, b in spans if a <= at and end <= b)
    raise NotApplicable("the published date is not shown in the page text")


def _insert(html: str, at: int, text: str) -> str:
    return html[:at] + text + html[at:]


def _other_cjk(char: str) -> str:
    return "甲" if char != "甲" else "乙"


def _change_middle_cjk(text: str) -> str:
    cjk = [i for i, ch in enumerate(text) if "\u4e00" <= ch <= "\u9fff"]
    if not cjk:
        raise NotApplicable(f"{text!r} holds no Chinese character to change")
    at = cjk[len(cjk) // 2]
    return text[:at] + _other_cjk(text[at]) + text[at + 1 :]


def _clock(variant: int) -> datetime:
    return datetime(2024, 5, 1, 10, 22, 33) + timedelta(days=variant, seconds=3737 * variant)


# --- noise: must give `none` ------------------------------------------------------------------


@mutation("identity")
def identity(page: PageText, variant: int) -> str:
    return page.html


COUNTER_FORMS = {
    "counter-span": "<span>浏览次数：{n}</span>",
    "counter-bare": "&nbsp;&nbsp;访问量：{n}",
    "counter-split": '<span class="label">阅读次数：</span><span id="hits">{n}</span>次',
    "counter-line": "<br>点击数：{n}",
}


def _counter(form: str) -> Mutation:
    def mutate(page: PageText, variant: int) -> str:
        return _insert(page.html, date_line_end(page), form.format(n=1000 + 37 * variant))

    return mutate


for _name, _form in COUNTER_FORMS.items():
    MUTATIONS[_name] = _counter(_form)

_COUNTER_RE = re.compile(r"((?:浏览|访问|阅读|点击)(?:次数|量|数)?\s*[:：]?\s*(?:<[^<>]*>\s*)*)(\d+)")


@mutation("counter-existing")
def counter_existing(page: PageText, variant: int) -> str:
    """A counter the page already shows counts on."""
    spans = _text_spans(page.html)
    hits = [m for m in _COUNTER_RE.finditer(page.html) if _in_text(spans, m.start(2), m.end(2))]
    if not hits:
        raise NotApplicable("the page shows no visit counter")
    html = page.html
    for hit in reversed(hits):
        html = html[: hit.start(2)] + str(int(hit.group(2)) + 1 + variant) + html[hit.end(2) :]
    return html


# The clock stamps templates print; each is also a mutation of its own (``stamp-<name>``), after the text.
STAMP_FORMS = {
    "labelled": "<div>页面生成时间：{dt:%Y-%m-%d %H:%M:%S}</div>",
    "short-label": '<p class="time">本页生成时间: {dt:%Y-%m-%d %H:%M}</p>',
    "bare": "<div>{dt:%Y-%m-%d %H:%M:%S}</div>",
    "weekday": "<div>今天是{dt.year}年{dt.month}月{dt.day}日 星期{weekday}</div>",
    "milliseconds": "<div>{dt:%Y-%m-%d %H:%M:%S}.{ms:03d}</div>",
    "iso": "<p>生成时间 {dt:%Y-%m-%dT%H:%M:%S}+08:00</p>",
    "chinese-clock": "<div>当前时间：{dt.year}年{dt.month:02d}月{dt.day:02d}日 {dt.hour:02d}时{dt.minute:02d}分{dt.second:02d}秒</div>",
    "date-only": "<div>更新日期：{dt.year}年{dt.month}月{dt.day}日</div>",
    "epoch": "<span>页面生成于 {epoch}</span>",
    "elapsed": "<p>页面执行时间：0.{ms:04d}秒</p>",
    "processed-in": "<div>Processed in 0.0{ms:03d} second(s), {queries} queries.</div>",
    "comment": "<!-- generated {dt:%Y-%m-%d %H:%M:%S} -->",
}


def _stamp(variant: int, form: str | None = None) -> str:
    when = _clock(variant)
    chosen = form or list(STAMP_FORMS)[variant % len(STAMP_FORMS)]
    return STAMP_FORMS[chosen].format(
        dt=when,
        weekday="一二三四五六日"[when.weekday()],
        ms=(137 * variant + 11) % 1000,
        epoch=int(when.timestamp()),
        queries=7 + variant,
    )


@mutation("stamp-after-content")
def stamp_after_content(page: PageText, variant: int) -> str:
    return _insert(page.html, _content_end(page), _stamp(variant))


@mutation("stamp-inside-content")
def stamp_inside_content(page: PageText, variant: int) -> str:
    return _insert(page.html, _content_start(page), _stamp(variant))


def _stamp_form(form: str) -> Mutation:
    def mutate(page: PageText, variant: int) -> str:
        return _insert(page.html, _content_end(page), _stamp(variant, form))

    return mutate


for _name in STAMP_FORMS:
    MUTATIONS[f"stamp-{_name}"] = _stamp_form(_name)


@mutation("stamp-top-of-page")
def stamp_top_of_page(page: PageText, variant: int) -> str:
    """The header bar's clock (今天是…星期三, 页面生成时间：…), first thing in <body>."""
    return _insert(page.html, _body_start(page.html), _stamp(variant))


def _stamp_at_top(form: str) -> Mutation:
    def mutate(page: PageText, variant: int) -> str:
        return _insert(page.html, _body_start(page.html), _stamp(variant, form))

    return mutate


for _name in ("labelled", "milliseconds", "chinese-clock", "weekday"):
    MUTATIONS[f"stamp-top-{_name}"] = _stamp_at_top(_name)


@mutation("stamp-before-body-end")
def stamp_before_body_end(page: PageText, variant: int) -> str:
    end = page.html.lower().rfind("</body>")
    return _insert(page.html, end if end >= 0 else len(page.html), _stamp(variant))


_SCRIPT_TAG_RE = re.compile(r"<script\b", re.I)
_NONCE_RE = re.compile(r"""\bnonce\s*=\s*(["'])[^"']*\1""", re.I)
_ASSET_VERSION_RE = re.compile(r"""(\.(?:js|css)\?(?:v|ver|version|t|_)=)[\w.]+""", re.I)


@mutation("script-nonce")
def script_nonce(page: PageText, variant: int) -> str:
    """Every script carries a fresh nonce, assets a fresh version, and an inline script a token."""
    token = f"{0x5EED * (variant + 1):08x}{variant:04d}"
    html = _NONCE_RE.sub(f'nonce="{token}"', page.html)
    if html == page.html:
        html = _SCRIPT_TAG_RE.sub(f'<script nonce="{token}"', html)
    html = _ASSET_VERSION_RE.sub(rf"\g<1>{token}", html)
    inline = f'<script nonce="{token}">var _csrf = "{token}"; window.__pageToken = "{token[::-1]}";</script>'
    return _insert(html, _body_start(html), inline)


_RELATED_RE = re.compile(r"相关(?:链接|文章|阅读|新闻|文件|解读|信息|政策)")
_ANCHOR_TEXT_RE = re.compile(r"<a\b[^>]*>[^<]{2,}</a>", re.I)
RELATED_TITLES = (
    "关于做好{n}年度安全生产工作的通知",
    "关于印发{n}年重点工作任务分工的通知",
    "关于开展{n}年度督查检查工作的意见",
    "关于进一步加强{n}年政务公开工作的通知",
)


def _related_links(variant: int, count: int | None = None) -> list[str]:
    count = 3 + variant % 3 if count is None else count
    return [
        RELATED_TITLES[(variant + i) % len(RELATED_TITLES)].format(n=2000 + variant + i) for i in range(count)
    ]


@mutation("related-links-replaced")
def related_links_replaced(page: PageText, variant: int) -> str:
    """The links of the page's own 相关链接/相关文章 blocks point at other notices."""
    headings = [
        match
        for a, b in _text_spans(page.html)
        if (match := _RELATED_RE.search(page.html, a, b))
        and _RELATED_RE.fullmatch(re.sub(r"[\s【】\[\]:：]|&nbsp;", "", page.html[a:b]))
    ]
    titles = iter(_related_links(variant, 1000))
    html, replaced = page.html, 0
    for heading in reversed(headings):  # from the end, so earlier offsets stay valid
        region_end = min(len(html), heading.end() + 3000)
        new_region, count = _ANCHOR_TEXT_RE.subn(
            lambda _: f'<a href="/art/{variant}.html">{next(titles)}</a>',
            html[heading.end() : region_end],
            count=6,
        )
        html = html[: heading.end()] + new_region + html[region_end:]
        replaced += count
    if not replaced:
        raise NotApplicable("the page shows no 相关链接/相关文章 block with links")
    return html


@mutation("related-links-after-content")
def related_links_after_content(page: PageText, variant: int) -> str:
    """A 相关文章 block right after the text, with links that change on every fetch."""
    items = "".join(
        f'<li><a href="/art/{variant}{i}.html">{t}</a></li>' for i, t in enumerate(_related_links(variant))
    )
    return _insert(page.html, _content_end(page), f"<div><h3>相关文章</h3><ul>{items}</ul></div>")


@mutation("prev-next-after-content")
def prev_next_after_content(page: PageText, variant: int) -> str:
    """上一篇/下一篇 links right after the text: the next notice appears once its neighbour is
    published, so the two fetches link different neighbours."""
    before, after = _related_links(variant, 2)
    block = (
        f'<div class="pager"><p>上一篇：<a href="/art/p{variant}.html">{before}</a></p>'
        f'<p>下一篇：<a href="/art/n{variant}.html">{after}</a></p></div>'
    )
    return _insert(page.html, _content_end(page), block)


@mutation("latest-list-before-content")
def latest_list_before_content(page: PageText, variant: int) -> str:
    """A 最新信息 sidebar first in <body>: dated links to the site's newest notices, which move on."""
    items = "".join(
        f'<li><a href="/art/l{variant}{i}.html">{t}</a><span>2024-05-{10 + variant + i:02d}</span></li>'
        for i, t in enumerate(_related_links(variant, 5))
    )
    return _insert(
        page.html, _body_start(page.html), f'<div class="side"><h3>最新信息</h3><ul>{items}</ul></div>'
    )


_BETWEEN_TAGS_RE = re.compile(r">\s*<")
_PRE_RE = re.compile(r"<(pre|textarea|script|style)\b.*?</\1\s*>", re.S | re.I)


@mutation("whitespace-reflow")
def whitespace_reflow(page: PageText, variant: int) -> str:
    """Every gap between two tags reflowed (newlines and indents), outside <pre> and scripts; CRLF."""
    gap = ">\r\n" + " " * (2 + variant % 3) + "\t" * (variant % 2) + "<"
    pieces, at = [], 0
    for kept in _PRE_RE.finditer(page.html):
        pieces.append(_BETWEEN_TAGS_RE.sub(gap, page.html[at : kept.start()]))
        pieces.append(kept.group(0))
        at = kept.end()
    pieces.append(_BETWEEN_TAGS_RE.sub(gap, page.html[at:]))
    return "".join(pieces)


@mutation("spaces-inside-text")
def spaces_inside_text(page: PageText, variant: int) -> str:
    """Spaces, &nbsp; and ideographic spaces put between the characters of a body passage."""
    at, snippet = middle_snippet(page)
    spaces = (" ", "&nbsp;", "\u3000", "\r\n  ")
    spaced = "".join(
        ch + (spaces[(i + variant) % len(spaces)] if i % 5 == 4 else "") for i, ch in enumerate(snippet)
    )
    return page.html[:at] + spaced + page.html[at + len(snippet) :]


_CLASS_RE = re.compile(r"""\bclass\s*=\s*(["'])([^"']*)\1""", re.I)
_PARA_TAG_RE = re.compile(r"<(p|div|span|font)\b(?![^>]*\bclass\s*=)", re.I)
CLASS_TOKENS = ("MsoNormal", "ql-align-justify", "fs16", "p0", "txt-indent")


@mutation("class-renamed-in-content")
def class_renamed_in_content(page: PageText, variant: int) -> str:
    """Inside the text, every class is another one, and paragraphs (<p>, <div> lines) and spans
    that had none get one."""
    start = _content_start(page)
    first = page.html.rfind("<", 0, start - 1)
    end = _content_end(page)
    if start >= end:  # the text is one block of <br>-split lines: start at its first line
        head = (page.expected.get("body") or {}).get("first_paragraph") or ""
        offsets = visible_occurrences(page.html, head) if head else []
        if not offsets:
            raise NotApplicable("the text is one block and its first paragraph is not literal")
        first = page.html.rfind("<", 0, offsets[0])
    token = CLASS_TOKENS[variant % len(CLASS_TOKENS)]
    region = page.html[first:end]
    region = _CLASS_RE.sub(f'class="{token}"', region)
    region = _PARA_TAG_RE.sub(rf'<\1 class="{token}"', region)
    return page.html[:first] + region + page.html[end:]


@mutation("class-added-everywhere")
def class_added_everywhere(page: PageText, variant: int) -> str:
    """Every class attribute of the page gets one more class (a template's new styling hook)."""
    token = CLASS_TOKENS[variant % len(CLASS_TOKENS)]
    html, count = _CLASS_RE.subn(lambda m: f'class="{m.group(2)} {token}-{variant}"', page.html)
    if not count:
        raise NotApplicable("the page has no class attributes")
    return html


@mutation("counter-inside-content")
def counter_inside_content(page: PageText, variant: int) -> str:
    """A visit counter on a line of its own inside the text (after its first paragraph)."""
    return _insert(page.html, _content_start(page), f"<p>浏览次数：{1000 + 37 * variant}</p>")


@mutation("inline-markup-in-text")
def inline_markup_in_text(page: PageText, variant: int) -> str:
    """Half of a body passage wrapped in a styled <span> (an editor's re-save), text unchanged."""
    at, snippet = middle_snippet(page)
    half = len(snippet) // 2
    wrapped = (
        f'<span style="font-family: 仿宋_GB2312; font-size: 16pt;">{snippet[:half]}</span>{snippet[half:]}'
    )
    return page.html[:at] + wrapped + page.html[at + len(snippet) :]


# --- real edits: must be detected ----------------------------------------------------------------


@mutation("body-character")
def body_character(page: PageText, variant: int) -> str:
    at, snippet = middle_snippet(page)
    return page.html[:at] + _change_middle_cjk(snippet) + page.html[at + len(snippet) :]


INSERTED_SENTENCE = "本条所称补助资金另行核定，具体标准由主管部门公布。"


@mutation("body-sentence-inserted")
def body_sentence_inserted(page: PageText, variant: int) -> str:
    at, snippet = middle_snippet(page)
    return _insert(page.html, at + len(snippet), INSERTED_SENTENCE)


@mutation("body-sentence-deleted")
def body_sentence_deleted(page: PageText, variant: int) -> str:
    at, snippet = middle_snippet(page, sentence=True)
    return page.html[:at] + page.html[at + len(snippet) :]


@mutation("body-digit")
def body_digit(page: PageText, variant: int) -> str:
    """One digit of a number in the text changed (2020年 → 2021年, 10000元 → 10001元)."""
    for at, snippet in _snippets(page):
        digits = [i for i, ch in enumerate(snippet) if ch.isdigit()]
        if digits:
            i = digits[-1]
            changed = snippet[:i] + str((int(snippet[i]) + 1) % 10) + snippet[i + 1 :]
            return page.html[:at] + changed + page.html[at + len(snippet) :]
    raise NotApplicable("no expected body snippet with a digit stands once in the page text")


@mutation("body-paragraph-inserted")
def body_paragraph_inserted(page: PageText, variant: int) -> str:
    """A new paragraph of its own just before the middle of the text (in the same container)."""
    at, _snippet = middle_snippet(page)
    return _insert(page.html, at, f"<p>{INSERTED_SENTENCE}</p>")


_TITLE_TAG_RE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.S | re.I)


def _title(page: PageText) -> str:
    """The expected title, when the page shows it literally (in <title> or in its text)."""
    title = page.expected.get("title") or ""
    in_title_tag = any(title in m.group(1) for m in _TITLE_TAG_RE.finditer(page.html))
    if not title or not (in_title_tag or visible_occurrences(page.html, title)):
        raise NotApplicable("the expected title stands neither in <title> nor in the page text")
    return title


@mutation("title-everywhere")
def title_everywhere(page: PageText, variant: int) -> str:
    """One character of the title changed wherever the page shows it (<title>, heading, meta)."""
    title = _title(page)
    return page.html.replace(title, _change_middle_cjk(title))


@mutation("title-character-added")
def title_character_added(page: PageText, variant: int) -> str:
    """The title one character longer (关于… → 关于进一步…) wherever the page shows it."""
    title = _title(page)
    middle = len(title) // 2
    return page.html.replace(title, title[:middle] + "新" + title[middle:])


@mutation("title-in-heading")
def title_in_heading(page: PageText, variant: int) -> str:
    """One character of the title changed in the page's visible text only (<title> kept)."""
    title = _title(page)
    offsets = visible_occurrences(page.html, title)
    if not offsets:
        raise NotApplicable("the title is not in the page's visible text")
    html, changed = page.html, _change_middle_cjk(title)
    for at in reversed(offsets):
        html = html[:at] + changed + html[at + len(title) :]
    return html


@mutation("title-tag-and-heading")
def title_tag_and_heading(page: PageText, variant: int) -> str:
    """One character of the title changed in <title> and in the visible text; meta tags kept."""
    html = title_in_heading(page, variant)
    title, changed = _title(page), _change_middle_cjk(_title(page))
    return _TITLE_TAG_RE.sub(lambda m: m.group(0).replace(title, changed), html)


@mutation("published-date")
def published_date(page: PageText, variant: int) -> str:
    """The published date one day later, in every form the page shows it."""
    day = _published(page)
    html = page.html
    for old, new in zip(date_forms(day), date_forms(day + timedelta(days=1)), strict=True):
        html = re.sub(rf"(?<!\d){re.escape(old)}(?!\d)", new, html)
    if html == page.html:
        raise NotApplicable("the published date does not stand in the page")
    return html


@mutation("doc-number-digit")
def doc_number_digit(page: PageText, variant: int) -> str:
    """The last digit of the 文号 changed wherever the page shows it (〔2018〕18号 → 〔2018〕19号)."""
    number = page.expected.get("doc_number") or ""
    digits = [i for i, ch in enumerate(number) if ch.isdigit()]
    if not digits or not visible_occurrences(page.html, number):
        raise NotApplicable("the expected 文号 does not stand in the page text")
    i = digits[-1]
    changed = number[:i] + str((int(number[i]) + 1) % 10) + number[i + 1 :]
    return page.html.replace(number, changed)


@mutation("attachment-added")
def attachment_added(page: PageText, variant: int) -> str:
    """A new attachment link, in a paragraph of its own just after the middle of the text."""
    at, snippet = middle_snippet(page)
    link = '<p><a href="P020990101000000000001.pdf">附件3：某某项目补充说明.pdf</a></p>'
    return _insert(page.html, _after_element(page.html, at + len(snippet)), link)


def old_and_new(page: PageText, name: str, sides: str) -> tuple[RawPage, RawPage]:
    """OLD and NEW for one mutation: the page and its mutation (``sides: new``), or two fetches
    of the mutated page with different noise values (``sides: both``)."""
    mutate = MUTATIONS[name]
    old = page.with_html(mutate(page, 1)) if sides == "both" else page.page
    return old, page.with_html(mutate(page, 2))


# --- judging one mutated pair -------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What ``diff --json`` said about one mutation of one page, judged against the table."""

    status: str  # ok | false_alert | miss | error | skipped
    detail: str = ""


def expected_kinds(case: dict[str, Any]) -> list[str]:
    kind = case["expect"]["kind"]
    return kind if isinstance(kind, list) else [kind]


def judge(case: dict[str, Any], data: dict[str, Any]) -> Outcome:
    """``ok``, or why the answer is a false alert (noise reported) or a miss (an edit not reported
    as its kind, or without the fields it changed)."""
    kinds = expected_kinds(case)
    fields = case["expect"].get("fields", [])
    said = f"kind {data['kind']!r}, fields {data['fields_changed']}: {data['summary'][:160]}"
    if kinds == ["none"]:
        return Outcome("ok") if data["kind"] == "none" else Outcome("false_alert", said)
    if data["kind"] not in kinds or not set(fields) <= set(data["fields_changed"]):
        return Outcome("miss", f"expected {kinds} with {fields}; got {said}")
    return Outcome("ok")


_saved_records: dict[str, Notice] = {}


def run(case: dict[str, Any], page: PageText) -> Outcome:
    """One mutation on one page, through the ``policywatch diff --json`` code path."""
    import notices
    from changes.contract import diff_json

    try:
        old, new = old_and_new(page, case["mutation"], case.get("sides", "new"))
    except NotApplicable as reason:
        return Outcome("skipped", str(reason))
    try:
        # The saved page is the OLD side of most mutations: it is extracted once per page.
        if old is page.page and page.name not in _saved_records:
            _saved_records[page.name] = notices.extract(old)
        old_record = _saved_records[page.name] if old is page.page else notices.extract(old)
        data = diff_json(old_record, notices.extract(new))
    except Exception as exc:  # noqa: BLE001 - an outside check sees a crash as an error; so do we
        return Outcome("error", f"{type(exc).__name__}: {exc}")
    return judge(case, data)
