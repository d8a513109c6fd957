"""How a cycle ends, where ops look: a Prefect state and an event per failing site.

A cycle in which a site failed (an error, a challenge, maintenance pages: see
:func:`storage.sources.record_cycle_health`) ends in the Completed-type state **SitesFailed**,
whose message names the sites, so its flow-run event ``prefect.flow-run.SitesFailed`` can trigger
an Automation; the report is still the run's result. Each failing site also emits
``policywatch.site.failed`` (resource ``policywatch.site.<slug>``; payload: site, status, error,
consecutive failures, cycle) for Automations per site. docs/deploy.md shows both.

A cycle run in this process (the CLI, the demo, tests) is called through :func:`run_cycle`, which
hands back the report even when Prefect cannot: see there.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from prefect.events import emit_event
from prefect.states import Completed, State

from flows.steps import CycleReport
from storage.sources import SiteFailure

Report = TypeVar("Report", bound=CycleReport)

SITES_FAILED = "SitesFailed"
SITE_FAILED_EVENT = "policywatch.site.failed"


def announce_failing_sites(flow_name: str, cycle_id: str, failing: Sequence[SiteFailure]) -> None:
    """One ``policywatch.site.failed`` event per failing site."""
    for failure in failing:
        emit_event(
            event=SITE_FAILED_EVENT,
            resource={
                "prefect.resource.id": f"policywatch.site.{failure.site}",
                "prefect.resource.name": failure.site,
            },
            payload={**dataclasses.asdict(failure), "cycle_id": cycle_id, "flow": flow_name},
        )


# The reports of the latest cycles this process ran, by cycle id; a long-lived process that serves
# deployments never reads them, hence the bound.
_FINISHED: OrderedDict[str, CycleReport] = OrderedDict()
_FINISHED_KEPT = 16
_FINISHED_LOCK = threading.Lock()


def cycle_outcome(report: CycleReport, failing: Sequence[SiteFailure]) -> Any:
    """The flow's return value: the report itself, or a SitesFailed state carrying it."""
    with _FINISHED_LOCK:
        _FINISHED[report.cycle_id] = report
        while len(_FINISHED) > _FINISHED_KEPT:
            _FINISHED.popitem(last=False)
    if not failing:
        return report
    names = ", ".join(f"{f.site} ({f.status})" for f in failing)
    return Completed(name=SITES_FAILED, message=f"{len(failing)} site(s) failed: {names}", data=report)


def run_cycle(cycle_flow: Callable[..., Report], **parameters: Any) -> Report:
    """Run a cycle flow in this process and return its report.

    A flow that returns a state (SitesFailed) gets its result from the state the API answered with.
    When the set-state request was retried (its first answer lost to a timeout on a busy server), the
    API answers the retry as a duplicate with the stored state, whose data is empty since results
    are not persisted, and calling the flow raises MissingResult although the cycle finished. The
    report this process made is returned instead; a failed run still raises its error.
    """
    state: State[Report] = cycle_flow(**parameters, return_state=True)  # type: ignore[assignment]
    with _FINISHED_LOCK:
        report = _FINISHED.pop(str(state.state_details.flow_run_id), None)
    if report is not None and state.is_completed():
        return report  # type: ignore[return-value]
    return state.result()  # type: ignore[return-value]
