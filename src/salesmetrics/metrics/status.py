"""How fresh the data are and what the imports rejected: what a review pack prints on its cover
and in its data-quality notes.

Two small queries, both set-based: the latest event date over the fact tables (one union of
per-table maxima) and the imports' log and quarantine (rows by table).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import ibis

if TYPE_CHECKING:
    from salesmetrics.connection import Connection

#: The event dates that say how far the data reach: when something happened (a lead or a deal
#: created, a stage changed, an activity, an invoice, a usage event, an answer, a forecast), not
#: dates planned ahead (close dates of open deals, subscription ends, quota windows).
EVENT_DATES: tuple[tuple[str, str], ...] = (
    ("leads", "created_at"),
    ("opportunities", "created_at"),
    ("opportunity_history", "changed_at"),
    ("activities", "started_at"),
    ("subscriptions", "start_date"),
    ("invoice_lines", "invoice_date"),
    ("engagement_events", "occurred_on"),
    ("survey_responses", "submitted_at"),
    ("forecasts", "submitted_at"),
)


@dataclass(frozen=True)
class DataStatus:
    """The data's freshness and the rows the imports rejected.

    ``last_event``: the latest event date in the facts (:data:`EVENT_DATES`), None when empty;
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
    maxima = [
        conn.table(name).aggregate(day=conn.table(name)[column].cast("date").max())
        for name, column in EVENT_DATES
    ]
    last_event = _scalar(ibis.union(*maxima).day.max().execute())
    log = conn.table("_import_log")
    logged = log.aggregate(batches=log.count(), last=log.finished_at.max()).execute()
    quarantine = conn.table("_quarantine")
    bad_rows = quarantine.select("table_name", "batch_id", "row").distinct()
    by_table = (
        bad_rows.group_by("table_name").aggregate(rows=bad_rows.count()).order_by("table_name")
    ).execute()
    last_import = _scalar(logged["last"].iloc[0])
    return DataStatus(
        last_event=last_event.date() if isinstance(last_event, dt.datetime) else last_event,
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
