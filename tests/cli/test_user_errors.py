"""User errors end in one line that says what to fix, never a traceback (tests/cli/user_error_cases.yaml).

Each case runs the installed entry point in a subprocess, as a user would, so what is checked is
exactly what they would see, including anything a library prints on its way out.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cli.conftest import POLICYWATCH_BIN

CASES = yaml.safe_load((Path(__file__).with_name("user_error_cases.yaml")).read_text(encoding="utf-8"))
# Every password a case puts in a URL: no output may repeat it.
PASSWORD = "Hunter2Passw0rd"


def _fill(text: str, tmp: Path) -> str:
    return text.replace("{tmp}", str(tmp))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_a_user_error_is_one_line_and_no_traceback(
    case: dict[str, Any], tmp_path: Path, request: Any
) -> None:
    if case.get("postgres"):
        request.getfixturevalue("postgres_server")
    for name, content in case.get("files", {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content, encoding="utf-8")
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")}
    env.update({key: _fill(value, tmp_path) for key, value in case.get("env", {}).items()})
    done = subprocess.run(
        [str(POLICYWATCH_BIN), *(_fill(arg, tmp_path) for arg in case["args"])],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    shown = done.stdout + done.stderr
    assert done.returncode in (1, 2), shown
    assert "Traceback" not in shown, shown
    assert PASSWORD not in shown, shown
    if "expect_json_error" in case:
        answer = json.loads(done.stdout)
        assert set(answer) == {"error"}, shown
        assert _fill(case["expect_json_error"], tmp_path) in answer["error"], shown
    else:
        errors = [line for line in done.stderr.splitlines() if line.startswith("Error: ")]
        assert len(errors) == 1, shown
        assert _fill(case["expect"], tmp_path) in errors[0], shown
    if "stdout" in case:
        assert case["stdout"] in done.stdout, shown
    for name in case.get("absent", []):
        assert not (tmp_path / name).exists(), f"{name} was created by a read-only command"
