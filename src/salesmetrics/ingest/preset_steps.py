"""What a preset asks of an import beyond column and value maps: full names joined from their
parts, and owners given by name turned into rep ids (with reps created for new names).

Owner names: a name that is a known ``rep_id`` stays; a name some rep has (any case) becomes that
rep's id; any other name becomes the id of a new rep of that name, created in a batch of its own
right after the import (``rep_id`` = the name, so that importing the file again finds it; see
:func:`salesmetrics.ingest.importer.create_reps`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import duckdb

from salesmetrics.ingest.mapping import Mapping, normalise
from salesmetrics.ingest.presets import TablePreset
from salesmetrics.ingest.readers import Source

if TYPE_CHECKING:
    from salesmetrics.connection import Connection
    from salesmetrics.ingest.store import Store

OWNER = "owner_id"


def with_joined(source: Source, preset: TablePreset) -> tuple[Source, TablePreset, set[str]]:
    """``source`` with a column per :attr:`TablePreset.joined` field that the file gives only in
    parts ("firstName + lastName"), the preset pointing that field at it, and the parts used."""
    headers = {normalise(h): h for h in source.headers}
    exprs = dict(source.exprs)
    new_headers = list(source.headers)
    columns = dict(preset.columns)
    used: set[str] = set()
    for fld, parts in preset.joined.items():
        if any(normalise(c) in headers for c in columns.get(fld, ())):
            continue
        present = [headers[normalise(p)] for p in parts if normalise(p) in headers]
        if not present:
            continue
        name = " + ".join(present)
        pieces = ", ".join(
            f"NULLIF(trim(CAST({source.exprs[h][0]} AS VARCHAR)), '')" for h in present
        )
        exprs[name] = (f"NULLIF(concat_ws(' ', {pieces}), '')", "VARCHAR")
        new_headers.append(name)
        columns[fld] = (*columns.get(fld, ()), name)
        used.update(present)
    if not used:
        return source, preset, used
    return replace(source, headers=new_headers, exprs=exprs), replace(preset, columns=columns), used


@dataclass(frozen=True)
class OwnerNames:
    """How the owner names of one file resolve: a value map onto known reps, and new names."""

    value_map: dict[str, str]
    new: tuple[str, ...]


def known_reps(ws: Connection) -> list[tuple[str, str | None]]:
    """(rep_id, name) of every rep in the workspace."""
    reps = ws.table("reps").select("rep_id", "name")
    return [(str(r["rep_id"]), r["name"]) for r in reps.to_pyarrow().to_pylist()]


def owner_names(
    store: Store,
    source: Source,
    mapping: Mapping,
    preset: TablePreset,
    reps: list[tuple[str, str | None]],
) -> OwnerNames | None:
    """The resolution of the owner names in ``source``, or None when its owner column holds ids
    (or cannot be read here: the conversion then reports why)."""
    wanted = {normalise(h) for h in preset.owner_names}
    columns = [c for c in mapping.fields.get(OWNER, ()) if normalise(c) in wanted]
    if not columns:
        return None
    names: set[str] = set()
    try:
        for col in columns:
            expr = source.exprs[col][0]
            rows = store.engine.execute(
                f"SELECT DISTINCT trim(CAST({expr} AS VARCHAR)) FROM {source.relation}",
                source.params,
            ).fetchall()
            # a CSV read as data has its header as its first row: never an owner
            names.update(str(r[0]) for r in rows if r[0] is not None and str(r[0]).strip())
            if source.has_header_row:
                names.discard(col.strip())
    except duckdb.Error:
        return None
    ids = {rep_id for rep_id, _ in reps}
    by_name = {name.strip().lower(): rep_id for rep_id, name in reps if name}
    value_map: dict[str, str] = {}
    new: list[str] = []
    for name in sorted(names):
        if name in ids:
            continue
        if name.lower() in by_name:
            value_map[name] = by_name[name.lower()]
        else:
            new.append(name)
    return OwnerNames(value_map, tuple(new))
