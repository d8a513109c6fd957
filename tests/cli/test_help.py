"""`--help` of every command and subcommand works and mentions only options that exist; the README's
command synopsis names only real commands and options."""

from __future__ import annotations

import re

import click
import pytest

from policywatch.cli import main
from tests.cli.conftest import PROJECT_ROOT, cli, describe

pytestmark = pytest.mark.xdist_group("cli-pages")

OPTION = re.compile(r"(?<![\w-])(--?[a-zA-Z][\w-]*)")


def _subcommands(command: click.Command) -> dict[str, click.Command]:
    """A group's subcommands through click's own lookup (`policywatch govsim` loads them lazily)."""
    if not isinstance(command, click.Group):
        return {}
    ctx = click.Context(command)
    found = {name: command.get_command(ctx, name) for name in command.list_commands(ctx)}
    return {name: sub for name, sub in found.items() if sub is not None}


def _walk(command: click.Command, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    found = [(path, command)]
    for name, sub in sorted(_subcommands(command).items()):
        found += _walk(sub, (*path, name))
    return found


COMMANDS = _walk(main)


def _options(command: click.Command) -> set[str]:
    names = {"--help", "-h"}
    for param in command.params:
        if isinstance(param, click.Option):
            names.update(param.opts)
            names.update(param.secondary_opts)
    return names


def test_the_tree_has_every_documented_command() -> None:
    paths = {" ".join(p) for p, _ in COMMANDS}
    for expected in (
        "run", "demo", "extract", "diff", "reprocess", "sites list", "sites check", "alerts list",
        "alerts retry", "subscriptions check", "subscriptions list", "db upgrade", "db info", "govsim",
    ):  # fmt: skip
        assert expected in paths


@pytest.mark.parametrize(
    ("path", "command"), COMMANDS, ids=[" ".join(p) or "policywatch" for p, _ in COMMANDS]
)
def test_help_works_and_mentions_only_real_options(path: tuple[str, ...], command: click.Command) -> None:
    result = cli(*path, "--help")
    assert result.exit_code == 0, describe(result)
    assert result.stdout.startswith("Usage: policywatch"), result.stdout
    mentioned = set(OPTION.findall(result.stdout))
    known = _options(command)
    if isinstance(command, click.Group):  # a subcommand's one-line summary may name its own options
        known = known.union(*(_options(sub) for sub in _subcommands(command).values()))
    unknown = {m for m in mentioned if m not in known}
    # single-dash words inside prose (e.g. "re-check", dates) are not options
    unknown = {m for m in unknown if m.startswith("--") or len(m) == 2}
    assert not unknown, f"`policywatch {' '.join(path)} --help` mentions {sorted(unknown)}:\n{result.stdout}"
    if isinstance(command, click.Group):
        for name, sub in _subcommands(command).items():
            if not sub.hidden:
                assert name in result.stdout, f"group help does not list {name}"


def _readme_synopsis() -> list[str]:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Commands\s+```\n(.*?)```", readme, re.S)
    assert block, "README.md has a ## Commands block"
    return [line for line in block.group(1).splitlines() if line.startswith("policywatch ")]


@pytest.mark.parametrize("line", _readme_synopsis())
def test_the_readme_synopsis_names_real_commands_and_options(line: str) -> None:
    words = line.split()[1:]
    command: click.Command = main
    group_path = []
    while (
        words
        and words[0] in _subcommands(command)
        and (command is main or isinstance(_subcommands(command)[words[0]], click.Group))
    ):
        command = _subcommands(command)[words[0]]
        group_path.append(words.pop(0))
    assert group_path, line
    # "sites list | check [SLUG]", "alerts list [--status S] | retry (--id N … | --failed)": a
    # subcommand name after "|" starts the next alternative; options belong to the one before them.
    target = command
    previous = "|"
    for word in words:
        if isinstance(command, click.Group) and previous == "|" and word in _subcommands(command):
            target = _subcommands(command)[word]
        elif isinstance(command, click.Group) and previous == "|" and re.fullmatch(r"[a-z]+", word):
            pytest.fail(f"{line}: `{' '.join(group_path)}` has no subcommand {word!r}")
        for option in OPTION.findall(word):
            if option.startswith("--"):
                assert option in _options(target), (
                    f"{line}: `{' '.join(group_path)} {target.name}` has no {option}"
                )
        previous = word
