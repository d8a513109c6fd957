"""The `policywatch` command line."""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from policywatch.environment import apply_prefect_server_defaults

# The temporary Prefect server (no PREFECT_API_URL): a longer startup limit, telemetry off, unless set.
apply_prefect_server_defaults()


CONSOLE_LEVEL = "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


# The contract commands: with --json, their errors are JSON too (README, "Contracts").
JSON_ERROR_COMMANDS = frozenset({"extract", "diff"})


class _JsonError(click.ClickException):
    """An error of a command run with ``--json``: printed as ``{"error": …}`` on stdout."""

    def show(self, file: Any = None) -> None:
        click.echo(json.dumps({"error": self.message}, ensure_ascii=False))


def _fail(message: str) -> None:
    context = click.get_current_context(silent=True)
    if context is not None and context.info_name in JSON_ERROR_COMMANDS and context.params.get("as_json"):
        raise _JsonError(message)
    raise click.ClickException(message)


def _user_errors() -> tuple[type[Exception], ...]:
    """The errors whose message tells the user what to fix: printed in one line, never as a traceback."""
    from alerts.secrets import SecretReferenceError
    from alerts.subscriptions import SubscriptionError
    from config import SettingsError
    from sites.loader import RegistryError
    from storage.db import DatabaseUnavailable

    return (SettingsError, RegistryError, SubscriptionError, SecretReferenceError, DatabaseUnavailable)


class _Command(click.Command):
    """A command whose user errors go through :func:`_fail` (JSON for the contract commands)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except _user_errors() as exc:
            with ctx:
                _fail(str(exc))


class _Main(click.Group):
    """The top-level group: a user error of any command ends in one ``Error:`` line and exit status 1."""

    command_class = _Command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except _user_errors() as exc:
            raise click.ClickException(str(exc)) from exc


GOVSIM_MISSING = (
    "needs the replica web (govsim), which ships in the source checkout only: "
    "run it from a clone of the repository (see docs/govsim.md)"
)


def _require_govsim(command: str) -> None:
    """One line instead of a traceback where govsim is not installed (the production wheel)."""
    if importlib.util.find_spec("govsim") is None:
        _fail(f"`policywatch {command}` {GOVSIM_MISSING}")


def _load_page(path_or_url: str, url: str | None, status: int) -> Any:
    """A RawPage from a saved file or a live URL; an unreadable one ends the command in one line."""
    from policywatch.pages import PageUnavailable, load_page

    try:
        return load_page(path_or_url, url, status)
    except PageUnavailable as exc:
        _fail(str(exc))


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policywatch")
@click.option(
    "-v", "--verbose", is_flag=True, help="Show Prefect's own log lines (flow and task runs, the server)."
)
def main(verbose: bool) -> None:
    """PolicyWatch: watch Chinese government sites for new, edited and repealed policy notices.

    The database is $POLICYWATCH_DATABASE_URL (default: an SQLite file in ./var); sites come from
    sites/*.toml; subscribers from $POLICYWATCH_SUBSCRIPTIONS (default ./subscriptions.toml).
    """
    # Only the terminal's handler: the Prefect UI still gets every log line of the run. Set for this
    # command (and the processes it starts) only, so a caller's environment is left as it was.
    if CONSOLE_LEVEL not in os.environ:
        os.environ[CONSOLE_LEVEL] = "INFO" if verbose else "WARNING"
        click.get_current_context().call_on_close(lambda: os.environ.pop(CONSOLE_LEVEL, None))


@contextlib.contextmanager
def terminal_progress() -> Iterator[None]:
    """Show the cycle's progress lines (pages stored per site, pages normalized with the time left)
    on stderr while it runs; with -v, Prefect's console log shows them already."""
    from flows.monitor import PROGRESS_LOGGER

    if os.environ.get(CONSOLE_LEVEL) == "INFO":
        yield
        return
    logger = logging.getLogger(PROGRESS_LOGGER)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("  … %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)


@main.command()
@click.option(
    "--sites", "sites", default="", help="Comma-separated site slugs (default: every enabled site)."
)
@click.option(
    "--mode",
    type=click.Choice(["monitor", "backfill"]),
    default="monitor",
    show_default=True,
    help="monitor stops at the first run of known notices; backfill walks every list page.",
)
@click.option(
    "--recheck",
    type=click.Choice(["due", "fresh", "all", "none"]),
    default="due",
    show_default=True,
    help="Re-verify known notices with conditional GET: those due by age tier (7 days: every "
    "cycle, 90 days: daily, older: weekly), fresh (the 7-day tier only), all, or none.",
)
@click.option("--no-send", is_flag=True, help="Queue alerts but do not send them in this run.")
@click.option(
    "--ignore-backoff",
    is_flag=True,
    help="Crawl the sites even while they back off after an anti-bot challenge (use with --sites).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the cycle summary as JSON.")
def run(sites: str, mode: str, recheck: str, no_send: bool, ignore_backoff: bool, as_json: bool) -> None:
    """Run one monitoring cycle (crawl → normalize → diff → alert) over the registry.

    A site another run is crawling at the same moment is skipped and listed as `skipped`.
    """
    from flows.steps import preflight

    wanted = [s for s in sites.split(",") if s] or None
    # A typo in a slug, a broken site or subscriptions file: said in one line before Prefect starts.
    preflight(wanted, say_missing=False)  # the cycle says it, in its log and here
    from flows.monitor import monitor
    from flows.outcome import run_cycle

    with terminal_progress():
        summary = run_cycle(
            monitor, sites=wanted, mode=mode, recheck=recheck, send=not no_send, ignore_backoff=ignore_backoff
        )
    if as_json:
        _echo_json(dataclasses.asdict(summary))
        return
    from policywatch.report import print_cycle_summary

    print_cycle_summary(summary)


@main.command()
@click.option(
    "--json", "as_json", is_flag=True, help="Print a JSON summary of the alerts delivered at the end."
)
@click.option(
    "--workdir",
    type=click.Path(path_type=Path),
    default=Path("var/demo"),
    show_default=True,
    help="Where the demo keeps its database and govsim state (wiped at start).",
)
def demo(as_json: bool, workdir: Path) -> None:
    """Show the whole product on the local replica web (govsim), with no internet.

    Starts govsim, a local SMTP mailbox and webhook; runs a first cycle (the baseline crawl);
    publishes one new notice and edits one paragraph of another; runs a second cycle; and shows
    the alerts as they arrived, with a readable diff. Needs govsim, which ships in the source
    checkout only.
    """
    _require_govsim("demo")
    from policywatch.demo import run_demo

    result = run_demo(workdir, echo=(lambda _m: None) if as_json else click.echo)
    if as_json:
        _echo_json(result)
    if result["failures"]:
        sys.exit(1)


@main.command()
@click.argument("path_or_url")
@click.option(
    "--url", default=None, help="The page's original URL (resolves relative links; default: the file's URI)."
)
@click.option("--status", default=200, show_default=True, help="HTTP status the page was served with.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the record as one JSON object (the stable contract)."
)
def extract(path_or_url: str, url: str | None, status: int, as_json: bool) -> None:
    """Extract a structured record from one saved page or URL.

    JSON keys: page_kind (notice|list|blocked|error|other), title, doc_number, issuer, index_number,
    written_date, published_date (yyyy-mm-dd or null), body, attachments [{name, url}], warnings,
    plus topic, validity, source, meta_published_date, citations, responsibilities, outline.
    """
    from notices import extract as extract_page

    record = extract_page(_load_page(path_or_url, url, status))
    data = record.contract_json()
    if as_json:
        _echo_json(data)
        return
    for key in (
        "page_kind",
        "title",
        "doc_number",
        "issuer",
        "index_number",
        "written_date",
        "published_date",
        "validity",
        "topic",
        "source",
    ):
        click.echo(f"{key:>15}: {data.get(key) if data.get(key) is not None else '—'}")
    for attachment in data["attachments"]:
        click.echo(f"{'attachment':>15}: {attachment['name']} <{attachment['url']}>")
    for warning in data["warnings"]:
        click.echo(f"{'warning':>15}: {warning}")
    click.echo("")
    click.echo(data["body"])


@main.command()
@click.argument("old")
@click.argument("new")
@click.option("--url", default=None, help="The notice's URL (both pages are versions of it).")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print {changed, kind, priority, summary, fields_changed, diff} as JSON (kind page_kind_changed "
    "when a side is not a notice; errors as {error}).",
)
def diff(old: str, new: str, url: str | None, as_json: bool) -> None:
    """Compare two saved pages (or URLs) of the same notice and show what changed, located by outline path."""
    from changes import detect
    from changes.contract import diff_json
    from notices import extract as extract_page

    old_record = extract_page(_load_page(old, url, 200))
    new_record = extract_page(_load_page(new, url, 200))
    data = diff_json(old_record, new_record)
    if as_json:
        _echo_json(data)
        return
    if "old_page_kind" in data:  # a side is not a notice: its kind is the whole answer
        click.echo(data["summary"])
        return
    change = detect(old_record, new_record)
    click.echo(change.summary if change.changed else "无变化 (no change)")
    for edit in change.edits:
        click.echo(f"  {edit.location}: {edit.excerpt()}")
    if change.unified_diff:
        click.echo("")
        click.echo(change.unified_diff.rstrip())


@main.command()
@click.option("--sites", "sites", default="", help="Comma-separated site slugs (default: all).")
@click.option("--dry-run", is_flag=True, help="Report what would change without writing.")
def reprocess(sites: str, dry_run: bool) -> None:
    """Re-derive every notice's record from its stored raw snapshot (after normalization improves).

    Records that come out different get a new version marked as a reprocessing, never an alert.
    """
    from policywatch.reprocess import reprocess_all

    result = reprocess_all([s for s in sites.split(",") if s] or None, dry_run=dry_run, echo=click.echo)
    click.echo(
        f"{result['checked']} notices checked, {result['updated']} records updated"
        + (" (dry run: nothing written)" if dry_run else "")
    )


from policywatch.cli_admin import alerts_group, db_group, subscriptions_group  # noqa: E402
from policywatch.cli_sites import sites_group  # noqa: E402

main.add_command(sites_group)
main.add_command(alerts_group)
main.add_command(subscriptions_group)
main.add_command(db_group)


class _GovsimGroup(click.Group):
    """The commands of govsim's own command line, imported only when one of them is asked for."""

    def _govsim(self) -> click.Group:
        _require_govsim("govsim")
        from govsim.cli import cli

        return cli

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._govsim().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._govsim().get_command(ctx, cmd_name)


@main.group("govsim", cls=_GovsimGroup)
def govsim_group() -> None:
    """The local replica of the government web, for the demo, tests and benchmarks (see docs/govsim.md)."""


if __name__ == "__main__":  # pragma: no cover
    main(prog_name=os.path.basename(sys.argv[0]))
