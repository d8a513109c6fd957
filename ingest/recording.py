"""Store one detected change with its alert decision, and queue its deliveries in the same transaction."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy.orm import Session

from alerts.outbox import enqueue
from changes.alerting import decide_alert
from changes.model import Change
from ingest.report import ChangeRow, IngestReport
from storage import versions as version_store
from storage.models import Notice, Source, Subscription

log = logging.getLogger(__name__)


def record_change(
    session: Session,
    notice: Notice,
    source: Source,
    detected: Change,
    *,
    from_version_id: int | None,
    to_version_id: int | None,
    title: str | None,
    subscriptions: Sequence[Subscription] | None,
    report: IngestReport,
    new_policy: bool = False,
) -> None:
    """Store ``detected`` (its detail is exactly ``detected.to_dict()``) and, when it is alerted, one
    delivery per matching subscription (None: every active one).

    ``title``: the notice's title for the report; ``new_policy``: the notice's policy was created
    in this transaction (so no change of it can have been alerted yet)."""
    decision = decide_alert(
        detected,
        baseline_done=source.baseline_at is not None,
        policy_just_created=new_policy,
        policy_alerted_as_new=lambda: (
            notice.policy_id is not None and version_store.policy_has_alerted_new(session, notice.policy_id)
        ),
    )
    row = version_store.add_change(
        session,
        notice,
        kind=detected.kind.value,
        priority=detected.priority,
        summary=detected.summary,
        detail=detected.to_dict(),
        from_version_id=from_version_id,
        to_version_id=to_version_id,
        alerted=decision.alerted,
    )
    if not decision.alerted:
        log.debug("change %s of %s is not alerted: %s", row.id, notice.url, decision.reason)
    elif subscriptions is None or len(subscriptions) > 0:
        report.deliveries_queued += enqueue(session, row, subscriptions)
    report.changes.append(
        ChangeRow(
            change_id=row.id,
            kind=row.kind,
            source=source.slug,
            url=notice.url,
            title=title,
            summary=row.summary,
            alerted=decision.alerted,
        )
    )
