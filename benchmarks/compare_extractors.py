"""Compare our notice extractor with GNE and trafilatura on the fixture pages.

Run: ``.venv/bin/python benchmarks/compare_extractors.py`` (add ``--markdown`` for the docs section).
``markdown_section()`` returns the section a colleague includes in docs/benchmarks.md.

Scores, per detail page (expected page_kind ``notice``):
- title: 1 when the extracted title equals the expected one (whitespace ignored), else 0.
- date: 1 when the published date equals the expected ``published_date``.
- body: F1 of snippet recall and precision. Recall is the share of expected snippets
  (``body_must_contain`` plus the first and last expected paragraphs) found in the body; precision
  is the share of chrome snippets (``body_must_not_contain``) absent, with each
  ``body_occurs_once`` snippet that appears more than once counted as chrome. Whitespace is ignored.
Non-notice pages (blocked, error, list, other) count as "mistaken" when an extractor returns a body
of 50+ characters for them (ours: when it answers page_kind notice).
All three extractors get the same text, decoded by ``notices.decode_html``, so the comparison is
about extraction, not charset detection.
"""

from __future__ import annotations

import re
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from notices import decode_html, extract, parse_date  # noqa: E402
from notices.model import PageKind  # noqa: E402
from tests.notices.notice_fixtures import Case, load_cases  # noqa: E402

EXTRACTORS = ("ours", "gne", "trafilatura")


@dataclass
class Output:
    title: str | None = None
    date: str | None = None
    body: str = ""
    seconds: float = 0.0


@dataclass
class PageScore:
    case: str
    is_notice: bool
    origin: str = "replica"  # or "real": saved from a real government site
    title: dict[str, float] = field(default_factory=dict)
    date: dict[str, float] = field(default_factory=dict)
    body: dict[str, float] = field(default_factory=dict)
    mistaken: dict[str, bool] = field(default_factory=dict)


def _squash(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def _html(case: Case) -> str:
    text, _ = decode_html(case.page.body, case.page.header("content-type"))
    return text


def run_ours(case: Case) -> Output:
    notice = extract(case.page)
    body = notice.body if notice.page_kind is PageKind.NOTICE else ""
    date = notice.published_date.isoformat() if notice.published_date else None
    return Output(notice.title, date, body)


def run_gne(case: Case) -> Output:
    from gne import GeneralNewsExtractor

    try:
        result = GeneralNewsExtractor().extract(_html(case))
    except Exception:  # GNE raises on pages it cannot parse; that is a miss, not a crash
        return Output()
    return Output(result.get("title"), result.get("publish_time"), result.get("content") or "")


def run_trafilatura(case: Case) -> Output:
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(_html(case), url=case.page.url, with_metadata=True, as_dict=True)
    except Exception:
        return Output()
    if not doc:
        return Output()
    return Output(doc.get("title"), doc.get("date"), doc.get("text") or "")


RUNNERS = {"ours": run_ours, "gne": run_gne, "trafilatura": run_trafilatura}


def body_f1(body: str, spec: dict[str, Any]) -> float:
    flat = _squash(body)
    wanted = [*spec.get("body_must_contain", [])]
    wanted += [spec[k] for k in ("first_paragraph", "last_paragraph") if k in spec]
    unwanted = spec.get("body_must_not_contain", [])
    once = spec.get("body_occurs_once", [])
    recall = sum(_squash(s) in flat for s in wanted) / len(wanted) if wanted else 1.0
    checks = len(unwanted) + len(once)
    clean = sum(_squash(s) not in flat for s in unwanted) + sum(flat.count(_squash(s)) <= 1 for s in once)
    precision = clean / checks if checks else 1.0
    if not flat:  # right only for a page whose text is not text (a notice published as a picture)
        return 1.0 if spec.get("paragraph_count") == 0 and not wanted else 0.0
    return 0.0 if recall + precision == 0 else 2 * recall * precision / (recall + precision)


def score_case(case: Case) -> PageScore:
    expected = case.expected
    is_notice = expected.get("page_kind") == "notice"
    score = PageScore(case.name, is_notice, case.origin)
    for name, runner in RUNNERS.items():
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = runner(case)
        out.seconds = time.perf_counter() - started
        if is_notice:
            score.title[name] = float(_squash(out.title) == _squash(expected.get("title")))
            got_date = parse_date(out.date) if out.date else None
            want = expected.get("published_date")
            score.date[name] = float((got_date.isoformat() if got_date else None) == want)
            score.body[name] = body_f1(out.body, expected["body"])
        else:
            score.mistaken[name] = len(_squash(out.body)) >= 50
    return score


def run() -> list[PageScore]:
    """Score every fixture page with every extractor."""
    return [score_case(case) for case in load_cases()]


def _means(notices: list[PageScore]) -> list[str]:
    return [
        f"**{sum(getattr(s, m)[e] for s in notices) / len(notices):.2f}**" if notices else "—"
        for m in ("title", "date", "body")
        for e in EXTRACTORS
    ]


def _table(scores: list[PageScore]) -> list[str]:
    header = (
        "| page | " + " | ".join(f"{m} {e}" for m in ("title", "date", "body F1") for e in EXTRACTORS) + " |"
    )
    lines = [header, "|" + "---|" * (1 + 3 * len(EXTRACTORS))]
    notices = [s for s in scores if s.is_notice]
    for s in notices:
        cells = [f"{getattr(s, m)[e]:.2f}" for m in ("title", "date", "body") for e in EXTRACTORS]
        lines.append(f"| {s.case} | " + " | ".join(cells) + " |")
    real = [s for s in notices if s.origin == "real"]
    replica = [s for s in notices if s.origin != "real"]
    lines.append(f"| **mean, real pages ({len(real)})** | " + " | ".join(_means(real)) + " |")
    lines.append(f"| **mean, replica pages ({len(replica)})** | " + " | ".join(_means(replica)) + " |")
    lines.append(f"| **mean, all ({len(notices)})** | " + " | ".join(_means(notices)) + " |")
    return lines


def _mistaken(others: list[PageScore]) -> str:
    return ", ".join(f"{e} {sum(s.mistaken[e] for s in others)}/{len(others)}" for e in EXTRACTORS)


def markdown_section(scores: list[PageScore] | None = None) -> str:
    """The "Extraction vs GNE and trafilatura" section for docs/benchmarks.md."""
    scores = scores if scores is not None else run()
    others = [s for s in scores if not s.is_notice]
    real_others = [s for s in others if s.origin == "real"]
    doc = (__doc__ or "").split("Scores, per detail page", 1)[1].strip()
    return "\n".join(
        [
            "## Extraction: ours vs GNE and trafilatura",
            "",
            "Measured by `benchmarks/compare_extractors.py` on the fixture pages in `tests/fixtures/pages/`.",
            "Scores per detail page " + doc.replace("\n", " "),
            "",
            *_table(scores),
            "",
            "Real pages are saved from government sites (`rw_*`, `real_*`, with their provenance in",
            "`meta.json`); replica pages are govsim's and our renderings of the corpus notices.",
            "",
            f"Non-notice pages (blocked, error, list, search) taken for an article: {_mistaken(others)};"
            f" real pages alone: {_mistaken(real_others)}.",
            "",
        ]
    )


def main(argv: list[str]) -> int:
    scores = run()
    if "--markdown" in argv:
        print(markdown_section(scores))
        return 0
    for line in _table(scores):
        print(line)
    others = [s for s in scores if not s.is_notice]
    print()
    for extractor in EXTRACTORS:
        wrong = [s.case for s in others if s.mistaken[extractor]]
        print(f"{extractor:<12} non-notice pages taken for articles: {len(wrong)}/{len(others)} {wrong}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
