"""Reading the quarantine back: the rejected rows of a batch, for ``salesmetrics rejects``."""

from __future__ import annotations

from dataclasses import dataclass

from salesmetrics.errors import UserError
from salesmetrics.workspace import Workspace


@dataclass(frozen=True)
class Batch:
    """One import batch as recorded in ``_import_log``."""

    batch_id: str
    table: str
    file: str | None
    rows_read: int
    rows_loaded: int
    rows_rejected: int


def find_batch(ws: Workspace, batch: str | None = None) -> Batch:
    """The batch whose id is or starts with ``batch``; the latest one when ``batch`` is None."""
    con = ws.duckdb
    columns = "batch_id, table_name, file, rows_read, rows_loaded, rows_rejected"
    if batch is None:
        rows = con.execute(
            f'SELECT {columns} FROM "_import_log" ORDER BY started_at DESC, batch_id DESC LIMIT 1'
        ).fetchall()
        if not rows:
            raise UserError(
                "no imports yet in this workspace; run 'salesmetrics import TABLE FILE'"
            )
    else:
        rows = con.execute(
            f'SELECT {columns} FROM "_import_log" WHERE starts_with(batch_id, $b)'
            " ORDER BY started_at DESC LIMIT 6",
            {"b": batch},
        ).fetchall()
        if not rows:
            raise UserError(
                f"no import batch {batch!r}; list them with 'salesmetrics rejects' (latest batch)"
            )
        if len(rows) > 1 and rows[0][0] != batch:
            shown = ", ".join(str(r[0]) for r in rows[:5])
            raise UserError(f"batch {batch!r} is ambiguous: it starts {shown}; give more of it")
    r = rows[0]
    return Batch(str(r[0]), str(r[1]), r[2], int(r[3] or 0), int(r[4] or 0), int(r[5] or 0))


def rejected_rows(
    ws: Workspace, batch: Batch, limit: int | None = None
) -> tuple[list[tuple[int, str, str | None, str]], int]:
    """The first ``limit`` quarantine rows of ``batch`` (by row, column) and how many there are."""
    con = ws.duckdb
    total_row = con.execute(
        'SELECT count(*) FROM "_quarantine" WHERE batch_id = $b', {"b": batch.batch_id}
    ).fetchone()
    total = int(total_row[0]) if total_row else 0
    sql = (
        'SELECT "row", "column", "value", "reason" FROM "_quarantine" WHERE batch_id = $b'
        ' ORDER BY "row", "column"'
    )
    params: dict[str, object] = {"b": batch.batch_id}
    if limit is not None:
        sql += " LIMIT $n"
        params["n"] = limit
    rows = [
        (int(r[0]), str(r[1]), None if r[2] is None else str(r[2]), str(r[3]))
        for r in con.execute(sql, params).fetchall()
    ]
    return rows, total
