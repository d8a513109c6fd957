"""Attachment links on a notice page, and the text inside the files when they can be fetched."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from notices.html import base_url
from notices.links import PageLinks
from notices.model import Attachment
from notices.text import clean_line

# The attachments the crawler downloads, so their text (or at least their hash) is in the record.
FETCHED_EXTENSIONS = ("pdf", "doc", "docx", "wps", "xls", "xlsx")
# Every link to a file is an attachment of the notice; the others are listed by name only.
ATTACHMENT_EXTENSIONS = (
    *FETCHED_EXTENSIONS,
    "et",
    "ppt",
    "pptx",
    "zip",
    "rar",
    "7z",
    "ofd",
    "txt",
    "csv",
)
_EXT_RE = re.compile(r"\.(" + "|".join(ATTACHMENT_EXTENSIONS) + r")$", re.I)
# The file name ends the path or the query string (``downfile.jsp?filename=通知.pdf``).
_FETCHED_LINK_RE = re.compile(r"\.(" + "|".join(FETCHED_EXTENSIONS) + r")(\?|$)", re.I)
# Text that can hold such a link: the extension after a dot, or after a dot written as an entity or
# percent-escape. A page without any (most notices) cannot link a fetched attachment.
_MAY_LINK_FETCHED_RE = re.compile(
    r"(?:\.|&#0*46;|&#x0*2e;|&period;|%2e)(?:" + "|".join(FETCHED_EXTENSIONS) + r")", re.I
)
_QUERY_FILE_RE = re.compile(
    r"(?:^|&)[\w.]*(?:file|name|path)[\w.]*=[^&]*\.(" + "|".join(ATTACHMENT_EXTENSIONS) + r")(?:&|$)", re.I
)
# A flat object literal in a script, and its string-valued keys (name:"…", 'url':'…').
_OBJECT_LITERAL_RE = re.compile(r"\{[^{}]{0,1000}\}")
_STRING_PAIR_RE = re.compile(r"[\"']?(\w+)[\"']?\s*:\s*([\"'])(.*?)\2")
_SCRIPT_NAME_KEYS = ("name", "title", "filename", "fname", "docname", "attachname")
_SCRIPT_URL_KEYS = ("url", "href", "fileurl", "filepath", "path", "downloadurl", "link")
_MAX_ATTACHMENT_BYTES = 30_000_000
_CONVERTER_TIMEOUT = 60

Fetch = Callable[[str], "bytes | None"]


def _url_path(url: str) -> str:
    try:
        return unquote(urlsplit(url).path)
    except ValueError:  # a malformed authority: the path is what follows it
        return unquote(url.split("#", 1)[0].split("?", 1)[0].split("//", 1)[-1].partition("/")[2])


def is_attachment_url(url: str) -> bool:
    """Whether ``url`` names a file (``.pdf``, ``.docx``, ``.zip`` …) rather than a page."""
    return bool(_EXT_RE.search(_url_path(url)))


def is_fetched_attachment_url(url: str) -> bool:
    """Whether ``url`` links an attachment the crawler downloads (see FETCHED_EXTENSIONS)."""
    return bool(_FETCHED_LINK_RE.search(url.split("#", 1)[0]))


def may_link_fetched_attachment(text: str) -> bool:
    """False only when ``text`` (a page's markup) cannot link an attachment the crawler downloads:
    a cheap test that spares parsing the pages that link none."""
    return _MAY_LINK_FETCHED_RE.search(text) is not None


def find_attachments(
    root: etree._Element | None, page_url: str, links: PageLinks | None = None
) -> list[Attachment]:
    """Links to documents (.pdf/.doc/.docx/.wps/.xls(x)/.zip …) with their visible name and absolute URL.

    A malformed link is left out (``links`` keeps it, for the page's warnings); the others stay.
    """
    if root is None:
        return []
    base = base_url(root, page_url)
    links = links or PageLinks(page_url, base)
    found: dict[str, Attachment] = {}
    for link in root.iter("a"):
        href = (link.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        text = clean_line("".join(link.itertext()))
        url = links.url(href, base)
        if url is None:
            continue
        parts = urlsplit(url)
        path = unquote(parts.path)
        # Download actions (…/SSO4Web.action?cmd=download&a=…, downfile.jsp?filename=x.pdf) carry the
        # file name in the link text or the query, not the path.
        if not (_EXT_RE.search(path) or _EXT_RE.search(text) or _QUERY_FILE_RE.search(unquote(parts.query))):
            continue
        name = text or clean_line(link.get("title") or "") or Path(path).name
        if url not in found:
            found[url] = Attachment(name=name, url=url)
    for name, href in _script_files(root):
        url = links.url(href, base)
        if url is not None and url not in found and is_attachment_url(url):
            found[url] = Attachment(name=name or Path(_url_path(url)).name, url=url)
    return list(found.values())


def _script_files(root: etree._Element) -> list[tuple[str, str]]:
    """(name, url) of the files an inline script declares as data (``var apps = [{name:"…pdf",
    url:"…pdf"}]``) for a viewer or download buttons to render; the markup links none of them.

    Only an object literal that holds both a name and a URL counts: a bare URL in code is not
    said to be one of the notice's files.
    """
    files: list[tuple[str, str]] = []
    for script in root.iter("script"):
        if script.get("src") or not script.text:
            continue
        for literal in _OBJECT_LITERAL_RE.findall(script.text[:200_000]):
            values = {key.lower(): value for key, _, value in _STRING_PAIR_RE.findall(literal)}
            href = next((values[k] for k in _SCRIPT_URL_KEYS if values.get(k)), None)
            if href:
                name = next((values[k] for k in _SCRIPT_NAME_KEYS if values.get(k)), "")
                if name:
                    files.append((clean_line(name), href.strip()))
    return files


def fetch_texts(attachments: list[Attachment], fetch: Fetch) -> tuple[list[Attachment], list[str]]:
    """Fetch each attachment and extract its text; problems become warnings, never exceptions."""
    out: list[Attachment] = []
    warnings: list[str] = []
    for attachment in attachments:
        try:
            data = fetch(attachment.url)
        except Exception as exc:  # a fetcher's network error must not lose the notice
            warnings.append(f"attachment {attachment.url}: fetch failed ({exc})")
            out.append(attachment)
            continue
        if data is None:
            warnings.append(f"attachment {attachment.url}: not fetched")
            out.append(attachment)
            continue
        text, problem = attachment_text(data, attachment.url)
        if problem:
            warnings.append(f"attachment {attachment.name}: {problem}")
        out.append(
            Attachment(
                name=attachment.name, url=attachment.url, text=text, sha256=hashlib.sha256(data).hexdigest()
            )
        )
    return out, warnings


def attachment_text(data: bytes, url: str = "") -> tuple[str | None, str | None]:
    """(text, problem): text of a PDF, DOCX, DOC or WPS file, sniffed by content then by extension."""
    if len(data) > _MAX_ATTACHMENT_BYTES:
        return None, f"file is {len(data)} bytes, over the {_MAX_ATTACHMENT_BYTES} byte limit"
    found = _EXT_RE.search(_url_path(url))
    ext = found.group(1).lower() if found else ""
    try:
        if data.startswith(b"%PDF"):
            return _pdf_text(data), None
        if data.startswith(b"PK\x03\x04") and (ext == "docx" or b"word/" in data[:4000]):
            return _docx_text(data), None
        if data.startswith(b"\xd0\xcf\x11\xe0") and ext in ("doc", "wps", ""):
            return _legacy_word_text(data, ext or "doc")
    except Exception as exc:  # corrupt files are common on these sites
        return None, f"could not read {ext or 'file'} ({type(exc).__name__}: {exc})"
    if ext in ("txt", "csv"):
        return data.decode("utf-8", errors="replace"), None
    return None, f"no text extraction for .{ext or 'unknown'} files"


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join((page.extract_text() or "").strip() for page in reader.pages).strip()


def _docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    lines = [p.text.strip() for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" ".join(cell.text.strip() for cell in row.cells))
    return "\n".join(line for line in lines if line)


def _legacy_word_text(data: bytes, ext: str) -> tuple[str | None, str | None]:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"attachment.{ext}"
        source.write_bytes(data)
        for tool, args in (("antiword", ["-m", "UTF-8.txt"]), ("catdoc", ["-d", "utf-8"])):
            exe = shutil.which(tool)
            if exe:
                result = subprocess.run(
                    [exe, *args, str(source)], capture_output=True, timeout=_CONVERTER_TIMEOUT
                )
                if result.returncode == 0 and result.stdout.strip():
                    return result.stdout.decode("utf-8", errors="replace").strip(), None
        office = shutil.which("libreoffice") or shutil.which("soffice")
        if office:
            subprocess.run(
                [office, "--headless", "--convert-to", "txt:Text", "--outdir", tmp, str(source)],
                capture_output=True,
                timeout=_CONVERTER_TIMEOUT * 2,
            )
            converted = source.with_suffix(".txt")
            if converted.exists():
                return converted.read_text(encoding="utf-8", errors="replace").strip(), None
            return None, f".{ext} conversion with libreoffice produced no text"
    return None, f"cannot read .{ext}: no converter installed (install antiword, catdoc or libreoffice)"
