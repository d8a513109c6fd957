"""Flavour list parsers, registered by name (the ``flavour`` key of a ``sites/*.toml`` entry).

The names are :data:`sites.FLAVOURS`; each parser class documents its flavour in its docstring,
and ``docs/flavours.md`` is the reference.
"""

from __future__ import annotations

from spiders.flavours.anhui import AnhuiFlavour
from spiders.flavours.base import Flavour, ListPage, ListRow, PageRequest, decode
from spiders.flavours.generic import GenericFlavour
from spiders.flavours.gkmlpt import GkmlptFlavour
from spiders.flavours.hanweb import HanwebFlavour
from spiders.flavours.hanweb_jpaas import HanwebJpaasFlavour
from spiders.flavours.igs import IgsFlavour
from spiders.flavours.ilist import IlistFlavour
from spiders.flavours.json_list import JsonListFlavour
from spiders.flavours.portal import PortalFlavour
from spiders.flavours.shanghai import ShanghaiFlavour
from spiders.flavours.trs import TrsFlavour
from spiders.flavours.ucap import UcapFlavour

FLAVOURS: dict[str, Flavour] = {
    flavour.name: flavour
    for flavour in (
        TrsFlavour(),
        GkmlptFlavour(),
        HanwebFlavour(),
        AnhuiFlavour(),
        PortalFlavour(),
        UcapFlavour(),
        IgsFlavour(),
        HanwebJpaasFlavour(),
        IlistFlavour(),
        ShanghaiFlavour(),
        GenericFlavour(),
        JsonListFlavour(),
    )
}


def get_flavour(name: str) -> Flavour:
    """The parser registered for ``name``, with a clear error for an unknown one."""
    try:
        return FLAVOURS[name]
    except KeyError:
        raise KeyError(f"no list parser for flavour {name!r}; known: {', '.join(sorted(FLAVOURS))}") from None


__all__ = ["FLAVOURS", "Flavour", "ListPage", "ListRow", "PageRequest", "decode", "get_flavour"]
