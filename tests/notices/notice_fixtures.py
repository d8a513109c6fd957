"""Load the page fixtures and score an extracted Notice against its expected.json.

Shared by the accuracy gate (tests/notices/test_accuracy.py) and benchmarks/compare_extractors.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from notices.model import Notice, RawPage
from notices.outline import iter_nodes

PAGES_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
BASELINE_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "accuracy_baseline.json"

SCALAR_FIELDS = (
    "page_kind",
    "title",
    "doc_number",
    "issuer",
    "index_number",
    "topic",
    "validity",
    "source",
    "written_date",
    "published_date",
    "meta_published_date",
)
FIELDS = (
    *SCALAR_FIELDS,
    "citations",
    "attachments",
    "body",
    "outline",
    "responsibilities",
    "warnings",
    "list",
)


# Fixtures saved from real government sites (rw_: ../shared/realworld; real_: public repositories);
# the others are replica pages (govsim_) or corpus notices rendered by us (corpus_).
REAL_PREFIXES = ("rw_", "real_")


@dataclass(frozen=True)
class Case:
    name: str
    page: RawPage
    expected: dict[str, Any]

    @property
    def origin(self) -> str:
        """``real`` or ``replica``: the gate keeps a floor for each."""
        return "real" if self.name.startswith(REAL_PREFIXES) else "replica"

    @property
    def known_misses(self) -> dict[str, str]:
        """field -> why the extractor gets it wrong today (the per-field test expects the miss)."""
        return dict(self.expected.get("known_misses") or {})


def load_cases() -> list[Case]:
    cases = []
    for folder in sorted(p for p in PAGES_DIR.iterdir() if (p / "expected.json").exists()):
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        page = RawPage(
            url=meta["url"],
            body=(folder / "input.html").read_bytes(),
            status=int(meta.get("status", 200)),
            headers={k.lower(): v for k, v in (meta.get("headers") or {}).items()},
        )
        cases.append(
            Case(folder.name, page, json.loads((folder / "expected.json").read_text(encoding="utf-8")))
        )
    return cases


def body_problems(notice: Notice, spec: dict[str, Any]) -> list[str]:
    """Human-readable reasons the body differs from its spec (empty list when it matches)."""
    body = notice.body
    problems = [f"missing {s!r}" for s in spec.get("body_must_contain", []) if s not in body]
    problems += [f"contains chrome {s!r}" for s in spec.get("body_must_not_contain", []) if s in body]
    problems += [
        f"{s!r} occurs {body.count(s)} times, expected once"
        for s in spec.get("body_occurs_once", [])
        if body.count(s) != 1
    ]
    paragraphs = notice.paragraphs
    if "paragraph_count" in spec and len(paragraphs) != spec["paragraph_count"]:
        problems.append(f"{len(paragraphs)} paragraphs, expected {spec['paragraph_count']}")
    if "first_paragraph" in spec and (not paragraphs or paragraphs[0] != spec["first_paragraph"]):
        problems.append(f"first paragraph {paragraphs[0] if paragraphs else None!r}")
    if "last_paragraph" in spec and (not paragraphs or paragraphs[-1] != spec["last_paragraph"]):
        problems.append(f"last paragraph {paragraphs[-1] if paragraphs else None!r}")
    return problems


def list_problems(notice: Notice, spec: dict[str, Any]) -> list[str]:
    """What differs from a list page's spec: ``items_count``, ``items_first`` (the first rows, in
    order), ``items_last``, ``next_pages`` (each must be among the pages found) and ``cms``."""
    listing = notice.listing
    if listing is None:
        return ["no listing extracted"]
    items = [
        {"url": i.url, "title": i.title, "date": i.date.isoformat() if i.date else None}
        for i in listing.items
    ]
    problems = []
    if "items_count" in spec and len(items) != spec["items_count"]:
        problems.append(f"{len(items)} items, expected {spec['items_count']}")
    first = spec.get("items_first", [])
    if first and items[: len(first)] != first:
        problems.append(f"first items {items[: len(first)]!r}")
    if "items_last" in spec and (items[-1] if items else None) != spec["items_last"]:
        problems.append(f"last item {items[-1] if items else None!r}")
    missing = [u for u in spec.get("next_pages", []) if u not in listing.next_pages]
    if missing:
        problems.append(f"next pages {list(listing.next_pages)[:5]!r} lack {missing!r}")
    if "next_pages" in spec and not spec["next_pages"] and listing.next_pages:
        problems.append(f"next pages {list(listing.next_pages)[:5]!r}, expected none")
    if "cms" in spec and listing.cms != spec["cms"]:
        problems.append(f"cms {listing.cms!r}, expected {spec['cms']!r}")
    return problems


def field_problems(notice: Notice, expected: dict[str, Any]) -> dict[str, str]:
    """field -> what is wrong, for every field the expected record specifies."""
    got = notice.to_dict()
    problems: dict[str, str] = {}
    for name in SCALAR_FIELDS:
        if name in expected and got[name] != expected[name]:
            problems[name] = f"got {got[name]!r}, expected {expected[name]!r}"
    if "citations" in expected and got["citations"] != expected["citations"]:
        problems["citations"] = f"got {got['citations']!r}, expected {expected['citations']!r}"
    if "attachments" in expected:
        pairs = [{"name": a["name"], "url": a["url"]} for a in got["attachments"]]
        if pairs != expected["attachments"]:
            problems["attachments"] = f"got {pairs!r}"
    if "body" in expected:
        body = body_problems(notice, expected["body"])
        if body:
            problems["body"] = "; ".join(body)
    if "outline_paths_include" in expected:
        paths = [n.path for n in iter_nodes(notice.outline)]
        missing = [p for p in expected["outline_paths_include"] if p not in paths]
        if missing:
            problems["outline"] = f"missing paths {missing}"
    if (
        "responsibilities_count" in expected
        and len(notice.responsibilities) != expected["responsibilities_count"]
    ):
        problems["responsibilities"] = (
            f"{len(notice.responsibilities)} found, expected {expected['responsibilities_count']}"
        )
    if "list" in expected:
        listed = list_problems(notice, expected["list"])
        if listed:
            problems["list"] = "; ".join(listed)
    if "warnings_contain" in expected:
        text = " | ".join(notice.warnings)
        missing = [w for w in expected["warnings_contain"] if w not in text]
        if missing:
            problems["warnings"] = f"no warning containing {missing}; got {notice.warnings!r}"
    return problems


def checked_fields(expected: dict[str, Any]) -> list[str]:
    keys = {
        "outline_paths_include": "outline",
        "responsibilities_count": "responsibilities",
        "warnings_contain": "warnings",
    }
    return [keys.get(k, k) for k in expected if keys.get(k, k) in FIELDS]
