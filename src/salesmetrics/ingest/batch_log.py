"""Reading the import log back: the batches of a workspace, newest first, for
``salesmetrics imports``. Read through Ibis, so it works on every backend."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from salesmetrics.connection import Connection


@dataclass(frozen=True)
class LoggedBatch:
    """One row of ``_import_log``."""

    batch_id: str
    started_at: dt.datetime | None
    """When the import started (UTC)."""
    file: str | None
    table: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    derived_key: str | None
    """The key column derived from row content because the file lacked it."""
    unmapped_columns: str | None
    raw_copy: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the timestamp as ISO 8601 text with a Z."""
        data = asdict(self)
        data["started_at"] = (
            self.started_at.isoformat(timespec="seconds") + "Z" if self.started_at else None
        )
        return data


def list_batches(
    ws: Connection, *, table: str | None = None, limit: int | None = None
) -> tuple[list[LoggedBatch], int]:
    """The logged batches (of ``table`` only, when given), newest first, at most ``limit``; and
    how many there are in all."""
    log = ws.table("_import_log")
    if table is not None:
        log = log.filter(log.table_name == table)
    total = int(log.count().execute())
    ordered = log.order_by([log.started_at.desc(), log.batch_id.desc()])
    if limit is not None:
        ordered = ordered.limit(limit)
    found = []
    for r in ordered.to_pyarrow().to_pylist():
        found.append(
            LoggedBatch(
                batch_id=str(r["batch_id"]),
                started_at=r["started_at"],
                file=r["file"],
                table=str(r["table_name"]),
                rows_read=int(r["rows_read"] or 0),
                rows_loaded=int(r["rows_loaded"] or 0),
                rows_rejected=int(r["rows_rejected"] or 0),
                derived_key=r.get("derived_key"),
                unmapped_columns=r["unmapped_columns"],
                raw_copy=r["raw_copy"],
            )
        )
    return found, total
