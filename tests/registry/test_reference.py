"""docs/sites.md is the schema's own reference: generated from sites/schema.py, and complete."""

from __future__ import annotations

from pathlib import Path

from sites.reference import markdown_reference
from sites.schema import Politeness, Site

DOC = Path(__file__).resolve().parents[2] / "docs" / "sites.md"


def test_docs_sites_md_is_generated_from_the_schema() -> None:
    assert DOC.read_text(encoding="utf-8") == markdown_reference(), (
        "docs/sites.md is stale: run `.venv/bin/python -m sites.reference > docs/sites.md`"
    )


def test_every_key_of_a_site_file_is_explained() -> None:
    for model in (Site, Politeness):
        for name, info in model.model_fields.items():
            assert info.description or name == "flavour", f"{model.__name__}.{name} has no description"
