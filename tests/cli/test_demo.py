"""`policywatch demo --json` as users run it: a fresh process, its own workdir and Prefect home."""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from tests.cli.conftest import POLICYWATCH_BIN

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("cli-demo")]

EXPECTED_PER_CHANNEL = {("new", "hainan"), ("edited", "guangdong")}


def _last_json(stdout: str) -> dict:
    """The last JSON value on stdout (the summary the README promises at the end)."""
    decoder = json.JSONDecoder()
    start = stdout.rfind("\n{") + 1  # 0 when the summary is all there is; nested objects are indented
    value, end = decoder.raw_decode(stdout[start:])
    assert not stdout[start + end :].strip(), "nothing after the summary"
    return value


@pytest.mark.timeout(330)
def test_demo_json_reports_one_new_and_one_edited_alert_per_channel(tmp_path: Path) -> None:
    workdir = tmp_path / "demo"
    (workdir / "stale").mkdir(parents=True)  # wiped at start
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "POLICYWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'not-the-demo.db'}",  # the demo sets its own
    }
    env.pop("PREFECT_API_URL", None)  # its own temporary Prefect API, not a test harness's
    done = subprocess.run(
        [str(POLICYWATCH_BIN), "demo", "--json", "--workdir", str(workdir)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    summary = _last_json(done.stdout)
    assert set(summary) >= {"alerts", "failures"}
    assert summary["failures"] == []
    for alert in summary["alerts"]:
        assert {"kind", "title", "source", "channel"} <= set(alert), alert
        assert alert["title"], alert
    by_channel = Counter((a["channel"], a["kind"], a["source"]) for a in summary["alerts"])
    for channel in ("email", "webhook"):
        got = sorted((k, s) for (c, k, s), n in by_channel.items() for _ in range(n) if c == channel)
        assert got == sorted(EXPECTED_PER_CHANNEL), f"{channel}: {got}"
    assert len(summary["alerts"]) == 2 * len(EXPECTED_PER_CHANNEL)
    assert not (workdir / "stale").exists()
    assert (workdir / "policywatch.db").exists()
    assert not (tmp_path / "not-the-demo.db").exists()
