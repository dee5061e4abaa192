"""Pipeline measures of a period P = [s, e) from the state of every deal at s and at e.

:func:`deal_rows` gives one row per (period, deal) that matters for P, with its state at s and e
(amounts in base currency) and flags; :func:`aggregate` sums them into the components of the
``pipeline`` family. Both are single backend expressions (the as-of join of
:mod:`salesmetrics.pipeline.asof` with a probes table of two instants per period).

**What is materialised.** :func:`spans` (``pipeline_spans``, once per data version, computed
from the opportunity state intervals in the same query) holds the state intervals with the
columns read here and each state's value at its close date in whole cents of the base
currency, so that a query converts only the few states without a close date (at the probe's
day); it joins the probes, the group dimensions and the period bounds, and aggregates.

Definitions (metrics.md, Pipeline), with the choices where the spec is silent:

* *expected* — open at s with close_date (as of s) in P. ``pipeline_amount`` is their value
  (deals without an amount count 0 and are counted in ``pipeline_no_amount``); its quotient by
  the pro-rated quota is ``pipeline_coverage``.
* *weighted* — Σ amount × probability (as of s) over the expected deals; deals without a
  probability count 0 and are counted in ``weighted_no_probability``.
* *slipped* — expected deals still open at e whose close_date at e is later than at s.
* *open at s* — every deal open at s whatever its close date (pipeline velocity's basis
  ``open_opportunities``).
* *flow* — the deals expected to close in P at s (start) and at e (end). Every deal in either,
  or closed (won/lost) between s and e with a close date in P, gets exactly one bucket:
  in both → its change of value goes to increased/decreased; only at start → won, lost or
  pushed out (open with a close date no longer in P), at its value at e, the change of value
  before leaving going to increased/decreased; only at end, or closed in P without being
  expected at s → created (did not exist at s) or pulled in (existed: another close date, or
  closed and re-opened), at its value at e (and, if closed, won or lost at the same value).
  So start + created + pulled_in + increased − decreased − pushed_out − lost − won = end, by
  value exactly (decimal sums) and by count (increased/decreased counts are deals whose value
  changed; they do not enter the count identity).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
import pandas as pd

from salesmetrics import dims as gdims
from salesmetrics import fx
from salesmetrics.pipeline.asof import (
    PER_DEAL,
    build_intervals,
    instants,
    probe_states,
    probes_table,
)

if TYPE_CHECKING:
    from salesmetrics.connection import Connection

FLOW_BUCKETS = ("created", "pulled_in", "increased", "decreased", "pushed_out", "lost", "won")
COMPONENTS = (
    "open_at_start",
    "open_at_start_amount",
    "expected",
    "pipeline_amount",
    "pipeline_no_amount",
    "weighted_amount",
    "weighted_no_probability",
    "slipped",
    "slipped_amount",
    "flow_start",
    "flow_start_count",
    "flow_end",
    "flow_end_count",
    *(f"flow_{b}" for b in FLOW_BUCKETS),
    *(f"flow_{b}_count" for b in FLOW_BUCKETS),
)

_ZERO = ibis.literal(Decimal(0), type=fx.AMOUNT_WIDE)
#: Columns of :func:`spans` from the opportunity states.
_SPAN_COLUMNS = (
    "opportunity_id",
    "valid_from",
    "valid_until",
    "settled_at",
    "stage",
    "status",
    "close_date",
    "probability",
    "amount",
    "currency",
    "owner_id",
    "account_id",
    "source",
    "product",
    "pipeline",
    "type",
)
#: Columns of :func:`spans`: the value at the close date and its missing-rate flags (read only
#: for states with a close date).
AT_CLOSE = ("value_at_close", "fx_missing_at_close", "fx_example_at_close")


def probes(periods: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """Two probes per period: ``s`` at the local start of its first day, ``e`` at the local
    start of its end (the day after its last)."""
    starts = [d if isinstance(d, dt.date) else pd.Timestamp(d).date() for d in periods["start"]]
    ends = [d if isinstance(d, dt.date) else pd.Timestamp(d).date() for d in periods["end"]]
    labels = periods["period"].astype(str).tolist()
    return pd.DataFrame(
        {
            "period": labels * 2,
            "probe": ["s"] * len(labels) + ["e"] * len(labels),
            "p_start": starts * 2,
            "p_end": ends * 2,
            "as_of": instants(starts, timezone) + instants(ends, timezone),
            "s_as_of": instants(starts, timezone) * 2,
        }
    )


def spans(ws: Connection) -> ir.Table:
    """The opportunity states of :func:`~salesmetrics.pipeline.asof.intervals` with the
    columns the measures read and the deal's value at its close date in whole cents of the base
    currency (``value_at_close``) with the fx flags (:data:`AT_CLOSE`; meaningless without a
    close date); materialised once per data version (``pipeline_spans``)."""
    return ws.derived.get("pipeline_spans", lambda: _spans(ws), grows=PER_DEAL)


def _spans(ws: Connection) -> ir.Table:
    """:func:`spans` from the intervals, computed inline in one query: DuckDB computes the
    intervals once although the conversion reads their days too, which costs less than
    materialising the intervals first (every fixed column of the deal, as
    :func:`~salesmetrics.pipeline.asof.intervals` does) and reading them back."""
    iv = build_intervals(ws).select(*_SPAN_COLUMNS)
    converted = fx.to_base(
        iv,
        ws.table("fx_rates"),
        amount="amount",
        currency="currency",
        day=iv.close_date,
        base_currency=ws.config.base_currency,
        out="_amount_base",
        cents=True,
    )
    return converted.select(
        *_SPAN_COLUMNS,
        value_at_close=converted._amount_base,
        fx_missing_at_close=converted[fx.MISSING_COUNT],
        fx_example_at_close=converted[fx.MISSING_EXAMPLE],
    )


def _in_base(ws: Connection, rows: ir.Table) -> ir.Table:
    """``rows`` (of :func:`spans` at the probes) with ``amount_base`` (whole cents) and the fx
    flags: at the close date as materialised; a deal without one at the probe's day."""
    dated = rows.filter(rows.close_date.notnull())
    dated = dated.mutate(
        amount_base=dated.value_at_close,
        **{
            fx.MISSING_COUNT: dated.fx_missing_at_close,
            fx.MISSING_EXAMPLE: dated.fx_example_at_close,
        },
    ).drop(*AT_CLOSE)
    undated = rows.filter(rows.close_date.isnull()).drop(*AT_CLOSE)
    undated = fx.to_base(
        undated,
        ws.table("fx_rates"),
        amount="amount",
        currency="currency",
        day=undated.as_of.date(),  # no close date: the probe's day
        base_currency=ws.config.base_currency,
        out="amount_base",
        cents=True,
    )
    return dated.union(undated.select(*dated.columns).cast(dated.schema()), distinct=False)


def _side(all_states: ir.Table, probe: str) -> ir.Table:
    """The states at one probe, amounts in base currency, columns suffixed ``_s`` / ``_e``."""
    side = all_states.filter(all_states.probe == probe)
    sfx = f"_{probe}"
    common = ("owner_id", "account_id", "source", "product", "pipeline", "type")
    return side.select(
        **{f"period{sfx}": side.period, f"id{sfx}": side.opportunity_id},
        **{f"{c}{sfx}": side[c] for c in ("status", "stage", "close_date", "probability")},
        # each deal's value in whole cents, so that the flow identity holds to the cent
        **{f"amount{sfx}": side.amount_base, f"fx_missing{sfx}": side[fx.MISSING_COUNT]},
        **{f"fx_example{sfx}": side[fx.MISSING_EXAMPLE]},
        **{(c if probe == "s" else f"{c}_e"): side[c] for c in common},
    )


def deal_rows(
    ws: Connection, periods: pd.DataFrame, dims: Sequence[str], spine: ir.Table | None = None
) -> ir.Table:
    """One row per (period, deal existing at s or e) with its state at both and the flags.

    ``periods`` has ``period``, ``start`` and ``end`` (dates). Columns: ``period``, ``start``,
    ``end``, ``opportunity_id``, ``status_s``/``_e``, ``stage_s``/``_e``, ``close_date_s``/``_e``,
    ``probability_s``/``_e``, ``amount_s``/``_e`` (base currency, decimals), the flags
    ``exists_s``, ``open_s``, ``in_s`` (expected at s), ``in_e``, ``slipped``, the flow bucket
    ``flow_in`` / ``flow_out`` (or null) and ``delta`` (value change counted as
    increased/decreased), the fx flags, ``owner_id``, ``account_id``, ``source``, ``product``,
    ``type`` and the ``dim_*`` columns of ``dims``.
    """
    frame = probes(periods, ws.config.timezone)
    table = probes_table(frame)
    # a deal closed for good by s is closed at s and at e: it never enters the measures
    all_states = probe_states(
        ws,
        table,
        ["period", "probe", "p_start", "p_end"],
        skip_settled_by="s_as_of",
        spans=spans(ws),
    )
    all_states = _in_base(ws, all_states)
    s = _side(all_states, "s")
    e = _side(all_states, "e")
    joined = s.outer_join(e, [s.period_s == e.period_e, s.id_s == e.id_e])
    bounds = table.filter(table.probe == "s").select(
        _b_period="period", start="p_start", end="p_end"
    )
    period = joined.period_s.fill_null(joined.period_e)
    rows = joined.mutate(
        period=period,
        opportunity_id=joined.id_s.fill_null(joined.id_e),
        owner_id=joined.owner_id.fill_null(joined.owner_id_e),
        account_id=joined.account_id.fill_null(joined.account_id_e),
        source=joined.source.fill_null(joined.source_e),
        product=joined.product.fill_null(joined.product_e),
        type=joined.type.fill_null(joined.type_e),
    )
    rows = rows.join(bounds, rows.period == bounds._b_period).drop("_b_period")
    exists_s = rows.id_s.notnull()
    open_s = exists_s & (rows.status_s == "open")
    open_e = rows.id_e.notnull() & (rows.status_e == "open")
    in_p_s = (rows.close_date_s >= rows.start) & (rows.close_date_s < rows.end)
    in_p_e = (rows.close_date_e >= rows.start) & (rows.close_date_e < rows.end)
    in_s = (open_s & in_p_s).fill_null(False)
    in_e = (open_e & in_p_e).fill_null(False)
    closed_s = rows.status_s.isin(("won", "lost")).fill_null(False)
    closed_e_in_p = (rows.status_e.isin(("won", "lost")) & in_p_e).fill_null(False)
    amt_s = rows.amount_s.cast(fx.AMOUNT_WIDE).fill_null(_ZERO)
    amt_e = rows.amount_e.cast(fx.AMOUNT_WIDE).fill_null(amt_s)
    outcome = ibis.cases(
        (rows.status_e == "won", ibis.literal("won")),
        (rows.status_e == "open", ibis.literal("pushed_out")),
        else_=ibis.literal("lost"),
    )
    new_kind = ibis.ifelse(exists_s, ibis.literal("pulled_in"), ibis.literal("created"))
    passing = ~in_s & ~in_e & closed_e_in_p & ~closed_s
    flow_in = ibis.cases((~in_s & in_e, new_kind), (passing, new_kind), else_=ibis.null("string"))
    flow_out = ibis.cases(
        (in_s & ~in_e, outcome),
        (passing, ibis.ifelse(rows.status_e == "won", "won", "lost")),
        else_=ibis.null("string"),
    )
    slipped = (in_s & open_e & (rows.close_date_e > rows.close_date_s)).fill_null(False)
    rows = rows.mutate(
        exists_s=exists_s.fill_null(False),
        open_s=open_s.fill_null(False),
        in_s=in_s,
        in_e=in_e,
        slipped=slipped,
        flow_in=flow_in,
        flow_out=flow_out,
        delta=ibis.ifelse(in_s, amt_e - amt_s, _ZERO),
        value_s=amt_s,
        value_e=amt_e,
        fx_missing=rows.fx_missing_s.fill_null(0) + rows.fx_missing_e.fill_null(0),
        fx_example=rows.fx_example_s.fill_null(rows.fx_example_e),
    )
    rows = rows.filter(rows.open_s | rows.in_e | rows.flow_in.notnull())
    rows = with_dims(ws, rows, dims)
    keep = [
        "period",
        "start",
        "end",
        "opportunity_id",
        "owner_id",
        "account_id",
        "source",
        "product",
        "pipeline",
        "type",
        *(f"{c}_{p}" for p in "se" for c in ("status", "stage", "close_date", "probability")),
        "amount_s",
        "amount_e",
        "value_s",
        "value_e",
        "exists_s",
        "open_s",
        "in_s",
        "in_e",
        "slipped",
        "flow_in",
        "flow_out",
        "delta",
        "fx_missing",
        "fx_example",
        *(c for c in rows.columns if c.startswith("dim_")),
    ]
    return rows.select(*keep)


def with_dims(ws: Connection, rows: ir.Table, dims: Sequence[str]) -> ir.Table:
    """``rows`` (of :func:`deal_rows`) with the ``dim_*`` columns of ``dims``: rep, team,
    manager and region from the deal's owner, segment and industry from its account, source,
    product and type from the deal."""
    return gdims.with_deal_dims(rows, ws.table("reps"), ws.table("accounts"), dims)


def _money(value: ir.NumericValue, where: ir.BooleanValue) -> ir.FloatingScalar:
    return value.sum(where=where).fill_null(_ZERO).cast("float64")


def aggregate(rows: ir.Table, dims: Sequence[str]) -> ir.Table:
    """The components (:data:`COMPONENTS`) per (period, group) of :func:`deal_rows`."""
    in_s, in_e = rows.in_s, rows.in_e
    weighted = rows.value_s * rows.probability_s.cast(fx.AMOUNT_WIDE)
    aggs: dict[str, ir.Value] = {
        "open_at_start": rows.count(where=rows.open_s),
        "open_at_start_amount": _money(rows.value_s, rows.open_s),
        "expected": rows.count(where=in_s),
        "pipeline_amount": _money(rows.value_s, in_s),
        "pipeline_no_amount": rows.count(where=in_s & rows.amount_s.isnull()),
        "weighted_amount": weighted.sum(where=in_s).fill_null(_ZERO).cast("float64"),
        "weighted_no_probability": rows.count(where=in_s & rows.probability_s.isnull()),
        "slipped": rows.count(where=rows.slipped),
        "slipped_amount": _money(rows.value_s, rows.slipped),
        "flow_start": _money(rows.value_s, in_s),
        "flow_start_count": rows.count(where=in_s),
        "flow_end": _money(rows.value_e, in_e),
        "flow_end_count": rows.count(where=in_e),
        fx.MISSING_COUNT: rows.fx_missing.sum(),
        fx.MISSING_EXAMPLE: rows.fx_example.min(),
    }
    for bucket in ("created", "pulled_in"):
        hit = rows.flow_in == bucket
        aggs[f"flow_{bucket}"] = _money(rows.value_e, hit)
        aggs[f"flow_{bucket}_count"] = rows.count(where=hit)
    for bucket in ("pushed_out", "lost", "won"):
        hit = rows.flow_out == bucket
        aggs[f"flow_{bucket}"] = _money(rows.value_e, hit)
        aggs[f"flow_{bucket}_count"] = rows.count(where=hit)
    aggs["flow_increased"] = _money(rows.delta, rows.delta > 0)
    aggs["flow_increased_count"] = rows.count(where=rows.delta > 0)
    aggs["flow_decreased"] = (
        (-rows.delta).sum(where=rows.delta < 0).fill_null(_ZERO).cast("float64")
    )
    aggs["flow_decreased_count"] = rows.count(where=rows.delta < 0)
    return rows.group_by([rows.period, *gdims.keys(rows, dims)]).aggregate(**aggs)
