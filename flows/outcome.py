"""How a cycle ends, where ops look: a Prefect state and an event per failing site.

A cycle in which a site failed (an error, a challenge, maintenance pages: see
:func:`storage.sources.record_cycle_health`) ends in the Completed-type state **SitesFailed**,
whose message names the sites, so its flow-run event ``prefect.flow-run.SitesFailed`` can trigger
an Automation; the report is still the run's result. Each failing site also emits
``policywatch.site.failed`` (resource ``policywatch.site.<slug>``; payload: site, status, error,
consecutive failures, cycle) for Automations per site. docs/deploy.md shows both.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from prefect.events import emit_event
from prefect.states import Completed

from storage.sources import SiteFailure

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


def cycle_outcome(report: Any, failing: Sequence[SiteFailure]) -> Any:
    """The flow's return value: the report itself, or a SitesFailed state carrying it."""
    if not failing:
        return report
    names = ", ".join(f"{f.site} ({f.status})" for f in failing)
    return Completed(name=SITES_FAILED, message=f"{len(failing)} site(s) failed: {names}", data=report)
