"""`policywatch sites check --all --json --output report.json` over govsim: one report for every
site, each problem with its fix, the exit code, and never more than the allowed requests per site
(the cases are sites_check_cases.yaml)."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result

from govsim.testing import GovsimHandle, running_govsim
from sites import DEFAULT_SITES_DIR
from sites.confinement import describe as describe_origin
from sites.confinement import origin
from tests.cli.conftest import cli, describe

pytestmark = pytest.mark.xdist_group("cli-sites-check-all")

CASES: list[dict[str, Any]] = yaml.safe_load((Path(__file__).with_name("sites_check_cases.yaml")).read_text())
REPLICATED = [c["slug"] for c in CASES if "base_url" not in c]
SEED = {"hainan", "chuzhou", "qinghai", "chongqing", "guangdong"}
REPORT_KEYS = {
    "slug", "name", "checked", "list_url", "list_reachable", "http_status", "blocked", "items_found",
    "detail_url", "detail_extracted", "ok", "problem", "problem_kind", "fix", "problems", "seconds",
}  # fmt: skip


@dataclass
class CheckWorld:
    gov: GovsimHandle
    sites_dir: Path
    env: dict[str, str]


def _clone(source: Path, target_dir: Path, slug: str, base_url: str) -> Path:
    """``source``'s entry as ``slug`` on ``base_url`` (allowed onto a private address)."""
    text = source.read_text(encoding="utf-8")
    original = source.stem
    text = text.replace(f'slug = "{original}"', f'slug = "{slug}"\nallow_private_network = true', 1)
    lines = [
        f'base_url = "{base_url}"' if line.startswith("base_url = ") else line for line in text.splitlines()
    ]
    target = target_dir / f"{slug}.toml"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CheckWorld]:
    """govsim serving the replicated cases' sites, and a registry of exactly the cases' entries
    (so ``--all`` never reaches a real site)."""
    root = tmp_path_factory.mktemp("check-all")
    with running_govsim(root / "govsim", sites=REPLICATED) as gov:
        sites_dir = root / "sites"
        sites_dir.mkdir()
        for case in CASES:
            slug = case["slug"]
            if "base_url" in case:
                _clone(DEFAULT_SITES_DIR / "hainan.toml", sites_dir, slug, case["base_url"])
            else:
                source = (DEFAULT_SITES_DIR if slug in SEED else gov.sites_dir) / f"{slug}.toml"
                shutil.copy(source, sites_dir)
        env = {
            "POLICYWATCH_SITE_OVERRIDES": str(gov.overrides_file),
            "POLICYWATCH_SITES_DIRS": str(sites_dir),
            "POLICYWATCH_DELAY_SCALE": "0.01",
        }
        yield CheckWorld(gov, sites_dir, env)


@dataclass
class Run:
    result: Result
    report: dict[str, Any]
    written: dict[str, Any]
    logs: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def run(world: CheckWorld, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """The one `--all` run of the cases, with their faults switched on."""
    admin = world.gov.admin
    admin.reset()
    for case in CASES:
        if "fault" in case:
            fault = dict(case["fault"])
            admin.fault(case["slug"], fault.pop("kind"), scope=fault.pop("scope", "all"), **fault)
        if case.get("robots_disallow"):
            admin.robots(case["slug"], disallow=True)
    admin.reset_request_log()
    output = tmp_path_factory.mktemp("report") / "reports" / "report.json"
    result = cli(
        "sites", "check", "--all", "--json", "--output", str(output), "--timeout", "5", env=world.env
    )
    logs = {slug: admin.request_log(slug) for slug in REPLICATED}
    admin.reset()
    written = json.loads(output.read_text(encoding="utf-8")) if output.exists() else {}
    yield Run(result, json.loads(result.stdout) if result.stdout.startswith("{") else {}, written, logs)


def _entry(run: Run, slug: str) -> dict[str, Any]:
    found = [s for s in run.report["sites"] if s["slug"] == slug]
    assert len(found) == 1, describe(run.result)
    return found[0]


def _matches(actual: Any, expected: Any) -> bool:
    if isinstance(expected, dict) and "contains" in expected:
        return isinstance(actual, str) and expected["contains"] in actual
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(_matches(actual.get(k), v) for k, v in expected.items())
    if expected == ">0":
        return isinstance(actual, int) and actual > 0
    return bool(actual == expected)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_each_site_is_reported_with_what_to_fix(run: Run, case: dict[str, Any]) -> None:
    entry = _entry(run, case["slug"])
    assert set(entry) == REPORT_KEYS
    wrong = {
        key: entry.get(key) for key, value in case["expect"].items() if not _matches(entry.get(key), value)
    }
    assert not wrong, f"{case['id']}: expected {case['expect']}\nwrong: {wrong}\nentry: {entry}"
    assert entry["checked"] is True
    if not entry["ok"]:
        assert entry["problem"] == entry["problems"][0] and entry["fix"], entry
    if entry["detail_url"] is not None:
        assert entry["detail_extracted"].keys() >= {"page_kind", "title", "published_date"}


@pytest.mark.parametrize("case", [c for c in CASES if "requests" in c], ids=lambda c: c["id"])
def test_no_site_gets_more_than_robots_one_list_and_one_detail_request(
    run: Run, case: dict[str, Any]
) -> None:
    log = run.logs[case["slug"]]
    assert {k: v for k, v in log["by_kind"].items() if v} == case["requests"], log["recent"]
    assert log["requests"] <= 4, log["recent"]


def test_one_report_object_written_and_printed_with_summary_and_exit_status(run: Run) -> None:
    assert run.result.exit_code == 1, describe(run.result)  # some sites failed
    assert run.written == run.report, "--output writes the report --json prints"
    assert set(run.report) >= {"checked_at", "sites", "summary"}
    assert [s["slug"] for s in run.report["sites"]] == sorted(c["slug"] for c in CASES)
    healthy = sum(c["expect"].get("ok") is True for c in CASES)
    blocked = sum(c["expect"].get("blocked") is not None for c in CASES)
    assert run.report["summary"] == {
        "sites": len(CASES),
        "ok": healthy,
        "failed": len(CASES) - healthy,
        "blocked": blocked,
        "not_checked": 0,
    }
    assert f"checked {len(CASES)} of {len(CASES)}: " in run.result.stderr
    assert "Traceback" not in run.result.stdout + run.result.stderr


def test_the_table_is_printed_without_json_and_a_healthy_run_exits_0(
    world: CheckWorld, tmp_path: Path
) -> None:
    world.gov.admin.reset()
    output = tmp_path / "report.json"
    result = cli("sites", "check", "hainan", "--sites", "chuzhou", "--output", str(output), env=world.env)
    assert result.exit_code == 0, describe(result)
    assert result.stdout.startswith("hainan: OK ("), result.stdout
    assert "\nchuzhou: OK (" in result.stdout and "2 of 2 sites OK, 0 failed" in result.stdout
    report = json.loads(output.read_text(encoding="utf-8"))
    assert report["summary"]["ok"] == 2 and [s["slug"] for s in report["sites"]] == ["hainan", "chuzhou"]


DEADLINE_CASES = [
    pytest.param(
        {"slow_list": 3, "delay_scale": "0.01", "deadline": "1"},
        {
            "hainan": ("unreachable", "request failed: timed out", {"robots": 1, "list": 1}),
            "chuzhou": ("deadline", "not checked (deadline)", {}),
            "qinghai": ("deadline", "not checked (deadline)", {}),
        },
        id="the-request-under-way-is-cut-short-and-the-rest-not-started",
    ),
    pytest.param(  # every site's delay after robots.txt ends past the deadline
        {"slow_list": None, "delay_scale": "0.5", "deadline": "0.5"},
        {
            slug: ("deadline-partway", "list page: {list_url} not fetched, the run's deadline came first", {"robots": 1})
            for slug in ("hainan", "chuzhou", "qinghai")
        },
        id="no-request-is-sent-after-the-deadline",
    ),
]  # fmt: skip


def _settled_log(admin: Any, slug: str, expected: dict[str, int], within: float = 5) -> dict[str, Any]:
    """The site's request log once it shows ``expected`` (govsim logs an answer when it is sent,
    after the client has given up on a slow one), or as it is after ``within`` seconds."""
    ends = time.monotonic() + within
    while True:
        log: dict[str, Any] = admin.request_log(slug)
        if {k: v for k, v in log["by_kind"].items() if v} == expected or time.monotonic() > ends:
            return log
        time.sleep(0.1)


@pytest.mark.parametrize(("setup", "expected"), DEADLINE_CASES)
def test_the_deadline_bounds_the_run(
    world: CheckWorld, setup: dict[str, Any], expected: dict[str, tuple[str, str, dict[str, int]]]
) -> None:
    """Three sites, one worker, under a deadline the run cannot meet."""
    admin = world.gov.admin
    admin.reset()
    if setup["slow_list"] is not None:
        admin.fault("hainan", "slow", scope="list", delay=setup["slow_list"])
    admin.reset_request_log()
    try:
        result = cli(
            "sites", "check", "--sites", ",".join(expected), "--json", "--concurrency", "1",
            "--deadline", setup["deadline"], "--timeout", "10",
            env={**world.env, "POLICYWATCH_DELAY_SCALE": setup["delay_scale"]},
        )  # fmt: skip
        logs = {slug: _settled_log(admin, slug, requested) for slug, (_, _, requested) in expected.items()}
    finally:
        admin.reset()
    assert result.exit_code == 1, describe(result)
    report = json.loads(result.stdout)
    assert report["seconds"] < float(setup["deadline"]) + 0.5, "the run ends at its deadline"
    for entry in report["sites"]:
        kind, problem, requested = expected[entry["slug"]]
        assert entry["problem_kind"] == kind, entry
        assert entry["problem"].startswith(problem.format(list_url=entry["list_url"])), entry
        assert entry["checked"] is (kind != "deadline"), entry
        if kind.startswith("deadline"):
            assert "--deadline" in entry["fix"], entry
        log = logs[entry["slug"]]
        assert {k: v for k, v in log["by_kind"].items() if v} == requested, log["recent"]
    not_started = sum(kind == "deadline" for kind, _, _ in expected.values())
    assert report["summary"]["not_checked"] == not_started and report["summary"]["failed"] == len(expected)


def test_sites_sharing_a_host_share_its_robots_txt_and_its_queue(world: CheckWorld, tmp_path: Path) -> None:
    """Two entries on one host (as www.beijing.gov.cn serves several): robots.txt is read once."""
    admin = world.gov.admin
    admin.reset()
    hainan = world.gov.base_urls["hainan"]
    twin_dir = tmp_path / "twin"
    twin_dir.mkdir()
    _clone(DEFAULT_SITES_DIR / "hainan.toml", twin_dir, "hainan-twin", hainan)
    env = {**world.env, "POLICYWATCH_SITES_DIRS": f"{world.sites_dir}:{twin_dir}"}
    admin.reset_request_log()
    result = cli("sites", "check", "hainan", "hainan-twin", "--json", "--concurrency", "4", env=env)
    assert result.exit_code == 0, describe(result)
    log = admin.request_log("hainan")
    assert log["by_kind"] == {"robots": 1, "list": 2, "detail": 2}, log["recent"]
    assert json.loads(result.stdout)["requests_per_host"] == {describe_origin(origin(hainan)): 5}


@pytest.mark.parametrize(
    "args",
    [pytest.param([], id="nothing-named"), pytest.param(["hainan", "--all"], id="slug-and-all")],
)
def test_sites_are_named_or_all_is_given(world: CheckWorld, args: list[str]) -> None:
    result = cli("sites", "check", *args, env=world.env)
    assert result.exit_code == 2, describe(result)
    assert "name the sites to check (SLUGS or --sites a,b), or give --all" in result.stderr
