"""The state of every opportunity at many as-of instants at once (data-model.md).

The state of an opportunity at instant t is its last ``opportunity_history`` row with
``changed_at <= t`` (a change exactly at t counts). An opportunity without history is in its
current state (the ``opportunities`` row) from ``created_at`` on. Choices where the spec is silent:

* An opportunity exists at t when ``created_at <= t``, or its first history row is at or before
  t; an opportunity without ``created_at`` and without history is taken to have always existed.
* An opportunity with history but none at or before t (created before its first recorded change)
  is in the state of its first history row.
* A history column left empty (a source that records only stage changes, say) is taken from the
  current opportunity row; an empty ``status`` is first derived from the history row's stage
  ("won"/"lost" in its name, else open), as an import does.

**What is materialised.** :func:`intervals` (``opportunity_states``, once per data version, see
:mod:`salesmetrics.derived`) holds every state of every opportunity with its validity: one
interval per history row, from its ``changed_at`` until the opportunity's next change (a window
function over the whole history), and one before the first change (or for ever, without
history), with the deal's fixed fields. :func:`states` joins a table of probes (any columns
plus ``as_of``, a naive UTC timestamp) with the intervals in force at each ``as_of``: one range
join on the materialised table, in one backend expression. The pipeline measures read their
own materialised table built from the same intervals (:func:`build_intervals`), so a review
that asks only for them never materialises these.
:func:`instants` turns dates into the naive UTC instant of their local midnight.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from salesmetrics.incremental import PerKey

if TYPE_CHECKING:
    from salesmetrics.connection import Connection

#: The opportunity intermediates whose rows of a deal depend on that deal's rows only: brought
#: up to date from the deals an import wrote (:mod:`salesmetrics.incremental`).
PER_DEAL = PerKey("opportunity_id")
#: Later than any instant in the data: "until further notice" in validity intervals.
FAR_FUTURE = ibis.timestamp("9999-12-31 00:00:00")
#: Earlier than any instant in the data.
FAR_PAST = ibis.timestamp("0001-01-01 00:00:00")
#: State columns of an opportunity at an instant (as in ``opportunity_history``).
STATE_COLUMNS = ("stage", "status", "amount", "close_date", "probability", "forecast_category")
#: Columns taken from the opportunity row as they are today (history does not track them).
FIXED_COLUMNS = (
    "account_id",
    "owner_id",
    "name",
    "type",
    "source",
    "product",
    "pipeline",
    "currency",
    "created_at",
)


def instant(day: dt.date, timezone: str) -> dt.datetime:
    """The naive UTC instant at which ``day`` starts in ``timezone`` (local midnight)."""
    local = pd.Timestamp(day).tz_localize(timezone)
    utc: dt.datetime = local.tz_convert("UTC").tz_localize(None).to_pydatetime()
    return utc


def instants(days: Iterable[dt.date], timezone: str) -> list[dt.datetime]:
    """:func:`instant` of each day (a handful of probe dates, never data rows)."""
    return [instant(d, timezone) for d in days]


def probes_table(frame: pd.DataFrame) -> ir.Table:
    """A probes memtable from a pandas frame with an ``as_of`` column of datetimes and string
    or date key columns."""
    columns: dict[str, pa.Array] = {}
    for name in frame.columns:
        values = frame[name].tolist()
        if name == "as_of" or (values and isinstance(values[0], dt.datetime)):
            columns[name] = pa.array(values, pa.timestamp("us"))
        elif values and isinstance(values[0], dt.date) and not isinstance(values[0], dt.datetime):
            columns[name] = pa.array(values, pa.date32())
        else:
            columns[name] = pa.array([None if v is None else str(v) for v in values], pa.string())
    return ibis.memtable(pa.table(columns))


def _status_from_stage(stage: ir.StringValue) -> ir.StringValue:
    low = stage.lower()
    return ibis.cases(
        (stage.isnull(), ibis.null("string")),
        (low.contains("won"), ibis.literal("won")),
        (low.contains("lost"), ibis.literal("lost")),
        else_=ibis.literal("open"),
    )


def intervals(ws: Connection) -> ir.Table:
    """Every state of every opportunity with its validity: ``opportunity_id``, ``valid_from``,
    ``valid_until`` (the state holds at t when ``valid_from <= t < valid_until``), the
    :data:`STATE_COLUMNS`, ``state_changed_at`` (the history row used; null = none),
    ``has_history``, ``settled_at`` (the start of the final state when it is closed, won or
    lost: from then on the state never changes; else null) and the :data:`FIXED_COLUMNS`;
    materialised once per data version (``opportunity_states``)."""
    return ws.derived.get("opportunity_states", lambda: build_intervals(ws), grows=PER_DEAL)


def build_intervals(ws: Connection) -> ir.Table:
    """The validity intervals of :func:`intervals`, not materialised (for an intermediate that
    is, built from them in the same query): one per history row (from its change until the
    opportunity's next one) and one before the first change (from the creation; for ever
    without history), the empty ones left out."""
    opps = ws.table("opportunities")
    history = ws.table("opportunity_history")
    current = opps.select(
        "opportunity_id", *FIXED_COLUMNS, **{f"_cur_{c}": opps[c] for c in STATE_COLUMNS}
    )
    # The as-of join written portably (Spark has no ASOF JOIN): each history row holds from its
    # change until the opportunity's next change (changed_at is unique per opportunity: the key).
    # The last change holds until a far-future instant rather than null: the probes' range join
    # needs no OR on null.
    right = history.select(
        _h_id=history.opportunity_id,
        _h_at=history.changed_at,
        **{f"_h_{c}": history[c] for c in STATE_COLUMNS},
    )
    following = ibis.window(group_by=right._h_id, order_by=right._h_at)
    right = right.mutate(_h_until=right._h_at.lead().over(following).fill_null(FAR_FUTURE))
    during = current.join(right, current.opportunity_id == right._h_id)
    during = _interval_rows(
        during,
        valid_from=during._h_at,
        valid_until=during._h_until,
        prefix="_h_",
        changed_at=during._h_at,
        has_history=ibis.literal(True),
    )
    # Before the first change: exists from its creation (always, without creation nor history)
    # in the state of its first history row, else in its current state.
    first = history.group_by(_f_id=history.opportunity_id).aggregate(
        _first_at=history.changed_at.min()
    )
    first_rows = first.join(
        history,
        [first._f_id == history.opportunity_id, first._first_at == history.changed_at],
    ).select("_f_id", "_first_at", **{f"_first_{c}": history[c] for c in STATE_COLUMNS})
    start = current.left_join(first_rows, current.opportunity_id == first_rows._f_id)
    no_history = start._first_at.isnull()
    before = _interval_rows(
        start,
        valid_from=ibis.ifelse(no_history, start.created_at.fill_null(FAR_PAST), start.created_at),
        valid_until=start._first_at.fill_null(FAR_FUTURE),
        prefix="_first_",
        changed_at=start._first_at,
        has_history=~no_history,
    )
    before = before.filter((before.valid_from < before.valid_until).fill_null(False))
    return during.union(before.cast(during.schema()), distinct=False)


def _interval_rows(
    table: ir.Table,
    *,
    valid_from: ir.TimestampValue,
    valid_until: ir.TimestampValue,
    prefix: str,
    changed_at: ir.TimestampValue,
    has_history: ir.BooleanValue,
) -> ir.Table:
    """The columns of :func:`intervals` from ``table``: the state columns under ``prefix``
    (an empty one taken from the current opportunity row, an empty status from the stage)."""
    values: dict[str, ir.Value] = {}
    for c in STATE_COLUMNS:
        value = table[f"{prefix}{c}"]
        if c == "status":
            value = value.fill_null(_status_from_stage(table[f"{prefix}stage"]))
        values[c] = value.fill_null(table[f"_cur_{c}"])
    rows = table.select(
        "opportunity_id",
        *FIXED_COLUMNS,
        valid_from=valid_from.cast("timestamp"),
        valid_until=valid_until.cast("timestamp"),
        **values,
        state_changed_at=changed_at.cast("timestamp"),
        has_history=has_history,
    )
    # The final state (it holds until further notice) closed: settled from its start on.
    final_closed = (rows.valid_until == FAR_FUTURE) & rows.status.isin(("won", "lost"))
    return rows.mutate(
        settled_at=ibis.ifelse(
            final_closed.fill_null(False), rows.valid_from, ibis.null("timestamp")
        )
    )


def states(
    ws: Connection, probes: ir.Table, keys: Sequence[str], *, skip_settled_by: str | None = None
) -> ir.Table:
    """One row per (probe, opportunity existing at the probe's ``as_of``) with the probe's
    ``keys``, ``as_of``, ``opportunity_id``, the :data:`STATE_COLUMNS` as of then, the
    :data:`FIXED_COLUMNS`, ``state_changed_at`` (the history row used; null = none) and
    ``has_history``.

    ``skip_settled_by`` names a timestamp column of ``probes``: an opportunity already in its
    final state at that instant, and that state closed (won or lost), is left out of that
    probe's rows (callers that only look at deals open or closing after it save the work)."""
    rows = probe_states(ws, probes, keys, skip_settled_by=skip_settled_by)
    return rows.select(
        *keys,
        "as_of",
        "opportunity_id",
        *FIXED_COLUMNS,
        *STATE_COLUMNS,
        "state_changed_at",
        "has_history",
    )


def probe_states(
    ws: Connection,
    probes: ir.Table,
    keys: Sequence[str],
    *,
    skip_settled_by: str | None = None,
    spans: ir.Table | None = None,
) -> ir.Table:
    """The probes' ``keys``, ``as_of`` (and ``skip_settled_by``) with every column of the
    intervals in force then: of :func:`intervals`, or of ``spans`` (a table derived from it
    with at least ``valid_from``, ``valid_until`` and, for ``skip_settled_by``,
    ``settled_at``). One range join on the materialised intervals."""
    settled = [skip_settled_by] if skip_settled_by else []
    iv = intervals(ws) if spans is None else spans
    left = probes.select(*keys, "as_of", *settled)
    # Only the intervals some probe can fall in enter the range join (a nested loop over
    # probes x intervals): those in force somewhere between the first and the last probe, not
    # settled before every probe's skip_settled_by.
    first, last = _extreme(probes, "as_of", "min"), _extreme(probes, "as_of", "max")
    window = (iv.valid_until > first) & (iv.valid_from <= last)
    if skip_settled_by:
        window &= ~(iv.settled_at <= _extreme(probes, skip_settled_by, "min")).fill_null(False)
    iv = iv.filter(window)
    grid = left.join(iv, [left.as_of >= iv.valid_from, left.as_of < iv.valid_until])
    if skip_settled_by:
        grid = grid.filter(~(grid.settled_at <= grid[skip_settled_by]).fill_null(False))
    return grid


def _extreme(probes: ir.Table, column: str, which: str) -> ir.Value:
    """The min or max of a probe column: a literal when the probes are an in-memory table
    (against a scalar subquery DuckDB filters the intervals in a nested loop), else the scalar
    subquery."""
    op = probes.op()
    if isinstance(op, ops.InMemoryTable):
        values = op.data.to_pyarrow(op.schema).column(column)
        value = pc.min_max(values)[which].as_py()
        return ibis.literal(value, type=probes[column].type())
    return probes[column].min() if which == "min" else probes[column].max()
