"""PolicyWatch benchmarks: ratios and counts measured in one run against govsim's scale mode.

Run ``make bench`` (or ``python -m benchmarks [--only NAME] [--quick]``); the results go to
docs/benchmarks.md. Each benchmark is one module with ``KEY``, ``TITLE`` and ``run(context)``.
"""
