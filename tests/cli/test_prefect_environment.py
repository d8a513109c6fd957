"""The temporary Prefect server the CLI starts has telemetry off, unless the user turned it on.

The table (prefect_environment_cases.yaml) covers where a user may have chosen; a subprocess shows
Prefect itself reads the setting as off after the CLI is imported; the soak variant runs a real
``policywatch run`` offline and reads its output for an ERROR about telemetry.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from policywatch.environment import apply_prefect_server_defaults

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CASES = yaml.safe_load(
    (Path(__file__).parent / "prefect_environment_cases.yaml").read_text(encoding="utf-8")
)["cases"]
ANALYTICS = "PREFECT_SERVER_ANALYTICS_ENABLED"


def clean_environment(home: Path) -> dict[str, str]:
    """This process's environment without any Prefect setting, with its own PREFECT_HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(home)
    return env


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_defaults_respect_what_the_user_chose(case: dict[str, Any], tmp_path: Path) -> None:
    home, cwd = tmp_path / "prefect-home", tmp_path / "cwd"
    home.mkdir()
    cwd.mkdir()
    if "profiles" in case:
        (home / "profiles.toml").write_text(case["profiles"], encoding="utf-8")
    for name, text in case.get("files", {}).items():
        (cwd / name).write_text(text, encoding="utf-8")
    environ = {"PREFECT_HOME": str(home), **case["env"]}
    before = dict(environ)

    applied = apply_prefect_server_defaults(environ, cwd)

    assert applied.get(ANALYTICS) == case["applied"]
    assert environ.get(ANALYTICS) == (case["applied"] if case["applied"] else before.get(ANALYTICS))
    assert {k: environ[k] for k in before} == before  # nothing the user set was changed


def test_prefect_reads_telemetry_off_after_the_cli_is_imported(tmp_path: Path) -> None:
    code = (
        "import policywatch.cli\n"
        "from prefect.settings import get_current_settings\n"
        "print(get_current_settings().server.analytics_enabled)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={**clean_environment(tmp_path / "home"), "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.soak
@pytest.mark.timeout(600)
def test_an_offline_cli_run_logs_no_telemetry_error(tmp_path: Path) -> None:
    from govsim.testing import running_govsim

    with running_govsim(tmp_path / "govsim", sites=["hainan"]) as gov:
        env = {
            **clean_environment(tmp_path / "home"),
            **gov.environment(database_url=f"sqlite:///{tmp_path / 'policywatch.db'}"),
            # Offline: nothing but 127.0.0.1 answers (govsim and the temporary Prefect server).
            "HTTPS_PROXY": "http://127.0.0.1:9",
            "NO_PROXY": "127.0.0.1,localhost",
        }
        result = subprocess.run(
            [str(PROJECT_ROOT / ".venv" / "bin" / "policywatch"), "run", "--sites", "hainan", "--no-send"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=540,
        )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "Starting temporary server" in output  # the run did use a temporary Prefect server
    errors = [line for line in output.splitlines() if "ERROR" in line and "telemetry" in line.lower()]
    assert errors == [], "\n".join(errors)
