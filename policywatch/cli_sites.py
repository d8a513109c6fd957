"""`policywatch sites …`: list, check, detect and add the sites of the registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click


@click.group("sites")
def sites_group() -> None:
    """The site registry (sites/*.toml)."""


@sites_group.command("list")
@click.option("--json", "as_json", is_flag=True)
def sites_list(as_json: bool) -> None:
    """List the registered sites by slug, with their flavour, CMS family and base URL; a site file that
    does not load is named (exit status 1), and the others are listed all the same."""
    from sites import SiteFileProblem, load_registry

    problems: list[SiteFileProblem] = []
    registry = load_registry(include_disabled=True, problems=problems)
    if as_json:
        click.echo(json.dumps([s.model_dump() for s in registry.values()], ensure_ascii=False, indent=2))
    else:
        sites = sorted(registry.values(), key=lambda s: s.slug)
        width = max((len(s.slug) for s in sites), default=0)
        for site in sites:
            state = "" if site.enabled else "  (disabled)"
            click.echo(
                f"{site.slug:<{width}}  {site.flavour:<8} {site.cms:<12} {site.base_url}  {site.name}{state}"
            )
    _fail_on_problems(problems)


def _fail_on_problems(problems: list[Any]) -> None:
    """One error line for the site files that did not load (the cycle skips them too)."""
    if len(problems) == 1:
        raise click.ClickException(f"{problems[0].message} (this site is skipped)")
    if problems:
        messages = "; ".join(p.message for p in problems)
        raise click.ClickException(f"{len(problems)} site files do not load and are skipped: {messages}")


@sites_group.command("check")
@click.argument("slugs", nargs=-1)
@click.option("--all", "check_all", is_flag=True, help="Check every enabled site of the registry.")
@click.option("--sites", "site_list", default=None, help="Comma-separated slugs to check (like SLUGS).")
@click.option("--timeout", default=30.0, show_default=True, help="Seconds per request.")
@click.option(
    "--concurrency",
    default=4,
    show_default=True,
    type=click.IntRange(1, 16),
    help="Sites checked at once (always on different hosts; one request at a time per host).",
)
@click.option(
    "--deadline",
    default=1800.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds for the whole run; sites not started by then are reported 'not checked (deadline)'.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the JSON report to this file (stdout still gets the table, or the JSON with --json).",
)
def sites_check(
    slugs: tuple[str, ...],
    check_all: bool,
    site_list: str | None,
    timeout: float,
    concurrency: int,
    deadline: float,
    as_json: bool,
    output: Path | None,
) -> None:
    """Fetch the LIVE site(s) and report whether list and detail extraction still work.

    This touches the real sites (or govsim, when POLICYWATCH_SITE_OVERRIDES points there): run it
    on a machine with internet access to see when a site has changed its template. Name the sites
    (SLUGS or --sites a,b) or give --all. Per site it fetches robots.txt (once per host), the first
    list page and one detail page, never more than one request at a time per host, with the site's
    download_delay between them. Progress goes to stderr; each problem comes with a fix (see
    docs/deploy.md, "Live site checks"). Exit status: 0 when every site is OK, 1 when one is not.
    """
    from sites import SiteFileProblem, load_registry, select_sites
    from spiders.check_run import check_sites

    wanted = [*slugs, *(s.strip() for s in (site_list or "").split(",") if s.strip())]
    if check_all == bool(wanted):
        raise click.UsageError("name the sites to check (SLUGS or --sites a,b), or give --all (not both)")
    problems: list[SiteFileProblem] = []
    sites = select_sites(load_registry(problems=problems), wanted or None, problems)
    hosts = len({urlsplit(s.base_url).netloc for s in sites})
    click.echo(
        f"checking {len(sites)} site(s) on {hosts} host(s), {concurrency} at a time, "
        f"deadline {deadline:g} s: {', '.join(s.slug for s in sites[:5])}{' …' if len(sites) > 5 else ''}",
        err=True,
    )

    def progress(done: int, total: int, result: Any) -> None:
        click.echo(
            f"checked {done} of {total}: {result.slug} {result.state} ({result.elapsed:.1f} s)", err=True
        )

    report = check_sites(
        sites, timeout=timeout, concurrency=concurrency, deadline=deadline, progress=progress
    )
    text = json.dumps(report.to_json(), ensure_ascii=False, indent=2)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".partial")
        partial.write_text(text + "\n", encoding="utf-8")
        partial.replace(output)
        click.echo(f"wrote the report to {output}", err=True)
    click.echo(text if as_json else report.table())
    if check_all:
        _fail_on_problems(problems)
    if not report.ok:
        raise SystemExit(1)


@sites_group.command("detect")
@click.argument("url_or_file")
@click.option("--url", default=None, help="The page's original URL, when URL_OR_FILE is a saved page.")
@click.option("--slug", default=None, help="The slug for the proposed entry (default: from the host name).")
@click.option(
    "--json", "as_json", is_flag=True, help="Print {cms, flavour, items, next_pages, toml, reasons} as JSON."
)
def sites_detect(url_or_file: str, url: str | None, slug: str | None, as_json: bool) -> None:
    """Recognise the CMS family of one list page (live URL or saved file) and propose its site entry.

    Reads the page once; prints the family, the flavour that would crawl it, the document links and
    next pages it found, a proposed sites/<slug>.toml, and the reasons for each conclusion.
    """
    from policywatch.pages import PageUnavailable, fetch_request, load_page
    from spiders.detect import detect_site

    live = url_or_file.startswith(("http://", "https://"))
    try:
        page = load_page(url_or_file, url)
        found = detect_site(page, slug=slug, fetch=fetch_request if live else None)
    except PageUnavailable as exc:
        if as_json:
            click.echo(json.dumps({"error": str(exc)}, ensure_ascii=False))
            raise SystemExit(1) from exc
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(found.contract_json(), ensure_ascii=False, indent=2))
        return
    click.echo(f"family:  {found.cms or '— (none recognised)'}")
    click.echo(f"flavour: {found.flavour or '— (none fits)'}")
    for reason in found.reasons:
        click.echo(f"  because {reason}")
    click.echo(f"{len(found.items)} document links:")
    for item in found.items[:10]:
        click.echo(f"  {item.date or '          '}  {item.title}  <{item.url}>")
    if len(found.items) > 10:
        click.echo(f"  … and {len(found.items) - 10} more")
    for next_page in found.next_pages[:3]:
        click.echo(f"next page: {next_page}")
    click.echo("\nproposed entry:\n")
    click.echo(found.toml)


@sites_group.command("add")
@click.argument("url")
@click.option("--slug", required=True, help="The new entry's slug (its file is sites/<slug>.toml).")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the entry (default: the first folder of POLICYWATCH_SITES_DIRS).",
)
def sites_add(url: str, slug: str, directory: Path | None) -> None:
    """Write a site entry for the list page at URL, after showing what PolicyWatch reads from it.

    Fetches the list page and its first document (two requests), shows the family, the links and
    the extracted record, and writes sites/<slug>.toml only when a flavour fits the page. Review the
    lines marked `# check` before the entry runs in a cycle.
    """
    import config
    from notices import extract
    from policywatch.pages import PageUnavailable, fetch_request, load_page
    from sites import load_site_file
    from spiders.detect import detect_site

    target = (directory or config.current().sites_dirs[0]) / f"{slug}.toml"
    if target.exists():
        raise click.ClickException(f"{target} already exists; choose another --slug or edit that file")
    try:
        found = detect_site(load_page(url), slug=slug, fetch=fetch_request)
        for reason in found.reasons:
            click.echo(f"  because {reason}")
        if found.flavour is None:
            raise click.ClickException(f"no flavour fits {url}; nothing written (see the reasons above)")
        if not found.items:
            raise click.ClickException(f"{url} lists no documents PolicyWatch can read; nothing written")
        first = found.items[0]
        record = extract(load_page(first.url))
    except PageUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{found.flavour}: {len(found.items)} links; the first, {first.url}, reads as:")
    click.echo(
        f"  page_kind={record.page_kind.value} title={record.title!r} published={record.published_date}"
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(found.toml, encoding="utf-8")
    try:
        load_site_file(target)
    except Exception:
        target.unlink()
        raise
    click.echo(f"wrote {target}: check the lines marked '# check', then `policywatch sites check {slug}`")
