"""Conditions shared by the queries: a column matching one of many values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, String, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import InstrumentedAttribute, Session


def one_of(
    session: Session, column: InstrumentedAttribute[Any], values: Sequence[int] | Sequence[str]
) -> Any:
    """``column IN (values)``; on PostgreSQL ``column = ANY(:values)``, one array parameter.

    A run names every site it crawls, 3,000 for a county-level deployment: as 3,000 bound
    parameters, the statement costs more to build, send and plan than to run (docs/benchmarks.md,
    "Hot database queries").
    """
    if session.get_bind().dialect.name != "postgresql":
        return column.in_(list(values))
    element = Integer() if isinstance(column.type, Integer) else String()
    return column == any_(bindparam(None, list(values), type_=ARRAY(element)))
