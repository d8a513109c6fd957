"""An idle cycle: every site already known, nothing changed. Requests per site, and time vs a full recrawl."""

from __future__ import annotations

from benchmarks.common import Context, Figure, Result

KEY = "idle"
TITLE = "Idle cycle: requests per site and time vs a naive full recrawl"
GOAL_REQUESTS = 1.2


def run(ctx: Context) -> Result:
    scenario = ctx.scenario()
    full = scenario.baseline_known()
    scenario.gov.admin.reset_request_log()
    idle = scenario.crawl("monitor")
    logs = {slug: scenario.gov.admin.request_log(slug) for slug in scenario.slugs}
    total = sum(int(log.get("requests", 0)) for log in logs.values())
    per_site = total / len(scenario.slugs)
    kinds: dict[str, int] = {}
    for log in logs.values():
        for kind, count in log.get("by_kind", {}).items():
            kinds[kind] = kinds.get(kind, 0) + int(count)
    ratio = idle.wall / full.wall
    without_robots = (total - kinds.get("robots", 0)) / len(scenario.slugs)
    per_kind = ", ".join(f"{kind} {count / len(scenario.slugs):.2f}" for kind, count in sorted(kinds.items()))
    return Result(
        key=KEY,
        title=TITLE,
        figures=[
            Figure(
                "requests per site (govsim request log)",
                per_site,
                "",
                f"≤ {GOAL_REQUESTS}",
                per_site <= GOAL_REQUESTS,
            ),  # fmt: skip
            Figure("requests per site without robots.txt", without_robots, ""),
            Figure("idle cycle wall time", idle.wall, "s"),
            Figure("naive full recrawl wall time", full.wall, "s"),
            Figure("idle ÷ full recrawl (wall time)", ratio, "×"),
        ],
        method=(
            f"{len(scenario.slugs)} govsim scale sites whose notices are all known (the baseline "
            f"crawl, then its normalization, as a cycle does). One `monitor` crawl of every site in one crawler subprocess, no rechecks; "
            f"govsim's request log counted every request it served ({total} in all; per site: "
            f"{per_kind}). The naive full recrawl is the backfill crawl of the same sites from an "
            f"empty database (every list page and notice), timed the same way."
        ),
        notes=[
            "Every cycle starts a fresh crawler subprocess; robots.txt comes from the cache in the "
            "database (spiders/robots.py, kept POLICYWATCH_ROBOTS_TTL_HOURS, 24 h by default), so "
            + (
                f"the {kinds['robots'] / len(scenario.slugs):.2f} robots.txt requests per site here mean "
                "the cache had expired or held no usable answer."
                if kinds.get("robots")
                else "the idle cycle asks for no robots.txt."
            )
            + " Sites whose list needs two requests (a JavaScript-rendered list: the page, then its data) "
            "account for the list requests above 1.0 per site."
        ],
        details={"by_kind": kinds, "requests": total},
    )
