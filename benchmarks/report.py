"""docs/benchmarks.md: the machine, then every figure against its goal, then how each was measured."""

from __future__ import annotations

from benchmarks.common import Result


def _status(met: bool | None) -> str:
    return {True: "✅ met", False: "❌ not met", None: "—"}[met]


def render(results: list[Result], machine: dict[str, str], *, quick: bool, total_seconds: float,
           extractors: str | None) -> str:  # fmt: skip
    versions = ", ".join(
        f"{k} {machine[k]}" for k in ("prefect", "scrapy", "sqlalchemy", "apprise", "lxml", "psycopg")
    )
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m benchmarks`); every number below was measured in one run",
        "against govsim's scale mode on 127.0.0.1. They are ratios and counts to compare runs on the",
        "same machine, not timed tests: nothing fails when a goal is missed, it is reported here.",
        "",
        f"- **Run**: {machine['date']}, {'`--quick` (small sizes)' if quick else 'full sizes'}, "
        f"{total_seconds / 60:.1f} min in all",
        f"- **Machine**: {machine['cpus']} CPUs (nproc), {machine['ram']} RAM, {machine['platform']}",
        f"- **Python** {machine['python']}; {versions}",
        "",
        "## Summary",
        "",
        "| benchmark | figure | measured | goal | |",
        "|---|---|---|---|---|",
    ]
    for result in results:
        if result.error:
            lines.append(f"| {result.title} | — | failed: {result.error.splitlines()[0][:120]} | | ❌ |")
            continue
        for figure in result.figures:
            lines.append(
                f"| {result.title} | {figure.name} | {figure.shown()} | {figure.goal or '—'} | {_status(figure.met)} |"
            )
    lines.append("")
    for result in results:
        lines += [f"## {result.title}", ""]
        if result.error:
            lines += ["The benchmark failed:", "", "```", result.error.strip()[-3000:], "```", ""]
            continue
        for figure in result.figures:
            goal = f" (goal {figure.goal}: {_status(figure.met)})" if figure.goal else ""
            lines.append(f"- {figure.name}: **{figure.shown()}**{goal}")
        lines += ["", f"How: {result.method}", ""]
        if result.appendix:
            lines += [result.appendix.strip(), ""]
        lines += [f"Note: {note}" for note in result.notes]
        if result.notes:
            lines.append("")
        lines += [f"_({result.seconds:.0f} s)_", ""]
    if extractors:
        lines += [extractors.strip(), ""]
    return "\n".join(lines)
