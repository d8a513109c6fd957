"""The normalize-and-diff stage: stored snapshots -> Notice -> version -> Change -> outbox.

It calls the pure stages (notices.extract, changes.detect, changes.grouping, changes.alerting) and
writes through storage/. Snapshots are written in groups, one transaction per group and a savepoint
per snapshot, and a change is written together with its pending deliveries (the outbox), so a crash
never leaves a change without its alerts or an alert without its change.

- :mod:`ingest.batch`: the run, batch after batch, one transaction per group of pages; site baselines
- :mod:`ingest.snapshot`: one snapshot, by kind of page (:mod:`ingest.missing` for 404/410,
  :mod:`ingest.notice` for notices); :mod:`ingest.recording` stores a change and queues its alerts
- :mod:`ingest.policies`: which policy a new notice publishes, across sources
- :mod:`ingest.extraction` and :mod:`ingest.workers`: notices.extract, in-process or in workers
- :mod:`ingest.report`: what a run did

Nothing is imported here: extraction worker processes import this package, and need none of the
writing side (the outbox pulls in the alerts stage).
"""
