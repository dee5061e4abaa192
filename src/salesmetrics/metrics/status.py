"""How fresh the data are and what the imports rejected: what a review pack prints on its cover
and in its data-quality notes.

Two small queries, both set-based: the data's last fact date (the workspace's "today",
:func:`salesmetrics.metrics.context.data_today`, the one definition the periods, alerts and
packs share) and the imports' log and quarantine (rows by table).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from salesmetrics.metrics.context import data_today

if TYPE_CHECKING:
    from salesmetrics.connection import Connection


@dataclass(frozen=True)
class DataStatus:
    """The data's freshness and the rows the imports rejected.

    ``last_event``: the data's last fact date (:data:`salesmetrics.metrics.context.FACT_DATES`:
    no expected close dates nor scheduled ends), None when empty;
    ``last_import``: when the latest import batch finished (UTC), None when nothing was
    imported; ``imports``: import batches logged; ``rejected``: rejected rows (a row once,
    however many of its values broke a rule) by canonical table, only tables with some.
    """

    last_event: dt.date | None
    last_import: dt.datetime | None
    imports: int
    rejected: dict[str, int] = field(default_factory=dict)


def data_status(conn: Connection) -> DataStatus:
    """The :class:`DataStatus` of ``conn``'s workspace."""
    conn.refresh()
    last_event = data_today(conn, [])
    log = conn.table("_import_log")
    logged = log.aggregate(batches=log.count(), last=log.finished_at.max()).execute()
    quarantine = conn.table("_quarantine")
    bad_rows = quarantine.select("table_name", "batch_id", "row").distinct()
    by_table = (
        bad_rows.group_by("table_name").aggregate(rows=bad_rows.count()).order_by("table_name")
    ).execute()
    last_import = _scalar(logged["last"].iloc[0])
    return DataStatus(
        last_event=last_event,
        last_import=last_import,
        imports=int(logged["batches"].iloc[0]),
        rejected={
            str(t): int(n) for t, n in zip(by_table["table_name"], by_table["rows"], strict=True)
        },
    )


def _scalar(value: Any) -> Any:
    """A query's scalar as a plain date/datetime (pandas' NaT and Timestamp unwrapped)."""
    if value is None or value != value:  # None, NaN, NaT
        return None
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    return value
