"""Filters (``--where DIM=VALUE``, saved segments): checking their values against the data.

A filter's dimension is checked when the request is built (:func:`salesmetrics.metrics.request.
filters`: the names of ``--by``); its value here, against the values the data hold for that
dimension (:data:`SOURCES`: the columns the families read it from), so that a typo is a one-line
error naming the close matches rather than an empty result. The values are one query per
dimension, read once per data version and session (:meth:`salesmetrics.derived.Derived.value`),
and compared in Python with the user's text: no user text reaches a query.

How the engine applies a filter is described in :func:`salesmetrics.metrics.engine.evaluate`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import ibis

from salesmetrics import dims as gdims
from salesmetrics.conventions import UNALLOCATED_CHANNEL
from salesmetrics.errors import UserError, suggest
from salesmetrics.metrics.names import DIMENSION_KIND, names

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from salesmetrics.connection import Connection

#: Where each dimension's values come from: (table, column) pairs; a ``channel`` is also a
#: lead's or a deal's source mapped by ``[channels]`` (:func:`salesmetrics.dims.channel_of`),
#: and costs without one are ``(unallocated)``.
SOURCES: Mapping[str, tuple[tuple[str, str], ...]] = {
    "rep": (("reps", "rep_id"), ("opportunities", "owner_id"), ("accounts", "owner_id")),
    "team": (("reps", "team"),),
    "manager": (("reps", "manager_id"),),
    "region": (("reps", "region"), ("accounts", "region")),
    "segment": (("accounts", "segment"), ("leads", "segment")),
    "industry": (("accounts", "industry"),),
    "source": (("opportunities", "source"), ("leads", "source")),
    "channel": (("costs", "channel"),),
    "product": (("opportunities", "product"),),
    "pipeline": (("opportunities", "pipeline"),),
    "plan": (("subscriptions", "plan"), ("invoice_lines", "plan")),
    "first_plan": (("subscriptions", "plan"), ("invoice_lines", "plan")),
    "type": (("opportunities", "type"), ("activities", "type")),
}
#: The sources mapped to channels.
_CHANNEL_SOURCES = (("leads", "source"), ("opportunities", "source"))
#: At most this many values are listed in an error (else only the close matches).
_LISTED = 12


def values(ws: Connection, dim: str, queries: list[str]) -> frozenset[str]:
    """Every value dimension ``dim`` takes in the data (one query, once per data version and
    session; counted as ``filter values DIM``)."""

    def read() -> frozenset[str]:
        parts = [_column(ws.table(t), c) for t, c in SOURCES[dim]]
        if dim == gdims.CHANNEL:
            channels = ws.config.channels
            parts += [
                _column(ws.table(t), c, lambda v: gdims.channel_of(v, channels))
                for t, c in _CHANNEL_SOURCES
            ]
        union = ibis.union(*parts, distinct=True) if len(parts) > 1 else parts[0].distinct()
        queries.append(f"filter values {dim}")
        found = {v for v in ws.backend.to_pyarrow(union)["value"].to_pylist() if v is not None}
        if dim == gdims.CHANNEL:
            found.add(UNALLOCATED_CHANNEL)
        return frozenset(found)

    return ws.derived.value(f"filter_values_{dim}", read)


def _column(table: ir.Table, column: str, mapped: object = None) -> ir.Table:
    """``table``'s ``column`` as one string column ``value`` (mapped by ``mapped``)."""
    value = table[column].cast("string")
    if callable(mapped):
        value = mapped(value)
    return table.select(value=value)


def resolve(
    ws: Connection, where: Sequence[tuple[str, str]], queries: list[str]
) -> tuple[tuple[str, str], ...]:
    """``where`` with a person's name given for a rep or a manager (``rep=Ayu Lestari``, any
    case) replaced by that person's id, then checked (:func:`check`): the views show names, so a
    user filters by what they read."""
    resolved = []
    for dim, value in where:
        kind = DIMENSION_KIND.get(dim)
        if kind is not None and value not in values(ws, dim, queries):
            by_name = {name.lower(): key for key, name in names(ws, kind).items()}
            value = by_name.get(value.strip().lower(), value)
        resolved.append((dim, value))
    check(ws, resolved, queries)
    return tuple(resolved)


def check(ws: Connection, where: Sequence[tuple[str, str]], queries: list[str]) -> None:
    """A UserError (one line, with the close matches) for the first filter whose value the data
    never hold for its dimension."""
    for dim, value in where:
        found = values(ws, dim, queries)
        if value in found:
            continue
        by_lower = {v.lower(): v for v in sorted(found)}
        close = suggest(value.lower(), by_lower)
        hint = close
        for lower, original in by_lower.items():  # show the data's own spelling
            hint = hint.replace(repr(lower), repr(original))
        listed = ""
        if not close and found and len(found) <= _LISTED:
            listed = "; the data have " + ", ".join(sorted(found))
        elif not found:
            listed = f"; the data have no {dim} values"
        raise UserError(f"filter {dim}={value!r}: no such {dim} in the data{hint}{listed}")
