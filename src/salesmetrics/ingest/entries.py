"""Rows entered by hand (the web app's forms: quotas, time logs, forecasts, survey answers),
written through the importer's validated path.

The rows carry canonical column names and text values; they are validated by the same SQL as
an imported file (:func:`~salesmetrics.ingest.load_arrow`), first without writing: a row the
table's rules reject is a one-line :class:`~salesmetrics.errors.UserError` naming the field and
why, and nothing is written (a form's mistake is shown to the person, not put in the
quarantine). Accepted rows are then written as one batch, atomically, with their import-log row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyarrow as pa

from salesmetrics import schema
from salesmetrics.connection import Connection
from salesmetrics.errors import UserError
from salesmetrics.ingest.importer import ImportResult, load_arrow


def _arrow(table: str, rows: Sequence[Mapping[str, object]]) -> pa.Table:
    t = schema.table(table)
    names = [c for c in t.column_names if any(c in r for r in rows)]
    unknown = sorted({k for r in rows for k in r} - set(t.column_names))
    if unknown:
        raise UserError(f"{', '.join(unknown)}: not a column of {table}")
    return pa.table(
        {
            name: pa.array(
                [None if r.get(name) in (None, "") else str(r.get(name)) for r in rows],
                pa.string(),
            )
            for name in names
        }
    )


def enter_rows(
    ws: Connection, table: str, rows: Sequence[Mapping[str, object]], *, source: str
) -> ImportResult:
    """Validate ``rows`` (canonical column -> value) of ``table`` and write them as one batch
    named ``source`` in the import log; a UserError, and nothing written, when any is rejected
    or has a value outside a column's allowed set."""
    if not rows:
        raise UserError("nothing to save: no rows")
    data = _arrow(table, rows)
    check = load_arrow(ws, table, data, source=source, dry_run=True)
    if check.rows_rejected:
        row, column, value, reason = check.sample_rejects[0]
        where = f"row {row}: " if len(rows) > 1 else ""
        shown = "" if value is None else f" {value!r}"
        raise UserError(f"{where}{column}{shown}: {reason}")
    if check.unmapped_values:
        column, value, _ = check.unmapped_values[0]
        allowed = schema.table(table).column(column).choices or ()
        raise UserError(f"{column} {value!r}: use one of {', '.join(allowed)}")
    return load_arrow(ws, table, data, source=source)
