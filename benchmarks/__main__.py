"""``python -m benchmarks [--only NAME[,NAME]] [--quick] [--output PATH]``: run, print, write docs/benchmarks.md.

Benchmarks share one govsim scale world and one database (PostgreSQL when one answers on
127.0.0.1, else SQLite), so the baseline crawl they build on is done once.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import time
import traceback
from pathlib import Path

from benchmarks.common import ROOT, Context, Result, machine
from benchmarks.report import render

MODULES = [
    "backfill",
    "idle_cycle",
    "recheck",
    "normalize_diff",
    "fanout",
    "memory",
    "freshness",
    "hot_queries",
]


def _extractors_section() -> str | None:
    try:
        from benchmarks.compare_extractors import markdown_section
    except ImportError:
        return None
    try:
        return markdown_section()
    except Exception:  # noqa: BLE001 - the comparison is optional; its failure is shown, not fatal
        return (
            "## Extraction vs GNE and trafilatura\n\nFailed:\n\n```\n"
            + traceback.format_exc()[-2000:]
            + "```"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    keys = {importlib.import_module(f"benchmarks.{m}").KEY: m for m in MODULES}
    parser.add_argument("--only", default="", help=f"comma-separated: {', '.join([*keys, 'extractors'])}")
    parser.add_argument("--quick", action="store_true", help="small sizes (a few minutes), for a smoke run")
    parser.add_argument("--output", type=Path, default=None,
                        help="where to write the markdown (default: docs/benchmarks.md for a full run)")  # fmt: skip
    args = parser.parse_args(argv)
    wanted = [k.strip() for k in args.only.split(",") if k.strip()] or [*keys, "extractors"]
    unknown = [k for k in wanted if k not in keys and k != "extractors"]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join([*keys, 'extractors'])}")
    output = args.output
    if output is None and not args.only and not args.quick:
        output = ROOT / "docs" / "benchmarks.md"

    # SIGTERM ends the run through the finally below: govsim stops and the benchmark database is dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    context = Context(quick=args.quick)
    results: list[Result] = []
    try:
        for key in (k for k in keys if k in wanted):
            module = importlib.import_module(f"benchmarks.{keys[key]}")
            print(f"▶ {module.TITLE} …", flush=True)
            t = time.monotonic()
            try:
                result = module.run(context)
            except Exception:  # noqa: BLE001 - one broken benchmark is reported, the others still run
                result = Result(key=key, title=module.TITLE, error=traceback.format_exc())
            result.seconds = time.monotonic() - t
            results.append(result)
            for figure in result.figures:
                goal = f"   (goal {figure.goal}: {'met' if figure.met else 'NOT met'})" if figure.goal else ""
                print(f"    {figure.name}: {figure.shown()}{goal}", flush=True)
            if result.error:
                print(f"    FAILED:\n{result.error}", flush=True)
            print(f"    ({result.seconds:.0f} s)", flush=True)
    finally:
        context.close()
    extractors = _extractors_section() if "extractors" in wanted else None
    text = render(results, machine(), quick=args.quick, total_seconds=time.monotonic() - started,
                  extractors=extractors)  # fmt: skip
    if output:
        output.write_text(text + "\n", encoding="utf-8")
        print(f"wrote {output}")
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
