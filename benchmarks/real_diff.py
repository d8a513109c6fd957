"""Change detection on the real and corpus notice pages, mutated: false alerts, misses, errors.

Run: ``.venv/bin/python benchmarks/real_diff.py`` (``--details`` lists every failing page).
Each row is one mutation of tests/changes/real_mutation_cases.yaml applied to every notice fixture
(tests/fixtures/pages real_*, rw_*, corpus_*) and compared as ``policywatch diff OLD NEW --json``
compares two pages. A noise row counts false alerts (any kind but ``none``), an edit row misses
(not its kind, or without the field it changed); errors are crashes; pages the mutation has
nothing to work on are skipped.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from tests.changes.page_mutations import notice_pages, run  # noqa: E402

TABLE = ROOT / "tests" / "changes" / "real_mutation_cases.yaml"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="list each failing page and what diff said")
    args = parser.parse_args(argv)
    table = yaml.safe_load(TABLE.read_text(encoding="utf-8"))
    pages = notice_pages()
    header = f"{'mutation':<30} {'sides':<5} {'group':<5} {'pages':>5} {'skip':>4} {'false':>5} {'miss':>4} {'error':>5}"
    print(header)
    print("-" * len(header))
    totals: Counter[str] = Counter()
    failures = []
    for group in ("noise", "edits"):
        for case in table[group]:
            counts: Counter[str] = Counter()
            for page in pages:
                outcome = run(case, page)
                counts[outcome.status] += 1
                if outcome.status in ("false_alert", "miss", "error"):
                    failures.append(
                        f"{case['mutation']} ({case.get('sides', 'new')}) {page.name}: {outcome.status} {outcome.detail}"
                    )
            totals += counts
            applied = len(pages) - counts["skipped"]
            print(
                f"{case['mutation']:<30} {case.get('sides', 'new'):<5} {group:<5} {applied:>5} {counts['skipped']:>4}"
                f" {counts['false_alert']:>5} {counts['miss']:>4} {counts['error']:>5}"
            )
    print("-" * len(header))
    applied = sum(totals.values()) - totals["skipped"]
    print(
        f"{'total':<42} {applied:>5} {totals['skipped']:>4} {totals['false_alert']:>5} {totals['miss']:>4} {totals['error']:>5}"
    )
    if args.details:
        print("\n".join(["", *failures]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
