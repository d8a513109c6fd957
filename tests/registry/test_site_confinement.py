"""Which URLs and addresses a site's crawl may reach: the pure rule of sites.confinement, case by case."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from sites import Site
from sites.confinement import address_refusal, literal_address

HERE = Path(__file__).parent
URL_CASES: list[dict[str, Any]] = yaml.safe_load(
    (HERE / "confinement_cases.yaml").read_text(encoding="utf-8")
)
ADDRESS_CASES: list[dict[str, Any]] = yaml.safe_load(
    (HERE / "address_cases.yaml").read_text(encoding="utf-8")
)


def _site(fields: dict[str, Any]) -> Site:
    return Site.model_validate(
        {
            "slug": "x",
            "name": "X",
            "region": "R",
            "level": "city",
            "flavour": "trs",
            "list_urls": ["/a/"],
            **fields,
        }
    )


def _matches(expected: str | None, reason: str | None) -> bool:
    return reason is None if expected is None else reason is not None and expected in reason


@pytest.mark.parametrize("case", URL_CASES, ids=[c["id"] for c in URL_CASES])
def test_url_refusal(case: dict[str, Any]) -> None:
    if "load_error" in case:
        with pytest.raises(ValueError, match=case["load_error"]):
            _site(case["site"])
        return
    reason = _site(case["site"]).url_refusal(case["url"])
    assert _matches(case["refused"], reason), reason


@pytest.mark.parametrize("case", ADDRESS_CASES, ids=[c["id"] for c in ADDRESS_CASES])
def test_address_refusal(case: dict[str, Any]) -> None:
    address = literal_address(case["host"])
    for allowed, expected in ((False, case["refused"]), (True, case["refused_when_allowed"])):
        reason = address_refusal(address, allow_private_network=allowed) if address is not None else None
        assert _matches(expected, reason), (allowed, reason)
