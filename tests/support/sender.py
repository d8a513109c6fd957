"""Run one outbox sender in its own process: ``python -m tests.support.sender DB_URL SUBSCRIPTIONS WORKER``.

Prints the SendReport as JSON. ``--crash-after-notify N`` exits the process (status 17) right after
the N-th notification returns, before its result is committed: a worker killed mid-send.
``--start-with N --ready-dir DIR`` waits until N senders are ready before it claims anything, so
that concurrent senders really run at the same time. ``--lease SECONDS`` sets the outbox lease;
``--batch``, ``--concurrency`` and ``--window`` the claim batch, the sending threads and the window of
messages sent before their result is committed (``--batch 1 --concurrency 1 --window 1``: one by one).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from alerts.dispatch import DEFAULT_CONCURRENCY, DEFAULT_WINDOW
from alerts.notify import Notifier, apprise_notify
from alerts.outbox import DEFAULT_BATCH, DEFAULT_LEASE, send_pending
from alerts.render import RenderedMessage
from alerts.subscriptions import load_subscriptions
from storage.db import session_factory

CRASH_STATUS = 17


def crashing_after(count: int, notify: Notifier = apprise_notify) -> Notifier:
    """``notify``, but the process dies as the ``count``-th call returns (the message was accepted).
    Safe when the outbox calls it from several threads at once."""
    calls = 0
    lock = threading.Lock()

    def wrapped(url: str, message: RenderedMessage) -> tuple[bool, str | None]:
        nonlocal calls
        outcome = notify(url, message)
        with lock:
            calls += 1
            if calls >= count:
                os._exit(CRASH_STATUS)
        return outcome

    return wrapped


def wait_for_peers(ready_dir: Path, worker_id: str, parties: int, timeout: float = 60.0) -> None:
    """Say this sender is ready, then wait until ``parties`` senders have said so."""
    ready_dir.mkdir(parents=True, exist_ok=True)
    (ready_dir / f"{worker_id}.ready").touch()
    deadline = time.monotonic() + timeout
    while len(list(ready_dir.glob("*.ready"))) < parties:
        if time.monotonic() > deadline:
            raise SystemExit(f"sender {worker_id}: the other senders were not ready within {timeout:.0f} s")
        time.sleep(0.01)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.sender")
    parser.add_argument("db_url")
    parser.add_argument("subscriptions", type=Path)
    parser.add_argument("worker_id")
    parser.add_argument("--crash-after-notify", type=int, default=None)
    parser.add_argument("--start-with", type=int, default=1)
    parser.add_argument("--ready-dir", type=Path, default=None)
    parser.add_argument("--lease", type=float, default=DEFAULT_LEASE.total_seconds())
    parser.add_argument("--batch", type=int, default=DEFAULT_BATCH)
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument("--window", type=int, default=DEFAULT_WINDOW)
    args = parser.parse_args(argv)
    notifier = crashing_after(args.crash_after_notify) if args.crash_after_notify else None
    factory = session_factory(args.db_url)
    configs = load_subscriptions(args.subscriptions)
    if args.ready_dir is not None:
        wait_for_peers(args.ready_dir, args.worker_id, args.start_with)
    report = send_pending(
        factory,
        worker_id=args.worker_id,
        subscriptions=configs,
        notifier=notifier,
        lease=timedelta(seconds=args.lease),
        batch_size=args.batch,
        concurrency=args.concurrency,
        window=args.window,
    )
    print(json.dumps(dataclasses.asdict(report)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
