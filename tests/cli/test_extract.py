"""`policywatch extract PATH_OR_URL [--url URL] --json`: the stable contract outside checks rely on."""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.cli.conftest import PAGES_DIR, cli, describe

pytestmark = pytest.mark.xdist_group("cli-pages")

CONTRACT_KEYS = {
    "page_kind", "title", "doc_number", "issuer", "index_number", "written_date", "published_date",
    "body", "attachments", "warnings",
}  # fmt: skip
EXTRA_KEYS = {
    "topic",
    "validity",
    "source",
    "meta_published_date",
    "citations",
    "responsibilities",
    "outline",
}
# A list page adds its links, the pages after it and its CMS family.
LIST_KEYS = {"items", "next_pages", "cms"}
PAGE_KINDS = {"notice", "list", "blocked", "error", "other"}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
COMPARED = ("page_kind", "title", "doc_number", "written_date", "published_date")
FIXTURES = sorted(p.name for p in PAGES_DIR.iterdir() if (p / "expected.json").exists())


def _meta(name: str) -> dict[str, Any]:
    return json.loads((PAGES_DIR / name / "meta.json").read_text(encoding="utf-8"))


def _expected(name: str) -> dict[str, Any]:
    return json.loads((PAGES_DIR / name / "expected.json").read_text(encoding="utf-8"))


def extract_json(*args: str) -> dict[str, Any]:
    result = cli("extract", *args, "--json")
    assert result.exit_code == 0, describe(result)
    data = json.loads(result.stdout)  # the whole of stdout is ONE JSON value
    assert isinstance(data, dict), f"expected one JSON object, got {type(data).__name__}"
    return data


def assert_contract_shape(data: dict[str, Any]) -> None:
    wanted = CONTRACT_KEYS | EXTRA_KEYS | (LIST_KEYS if data.get("page_kind") == "list" else set())
    assert set(data) == wanted, (
        f"missing {sorted(wanted - set(data))}, unexpected {sorted(set(data) - wanted)}"
    )
    assert data["page_kind"] in PAGE_KINDS
    for key in ("title", "doc_number", "issuer", "index_number"):
        assert data[key] is None or (isinstance(data[key], str) and data[key]), (key, data[key])
    for key in ("written_date", "published_date", "meta_published_date"):
        assert data[key] is None or ISO_DATE.match(data[key]), (key, data[key])
    assert isinstance(data["body"], str)
    assert isinstance(data["attachments"], list)
    for attachment in data["attachments"]:
        assert set(attachment) == {"name", "url"}, attachment
        assert all(isinstance(v, str) and v for v in attachment.values()), attachment
    assert isinstance(data["warnings"], list) and all(isinstance(w, str) for w in data["warnings"])
    if data["page_kind"] != "notice":
        assert data["body"] == "" and data["attachments"] == [], "only a notice has a body"
    if data["page_kind"] == "list":
        for item in data["items"]:
            assert set(item) == {"url", "title", "date"}, item
            assert item["url"].startswith(("http://", "https://")) and item["title"], item
            assert item["date"] is None or ISO_DATE.match(item["date"]), item
        assert all(isinstance(u, str) and u.startswith(("http://", "https://")) for u in data["next_pages"])
        assert data["cms"] is None or isinstance(data["cms"], str)


@pytest.mark.parametrize("name", FIXTURES)
def test_every_fixture_page_gives_the_contract(name: str) -> None:
    meta = _meta(name)
    data = extract_json(
        str(PAGES_DIR / name / "input.html"), "--url", meta["url"], "--status", str(meta.get("status", 200))
    )
    assert_contract_shape(data)
    expected = _expected(name)
    # Fields the extractor is known to get wrong on this page are scored by the accuracy gate
    # (tests/notices/test_accuracy.py, as expected failures), not asserted here.
    misses = expected.get("known_misses", {})
    for key in COMPARED:
        if key in expected and key not in misses:
            assert data[key] == expected[key], f"{name}: {key} is {data[key]!r}, expected {expected[key]!r}"
    # A notice published as a picture has no text; its expected body says so (paragraph_count 0).
    textless = expected.get("body", {}).get("paragraph_count") == 0
    if data["page_kind"] == "notice" and "body" not in misses and not textless:
        assert data["body"].strip(), "a notice has a body"
        for snippet in expected.get("body", {}).get("body_must_contain", [])[:3]:
            assert snippet in data["body"]


def test_the_text_output_shows_the_same_record() -> None:
    name = "corpus_000_hainan_trs"
    result = cli("extract", str(PAGES_DIR / name / "input.html"), "--url", _meta(name)["url"])
    assert result.exit_code == 0, describe(result)
    expected = _expected(name)
    for key in ("title", "doc_number", "published_date"):
        assert expected[key] in result.stdout
    assert "依法规范信用服务市场" in result.stdout


def test_url_decides_how_relative_attachment_links_resolve() -> None:
    """corpus_000's attachment link is relative: it resolves against --url, or the file's URI."""
    page = PAGES_DIR / "corpus_000_hainan_trs" / "input.html"
    assert 'href="./P020170817586963045233.pdf"' in page.read_text(encoding="utf-8")
    as_file = extract_json(str(page))
    assert [a["url"] for a in as_file["attachments"]] == [
        page.parent.resolve().as_uri() + "/P020170817586963045233.pdf"
    ]
    elsewhere = extract_json(str(page), "--url", "http://mirror.example.org/wj/2017/t1.html")
    assert [a["url"] for a in elsewhere["attachments"]] == [
        "http://mirror.example.org/wj/2017/P020170817586963045233.pdf"
    ]
    assert {k: v for k, v in as_file.items() if k != "attachments"} == {
        k: v for k, v in elsewhere.items() if k != "attachments"
    }, "--url changes only what depends on the page's address"


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["does/not/exist.html"], id="missing-file"),
        pytest.param(["does/not/exist.html", "--json"], id="missing-file-json"),
        pytest.param([str(PAGES_DIR)], id="a-directory"),
    ],
)
def test_a_missing_file_is_a_clear_error(args: list[str]) -> None:
    result = cli("extract", *args)
    assert result.exit_code != 0
    message = json.loads(result.stdout)["error"] if "--json" in args else result.stderr
    assert "no such file" in message, describe(result)
    assert args[0] in message
    assert "Traceback" not in result.stderr + result.stdout
    if "--json" in args:
        assert set(json.loads(result.stdout)) == {"error"}, "on --json an error is one JSON object"
    else:
        assert not result.stdout.strip(), "nothing that looks like a record on stdout"


# ---------------------------------------------------------------------------------------- live URLs


def _serve(routes: dict[str, tuple[int, str, bytes]]) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            status, content_type, body = routes.get(self.path, (404, "text/plain", b"not found"))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def http_site() -> Iterator[str]:
    def page(name: str) -> bytes:
        return (PAGES_DIR / name / "input.html").read_bytes()

    yield from _serve(
        {
            "/challenge.html": (412, "text/html", page("rw_hubei_zscqj_ruishu_412_challenge")),
            "/hainan/szfwj/201708/t1.html": (200, "text/html", page("corpus_000_hainan_trs")),
            "/gone.html": (404, "text/html", b"<html><body><h1>404 Not Found</h1></body></html>"),
        }
    )


def test_a_412_challenge_served_over_http_is_blocked(http_site: str) -> None:
    data = extract_json(f"{http_site}/challenge.html")
    assert_contract_shape(data)
    assert data["page_kind"] == "blocked"
    assert any("412" in w for w in data["warnings"]), data["warnings"]


def test_a_notice_served_over_http_resolves_links_against_its_url(http_site: str) -> None:
    data = extract_json(f"{http_site}/hainan/szfwj/201708/t1.html")
    assert_contract_shape(data)
    assert data["page_kind"] == "notice"
    assert data["title"] == _expected("corpus_000_hainan_trs")["title"]
    assert [a["url"] for a in data["attachments"]] == [
        f"{http_site}/hainan/szfwj/201708/P020170817586963045233.pdf"
    ]


def test_an_http_error_page_is_an_error_record(http_site: str) -> None:
    data = extract_json(f"{http_site}/gone.html")
    assert data["page_kind"] == "error"


def test_an_unreachable_url_is_a_clear_error() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = cli("extract", f"http://127.0.0.1:{port}/x.html", "--json")
    assert result.exit_code != 0
    assert "cannot fetch" in json.loads(result.stdout)["error"], describe(result)
    assert "Traceback" not in result.stderr
