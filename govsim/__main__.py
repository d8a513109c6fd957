"""``python -m govsim``: the govsim command line."""

from __future__ import annotations

from govsim.cli import main

main()
