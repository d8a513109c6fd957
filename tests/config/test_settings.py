"""Settings: one typed object for every POLICYWATCH_* variable, documented in one README table."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import config

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = (
    "sites",
    "spiders",
    "notices",
    "changes",
    "ingest",
    "alerts",
    "storage",
    "flows",
    "policywatch",
    "govsim",
)


def test_readme_table_is_the_settings_model() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert config.markdown_table() in readme


def test_every_variable_the_readme_names_is_a_setting() -> None:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Configuration", 1)[1]
    section = section.split("\n## ", 1)[0]
    named = set(re.findall(r"^\| `(POLICYWATCH_[A-Z_]+)`", section, flags=re.M))
    assert named == set(config.ENV_NAMES)


def test_defaults_apply_when_unset_or_empty() -> None:
    assert config.Settings.from_environ({}) == config.Settings()
    assert config.Settings.from_environ({"POLICYWATCH_REMOVAL_CHECKS": " "}).removal_checks == 3


def test_values_are_parsed() -> None:
    settings = config.Settings.from_environ(
        {
            "POLICYWATCH_REMOVAL_CHECKS": "5",
            "POLICYWATCH_SITES_DIRS": "a:b",
            "POLICYWATCH_OPS_URLS": "json://x, ,mailto://y",
            "POLICYWATCH_DELAY_SCALE": "0.01",
            "POLICYWATCH_SITE_OVERRIDES": "over.json",
        }
    )
    assert settings.removal_checks == 5
    assert settings.sites_dirs == (Path("a"), Path("b"))
    assert settings.ops_urls == ("json://x", "mailto://y")
    assert settings.delay_scale == 0.01
    assert settings.site_overrides_path == Path("over.json")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("POLICYWATCH_REMOVAL_CHECKS", "three"),
        ("POLICYWATCH_REMOVAL_CHECKS", "0"),
        ("POLICYWATCH_INGEST_WORKERS", "-2"),
        ("POLICYWATCH_DELAY_SCALE", "-1"),
        ("POLICYWATCH_SEND_BUDGET_SECONDS", "soon"),
    ],
)
def test_a_bad_value_names_its_variable(variable: str, value: str) -> None:
    with pytest.raises(config.SettingsError, match=variable):
        config.Settings.from_environ({variable: value})


def test_current_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYWATCH_REMOVAL_CHECKS", "7")
    assert config.current().removal_checks == 7
    monkeypatch.setenv("POLICYWATCH_REMOVAL_CHECKS", "2")
    assert config.current().removal_checks == 2


def _is_environ(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def _environment_reads(path: Path) -> list[str]:
    """Where this file reads a POLICYWATCH_* variable from the environment itself
    (``os.environ.get``, ``os.environ[...]``, ``os.getenv``), by literal or by a module constant."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and str(node.value.value).startswith("POLICYWATCH_")
        for target in node.targets
        if isinstance(target, ast.Name)
    }

    def names_a_variable(key: ast.expr) -> bool:
        if isinstance(key, ast.Constant):
            return str(key.value).startswith("POLICYWATCH_")
        return isinstance(key, ast.Name) and key.id in constants

    found = []
    for node in ast.walk(tree):
        key: ast.expr | None = None
        if isinstance(node, ast.Call) and node.args and isinstance(node.func, ast.Attribute):
            func = node.func
            if (func.attr == "get" and _is_environ(func.value)) or func.attr == "getenv":
                key = node.args[0]
        elif isinstance(node, ast.Subscript) and _is_environ(node.value) and isinstance(node.ctx, ast.Load):
            key = node.slice
        if key is not None and names_a_variable(key):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_only_config_reads_policywatch_variables() -> None:
    found = [
        line
        for package in PRODUCT
        for path in sorted((ROOT / package).rglob("*.py"))
        for line in _environment_reads(path)
    ]
    assert found == []
