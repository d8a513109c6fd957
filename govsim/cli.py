"""``govsim`` command line: serve the replica web, and drive a running one through its admin API.

Mounted by the lead as ``policywatch govsim …``; ``python -m govsim …`` runs it too.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import click

from govsim.client import GovsimClient, GovsimError
from govsim.faults import FAULT_KINDS, SCOPES
from govsim.noise import NOISE_KINDS

DEFAULT_STATE_DIR = Path("var/govsim")


def _parse_scale(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    try:
        sites, notices = (int(x) for x in value.lower().split("x"))
    except ValueError:
        raise click.BadParameter(f"expected NxM such as 50x2000, got {value!r}") from None
    return sites, notices


@click.group()
def cli() -> None:
    """govsim: a local replica of Chinese government websites, for tests, the demo and benchmarks."""


@cli.command()
@click.option(
    "--state-dir",
    type=click.Path(path_type=Path),
    default=DEFAULT_STATE_DIR,
    show_default=True,
    help="Where overrides.json, sites/ and state.json are written.",
)
@click.option("--seed", type=int, default=7, show_default=True, help="Seed for every generated notice.")
@click.option(
    "--scale", default=None, metavar="NxM", help="Also serve N scale sites of M notices each (e.g. 50x2000)."
)
@click.option(
    "--port-base",
    type=int,
    default=0,
    show_default=True,
    help="Site i listens on port-base + i; 0 means ephemeral ports.",
)
@click.option(
    "--admin-port", type=int, default=0, show_default=True, help="Admin API port on 127.0.0.1; 0 = ephemeral."
)
@click.option(
    "--host-prefix",
    default="127.0.0",
    show_default=True,
    help="First three octets of the loopback addresses; sites get .2, .3, …",
)
@click.option("--sites", "site_list", default=None, help="Comma-separated slugs to serve (default: all).")
def serve(state_dir: Path, seed: int, scale: str | None, port_base: int, admin_port: int, host_prefix: str,
          site_list: str | None) -> None:  # fmt: skip
    """Serve every replica site on its own loopback address until interrupted."""
    from govsim.server import ServeOptions, serve_forever

    options = ServeOptions(
        state_dir=state_dir, seed=seed, scale=_parse_scale(scale),
        sites=[s.strip() for s in site_list.split(",") if s.strip()] if site_list else None,
        host_prefix=host_prefix, port_base=port_base, admin_port=admin_port,
    )  # fmt: skip
    try:
        asyncio.run(serve_forever(options))
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"govsim could not start: {exc}") from exc
    except KeyboardInterrupt:
        pass


def _admin_url(admin_url: str | None, state_dir: Path) -> str:
    if admin_url:
        return admin_url
    state_file = state_dir / "state.json"
    try:
        return str(json.loads(state_file.read_text(encoding="utf-8"))["admin_url"])
    except (OSError, ValueError, KeyError):
        raise click.ClickException(
            f"no running govsim found ({state_file} is missing or unreadable); "
            "start one with `govsim serve` or pass --admin-url"
        ) from None


def admin_options(func: Any) -> Any:
    func = click.option("--state-dir", type=click.Path(path_type=Path), default=DEFAULT_STATE_DIR, show_default=True,
                        help="Read the admin URL from this state dir's state.json.")(func)  # fmt: skip
    return click.option("--admin-url", default=None, help="Admin API URL (default: from the state dir).")(
        func
    )


def _run(admin_url: str | None, state_dir: Path, call: Any) -> None:
    client = GovsimClient(_admin_url(admin_url, state_dir))
    try:
        result = call(client)
    except GovsimError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


@cli.command()
@admin_options
@click.argument("slug")
@click.option(
    "--seed", type=int, default=None, help="Seed of the new notice (default: the next in sequence)."
)
def publish(admin_url: str | None, state_dir: Path, slug: str, seed: int | None) -> None:
    """Publish a new notice on SLUG; prints its id, url and title."""
    _run(admin_url, state_dir, lambda c: c.publish(slug, seed=seed))


@cli.command()
@admin_options
@click.argument("slug")
@click.argument("notice_id")
@click.option(
    "--paragraph", "paragraph_index", type=int, default=None, help="0-based paragraph (default: seeded)."
)
@click.option("--text", default=None, help="The new paragraph text (default: a seeded edit of the old one).")
def edit(admin_url: str | None, state_dir: Path, slug: str, notice_id: str, paragraph_index: int | None,
         text: str | None) -> None:  # fmt: skip
    """Replace one paragraph of a notice; prints the old and new text."""
    _run(
        admin_url,
        state_dir,
        lambda c: c.edit_paragraph(slug, notice_id, paragraph_index=paragraph_index, text=text),
    )


@cli.command()
@admin_options
@click.argument("slug")
@click.argument("notice_id")
@click.option("--set", "pairs", multiple=True, metavar="FIELD=VALUE", required=True,
              help="e.g. validity=已废止, published=2018-03-01, title=…, doc_number=…")  # fmt: skip
def metadata(
    admin_url: str | None, state_dir: Path, slug: str, notice_id: str, pairs: tuple[str, ...]
) -> None:
    """Change a notice's metadata fields."""
    fields = {}
    for pair in pairs:
        if "=" not in pair:
            raise click.BadParameter(f"expected FIELD=VALUE, got {pair!r}", param_hint="--set")
        key, value = pair.split("=", 1)
        fields[key.strip()] = value
    _run(admin_url, state_dir, lambda c: c.change_metadata(slug, notice_id, **fields))


@cli.command()
@admin_options
@click.argument("slug")
@click.argument("notice_id")
@click.option("--kind", type=click.Choice(["pdf", "docx"]), default="pdf", show_default=True)
@click.option("--text", default=None, help="The file's text (default: the notice's own text moves into it).")
def attachment(
    admin_url: str | None, state_dir: Path, slug: str, notice_id: str, kind: str, text: str | None
) -> None:
    """Add or replace a notice's PDF/DOCX attachment."""
    _run(admin_url, state_dir, lambda c: c.set_attachment(slug, notice_id, kind=kind, text=text))


@cli.command()
@admin_options
@click.argument("slug")
@click.argument("notice_id")
@click.option("--status", type=click.Choice(["404", "410"]), default="404", show_default=True)
def remove(admin_url: str | None, state_dir: Path, slug: str, notice_id: str, status: str) -> None:
    """Take a notice down: its page answers 404 or 410 and it leaves the lists."""
    _run(admin_url, state_dir, lambda c: c.remove(slug, notice_id, status=int(status)))


@cli.command()
@admin_options
@click.argument("slug")
@click.argument("notice_id")
def restore(admin_url: str | None, state_dir: Path, slug: str, notice_id: str) -> None:
    """Put a removed notice back."""
    _run(admin_url, state_dir, lambda c: c.restore(slug, notice_id))


@cli.command()
@admin_options
@click.argument("slug")
@click.argument("kind", type=click.Choice(NOISE_KINDS))
@click.option(
    "--notice", "notice_id", default=None, help="Only this notice's page (default: the whole site)."
)
def noise(admin_url: str | None, state_dir: Path, slug: str, kind: str, notice_id: str | None) -> None:
    """Change page bytes without changing any notice text."""
    _run(admin_url, state_dir, lambda c: c.noise(slug, kind, notice_id))


@cli.command()
@admin_options
@click.argument("slug")
@click.argument("kind", type=click.Choice(FAULT_KINDS))
@click.option("--off", is_flag=True, help="Switch the fault off.")
@click.option("--scope", type=click.Choice(SCOPES), default="all", show_default=True)
@click.option("--count", type=int, default=None, help="Only the next COUNT matching requests.")
@click.option("--delay", type=float, default=None, help="slow: seconds before answering (default 3).")
@click.option("--status", type=int, default=None, help="error: the 5xx status (default 503).")
def fault(admin_url: str | None, state_dir: Path, slug: str, kind: str, off: bool, scope: str, count: int | None,
          delay: float | None, status: int | None) -> None:  # fmt: skip
    """Switch a fault on (or --off) for a site."""
    options = {k: v for k, v in {"delay": delay, "status": status}.items() if v is not None}
    _run(admin_url, state_dir, lambda c: c.fault(slug, kind, on=not off, scope=scope, count=count, **options))


@cli.command()
@admin_options
@click.argument("slug", required=False)
@click.option("--reset", "reset_log", is_flag=True, help="Clear the request log instead of printing it.")
def log(admin_url: str | None, state_dir: Path, slug: str | None, reset_log: bool) -> None:
    """Print the request log (counts by kind and status, 304s, bytes) of one site or all."""
    _run(admin_url, state_dir, lambda c: c.reset_request_log() if reset_log else c.request_log(slug))


@cli.command()
@admin_options
def reset(admin_url: str | None, state_dir: Path) -> None:
    """Put every site back to its start state (notices, noise, faults, logs)."""
    _run(admin_url, state_dir, lambda c: c.reset())


def main() -> None:
    cli(prog_name="govsim")


if __name__ == "__main__":
    main()
