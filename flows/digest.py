"""The digest flow: one message per digest subscriber with the day's alerts.

Subscribers with ``mode = "digest"`` get their deliveries queued with status ``digest`` and a due
time at their ``digest_time`` (Asia/Shanghai, default 08:30); this flow sends whatever is due.
Scheduled daily just after 08:30 Shanghai time in prefect.yaml. Every monitor and recheck cycle
sends the due digests too (flows.steps.send_alerts), so other digest times hold within a cycle.
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.runtime import flow_run

from alerts.results import SendReport


@task(retries=3, retry_delay_seconds=[30, 120, 600], task_run_name="send digests")
def send_digests(worker_id: str) -> SendReport:
    """Send every due digest; retried only if the database or the sender itself fails."""
    from alerts.outbox import send_digests as send_due_digests
    from storage.db import session_factory

    return send_due_digests(session_factory(), worker_id=worker_id)


@flow(name="digest", log_prints=True)
def digest() -> SendReport:
    """Send the due digests (one message per subscriber, every due alert in it)."""
    logger = get_run_logger()
    worker_id = f"digest:{flow_run.get_id() or 'local'}"
    report = send_digests(worker_id)
    logger.info(
        "digests: %s alerts claimed, %s sent, %s retrying, %s failed",
        report.claimed,
        report.sent,
        report.retrying,
        report.failed,
    )
    return report
