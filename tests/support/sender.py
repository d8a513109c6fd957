"""Run one outbox sender in its own process: ``python -m tests.support.sender DB_URL SUBSCRIPTIONS WORKER``.

Prints the SendReport as JSON. With $POLICYWATCH_OUTBOX_CRASH_AFTER_NOTIFY=N it exits (status 17)
right after the N-th notify returns, before the result is committed: a worker killed mid-send.
"""

from __future__ import annotations

import dataclasses
import json
import sys

from alerts.outbox import send_pending
from alerts.subscriptions import load_subscriptions
from storage.db import session_factory


def main(argv: list[str]) -> int:
    db_url, subscriptions, worker_id = argv[:3]
    report = send_pending(
        session_factory(db_url), worker_id=worker_id, subscriptions=load_subscriptions(subscriptions)
    )
    print(json.dumps(dataclasses.asdict(report)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
