"""Reading the quarantine back: the rejected rows of a batch, for ``salesmetrics rejects``.

Read through Ibis, so it works on every backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis

from salesmetrics.connection import Connection
from salesmetrics.errors import UserError


@dataclass(frozen=True)
class Batch:
    """One import batch as recorded in ``_import_log``."""

    batch_id: str
    table: str
    file: str | None
    rows_read: int
    rows_loaded: int
    rows_rejected: int


def _rows(expr: ibis.Table) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = expr.to_pyarrow().to_pylist()
    return rows


def find_batch(ws: Connection, batch: str | None = None) -> Batch:
    """The batch whose id is or starts with ``batch``; the latest one when ``batch`` is None."""
    log = ws.table("_import_log")
    columns = ("batch_id", "table_name", "file", "rows_read", "rows_loaded", "rows_rejected")
    if batch is None:
        rows = _rows(
            log.order_by([log.started_at.desc(), log.batch_id.desc()]).select(*columns).limit(1)
        )
        if not rows:
            raise UserError(
                "no imports yet in this workspace; run 'salesmetrics import TABLE FILE'"
            )
    else:
        rows = _rows(
            log.filter(log.batch_id.startswith(batch))
            .order_by([log.started_at.desc(), log.batch_id.desc()])
            .select(*columns)
            .limit(6)
        )
        if not rows:
            raise UserError(
                f"no import batch {batch!r}; list them with 'salesmetrics rejects' (latest batch)"
            )
        if len(rows) > 1 and rows[0]["batch_id"] != batch:
            shown = ", ".join(str(r["batch_id"]) for r in rows[:5])
            raise UserError(f"batch {batch!r} is ambiguous: it starts {shown}; give more of it")
    r = rows[0]
    return Batch(
        str(r["batch_id"]),
        str(r["table_name"]),
        r["file"],
        int(r["rows_read"] or 0),
        int(r["rows_loaded"] or 0),
        int(r["rows_rejected"] or 0),
    )


def rejected_rows(
    ws: Connection, batch: Batch, limit: int | None = None
) -> tuple[list[tuple[int, str, str | None, str]], int]:
    """The first ``limit`` quarantine rows of ``batch`` (by row, column) and how many there are."""
    q = ws.table("_quarantine")
    mine = q.filter(q.batch_id == batch.batch_id)
    total = int(mine.count().execute())
    ordered = mine.order_by(["row", "column"]).select("row", "column", "value", "reason")
    if limit is not None:
        ordered = ordered.limit(limit)
    rows = [
        (
            int(r["row"]),
            str(r["column"]),
            None if r["value"] is None else str(r["value"]),
            str(r["reason"]),
        )
        for r in _rows(ordered)
    ]
    return rows, total
