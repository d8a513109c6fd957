"""What kind of page is this: a notice, a list, an anti-bot challenge, an error page, or other.

The rules, on a decoded page and what extraction found in it; :func:`notices.extract.classify`
answers the question for a raw page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree

from notices.challenges import CHALLENGE_SCRIPT, CHALLENGE_TEXT
from notices.fields import byline_date
from notices.html import element_lines, parse_html, string_value
from notices.list_records import MONTH_DAY_AT_END_RE
from notices.model import PageKind, RawPage
from notices.navigation import navigation_purpose
from notices.parsers import parse_doc_number
from notices.prose import Prose, measure_prose
from notices.scripted import with_written_markup
from notices.text import cjk_count

_BINARY_MAGIC = {
    b"%PDF": "PDF",
    b"PK\x03\x04": "ZIP/Office",
    b"\xd0\xcf\x11\xe0": "OLE (DOC/XLS/WPS)",
    b"\x89PNG": "PNG image",
    b"GIF8": "GIF image",
    b"\xff\xd8\xff": "JPEG image",
    b"\x1f\x8b": "gzip",
    b"Rar!": "RAR",
}
_ERROR_TEXT_RE = re.compile(
    r"系统维护|网站维护|维护中|升级维护|页面不存在|页面未找到|找不到(该|您要的|相关)?页面|您访问的页面|文章不存在|信息不存在|"
    r"已被删除|已删除|已撤销|404\s*Not\s*Found|^404$|Not\s*Found|Page not found|服务器错误|Service Unavailable|Internal Server Error|"
    r"Bad Gateway|访问出错|出错了|无法访问",
    re.I,
)
_DATASTORE_RE = re.compile(r"<datastore>.{0,4000}?<record>", re.S | re.I)
# Titles that name one official document (通知, 决定, 省人民政府令 …), six characters or more before
# any site suffix: a column is named in fewer (通知公告, 文件通知).
_DOCUMENT_TITLE_RE = re.compile(
    r"^[^_|—–]{6,}(?:通知|决定|命令|政府令|[^司]令|公告|通告|意见|办法|方案|批复|规定|细则|条例|规划|决议|函)"
    r"(?:\s*[（(][^）)]{0,12}[）)])?\s*(?:[_|\-—–].{0,30})?$"
)
# A URL that carries a search query is a results page, however much text the results show.
_SEARCH_QUERY_RE = re.compile(
    r"[?&](?:searchWord|searchword|keyword|keywords|query|wd|kw|q)=[^&]|/(?:guestweb\d*|jsearchfront|was5|jrobot)/",
    re.I,
)
_SEARCH_RE = re.compile(r"为您找到|搜索结果|检索结果|智能检索|相关结果")
# Labels of a search box: nearly every page's header carries one, so they say "search page" only
# when the page's title is one of them.
_SEARCH_BOX_RE = re.compile(r"站内搜索|全文检索|高级检索")
_ROW_END_RE = re.compile(r"(19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s*[)\]）】]?$")
_DATE_RE = re.compile(r"(19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}")


_PAGER_RE = re.compile(
    r"createPageHTML|jpage|pagination|page_div|articleList|\{\{\s*title\s*\}\}|共\s*\d+\s*页|共\s*\d+\s*条(?:记录)?"
)
_CONTROL_BYTES = bytes([*range(9), *range(14, 32)])  # control bytes, less tab, newlines, form feed
_COVER_LABELS = frozenset({"doc_number", "published_date", "index_number"})
# Sentences worth this many characters are a notice's text, whatever surrounds them.
_PROSE_CJK = 150
# A database record shows at least this many label/value rows (证书编号：…, 注册地址：…).
_MIN_RECORD_FIELDS = 4
# A table cell of figures: 12345.6, 5.2%, -0.3, 2023/05.
_FIGURE_RE = re.compile(r"[\d\s.,，%‰+\-－—~～/:()（）]+")
_TITLE_SPLIT_RE = re.compile(r"\s*(?:_|\||｜|--|—|－|\s-\s)\s*")
# What a site's name ends with: a government body, or the site, portal or system itself.
_SITE_NAME_RE = re.compile(
    r"(?:网|网站|门户|官网|平台|首页|系统|人民政府|政府|办公厅|办公室|委员会|厅|局|委|部|署|院|中心)$"
)


@dataclass(frozen=True)
class Verdict:
    kind: PageKind
    reason: str


def sniff_binary(body: bytes) -> str | None:
    """A description of binary content ("PDF", "control bytes"), or None for text."""
    head = body[:4096]
    for magic, label in _BINARY_MAGIC.items():
        if head.startswith(magic):
            return label
    if not head:
        return None
    control = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return "control bytes" if control / len(head) > 0.1 else None


def classify_page(
    page: RawPage,
    html: str,
    root: etree._Element | None,
    paragraphs: list[str] | None = None,
    labelled: Mapping[str, str] | None = None,
) -> Verdict:
    """Classify a decoded page.

    ``paragraphs`` is the body extracted from it and ``labelled`` its labelled metadata
    (索引号, 发文字号 …), when known.
    """
    body_cjk = cjk_count("".join(paragraphs)) if paragraphs is not None else None
    status = page.status
    if not html.strip():
        return Verdict(PageKind.ERROR, "empty page")
    probe = html[:300_000]
    if status == 412:
        return Verdict(PageKind.BLOCKED, "anti-bot challenge (HTTP 412, Ruishu-style)")
    visible = " ".join(element_lines(root, skip_noise=False))[:200_000] if root is not None else ""
    visible_cjk = cjk_count(visible)
    # Ruishu also injects its script into real pages it lets through, so markers alone are not enough.
    if visible_cjk < 100 and CHALLENGE_SCRIPT.search(probe):
        return Verdict(PageKind.BLOCKED, f"anti-bot challenge script with no content (HTTP {status})")
    if visible_cjk < 200 and CHALLENGE_TEXT.search(probe):
        return Verdict(PageKind.BLOCKED, f"JavaScript/cookie challenge page (HTTP {status})")
    if status in (403, 429, 521, 503) and visible_cjk < 300:
        return Verdict(PageKind.BLOCKED, f"HTTP {status} with a short body: probably an anti-bot challenge")
    if status >= 400:
        return Verdict(PageKind.ERROR, f"HTTP {status}")
    title = " ".join(string_value(t) for t in root.iter("title")) if root is not None else ""
    looks_broken = visible_cjk < 400 or bool(_ERROR_TEXT_RE.search(title))
    if (
        looks_broken
        and _ERROR_TEXT_RE.search(title + " " + visible[:3000])
        and (not body_cjk or body_cjk < 200)
    ):
        return Verdict(PageKind.ERROR, "maintenance or not-found page")
    if root is None or visible_cjk < 10 and len(visible) < 40:
        if _DATASTORE_RE.search(probe):
            # Hanweb ships a column's rows as <datastore> records inside a script: nothing shows.
            return Verdict(PageKind.LIST, "list page (Hanweb <datastore> records)")
        if _rows_written_by_scripts(html) >= 2:
            return Verdict(PageKind.LIST, "list page (rows written by scripts)")
        purpose = navigation_purpose(root, probe, title + " " + visible) if root is not None else None
        if purpose:
            return Verdict(PageKind.OTHER, purpose)
        return Verdict(PageKind.ERROR, "page has no visible text")
    searchy = (
        _SEARCH_RE.search(title + " " + visible[:2000])
        or _SEARCH_BOX_RE.search(title)
        or re.search(r"search|/so/|fulltext", page.url, re.I)
    )
    if _SEARCH_QUERY_RE.search(page.url) or (
        searchy and (not body_cjk or body_cjk < 600 or "智能检索" in title)
    ):
        return Verdict(PageKind.OTHER, "search results page")
    metas = _meta_names(root)
    dated_rows = _dated_rows(root)
    list_signals = _list_signals(probe, root, metas, dated_rows)
    if paragraphs and len(paragraphs) >= 5 and sum(map(_row_like, paragraphs)) / len(paragraphs) >= 0.5:
        # the "body" found is itself a column of dated titles
        return Verdict(PageKind.LIST, "list page (body is rows of dated links)")
    prose = measure_prose(root, paragraphs) if paragraphs else None
    names_a_document = _names_a_document(title) or _names_a_document(_declared_title(root))
    documented = (
        names_a_document or bool(labelled and _COVER_LABELS & labelled.keys()) or "articletitle" in metas
    )

    def notice(reason: str) -> Verdict:
        veto = _not_a_notice(paragraphs or [], prose, title, documented, root) if prose else None
        return Verdict(PageKind.OTHER, veto) if veto else Verdict(PageKind.NOTICE, reason)

    if body_cjk is not None and body_cjk >= 150 and (list_signals < 2 or "articletitle" in metas):
        return notice("detail page with a body")
    if prose is not None and prose.cjk >= _PROSE_CJK and prose.sentences > prose.links:
        # Sidebars of dated links around a notice do not make it a list when its text is prose.
        return notice("detail page with a body of prose (links around it)")
    if body_cjk is not None and body_cjk >= 30 and names_a_document:
        # A short order or decision, often on a gazette page whose sidebars list other issues.
        return notice("short document (its title names a document type or number)")
    if list_signals:
        if _is_home_page(page.url):
            return Verdict(PageKind.OTHER, "the site's home page (sections of links, not one list)")
        return Verdict(PageKind.LIST, "list page")
    if body_cjk is not None and body_cjk >= 80:
        return notice("short detail page")
    if dated_rows >= 3 and not _is_home_page(page.url):
        # The last page of a column, or a young column, holds only a few rows.
        return Verdict(PageKind.LIST, "list page (a few dated rows)")
    # Cover notices ("现将《…》印发给你们…详见附件") are a few lines long; the document's own
    # labelled metadata is what tells them apart from a portal page.
    if body_cjk is not None and body_cjk >= 20 and labelled and _COVER_LABELS & labelled.keys():
        return notice("short cover notice with labelled metadata")
    return Verdict(PageKind.OTHER, "no notice body found (portal or statistics page)")


def _not_a_notice(
    paragraphs: list[str], prose: Prose, title: str, documented: bool, root: etree._Element
) -> str | None:
    """Why a page with a body is still no notice (a statistics table, a database record, a
    gateway), or None. A notice is written in sentences under a title of its own."""
    if _names_a_document(title):
        return None
    figures = sum(1 for p in paragraphs if _FIGURE_RE.fullmatch(p))
    if prose.sentences == 0 and figures * 3 >= len(paragraphs):
        return "a statistics page (tables of figures, no prose)"
    if documented:
        return None
    if prose.sentences == 0 and prose.field_rows >= _MIN_RECORD_FIELDS:
        return "a database record (label/value fields, no prose)"
    if (
        prose.cjk < _PROSE_CJK
        and _names_only_the_site(title)
        and not any(_DATE_RE.search(p) for p in paragraphs)
        and byline_date(root) is None
    ):
        return "a gateway page (titled with the site's name; entry links and a note, undated)"
    return None


def _names_a_document(title: str) -> bool:
    """A title naming one document: by its type (…的通知, …政府令) or by its number (〔2024〕52号)."""
    return bool(_DOCUMENT_TITLE_RE.search(title.strip())) or parse_doc_number(title) is not None


def _declared_title(root: etree._Element) -> str:
    """The <meta name="ArticleTitle"> a CMS fills in, when the <title> is only the site's name."""
    for meta in root.iter("meta"):
        if (meta.get("name") or "").lower() == "articletitle":
            return (meta.get("content") or "").strip()
    return ""


def _names_only_the_site(title: str) -> bool:
    parts = [p for p in _TITLE_SPLIT_RE.split(title.strip()) if p]
    return bool(parts) and all(_SITE_NAME_RE.search(p) and len(p) <= 25 for p in parts)


def _row_like(paragraph: str) -> bool:
    return len(paragraph) <= 100 and bool(_ROW_END_RE.search(paragraph))


def _meta_names(root: etree._Element) -> set[str]:
    """Names of the <meta> tags that say something (templates often leave ArticleTitle empty)."""
    return {(m.get("name") or "").lower() for m in root.iter("meta") if (m.get("content") or "").strip()}


def _is_home_page(url: str) -> bool:
    path = urlsplit(url).path
    return path in ("", "/") or bool(re.fullmatch(r"/(?:index|default|home)\.s?html?", path, re.I))


def _list_signals(probe: str, root: etree._Element, metas: set[str], dated_rows: int) -> int:
    signals = 0
    if _PAGER_RE.search(probe):
        signals += 1
    if "columnname" in metas and "articletitle" not in metas:
        signals += 1
    if dated_rows >= 8:
        signals += 2
    return signals


def _dated_rows(root: etree._Element) -> int:
    dated_rows = 0
    for row in root.iter("li", "tr", "div", "dd", "dl"):
        # A row holds exactly one titled link (a 下载/详情 link beside it is no second title): stop
        # at the second rather than list every link of a container.
        titled = (a for a in row.iterdescendants("a") if cjk_count(string_value(a)) >= 5)
        if next(titled, None) is None or next(titled, None) is not None:
            continue
        text = "".join(row.itertext())
        if len(text) < 200 and (_DATE_RE.search(text) or MONTH_DAY_AT_END_RE.search(text.strip())):
            dated_rows += 1
    return dated_rows


def _rows_written_by_scripts(html: str) -> int:
    """Dated one-link rows in the markup the page's scripts write (:func:`with_written_markup`)."""
    written = with_written_markup(html)
    drawn = parse_html(written) if written is not None else None
    return _dated_rows(drawn) if drawn is not None else 0
