"""The notices stage entry points: one RawPage in, one Notice (or its page kind) out, never an exception."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date

from lxml import etree

from notices.attachments import fetch_texts, find_attachments
from notices.body import body_paragraphs, find_body, text_files, text_images
from notices.citations import find_citations
from notices.classify import Verdict, classify_page, sniff_binary
from notices.decode import decode_html
from notices.fields import PageMeta, byline_date, collect, normalize_validity, pick_title
from notices.garbled import decoding_replacements, garbled_reason
from notices.html import base_url, element_lines, parse_html
from notices.links import PageLinks, absolute_url
from notices.list_records import is_json_document
from notices.listing import parse_listing
from notices.model import Attachment, Listing, Notice, PageKind, RawPage
from notices.outline import parse_outline
from notices.parsers import parse_date, parse_doc_number, title_doc_number
from notices.responsibilities import find_responsibilities
from notices.text import cjk_count

MAX_BODY_BYTES = 5_000_000

_DATE_PART = r"(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[〇零○一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日)"
_SIGNATURE_RE = re.compile(
    rf"^(?P<org>[\u4e00-\u9fff（）()〈〉]{{2,40}}?)?\s*(?P<date>{_DATE_PART})\s*(?:印发|发布)?\s*(?:[（(]此件.{{0,10}}[)）])?$"
)
# The heading of the attachment area: 附件：, 十、附件, 相关附件.
_ATTACHMENT_HEADING_RE = re.compile(r"(?:[一二三四五六七八九十]+、|\d+[.、])?\s*(?:相关)?附件\s*[:：]?")
# Labels of a document's own metadata table (a portal page carries none of them).
_DOCUMENT_LABELS = frozenset({"index_number", "doc_number", "issuer", "title", "written_date", "validity"})
_ORG_RE = re.compile(
    r"^[\u4e00-\u9fff（）()〈〉]{2,40}(政府|办公厅|办公室|委员会|局|厅|部|委|院|会|署|办|中心|公司)$"
)


def extract(page: RawPage, *, fetch_attachments: Callable[[str], bytes | None] | None = None) -> Notice:
    """Turn a fetched page into a Notice record.

    Never raises: empty, binary, huge, malformed or mis-encoded input yields a Notice whose
    ``page_kind`` says what it is (``error``, ``blocked`` …) and whose ``warnings`` say why. Work is
    bounded: bodies over 5 MB are truncated (with a warning). When ``fetch_attachments`` is given it
    is called with each attachment's absolute URL; the bytes become ``Attachment.text`` and ``sha256``.
    """
    try:
        return _extract(page, fetch_attachments)
    except Exception as exc:  # the pipeline must keep going; the warning says what to report
        return Notice(
            url=page.url,
            page_kind=PageKind.ERROR,
            warnings=(f"extraction failed on {page.url}: {type(exc).__name__}: {exc}",),
        )


def classify(page: RawPage) -> PageKind:
    """The kind of a raw page (notice, list, blocked, error, other): the verdict ``extract`` reaches."""
    return extract(page).page_kind


def _extract(page: RawPage, fetch: Callable[[str], bytes | None] | None) -> Notice:
    warnings: list[str] = []
    body = page.body or b""
    if len(body) > MAX_BODY_BYTES:
        warnings.append(f"body is {len(body)} bytes; only the first {MAX_BODY_BYTES} were parsed")
        body = body[:MAX_BODY_BYTES]
    if not body.strip():
        return _non_notice(page, Verdict(PageKind.ERROR, f"empty body (HTTP {page.status})"), warnings)
    binary = sniff_binary(body)
    if binary:
        reason = f"binary content ({binary}), not an HTML page"
        return _non_notice(page, Verdict(PageKind.ERROR, reason), warnings)

    html, decode_warnings = decode_html(body, _charset(page))
    warnings += decode_warnings
    links = PageLinks(page.url)
    if is_json_document(html):
        payload_list = parse_listing(html, page.url, links=links)
        warnings += links.warnings()
        if payload_list.items:
            return Notice(
                url=page.url, page_kind=PageKind.LIST, listing=payload_list, warnings=tuple(warnings)
            )
        return _non_notice(
            page, Verdict(PageKind.OTHER, "a JSON document that holds no list of documents"), warnings
        )
    root = parse_html(html)
    container, how, lines = find_body(root, html) if root is not None else (None, "", None)
    paragraphs, dropped = body_paragraphs(container, lines)
    meta = collect(root) if root is not None else None
    verdict = classify_page(page, html, root, paragraphs, meta.labelled if meta else None)
    documented = meta is not None and len(_DOCUMENT_LABELS & meta.labelled.keys()) >= 2
    if verdict.kind in (PageKind.OTHER, PageKind.NOTICE) and how == "density" and root is not None:
        images = text_images(root) if documented else []
        files = text_files(root) if meta is not None else []
        if images:
            # The document's metadata table is there and its text container shows only pictures.
            verdict = Verdict(PageKind.NOTICE, "a notice whose text is an image")
            paragraphs, dropped = [], 0
            picture = absolute_url(base_url(root, page.url), images[0]) or images[0]
            warnings.append(f"the notice's text is an image ({picture}): no text to extract")
        elif files and meta is not None and (documented or _names_title(files, root, pick_title(root, meta))):
            # The text container holds only a link to the document's own file (its name is the title).
            verdict = Verdict(PageKind.NOTICE, "a notice whose text is a linked file")
            paragraphs, dropped = [], 0
            linked = absolute_url(base_url(root, page.url), files[0][0]) or files[0][0]
            warnings.append(f"the notice's text is in a linked file ({linked}): no text to extract")
    listing: Listing | None = None
    if verdict.kind in (PageKind.LIST, PageKind.OTHER) and root is not None:
        listing = parse_listing(html, page.url, root, links)
        if verdict.kind is PageKind.OTHER and listing.how == "datastore" and listing.items:
            verdict = Verdict(PageKind.LIST, "list page (Hanweb <datastore> records)")
    if verdict.kind is not PageKind.NOTICE or root is None or meta is None:
        warnings += links.warnings()
        title = pick_title(root, meta) if root is not None and meta is not None else None
        return _non_notice(page, verdict, warnings, title, listing if verdict.kind is PageKind.LIST else None)
    if dropped:
        warnings.append(f"dropped {dropped} repeated paragraphs or sentences (page holds the text twice)")

    title = _refine_title(pick_title(root, meta), paragraphs)
    garbled = garbled_reason(decoding_replacements(body, html), title, paragraphs)
    if garbled:
        return _non_notice(page, Verdict(PageKind.ERROR, garbled), warnings)
    # An order's number may sit under a heading that is also its title (湖北省人民政府令 / 第430号).
    doc_number = _doc_number(meta, paragraphs, warnings) or title_doc_number(title)
    paragraphs = _without_title(paragraphs, title)
    signature = _signature(paragraphs)
    published, meta_published = _published(meta, warnings)
    published = published or byline_date(root)
    attachments = find_attachments(root, page.url, links)
    warnings += links.warnings()
    paragraphs = _without_attachment_links(paragraphs, attachments)
    outline = parse_outline(paragraphs)
    if fetch is not None and attachments:
        attachments, attachment_warnings = fetch_texts(attachments, fetch)
        warnings += attachment_warnings
    return Notice(
        url=page.url,
        page_kind=PageKind.NOTICE,
        title=title,
        doc_number=doc_number,
        issuer=meta.labelled.get("issuer") or (signature[0] if signature else None),
        index_number=meta.labelled.get("index_number"),
        topic=meta.labelled.get("topic"),
        validity=normalize_validity(meta.labelled.get("validity")),
        source=meta.labelled.get("source") or meta.meta.get("contentsource") or None,
        written_date=parse_date(meta.labelled.get("written_date")) or (signature[1] if signature else None),
        published_date=published,
        meta_published_date=meta_published,
        paragraphs=tuple(paragraphs),
        outline=outline,
        responsibilities=find_responsibilities(paragraphs, outline),
        citations=find_citations(paragraphs, doc_number),
        attachments=tuple(attachments),
        warnings=tuple(warnings),
    )


def _non_notice(
    page: RawPage,
    verdict: Verdict,
    warnings: list[str],
    title: str | None = None,
    listing: Listing | None = None,
) -> Notice:
    return Notice(
        url=page.url,
        page_kind=verdict.kind,
        title=title,
        warnings=(*warnings, f"{verdict.kind.value} page at {page.url}: {verdict.reason}"),
        listing=listing,
    )


def _names_title(files: Sequence[tuple[str, str]], root: etree._Element, title: str | None) -> bool:
    """Whether a linked file is named as the page's document: its name is the title, or it is
    shown again outside the link (as the page's heading: 通知 over 通知.pdf)."""
    heading = _squeezed(title or "")
    shown = _squeezed("".join(element_lines(root)))
    for _href, text in files:
        stem = _squeezed(re.sub(r"\.[A-Za-z0-9]{1,5}$", "", text.strip()))
        if len(stem) < 6:
            continue
        if (len(heading) >= 6 and (stem in heading or heading in stem)) or shown.count(stem) >= 2:
            return True
    return False


def _squeezed(text: str) -> str:
    return re.sub(r"[\W_]", "", text)


def _charset(page: RawPage) -> str | None:
    content_type = page.header("content-type") or ""
    match = re.search(r"charset\s*=\s*['\"]?([\w\-]+)", content_type, re.I)
    return match.group(1) if match else None


def _doc_number(meta: PageMeta, paragraphs: Sequence[str], warnings: list[str]) -> str | None:
    cell = meta.labelled.get("doc_number")
    if cell:
        number = parse_doc_number(cell)
        if number:
            return number
        warnings.append(f"文号 field holds {cell!r}, which is not a doc number; looked in the body instead")
    head = list(paragraphs[:12])
    for index, paragraph in enumerate(head):
        # An order's heading is often set on two lines: 湖北省人民政府令 / 第430号.
        following = head[index + 1] if index + 1 < len(head) else ""
        if paragraph.endswith("令") and len(following) <= 12:
            paragraph += following
        if len(paragraph) <= 30:
            number = parse_doc_number(paragraph)
            if number and len(re.sub(r"\s", "", paragraph)) - len(number) <= 6:
                return number
    return None


def _signature(paragraphs: Sequence[str]) -> tuple[str | None, date] | None:
    """(issuer, date) from the first signature line ("海南省人民政府 2017年8月9日") after some text."""
    text_before = 0
    for index, paragraph in enumerate(paragraphs):
        match = _SIGNATURE_RE.match(paragraph) if len(paragraph) <= 70 else None
        if match and text_before >= 30:
            when = parse_date(match.group("date"))
            if when:
                org = match.group("org")
                previous = paragraphs[index - 1] if index else ""
                if not org and _ORG_RE.match(previous):
                    org = previous
                return org, when
        text_before += cjk_count(paragraph)
    return None


def _published(meta: PageMeta, warnings: list[str]) -> tuple[date | None, date | None]:
    visible = parse_date(meta.labelled.get("published_date"))
    from_meta = parse_date(
        meta.meta.get("pubdate") or meta.meta.get("publishdate") or meta.meta.get("firstpublishedtime")
    )
    if visible and from_meta and visible != from_meta:
        warnings.append(
            f"visible 发布日期 {visible} disagrees with <meta PubDate> {from_meta}; using the visible one"
        )
        return visible, from_meta
    return visible or from_meta, None


def _bare(text: str) -> str:
    return re.sub(r"[\s《》“”\"]", "", text)


def _refine_title(title: str | None, paragraphs: Sequence[str]) -> str | None:
    """Prefer the body's own title line when a portal decorated the heading (…办公厅《关于…》)."""
    if not title or "《" not in title:
        return title
    for paragraph in paragraphs[:5]:
        if paragraph != title and _bare(paragraph) == _bare(title):
            return paragraph
    return title


def _without_attachment_links(paragraphs: list[str], attachments: Sequence[Attachment]) -> list[str]:
    """The attachment list after the text is a field of its own: trailing lines that are only an
    attachment's name (or 附件：) leave the body."""
    names = {_bare(a.name) for a in attachments}
    out = list(paragraphs)
    while out and (_bare(out[-1]) in names or _ATTACHMENT_HEADING_RE.fullmatch(out[-1])):
        out.pop()
    return out


def _without_title(paragraphs: list[str], title: str | None) -> list[str]:
    """The title is a field of its own; a copy inside the body text is dropped."""
    if not title:
        return paragraphs
    bare = _bare(title)
    return [p for p in paragraphs if _bare(p) != bare]
