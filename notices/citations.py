"""Doc numbers a notice cites (国发〔2017〕14号 …), so related notices can be linked."""

from __future__ import annotations

from collections.abc import Iterable

from notices.parsers import find_doc_numbers


def find_citations(paragraphs: Iterable[str], own_doc_number: str | None) -> tuple[str, ...]:
    """Every normalized doc number cited in the body, first-seen order, without the notice's own."""
    seen: dict[str, None] = {}
    for paragraph in paragraphs:
        for number in find_doc_numbers(paragraph):
            if number != own_doc_number:
                seen.setdefault(number, None)
    return tuple(seen)
