"""Faults behave as the real sites do, per scope, and only for the first K requests when asked."""

from __future__ import annotations

import http.client
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from govsim.testing import GovsimHandle
from tests.govsim.fetching import fetch

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "faults.yaml").read_text(encoding="utf-8"))


def _target(sim: GovsimHandle, slug: str, target: str) -> str:
    if target == "list":
        return next(s for s in sim.admin.sites() if s["slug"] == slug)["list_urls"][0]
    return sim.admin.notices(slug)[0]["url"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_fault(sim: GovsimHandle, case: dict) -> None:
    fault = case["fault"]
    sim.admin.fault(case["slug"], fault["kind"], scope=fault.get("scope", "all"), **fault.get("options", {}))
    url = _target(sim, case["slug"], case["target"])
    expect = case["expect"]
    started = time.monotonic()
    if "error" in expect:
        with pytest.raises((ConnectionError, http.client.IncompleteRead)) as caught:
            fetch(url)
        assert type(caught.value).__name__ == expect["error"]
        return
    got = fetch(url)
    assert got.status == expect["status"]
    text = got.body.decode("utf-8", "replace")
    for snippet in expect.get("contains", []):
        assert snippet in text
    for snippet in expect.get("not_contains", []):
        assert snippet not in text
    assert time.monotonic() - started >= expect.get("min_seconds", 0)


def test_truncated_body_promises_more_than_it_sends(sim: GovsimHandle) -> None:
    sim.admin.fault("hainan", "truncate")
    url = urlsplit(sim.admin.notices("hainan")[0]["url"])
    with socket.create_connection((url.hostname, url.port), timeout=5) as sock:
        sock.sendall(f"GET {url.path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    length = int(
        next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")).split(b":")[
            1
        ]
    )
    assert 0 < len(body) < length


def test_count_limits_a_fault_to_the_first_requests_so_a_retry_succeeds(sim: GovsimHandle) -> None:
    sim.admin.fault("hainan", "error", count=2, status=500)
    url = _target(sim, "hainan", "list")
    assert [fetch(url).status for _ in range(3)] == [500, 500, 200]


def test_switching_a_fault_off(sim: GovsimHandle) -> None:
    url = _target(sim, "hainan", "list")
    sim.admin.fault("hainan", "maintenance")
    assert "系统维护中" in fetch(url).body.decode()
    sim.admin.fault("hainan", "maintenance", on=False)
    assert "系统维护中" not in fetch(url).body.decode()


def test_redirect_goes_to_another_host_that_serves_the_same_page(sim: GovsimHandle) -> None:
    notice = sim.admin.notices("chongqing")[0]
    sim.admin.fault("chongqing", "redirect", scope="detail")
    got = fetch(notice["url"])
    assert got.status == 302
    location = got.headers["Location"]
    assert urlsplit(location).hostname != urlsplit(notice["url"]).hostname
    assert urlsplit(location).path == urlsplit(notice["url"]).path
    moved = fetch(location)
    assert moved.status == 200 and notice["title"] in moved.body.decode()


def test_hanweb_list_has_no_rows_without_javascript(sim: GovsimHandle) -> None:
    site = next(s for s in sim.admin.sites() if s["slug"] == "zhejiang-sim")
    page = fetch(site["list_urls"][0]).body.decode()
    assert '<li><a href="/art/' not in page and "jpage" in page


def test_faults_are_logged(sim: GovsimHandle) -> None:
    sim.admin.reset_request_log()
    sim.admin.fault("qinghai", "challenge", count=1)
    url = _target(sim, "qinghai", "list")
    assert [fetch(url).status for _ in range(2)] == [412, 200]
    log = sim.admin.request_log("qinghai")
    assert log["faults"] == {"challenge": 1}
    assert log["by_status"] == {"412": 1, "200": 1}
