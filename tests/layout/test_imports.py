"""The layout's import rules, read from the source (docs/pipeline.md, "Layout").

Stages sit below the ones that use them: data moves left to right, and a stage never imports the
CLI (policywatch/) or the flows; storage/ knows only the record types; queries live in storage/;
the pure stages import no framework. A later change cannot break these quietly.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = (
    "config",
    "sites",
    "spiders",
    "notices",
    "changes",
    "ingest",
    "alerts",
    "storage",
    "flows",
    "policywatch",
)
STAGES = ("notices", "changes", "storage", "spiders", "ingest", "alerts")
RECORD_TYPES = ("notices.model", "changes.model", "config")
# SQLAlchemy names that build statements: only storage/ may use them.
QUERY_BUILDERS = frozenset(
    {
        "select",
        "insert",
        "update",
        "delete",
        "text",
        "func",
        "and_",
        "or_",
        "not_",
        "exists",
        "literal",
        "case",
    }
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def product_modules() -> dict[str, Path]:
    found = {}
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


MODULES = product_modules()


def imports_of(path: Path, own: str | None = None) -> Iterator[tuple[str, int, list[str]]]:
    """(imported module, line, names imported from it) for every import in the file, made absolute
    (``own``: the file's module name, when it is not under the project root)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = own or module_name(path)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno, []
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield target, node.lineno, [alias.name for alias in node.names]


def _in(target: str, packages: tuple[str, ...]) -> bool:
    return any(target == p or target.startswith(p + ".") for p in packages)


def _stage_imports_cli(top: str, target: str, names: list[str]) -> bool:
    return top in STAGES and _in(target, ("policywatch", "flows"))


def _storage_imports_a_stage(top: str, target: str, names: list[str]) -> bool:
    others = tuple(p for p in PRODUCT if p != "storage")
    return top == "storage" and _in(target, others) and not _in(target, RECORD_TYPES)


def _query_outside_storage(top: str, target: str, names: list[str]) -> bool:
    builds = _in(target, ("sqlalchemy.sql", "sqlalchemy.dialects")) or (
        target == "sqlalchemy" and bool(QUERY_BUILDERS.intersection(names))
    )
    return top != "storage" and builds


def _pure_stage_imports_framework(top: str, target: str, names: list[str]) -> bool:
    return top in ("notices", "changes") and _in(
        target, ("scrapy", "prefect", "sqlalchemy", "twisted", "apprise")
    )


RULES = {
    "stages-below-cli": _stage_imports_cli,
    "storage-knows-records-only": _storage_imports_a_stage,
    "queries-in-storage": _query_outside_storage,
    "pure-stages": _pure_stage_imports_framework,
}


def violations(rule: str) -> list[str]:
    broken = RULES[rule]
    return [
        f"{path.relative_to(ROOT)}:{line} imports {target} {names or ''}".rstrip()
        for name, path in MODULES.items()
        for target, line, names in imports_of(path)
        if broken(name.split(".")[0], target, names)
    ]


@pytest.mark.parametrize("rule", sorted(RULES))
def test_import_rule_holds(rule: str) -> None:
    assert violations(rule) == []


def _graph(level: str) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        source = name if level == "module" else name.split(".")[0]
        edges = graph.setdefault(source, set())
        for target, _line, names in imports_of(path):
            if target.split(".")[0] not in PRODUCT:
                continue
            if level == "package":
                edges.add(target.split(".")[0])
                continue
            # ``from package import module`` names a module; ``from module import name`` a name.
            candidates = [f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES] or [target]
            edges.update(c for c in candidates if c in MODULES)
        edges.discard(source)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


@pytest.mark.parametrize("level", ["module", "package"])
def test_no_import_circles(level: str) -> None:
    assert _cycles(_graph(level)) == []


def test_the_rules_see_a_violation(tmp_path: Path) -> None:
    """The checker itself: imports it must flag are seen (so an empty answer means something)."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from sqlalchemy import select\nimport policywatch.cli\nfrom . import model\n", encoding="utf-8"
    )
    found = [(target, names) for target, _line, names in imports_of(bad, own="storage.bad")]
    assert found == [("sqlalchemy", ["select"]), ("policywatch.cli", []), ("storage", ["model"])]
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b"]]
