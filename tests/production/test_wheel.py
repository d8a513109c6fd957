"""The production wheel ships the product, not the replica web; without govsim its commands say so in one line."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hatchling.builders.wheel import WheelBuilder

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PRODUCT = {
    "config",
    "sites",
    "policywatch",
    "spiders",
    "notices",
    "changes",
    "ingest",
    "alerts",
    "flows",
    "storage",
}

# The wheel's files first and the checkout nowhere on the path: an installed wheel, with the venv's dependencies.
RUN_CLI = """
import os, sys
root = os.path.realpath(sys.argv[1])
sys.path[:] = [sys.argv[2]] + [p for p in sys.path if p and os.path.realpath(p) != root]
from policywatch.cli import main
main(sys.argv[3:], prog_name="policywatch")
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    (built,) = WheelBuilder(str(PROJECT_ROOT)).build(directory=str(out), versions=["standard"])
    return Path(built)


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site-packages")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def test_the_wheel_holds_the_product_and_not_govsim(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        requires = [
            line for line in archive.read(metadata).decode().splitlines() if line.startswith("Requires-Dist:")
        ]
    top = {name.split("/", 1)[0] for name in names if not name.split("/", 1)[0].endswith(".dist-info")}
    assert not [name for name in names if name.startswith("govsim/")]
    assert top >= PRODUCT, sorted(PRODUCT - top)
    assert "govsim" not in top
    assert not [line for line in requires if "aiosmtpd" in line], (
        "the local mailbox is govsim's, not the product's"
    )


@pytest.mark.parametrize(
    "args",
    [["demo"], ["demo", "--json"], ["govsim", "serve"], ["govsim", "--help"], ["govsim"]],
    ids=" ".join,
)
def test_commands_that_need_govsim_fail_with_one_line_without_it(
    installed: Path, tmp_path: Path, args: list[str]
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-c", RUN_CLI, str(PROJECT_ROOT), str(installed), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, f"{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "needs the replica web (govsim), which ships in the source checkout only" in lines[0]
    assert lines[0].startswith(f"Error: `policywatch {args[0]}`"), lines[0]


def test_the_rest_of_the_cli_works_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-c", RUN_CLI, str(PROJECT_ROOT), str(installed), "--help"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "demo" in done.stdout and "govsim" in done.stdout
