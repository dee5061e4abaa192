"""Rows for every canonical table, made from the schema's declared types (for generic tests)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from salesmetrics import schema


def value_for(column: schema.Column, i: int) -> Any:
    """A valid value for ``column`` in row ``i`` (``None`` for every third optional column)."""
    if not column.required and i % 3 == 2:
        return None
    if column.choices:
        return column.choices[i % len(column.choices)]
    match column.type:
        case schema.ColumnType.STR:
            return f"{column.name}-{i}-ü'\"," if column.name != "currency" else "USD"
        case schema.ColumnType.INT:
            return i + 1
        case schema.ColumnType.DECIMAL:
            return (
                Decimal("1234567.8912") + i
                if column.sql == "DECIMAL(18,4)"
                else Decimal("0.0000625012")
            )
        case schema.ColumnType.FLOAT:
            return 0.125 * (i + 1) if column.maximum is None else 0.5
        case schema.ColumnType.BOOL:
            return i % 2 == 0
        case schema.ColumnType.DATE:
            return dt.date(2024, 2, 29) + dt.timedelta(days=i)
        case schema.ColumnType.TIMESTAMP:
            return dt.datetime(2024, 3, 31, 23, 59, 59, 123456) + dt.timedelta(days=i)
    raise AssertionError(column.type)


def rows_for(table: schema.Table, n: int = 3) -> list[dict[str, Any]]:
    """``n`` rows of ``table`` with distinct keys."""
    return [{c.name: value_for(c, i) for c in table.columns} for i in range(n)]


def insert_rows(con: Any, table: schema.Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` into ``table`` through a DuckDB connection, with parameters."""
    cols = table.column_names
    names = ", ".join(f'"{c}"' for c in cols)
    marks = ", ".join("?" for _ in cols)
    con.executemany(
        f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})',
        [[r[c] for c in cols] for r in rows],
    )
