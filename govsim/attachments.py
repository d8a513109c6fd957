"""Attachment files, generated deterministically: a PDF and a DOCX whose text is the notice's.

The PDF is written by hand: a Type0 font on the standard Adobe-GB1 ``STSong-Light`` (not
embedded, so no font file is needed) with the ``UniGB-UCS2-H`` encoding, plus a ToUnicode
CMap so text extraction (pypdf, pdfminer) round-trips the Chinese text exactly.
"""

from __future__ import annotations

import io
import textwrap
import zipfile

from docx import Document

from govsim.model import Attachment, Notice

_CHARS_PER_LINE = 34
_LINES_PER_PAGE = 40


def attachment_bytes(attachment: Attachment, notice: Notice) -> bytes:
    """The file's bytes; its text is ``attachment.text``."""
    if attachment.kind == "pdf":
        return pdf_bytes(attachment.text, title=notice.title)
    return docx_bytes(attachment.text, title=notice.title)


def docx_bytes(text: str, *, title: str = "") -> bytes:
    """A DOCX with one paragraph per line of ``text``, byte-identical across runs."""
    document = Document()
    document.core_properties.title = title
    document.core_properties.author = "govsim"
    for line in text.splitlines():
        document.add_paragraph(line)
    raw = io.BytesIO()
    document.save(raw)
    return _normalise_zip(raw.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    # python-docx stamps the current time into docProps and the zip entries; pin both.
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _pin_dates(content)
            entry = zipfile.ZipInfo(info.filename, date_time=(2017, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content)
    return out.getvalue()


def _pin_dates(xml: bytes) -> bytes:
    import re

    return re.sub(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", b"2017-01-01T00:00:00Z", xml)


def _utf16_hex(text: str) -> str:
    return "".join(f"{ord(ch):04X}" for ch in text if ord(ch) <= 0xFFFF)


def _to_unicode_cmap(chars: set[str]) -> bytes:
    codes = sorted(ord(c) for c in chars if ord(c) <= 0xFFFF)
    blocks = []
    for i in range(0, len(codes), 100):
        chunk = codes[i : i + 100]
        entries = "\n".join(f"<{c:04X}> <{c:04X}>" for c in chunk)
        blocks.append(f"{len(chunk)} beginbfchar\n{entries}\nendbfchar")
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "\n".join(blocks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode("ascii")


def _layout(text: str) -> list[list[str]]:
    lines: list[str] = []
    for paragraph in text.splitlines():
        lines.extend(textwrap.wrap(paragraph, _CHARS_PER_LINE) or [""])
    return [lines[i : i + _LINES_PER_PAGE] for i in range(0, len(lines), _LINES_PER_PAGE)] or [[""]]


def pdf_bytes(text: str, *, title: str = "") -> bytes:
    """A minimal valid PDF showing ``text``; extraction gives back the same text, line by line.

    Each source line becomes one text line (long paragraphs wrap at {_CHARS_PER_LINE} characters).
    """
    pages = _layout(text)
    objects: list[bytes] = []  # object n is objects[n - 1]

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below
    pages_obj = add(b"")
    cmap = _to_unicode_cmap(set(text) | set(title))
    to_unicode = add(b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream")
    descendant = add(
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
        b"/FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
        b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >> "
        b"/DW 1000 >>"
    )
    font = add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light-UniGB-UCS2-H /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (descendant, to_unicode)
    )
    page_ids = []
    for lines in pages:
        ops = ["BT", "/F1 12 Tf", "15 TL", "56 790 Td"]
        for line in lines:
            ops.append(f"<{_utf16_hex(line)}> Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("ascii")
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        page_ids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >> >> "
                b"/Contents %d 0 R >>" % (pages_obj, font, content)
            )
        )
    kids = b" ".join(b"%d 0 R" % p for p in page_ids)
    objects[pages_obj - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids))
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_obj
    info = add(b"<< /Title <FEFF%s> /Producer (govsim) >>" % _utf16_hex(title).encode("ascii"))

    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % o for o in offsets)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, catalog, info, xref))  # fmt: skip
    return out.getvalue()
