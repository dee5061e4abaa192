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

:func:`states` joins a table of probes (any columns plus ``as_of``, a naive UTC timestamp) with
every opportunity and its history in one backend expression: a cross join filtered to the
opportunities that exist, then a left join to the history row in force at ``as_of`` (from its
``changed_at`` until the opportunity's next change).
:func:`instants` turns dates into the naive UTC instant of their local midnight.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

if TYPE_CHECKING:
    from salesmetrics.workspace import Workspace

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


def states(
    ws: Workspace, probes: ir.Table, keys: Sequence[str], *, skip_settled_by: str | None = None
) -> ir.Table:
    """One row per (probe, opportunity existing at the probe's ``as_of``) with the probe's
    ``keys``, ``as_of``, ``opportunity_id``, the :data:`STATE_COLUMNS` as of then, the
    :data:`FIXED_COLUMNS`, ``state_changed_at`` (the history row used; null = none) and
    ``has_history``.

    ``skip_settled_by`` names a timestamp column of ``probes``: an opportunity already in its
    final state at that instant, and that state closed (won or lost), is left out of that
    probe's rows (callers that only look at deals open or closing after it save the work)."""
    opps = ws.table("opportunities")
    history = ws.table("opportunity_history")
    first = history.group_by(_f_id=history.opportunity_id).aggregate(
        _first_at=history.changed_at.min()
    )
    first_rows = first.join(
        history,
        [first._f_id == history.opportunity_id, first._first_at == history.changed_at],
    ).select(
        "_f_id",
        "_first_at",
        **{f"_first_{c}": history[c] for c in STATE_COLUMNS},
    )
    opp_cols = opps.select(
        "opportunity_id", *FIXED_COLUMNS, **{f"_cur_{c}": opps[c] for c in STATE_COLUMNS}
    )
    opp_cols = opp_cols.left_join(first_rows, opp_cols.opportunity_id == first_rows._f_id).drop(
        "_f_id"
    )
    settled = [skip_settled_by] if skip_settled_by else []
    if skip_settled_by:
        opp_cols = _with_settled_at(opp_cols, history)
    grid = probes.select(*keys, "as_of", *settled).cross_join(opp_cols)
    if skip_settled_by:
        grid = grid.filter(~(grid._settled_at <= grid[skip_settled_by]).fill_null(False))
    exists = (
        (grid.created_at.isnull() & grid._first_at.isnull())
        | (grid.created_at <= grid.as_of)
        | (grid._first_at <= grid.as_of)
    ).fill_null(False)
    grid = grid.filter(exists)
    right = history.select(
        _h_id=history.opportunity_id,
        _h_at=history.changed_at,
        **{f"_h_{c}": history[c] for c in STATE_COLUMNS},
    )
    # The as-of join written portably (Spark has no ASOF JOIN): each history row holds from its
    # change until the opportunity's next change (changed_at is unique per opportunity: the key).
    # The last change holds until a far-future instant rather than null: an OR in the join
    # condition would keep DuckDB from hashing on the opportunity (a nested loop, quadratic).
    following = ibis.window(group_by=right._h_id, order_by=right._h_at)
    right = right.mutate(_h_until=right._h_at.lead().over(following).fill_null(FAR_FUTURE))
    joined = grid.left_join(
        right,
        [
            grid.opportunity_id == right._h_id,
            grid.as_of >= right._h_at,
            grid.as_of < right._h_until,
        ],
    )
    values: dict[str, ir.Value] = {}
    for c in STATE_COLUMNS:
        hist = joined[f"_h_{c}"]
        first_value = joined[f"_first_{c}"]
        if c == "status":
            hist = hist.fill_null(_status_from_stage(joined._h_stage))
            first_value = first_value.fill_null(_status_from_stage(joined._first_stage))
        from_history = ibis.ifelse(joined._h_at.notnull(), hist, first_value)
        values[c] = from_history.fill_null(joined[f"_cur_{c}"])
    return joined.select(
        *keys,
        "as_of",
        "opportunity_id",
        *FIXED_COLUMNS,
        **values,
        state_changed_at=ibis.ifelse(joined._h_at.notnull(), joined._h_at, joined._first_at),
        has_history=joined._first_at.notnull(),
    )


def _with_settled_at(opp_cols: ir.Table, history: ir.Table) -> ir.Table:
    """``opp_cols`` with ``_settled_at``: the instant from which the opportunity's state never
    changes again and is closed (its last history row, else its creation; null: not closed)."""
    last = history.group_by(_l_id=history.opportunity_id).aggregate(
        _last_at=history.changed_at.max()
    )
    last_rows = last.join(
        history, [last._l_id == history.opportunity_id, last._last_at == history.changed_at]
    ).select(
        "_l_id",
        "_last_at",
        _last_status=history.status.fill_null(_status_from_stage(history.stage)),
    )
    joined = opp_cols.left_join(last_rows, opp_cols.opportunity_id == last_rows._l_id)
    final = ibis.ifelse(
        joined._last_at.notnull(),
        joined._last_status.fill_null(joined._cur_status),
        joined._cur_status,
    )
    since = ibis.ifelse(joined._last_at.notnull(), joined._last_at, joined.created_at)
    settled_at = ibis.ifelse(
        final.isin(("won", "lost")).fill_null(False),
        since.fill_null(FAR_PAST),
        ibis.null("timestamp"),
    )
    return joined.mutate(_settled_at=settled_at).drop("_l_id", "_last_at", "_last_status")


def states_at(ws: Workspace, days: Sequence[dt.date]) -> pd.DataFrame:
    """The state of every opportunity at the start of each of ``days`` (workspace timezone),
    as a pandas frame with a ``day`` column (one query)."""
    frame = pd.DataFrame({"day": list(days), "as_of": instants(days, ws.config.timezone)})
    table = states(ws, probes_table(frame), ["day"])
    result: pd.DataFrame = ws.backend.to_pyarrow(table).to_pandas()
    return result
