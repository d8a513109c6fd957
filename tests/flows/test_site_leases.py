"""A cycle's site leases: held past their TTL while the cycle runs, skipped by a second cycle, free once given back."""

from __future__ import annotations

import time
from datetime import timedelta

from flows.site_leases import SKIPPED, SiteLeases
from storage import leases
from storage.db import session_factory


def test_a_cycle_keeps_its_sites_past_the_ttl_and_a_second_cycle_skips_them(pipeline_env: str) -> None:
    first = SiteLeases("cycle-1", ttl=timedelta(seconds=1))
    second = SiteLeases("cycle-2", ttl=timedelta(seconds=1))
    assert first.take(["hainan", "guangdong"]) == ["hainan", "guangdong"]
    try:
        time.sleep(2.5)  # over twice the TTL: only renewal keeps the leases
        assert second.take(["hainan", "guangdong", "qinghai"]) == ["qinghai"]
        assert [(s.slug, s.status) for s in second.skipped] == [("hainan", SKIPPED), ("guangdong", SKIPPED)]
        assert all(
            "another run is crawling it" in str(s.error) and "cycle-1" in str(s.error) for s in second.skipped
        )
    finally:
        first.release()
        second.release()
    with session_factory()() as session:
        assert all(
            leases.current_holder(session, slug) is None for slug in ("hainan", "guangdong", "qinghai")
        )
