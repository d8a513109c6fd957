"""Site leases on SQLite and PostgreSQL: one holder at a time, renewed while held, free once expired.

The scenarios are in lease_cases.yaml; the race runs real processes that ask for the same free
site's lease at the same instant.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from storage import leases
from storage.db import session_factory

CASES = yaml.safe_load((Path(__file__).with_name("lease_cases.yaml")).read_text(encoding="utf-8"))
TTL = timedelta(seconds=60)
T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_lease_scenario(database_url: str, case: dict[str, Any]) -> None:
    sessions = session_factory(database_url)
    for step in case["steps"]:
        now = T0 + timedelta(seconds=step["at"])
        with sessions() as session, session.begin():
            if step["op"] == "acquire":
                assert leases.acquire(session, "site", step["holder"], TTL, now=now) is step["expect"], step
            elif step["op"] == "renew":
                held = leases.renew(session, ["site"], step["holder"], TTL, now=now)
                assert held == set(step["expect"]), step
            else:
                leases.release(session, ["site"], step["holder"])
        with sessions() as session:
            holder = leases.current_holder(session, "site", now=now)
        assert (holder.holder if holder else None) == step["holder_after"], step


RACER = """
import json, sys, time
from datetime import timedelta
from storage import leases
from storage.db import session_factory
url, holder, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
sessions = session_factory(url)
time.sleep(max(0.0, start - time.time()))
won = []
for slug in [f"site-{i}" for i in range(20)]:
    with sessions() as session, session.begin():
        if leases.acquire(session, slug, holder, timedelta(minutes=5)):
            won.append(slug)
print(json.dumps(won))
"""


def test_two_processes_asking_at_once_get_each_site_exactly_once(database_url: str) -> None:
    session_factory(database_url)  # migrated before the race: only the leases are raced here
    start = time.time() + 3
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, database_url, holder, str(start)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for holder in ("A", "B")
    ]
    outputs = [racer.communicate(timeout=60) for racer in racers]
    for racer, (_out, err) in zip(racers, outputs, strict=True):
        assert racer.returncode == 0 and "Traceback" not in err, err
    won = [json.loads(out) for out, _err in outputs]
    assert sorted(won[0] + won[1]) == sorted(f"site-{i}" for i in range(20))
