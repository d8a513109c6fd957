"""Hostile input: extract() answers with a clear page_kind and a warning, quickly, and never raises."""

from __future__ import annotations

import io
import time

import pytest

from notices import PageKind, RawPage, classify, extract

URL = "http://www.example.gov.cn/zwgk/t20170817_1.html"
NOTICE_HTML = (
    "<html><head><title>关于印发实施方案的通知_示例市人民政府</title></head><body><div class='TRS_Editor'>"
    + "<p>各区县人民政府：</p>"
    + "".join(
        f"<p>{i}. 加强打击侵权假冒工作，严格规范公正文明执法，推进公正司法和全民守法。</p>"
        for i in range(1, 8)
    )
    + "<p>示例市人民政府</p><p>2017年8月9日</p></div></body></html>"
)


def page(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> RawPage:
    return RawPage(url=URL, body=body, status=status, headers=headers or {})


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    ("body", "status", "kind", "warning"),
    [
        pytest.param(b"", 200, PageKind.ERROR, "empty", id="empty"),
        pytest.param(b"   \n\t ", 200, PageKind.ERROR, "empty", id="whitespace"),
        pytest.param(
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", 200, PageKind.ERROR, "binary content (PDF)", id="pdf"
        ),
        pytest.param(bytes(range(256)) * 64, 200, PageKind.ERROR, "binary", id="random-binary"),
        pytest.param(b"<html><body></body></html>", 200, PageKind.ERROR, "no visible text", id="empty-html"),
        pytest.param(
            "<html><head><title>系统维护中</title></head><body><p>网站系统维护中，请稍后访问。</p></body></html>".encode(),
            200,
            PageKind.ERROR,
            "maintenance",
            id="maintenance-200",
        ),
        pytest.param(
            "<html><head><title>404 Not Found</title></head><body>您访问的页面不存在</body></html>".encode(),
            200,
            PageKind.ERROR,
            "not-found",
            id="not-found-200",
        ),
        pytest.param(b"<html><body>Not Found</body></html>", 404, PageKind.ERROR, "HTTP 404", id="http-404"),
        pytest.param(
            b"<html><script>var a=1</script></html>", 521, PageKind.BLOCKED, "HTTP 521", id="http-521-js"
        ),
        pytest.param(
            b"<html><body>Forbidden</body></html>", 403, PageKind.BLOCKED, "HTTP 403", id="http-403"
        ),
        pytest.param(
            b'<html><head><meta content="abc" r="m"><script r="m">$_ts=window["$_ts"];</script></head></html>',
            200,
            PageKind.BLOCKED,
            "challenge",
            id="ruishu-200",
        ),
        pytest.param(
            "<html><head><title>请稍候…</title></head><body>正在获取内容，请稍候...</body></html>".encode(),
            200,
            PageKind.BLOCKED,
            "challenge",
            id="please-wait",
        ),
    ],
)
def test_bad_pages_get_a_kind_and_a_warning(body: bytes, status: int, kind: PageKind, warning: str) -> None:
    notice = extract(page(body, status))
    assert notice.page_kind is kind
    assert any(warning in w for w in notice.warnings), notice.warnings
    assert notice.paragraphs == ()


@pytest.mark.timeout(10)
def test_malformed_html_still_extracts() -> None:
    broken = NOTICE_HTML.replace("</p>", "").replace("</div>", "<div><table><tr><td>")[:-20] + "<<<>>&&"
    notice = extract(page(broken.encode()))
    assert notice.page_kind is PageKind.NOTICE
    assert any("加强打击侵权假冒工作" in p for p in notice.paragraphs)


@pytest.mark.timeout(10)
def test_wrong_encoding_is_detected() -> None:
    body = NOTICE_HTML.encode("gbk")
    notice = extract(page(body, headers={"content-type": "text/html; charset=utf-8"}))
    assert notice.page_kind is PageKind.NOTICE
    assert notice.written_date is not None and notice.issuer == "示例市人民政府"
    assert any("does not match the bytes" in w for w in notice.warnings)


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_fifty_megabytes_is_truncated_in_bounded_time() -> None:
    filler = "<p>" + "无关内容" * 50 + "</p>\n"
    body = (NOTICE_HTML[:-14] + filler * (50_000_000 // len(filler.encode()))).encode()
    assert len(body) >= 49_000_000
    started = time.monotonic()
    notice = extract(page(body))
    assert time.monotonic() - started < 30
    assert any("only the first" in w for w in notice.warnings)
    assert notice.page_kind in (PageKind.NOTICE, PageKind.OTHER)


@pytest.mark.timeout(10)
def test_classify_matches_extract() -> None:
    assert classify(page(NOTICE_HTML.encode())) is PageKind.NOTICE
    assert classify(page(b"", 200)) is PageKind.ERROR


@pytest.mark.timeout(10)
def test_extract_never_raises_even_if_a_fetcher_does() -> None:
    html = NOTICE_HTML.replace("</div>", '<a href="a.pdf">附件</a></div>')

    def fetch(url: str) -> bytes:
        raise OSError("connection reset")

    notice = extract(page(html.encode()), fetch_attachments=fetch)
    assert notice.page_kind is PageKind.NOTICE
    assert notice.attachments[0].url == "http://www.example.gov.cn/zwgk/a.pdf"
    assert any("fetch failed" in w for w in notice.warnings)


def _pdf_bytes(text: str) -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    pdf_page = writer.add_blank_page(300, 200)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    pdf_page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
    )
    stream = DecodedStreamObject()
    stream.set_data(f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode())
    pdf_page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _docx_bytes(text: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.timeout(30)
def test_attachment_texts_are_extracted() -> None:
    html = NOTICE_HTML.replace(
        "</div>",
        '<p><a href="files/plan.pdf">实施方案.pdf</a> <a href="/files/table.docx">分工表</a> '
        '<a href="old.doc">旧版.doc</a></p></div>',
    ).replace("<head>", '<head><base href="http://files.example.gov.cn/upload/">')
    files = {
        "http://files.example.gov.cn/upload/files/plan.pdf": _pdf_bytes("Implementation plan"),
        "http://files.example.gov.cn/files/table.docx": _docx_bytes("任务分工表"),
        "http://files.example.gov.cn/upload/old.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
    }
    notice = extract(page(html.encode()), fetch_attachments=files.get)
    by_name = {a.name: a for a in notice.attachments}
    assert set(by_name) == {"实施方案.pdf", "分工表", "旧版.doc"}
    assert by_name["实施方案.pdf"].text == "Implementation plan"
    assert by_name["分工表"].text == "任务分工表"
    assert all(a.sha256 and len(a.sha256) == 64 for a in notice.attachments)
    # no antiword/catdoc/libreoffice here (or a corrupt file): a warning names the problem
    assert by_name["旧版.doc"].text is None
    assert any("旧版.doc" in w for w in notice.warnings)
