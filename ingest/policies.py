"""Which policy a new notice publishes: the same doc number, or near-identical text from another source.

One policy may be published by several sources; its first alert lists them all, and a repost is
not alerted again (see changes.alerting).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from changes.grouping import fingerprint, normalize_doc_number, same_policy
from notices.model import Notice as NoticeRecord
from storage import versions as version_store
from storage.models import Notice, Source

# SimHash bits two near-duplicate bodies may differ in before the exact comparison is even tried.
NEAR_DUPLICATE_BITS = 12
# How many of the newest fingerprinted policies a new notice is compared with.
NEAR_DUPLICATE_CANDIDATES = 5000


class PolicyIndex:
    """The newest fingerprinted policies and the sources publishing them, kept for one ingest run.

    Loaded on first use, then topped up before each lookup with the policies the session sees: those
    committed since (by this run or a concurrent one) and those created earlier in the open
    transaction, so a repost is grouped with an original written just before it in the same group
    of pages. A transaction (or savepoint) that rolls back takes its policies out again
    (:meth:`rollback_to`), so they are never compared after it. The member sources only save
    queries: they may lag the database (members added by another process), never lead it (this
    run's are added once their transaction has committed), and a candidate is checked against the
    database before it is accepted.
    """

    def __init__(self, size: int = NEAR_DUPLICATE_CANDIDATES) -> None:
        self.size = size
        self._ids: list[int] = []  # ascending
        self._prints: list[int] = []
        self._sources: dict[int, set[int]] = {}
        self._last_id: int | None = None
        self._staged: list[tuple[int, int]] = []

    def refresh(self, session: Session) -> None:
        if self._last_id is None:
            newest = version_store.newest_policy_fingerprints(session, self.size)
            self._add(newest)
            self._last_id = newest[-1][0] if newest else 0
            if newest:
                for policy_id, source_id in version_store.policy_member_sources(session, newest[0][0]):
                    if policy_id in self._sources:
                        self._sources[policy_id].add(source_id)
            return
        added = version_store.policy_fingerprints_after(session, self._last_id)
        if added:
            self._last_id = added[-1][0]
            self._add(added)

    def _add(self, rows: Sequence[tuple[int, str | None]]) -> None:
        for policy_id, print_ in rows:
            if print_ is not None:
                self._ids.append(policy_id)
                self._prints.append(int(print_, 16))
                self._sources.setdefault(policy_id, set())
        if len(self._ids) > 2 * self.size:  # only the newest ``size`` are ever compared
            for policy_id in self._ids[: -self.size]:
                self._sources.pop(policy_id, None)
            del self._ids[: -self.size], self._prints[: -self.size]

    def near(self, print_: str) -> list[int]:
        """Policies within NEAR_DUPLICATE_BITS of ``print_`` among the newest
        NEAR_DUPLICATE_CANDIDATES, newest first."""
        target = int(print_, 16)
        first = max(0, len(self._prints) - self.size)
        return [
            policy_id
            for policy_id, other in zip(
                reversed(self._ids[first:]), reversed(self._prints[first:]), strict=True
            )
            if (other ^ target).bit_count() <= NEAR_DUPLICATE_BITS
        ]

    def has_member_from(self, policy_id: int, source_id: int) -> bool:
        return source_id in self._sources.get(policy_id, ())

    def stage_member(self, policy_id: int, source_id: int) -> None:
        """A notice of ``source_id`` joined (or founded) ``policy_id`` in the open transaction."""
        self._staged.append((policy_id, source_id))

    def commit_staged(self) -> None:
        """The open transaction committed: its members are known from now on."""
        for policy_id, source_id in self._staged:
            # Before the first load, the load reads them; after it, only indexed policies (and the
            # ones about to be read by the next refresh) need them.
            if self._last_id is not None and (policy_id > self._last_id or policy_id in self._sources):
                self._sources.setdefault(policy_id, set()).add(source_id)
        self._staged.clear()

    def discard_staged(self) -> None:
        self._staged.clear()

    def savepoint(self) -> IndexPoint:
        """Where the index stands, to come back to if the transaction or savepoint opened now rolls back."""
        return IndexPoint(staged=len(self._staged), last_id=self._last_id)

    def rollback_to(self, point: IndexPoint) -> None:
        """The transaction or savepoint opened at ``point`` rolled back: forget the members it staged
        and the policies read since (they may have been its own, and SQLite reuses their ids)."""
        del self._staged[point.staged :]
        if point.last_id is None:
            self._ids, self._prints, self._sources, self._last_id = [], [], {}, None
            return
        if self._last_id is None or self._last_id <= point.last_id:
            return
        keep = bisect.bisect_right(self._ids, point.last_id)
        for policy_id in self._ids[keep:]:
            self._sources.pop(policy_id, None)
        del self._ids[keep:], self._prints[keep:]
        self._last_id = point.last_id


@dataclass(frozen=True)
class IndexPoint:
    """A :class:`PolicyIndex`'s state when a transaction or savepoint was opened."""

    staged: int
    last_id: int | None


def assign_policy(
    session: Session,
    notice: Notice,
    source: Source,
    record: NoticeRecord,
    *,
    print_: str | None = None,
    policies: PolicyIndex | None = None,
) -> bool:
    """Attach the notice to an existing policy or to a new one; True when a new policy was created.

    An existing policy is joined when it has the same doc number, or when its text is a near
    duplicate (:func:`changes.grouping.same_policy`), its doc number does not differ, and it is
    published by other sources only: a different 文号, or a second notice of the same source, is a
    policy of its own, however alike the bodies (even with an identical fingerprint).

    ``print_``: the record's fingerprint when the caller has it; ``policies``: the run's index
    (None loads one for this call)."""
    if notice.policy_id is not None:
        return False
    print_ = print_ or fingerprint(record)
    doc_key = normalize_doc_number(record.doc_number) or None
    policy_id = _same_doc_number(session, doc_key)
    if policy_id is None:
        index = policies if policies is not None else PolicyIndex()
        policy_id = _near_duplicate(session, index, source, record, print_)
    created = policy_id is None
    if policy_id is None:
        policy_id = version_store.create_policy(
            session, doc_number=doc_key, title=record.title or "", fingerprint=print_
        ).id
    if policies is not None:
        policies.stage_member(policy_id, source.id)
    notice.policy_id = policy_id
    return created


def _same_doc_number(session: Session, doc_key: str | None) -> int | None:
    if not doc_key:
        return None
    policy = version_store.find_policy(session, doc_number=doc_key, fingerprint=None)
    return policy.id if policy is not None else None


def _near_duplicate(
    session: Session, index: PolicyIndex, source: Source, record: NoticeRecord, print_: str
) -> int | None:
    """The policy whose text ``record`` reposts from another source, or None."""
    exact = version_store.find_policy(session, doc_number=None, fingerprint=print_)
    index.refresh(session)
    # An identical fingerprint first (it may be older than the index), then SimHash neighbours; the
    # distance is a cheap pre-filter and same_policy decides.
    candidates = ([exact.id] if exact is not None else []) + index.near(print_)
    for candidate_id in dict.fromkeys(candidates):
        if index.has_member_from(candidate_id, source.id):
            continue
        if source.id in version_store.policy_member_sources_of(session, candidate_id):
            continue  # two pages of one site are two documents unless their doc numbers agree
        other = _policy_record(session, candidate_id)
        if other is not None and same_policy(other, record):
            return candidate_id
    return None


def _policy_record(session: Session, policy_id: int) -> NoticeRecord | None:
    record = version_store.policy_first_record(session, policy_id)
    return NoticeRecord.from_dict(record) if record is not None else None
