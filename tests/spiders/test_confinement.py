"""The crawler fetches only the site: a hostile site's every way out, refused, as its servers saw it.

One crawl of two sites from govsim.hostile (cases in fixtures/confinement_cases.yaml):
``hostile-sim``, whose list rows, pager, attachments, redirects and meta refresh point at other
hosts, other ports of its own host, local files and forbidden addresses; and ``named-sim``, whose
``base_url`` is ``http://localhost:<port>``, a name resolving to a loopback address it does not
allow. What was fetched is read from the servers' own request logs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import yaml
from sqlalchemy import select

from govsim.hostile import LIST_PATH, NOTICE_PATH, HostileLink, HostileWeb, running_hostile_web
from spiders.run import CrawlReport, run_crawl
from storage.db import session_scope
from storage.models import RawSnapshot
from storage.snapshots import snapshot_page

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "fixtures" / "confinement_cases.yaml").read_text(encoding="utf-8")
)
LOCAL_MARKER = "LOCAL FILE: must never be read by the crawler"


@dataclass
class HostileCrawl:
    web: HostileWeb
    report: CrawlReport
    log: str
    snapshots: list[tuple[str, bytes]]  # (url, body) of every stored page

    def url(self, template: str) -> str:
        return urljoin(self.web.urls["site"] + LIST_PATH, self.web.fill(template))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileCrawl]:
    root = tmp_path_factory.mktemp("hostile")
    local = root / "local"
    for path in ("hostile/202401/t20240104_4.html", "hostile/202401/t20240117_17.html", "files/f.pdf"):
        (local / path).parent.mkdir(parents=True, exist_ok=True)
        (local / path).write_text(f"<html><body><p>{LOCAL_MARKER}</p></body></html>", encoding="utf-8")
    links = [
        HostileLink(id=c["id"], where=c["where"], href=c["href"], redirect=c.get("redirect")) for c in CASES
    ]
    with running_hostile_web(links, local) as web:
        sites = root / "sites"
        sites.mkdir()
        (sites / "hostile-sim.toml").write_text(web.site_toml(), encoding="utf-8")
        (sites / "named-sim.toml").write_text(web.named_site_toml(), encoding="utf-8")
        database_url = f"sqlite:///{root / 'policywatch.db'}"
        log_file = root / "crawl.log"
        env = {
            "POLICYWATCH_DATABASE_URL": database_url,
            "POLICYWATCH_SITES_DIRS": str(sites),
            "POLICYWATCH_SITE_OVERRIDES": "",
            "POLICYWATCH_DELAY_SCALE": "0.01",
        }
        report = run_crawl(
            ["hostile-sim", "named-sim"], cycle_id="hostile", env=env, log_file=log_file, timeout=120
        )
        with session_scope(database_url) as session:
            stored = [(s.url, snapshot_page(s).body) for s in session.scalars(select(RawSnapshot))]
        yield HostileCrawl(web, report, log_file.read_text(encoding="utf-8"), stored)


def test_no_request_reached_any_server_but_the_sites_own(hostile: HostileCrawl) -> None:
    web = hostile.web
    assert hostile.report.error is None, hostile.report.error
    for server in ("offsite", "twin", "named"):
        assert web.logs[server].requests == 0, (server, web.paths(server))
    fetched_from_site = set(web.paths("site"))
    on_site = {"/robots.txt", LIST_PATH, NOTICE_PATH}
    on_site |= {web.fill(c["href"]) for c in CASES if c.get("redirect") or c.get("fetched_from") == "site"}
    assert fetched_from_site == on_site
    assert web.paths("files") == ["/robots.txt", "/files/b.pdf"]


def test_nothing_stored_that_is_not_the_sites(hostile: HostileCrawl) -> None:
    urls = {url for url, _ in hostile.snapshots}
    site = hostile.web.urls["site"]
    assert site + NOTICE_PATH in urls, "the site's own notice is still crawled"
    assert all(url.startswith((site + "/", hostile.web.urls["files"] + "/")) for url in urls), urls
    assert not any(LOCAL_MARKER.encode() in body for _, body in hostile.snapshots)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_hostile_link(hostile: HostileCrawl, case: dict[str, Any]) -> None:
    url = hostile.url(case.get("refused_url", case["href"]))
    warnings = [line for line in hostile.log.splitlines() if "WARNING" in line and url in line]
    stored = {u for u, _ in hostile.snapshots}
    if "dropped" in case:
        segment = url.rsplit("/", 1)[-1]
        dropped = [w for w in hostile.log.splitlines() if "dropped malformed link" in w and segment in w]
        assert len(dropped) == 1 and case["dropped"] in dropped[0], dropped
        assert "site hostile-sim: " in dropped[0] and "refused" not in dropped[0]
        assert not any(u.endswith(segment) for u in stored)
        return
    if case["refused"] is None:
        assert warnings == []
        assert (url in stored) == ("fetched_from" in case)
        return
    assert len(warnings) == 1, warnings  # logged once, naming the site, the URL and the reason
    assert "site hostile-sim: " in warnings[0] and case["refused"] in warnings[0], warnings[0]
    assert not any(u == url or u == hostile.web.fill(case.get("redirect") or "") for u in stored)


def test_refusals_are_counted_in_the_crawl_run(hostile: HostileCrawl) -> None:
    stats = hostile.report.sites["hostile-sim"].stats
    refused = [c for c in CASES if c["refused"] is not None]
    assert stats.get("refused") == len(refused), stats
    assert stats.get("offsite_redirects") == sum(
        1 for c in refused if c["where"] != "refresh" and c.get("redirect")
    )


def test_a_name_resolving_to_loopback_is_refused_for_a_site_that_does_not_allow_it(
    hostile: HostileCrawl,
) -> None:
    named = hostile.report.sites["named-sim"]
    assert named.status == "failed"
    assert named.error is not None
    assert "site named-sim: refused list request http://localhost:" in named.error
    assert "localhost resolves to 127.0.0.1: 127.0.0.1 is a loopback address" in named.error
    assert "allow_private_network" in named.error
    assert named.stats.get("refused") == 1
    assert hostile.web.logs["named"].requests == 0
