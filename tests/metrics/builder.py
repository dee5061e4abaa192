"""Write rows straight into a workspace's canonical tables (fixtures for the metric tests).

Rows are dicts of column → value; missing columns are null. Money may be given as int/float/str
(stored as exact decimals). One Arrow insert per table, typed from the schema.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from contextlib import closing
from decimal import Decimal
from typing import Any

import pyarrow as pa

from salesmetrics import schema
from salesmetrics.workspace import Workspace

_ARROW: dict[schema.ColumnType, pa.DataType] = {
    schema.ColumnType.STR: pa.string(),
    schema.ColumnType.INT: pa.int64(),
    schema.ColumnType.FLOAT: pa.float64(),
    schema.ColumnType.BOOL: pa.bool_(),
    schema.ColumnType.DATE: pa.date32(),
    schema.ColumnType.TIMESTAMP: pa.timestamp("us"),
}


def _arrow_type(column: schema.Column) -> pa.DataType:
    if column.type is schema.ColumnType.DECIMAL:
        return pa.decimal128(18, 10) if column.sql == schema.RATE_SQL_TYPE else pa.decimal128(18, 4)
    return _ARROW[column.type]


def _value(column: schema.Column, value: Any) -> Any:
    if value is None:
        return None
    if column.type is schema.ColumnType.DECIMAL:
        places = (
            Decimal("0.0000000001") if column.sql == schema.RATE_SQL_TYPE else Decimal("0.0001")
        )
        return Decimal(str(value)).quantize(places)
    if column.type is schema.ColumnType.DATE and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if column.type is schema.ColumnType.TIMESTAMP:
        if isinstance(value, str):
            return dt.datetime.fromisoformat(value)
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return dt.datetime(value.year, value.month, value.day, 12)
    return value


def arrow_rows(table: str, rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """``rows`` as an Arrow table with the canonical columns of ``table``."""
    t = schema.table(table)
    rows = list(rows)
    unknown = {k for r in rows for k in r} - set(t.column_names)
    if unknown:
        raise KeyError(f"{table}: no columns {sorted(unknown)}")
    return pa.table(
        {
            c.name: pa.array([_value(c, r.get(c.name)) for r in rows], _arrow_type(c))
            for c in t.columns
        }
    )


def insert(ws: Workspace, table: str, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert ``rows`` into canonical table ``table``; returns the number inserted."""
    from salesmetrics.ingest.store import store_for

    data = arrow_rows(table, rows)
    if data.num_rows == 0:
        return 0
    # through the workspace's import store, so fixtures can be built on any backend
    with closing(store_for(ws)) as store:
        store.engine.register("_fixture_rows", data)
        try:
            store.upsert([(table, data.column_names, "_fixture_rows")])
        finally:
            store.engine.unregister("_fixture_rows")
    return int(data.num_rows)


def load(ws: Workspace, tables: Mapping[str, Iterable[Mapping[str, Any]]]) -> None:
    """Insert rows into several tables (one write)."""
    with ws.writing():
        for name, rows in tables.items():
            insert(ws, name, rows)


def own_note(note: str | None) -> str | None:
    """A row's note without the note of a period the data end within ("in progress: the data
    ends on ..."), which every row of such a period carries: tests of a metric's own remark on
    a few facts (whose last date often falls inside the period) compare this."""
    if note is None:
        return None
    kept = [part for part in note.split("; ") if not part.startswith("in progress: ")]
    return "; ".join(kept) or None
