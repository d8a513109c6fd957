"""Peak memory of a 10,000-page crawl: the crawler subprocess tree, sampled every 100 ms."""

from __future__ import annotations

from benchmarks.common import Context, Figure, Result

KEY = "memory"
TITLE = "Memory: peak RSS of a 10,000-page crawl"
GOAL_MB = 400.0


def run(ctx: Context) -> Result:
    scenario = ctx.scenario()
    crawl = scenario.baseline()
    peak_mb = crawl.peak_rss / 2**20
    return Result(
        key=KEY,
        title=TITLE,
        figures=[
            Figure(
                f"peak RSS, crawl of {crawl.items:,} pages",
                peak_mb,
                "MB",
                f"≤ {GOAL_MB:.0f} MB",
                peak_mb <= GOAL_MB,
            ),  # fmt: skip
        ],
        method=(
            f"The baseline backfill crawl ({len(scenario.slugs)} sites, {crawl.items:,} pages stored, "
            f"{crawl.requests:,} requests, {crawl.wall:.0f} s) in one `python -m spiders.crawl` "
            f"subprocess. A psutil thread in the parent summed the RSS of that subprocess and all its "
            f"descendants every 100 ms ({crawl.rss_samples} samples) and kept the peak. The flow process "
            f"itself is not counted (it waits for the subprocess)."
        ),
    )
