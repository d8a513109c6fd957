"""Whether an element is shown to readers: rendered pages keep hidden copies of the text."""

from __future__ import annotations

import re

from lxml import etree

# Inline styles that take an element off the screen.
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# Classes that frameworks define as display:none (Angular's ng-hide, Bootstrap's d-none / hidden).
_HIDDEN_CLASSES = frozenset(["ng-hide", "hidden", "hide", "d-none", "is-hidden"])


def is_hidden(el: etree._Element) -> bool:
    """True when the element's own attributes hide it (its ancestors are not looked at)."""
    if el.get("hidden") is not None or (el.get("aria-hidden") or "").strip().lower() == "true":
        return True
    if _HIDDEN_STYLE_RE.search(el.get("style") or ""):
        return True
    return not _HIDDEN_CLASSES.isdisjoint((el.get("class") or "").lower().split())


def is_shown(el: etree._Element) -> bool:
    """True when neither the element nor any element around it is hidden."""
    return not is_hidden(el) and not any(is_hidden(ancestor) for ancestor in el.iterancestors())
