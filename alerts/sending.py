"""One pass of one worker over the outbox: claim a batch, send it concurrently, settle it.

A batch of due deliveries is claimed in one statement and read in one session; each message is
rendered once per change (or digest) and channel and each URL resolved and masked once per pass;
the messages go out on a bounded pool of threads (:mod:`alerts.dispatch`), and their results are
committed in groups, one transaction (one statement) per group. A delivery is settled ``sent`` only
in the commit that records its last URL's success. See docs/alerts.md for the guarantees.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from alerts.context import AlertContext, load_alert_context
from alerts.dispatch import DEFAULT_CONCURRENCY, DEFAULT_WINDOW, Finished, dispatch
from alerts.lease import Clock, Renewals, heartbeat
from alerts.notify import Notifier, apprise_notify
from alerts.render import Channel, RenderedMessage, channel_for_url
from alerts.results import SendReport, UrlResult
from alerts.secrets import SecretReferenceError, mask_url, resolve_url, scrub, secret_parts
from alerts.send_jobs import Job, Mode, PassUrl, Send, backoff
from alerts.subscription_urls import SubscriptionUrls
from alerts.subscriptions import SubscriptionConfig, config_from_stored
from storage import outbox as store

log = logging.getLogger(__name__)

DEFAULT_BATCH = 100  # deliveries claimed (and read) in one statement


@dataclass
class Sender:
    """One pass of one worker over the outbox: claim a batch, send it, settle it, count it.

    ``clock`` gives the time of each step (claims, renewals, settling), never the pass's start time.
    Within a pass each URL is resolved and masked once, and each message is rendered once per change
    and channel, whatever the number of subscribers it goes to."""

    session_factory: sessionmaker[Session]
    worker_id: str
    clock: Clock
    lease: timedelta
    max_attempts: int
    notifier: Notifier
    resolver: SubscriptionUrls
    batch_size: int = DEFAULT_BATCH
    concurrency: int = DEFAULT_CONCURRENCY
    window: int = DEFAULT_WINDOW
    report: SendReport = field(default_factory=SendReport)
    _urls: dict[tuple[str, str], PassUrl] = field(default_factory=dict, init=False)
    _messages: dict[tuple[str, tuple[int, ...], Channel], RenderedMessage] = field(
        default_factory=dict, init=False
    )
    _contexts: dict[int, AlertContext] = field(default_factory=dict, init=False)
    _settled: set[int] = field(default_factory=set, init=False)  # delivery ids the last commit settled
    _renewals: Renewals = field(default_factory=lambda: Renewals([]), init=False)  # the batch's heartbeat
    _results: Session = field(init=False)  # the batch's results are written through it (autocommitting)

    @classmethod
    def start(
        cls,
        session_factory: sessionmaker[Session],
        worker_id: str | None,
        now: datetime | None,
        lease: timedelta,
        max_attempts: int,
        notifier: Notifier | None,
        subscriptions: Sequence[SubscriptionConfig] | None,
        *,
        batch_size: int = DEFAULT_BATCH,
        concurrency: int = DEFAULT_CONCURRENCY,
        window: int = DEFAULT_WINDOW,
    ) -> Sender:
        return cls(
            session_factory,
            worker_id or default_worker_id(),
            Clock.starting_at(now),
            lease,
            max_attempts,
            notifier or apprise_notify,
            SubscriptionUrls(subscriptions),
            batch_size,
            concurrency,
            window,
        )

    def run(self, batches: Iterator[list[Job]], mode: Mode) -> SendReport:
        """Send each batch as it is claimed; one broken batch never stops the others (its lease expires)."""
        for jobs in batches:
            self.report.claimed += sum(len(job.claims) for job in jobs)
            try:
                self._deliver(jobs, mode)
            except Exception as exc:
                label = f"{jobs[0].label} … {jobs[-1].label}" if len(jobs) > 1 else jobs[0].label
                log.exception("%s could not be processed", label)
                self.report.errors.append(f"{label}: {type(exc).__name__}")
        if self.report.claimed:
            log.info(
                "outbox worker %s: claimed %d, sent %d, retrying %d, failed %d",
                self.worker_id,
                self.report.claimed,
                self.report.sent,
                self.report.retrying,
                self.report.failed,
            )
        return self.report

    def pending(self, limit: int) -> Iterator[list[Job]]:
        """Due deliveries (and stale claims), claimed ``batch_size`` at a time (one statement, one
        commit) right before they are sent: a worker that dies strands at most the batch in flight
        until its lease expires."""
        claimed = 0
        while claimed < limit:
            with self.session_factory() as session, session.begin():
                held = store.claim_due(
                    session,
                    worker_id=self.worker_id,
                    now=self.clock.now(),
                    lease=self.lease,
                    limit=min(self.batch_size, limit - claimed),
                )
            if not held:
                return
            claimed += len(held)
            yield [Job([h], h.subscription_id, f"delivery {h.delivery_id}") for h in held]

    def digests(self) -> Iterator[list[Job]]:
        """Every digest subscription's due deliveries, claimed together (one transaction) right
        before they are sent: one job (one message per URL) per subscription, all sent concurrently."""
        with self.session_factory() as session:
            groups = store.digest_groups(session, self.clock.now())
            session.rollback()
        if not groups:
            return
        jobs = []
        with self.session_factory() as session, session.begin():
            now = self.clock.now()
            for subscription_id, rows in groups.items():
                taken = [
                    store.claim(
                        session,
                        delivery_id,
                        status="digest",
                        worker_id=self.worker_id,
                        now=now,
                        lease=self.lease,
                    )
                    for delivery_id, _ in rows
                ]
                mine = [held for held in taken if held is not None]
                if mine:
                    jobs.append(Job(mine, subscription_id, f"digest {subscription_id}"))
        if jobs:
            yield jobs

    # ---------------------------------------------------------------------------------- one batch

    def _deliver(self, jobs: list[Job], mode: Mode) -> None:
        """Send a claimed batch: read it (one session), send every message concurrently, record the
        results in groups (one transaction per group), settle each job once all its URLs are done."""
        jobs, sends = self._prepare(jobs, mode)
        every_claim = [held for job in jobs for held in job.claims]
        ready = [job for job in jobs if job.unsent == 0]  # nothing to send: every URL done or unusable
        # A job's claims leave the heartbeat as it is settled: a renewal racing the settle would only
        # find the rows gone and report them lost.
        with (
            store.autocommitting(self.session_factory) as self._results,
            heartbeat(
                self.session_factory,
                every_claim,
                worker_id=self.worker_id,
                clock=self.clock,
                lease=self.lease,
            ) as self._renewals,
        ):
            if ready:
                self._commit([outcome for job in ready for outcome in self._final(job, mode)])
            dispatch(
                sends,
                self._send,
                lambda finished: self._record(finished, mode),
                skip=lambda send: send.job.lost,
                concurrency=self.concurrency,
                window=self.window,
            )

    def _prepare(self, jobs: list[Job], mode: Mode) -> tuple[list[Job], list[Send]]:
        """The batch's rows (one session), and one send per job and URL not yet delivered. A job
        that cannot be prepared (its change is gone, its message does not render) is reported and
        left claimed: its lease expires and it is tried again, without holding up the others."""
        ids = [i for job in jobs for i in job.delivery_ids]
        with self.session_factory() as session:
            claims = store.claimed_rows(session, ids)
            configs = store.subscription_configs(session, list({job.subscription_id for job in jobs}))
            broken: dict[int, str] = {}
            for change_id in dict.fromkeys(c.change_id for c in claims.values()):
                if change_id not in self._contexts:
                    try:
                        self._contexts[change_id] = load_alert_context(session, change_id)
                    except Exception as exc:
                        log.exception("change %d could not be read for its alerts", change_id)
                        broken[change_id] = type(exc).__name__
            session.rollback()
        ready: list[Job] = []
        sends: list[Send] = []
        for job in jobs:
            try:
                rows = [claims[i] for i in job.delivery_ids]
                problem = next((broken[r.change_id] for r in rows if r.change_id in broken), None)
                if problem:
                    raise LookupError(problem)
                job_sends = self._job_sends(job, rows, configs[job.subscription_id], mode)
            except Exception as exc:
                if not isinstance(exc, LookupError):
                    log.exception("%s could not be processed", job.label)
                self.report.errors.append(
                    f"{job.label}: {exc if isinstance(exc, LookupError) else type(exc).__name__}"
                )
                continue
            ready.append(job)
            sends += job_sends
        return ready, sends

    def _job_sends(self, job: Job, rows: list[store.Claim], config: dict[str, Any], mode: Mode) -> list[Send]:
        """One send per URL of the job's subscription not yet delivered (results of URLs that cannot
        be used are recorded on the job)."""
        done: dict[str, dict[str, Any]] = {}
        for row in rows:
            done.update({r["key"]: r for r in row.results if r.get("ok")})
        job.results = list(done.values())
        stored = config_from_stored(config)
        change_ids = tuple(row.change_id for row in rows)
        sends = []
        for raw in self.resolver.urls(stored):
            url = self._url(stored, raw)
            if url.url is None:
                job.all_ok = False
                job.record(
                    UrlResult(
                        url.masked, url.masked, False, url.problem, self.clock.now().isoformat()
                    ).to_dict()
                )
                self.report.errors.append(f"delivery {job.delivery_ids[0]}: {url.masked}: {url.problem}")
                continue
            if url.key in done:
                continue
            sends.append(Send(job, url, self._message(mode, change_ids, channel_for_url(url.url))))
        job.unsent = len(sends)
        return sends

    def _url(self, stored: SubscriptionConfig, raw: str) -> PassUrl:
        """``raw`` resolved and masked, once per pass (a reference's secret is read at most once)."""
        cached = self._urls.get((stored.name, raw))
        if cached is None:
            masked = mask_url(raw)
            try:
                url = resolve_url(raw)
                problem = self.resolver.missing(stored, url)
                if problem:
                    raise SecretReferenceError(problem)
                cached = PassUrl(raw, masked, url)
            except SecretReferenceError as exc:
                cached = PassUrl(raw, masked, None, str(exc))
            self._urls[(stored.name, raw)] = cached
        return cached

    def _message(self, mode: Mode, change_ids: tuple[int, ...], channel: Channel) -> RenderedMessage:
        """The message about ``change_ids`` for ``channel``, rendered once per pass."""
        key = (mode.retry_status, change_ids, channel)
        message = self._messages.get(key)
        if message is None:
            message = mode.render([self._contexts[i] for i in change_ids], channel)
            self._messages[key] = message
            self.report.rendered += 1
        return message

    def _send(self, send: Send) -> dict[str, Any]:
        """One message to one URL (in a pool thread): its per-URL result, masked."""
        assert send.url.url is not None
        try:
            ok, error = self.notifier(send.url.url, send.message)
        except Exception as exc:  # a broken plugin must not stop the other URLs
            ok, error = False, scrub(f"{type(exc).__name__}: {exc}", secret_parts(send.url.url))
        return UrlResult(send.url.key, send.url.masked, ok, error, datetime.now(UTC).isoformat()).to_dict()

    def _record(self, finished: list[Finished[Send, dict[str, Any]]], mode: Mode) -> None:
        """Commit a group of results in one transaction: a job whose URLs are all done is settled;
        one with sends still out records its progress (so a crash resends only those)."""
        touched: dict[int, Job] = {}
        for item in finished:
            job = item.task.job
            job.unsent -= 1
            touched[id(job)] = job
            result = item.result
            if result is None:  # skipped: the claim was lost, or a send broke; not delivered
                job.all_ok = False
                continue
            job.record(result)
            job.all_ok &= bool(result["ok"])
            if not result["ok"]:
                self.report.errors.append(
                    f"delivery {job.delivery_ids[0]}: {result['url']}: {result['error']}"
                )
        outcomes: list[store.Outcome] = []
        progressing: list[Job] = []
        for job in touched.values():
            if job.lost:
                continue
            if job.unsent == 0:
                outcomes += self._final(job, mode)
                self._renewals.release(job.claims)
            else:
                # Progress: a crash from here on resends only later URLs.
                outcomes += [store.Outcome(held, "sending", job.results) for held in job.claims]
                progressing.append(job)
        self._commit(outcomes)
        for job in progressing:
            # A claim taken over meanwhile belongs to its new holder, who sends the remaining URLs.
            if not any(held.delivery_id in self._settled for held in job.claims):
                log.warning("%s was taken over by another sender; leaving the rest to it", job.label)
                job.lost = True
                self.report.lost_claims += len(job.claims)

    def _final(self, job: Job, mode: Mode) -> list[store.Outcome]:
        """How each claim of a job whose URLs are all done is settled: sent, retry later, or failed."""
        now = self.clock.now()
        outcomes = []
        for held in job.claims:
            if job.all_ok:
                outcomes.append(store.Outcome(held, "sent", job.results))
            elif held.attempt >= self.max_attempts:
                outcomes.append(
                    store.Outcome(held, "failed", job.results, last_error=_last_error(job.results))
                )
            else:
                outcomes.append(
                    store.Outcome(
                        held,
                        mode.retry_status,
                        job.results,
                        next_attempt_at=now + backoff(held.attempt),
                        last_error=_last_error(job.results),
                    )
                )
        return outcomes

    def _commit(self, outcomes: list[store.Outcome]) -> None:
        """Record ``outcomes`` in one statement (committed as it returns), and count the final ones."""
        self._settled = store.settle_many(
            self._results, outcomes, worker_id=self.worker_id, now=self.clock.now()
        )
        for outcome in outcomes:
            if outcome.status == "sending":
                continue
            if outcome.held.delivery_id not in self._settled:
                self.report.lost_claims += 1
            elif outcome.status in ("sent", "failed"):
                setattr(self.report, outcome.status, getattr(self.report, outcome.status) + 1)
            else:
                self.report.retrying += 1


def _last_error(results: Sequence[dict[str, Any]]) -> str | None:
    errors = [f"{r['url']}: {r['error']}" for r in results if not r.get("ok")]
    return "; ".join(errors)[:2000] if errors else None


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"
