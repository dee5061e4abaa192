"""Engagement: a 0-100 score per customer at the end of each period, from product usage.

Over the last ``engagement_window_days`` of P (not before its start), per customer at end c and
event type e: countₑ(c) = Σ count of c's events of type e. The score of c is
100 × Σₑ wₑ·min(countₑ / targetₑ, 1) / Σₑ wₑ over the event types whose target is above 0 (the
same rule as :func:`salesmetrics.formulas.engagement_score`, computed in the backend), where
wₑ = ``engagement_weights[e]`` (default 1) and targetₑ = ``engagement_targets[e]``, else the 90th
percentile (interpolated) of countₑ among all customers at end in that window, zeros included.
Event types are those seen in the window plus the configured ones. An event type whose target
is 0 (its percentile is 0 when most customers never do it, or a 0 is configured) is left out of
both sums and named in the result's note (metrics.md).

Components per (period, group): ``engaged_customers`` (customers at end with a score),
``engagement_sum`` (Σ scores), ``engagement_at_risk`` (scores under 40), ``engagement_events``
(event types scored) and ``engagement_left_out`` (the event types left out for a target of 0,
joined by :data:`LEFT_OUT_SEPARATOR` in no particular order; the same for every group of a
period). Group dimensions come from the account.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from salesmetrics import dims as gdims
from salesmetrics.metrics import customers
from salesmetrics.metrics.catalog.people import LEFT_OUT_SEPARATOR
from salesmetrics.metrics.families import Family, regroup

if TYPE_CHECKING:
    from salesmetrics.metrics.context import Context

COMPONENTS = ("engaged_customers", "engagement_sum", "engagement_at_risk")
OTHER = ("engagement_events", "engagement_left_out")
AT_RISK_BELOW = 40.0
#: The percentile of the default targets, in tenths (the rank arithmetic is done in integers).
PERCENTILE_TENTHS = 9


def _settings(ctx: Context) -> ir.Table:
    """The configured weights and targets per event type (a memtable; may be empty)."""
    weights = ctx.config.engagement_weights
    targets = ctx.config.engagement_targets
    events = sorted(set(weights) | set(targets))
    return ibis.memtable(
        pa.table(
            {
                "_s_event": pa.array(events, pa.string()),
                "_s_weight": pa.array([weights.get(e) for e in events], pa.float64()),
                "_s_target": pa.array([targets.get(e) for e in events], pa.float64()),
            }
        )
    )


def _position(
    population: ir.IntegerValue,
) -> tuple[ir.IntegerValue, ir.IntegerValue, ir.FloatingValue]:
    """The 0-based ranks below and above the percentile position p·(N − 1) among N values (p
    is :data:`PERCENTILE_TENTHS` tenths), and p·(N − 1) minus the rank below. Computed in integer
    tenths, so it is exact on every backend and no row needs a decimal product."""
    tenths = population.cast("int64") * PERCENTILE_TENTHS - PERCENTILE_TENTHS
    lo = (tenths // 10).cast("int64")
    hi = ((tenths + 9) // 10).cast("int64")
    return lo, hi, (tenths - lo * 10).cast("float64") / 10.0


def score_rows(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """One row per (period, customer at end): ``score`` (null when no event type can be
    scored), ``event_types`` (the number scored), ``left_out`` (the event types of target 0,
    see :data:`LEFT_OUT_SEPARATOR`) and the ``dim_*`` columns.

    The scores do not depend on the grouping: they are computed once per set of periods
    (:meth:`Context.shared`) and the customer's dimensions joined to them.
    """
    scores = ctx.shared("engagement_scores", lambda: _scores(ctx))
    rows = customers.with_customer_dims(ctx, scores, scores.account_id, dims)
    dim_cols = [c for c in rows.columns if c.startswith("dim_")]
    return rows.select("period", "account_id", *dim_cols, "event_types", "left_out", "score")


def _scores(ctx: Context) -> ir.Table:
    """``period``, ``account_id``, ``event_types``, ``left_out`` and ``score`` of every customer
    at the end of every period of the spine.

    Only the non-zero (customer, event type) counts are materialised: a customer without events
    of a type scores 0 on it, and the percentile target counts those zeros by rank arithmetic
    instead of building the customers × event types grid. The customers at end are read without
    their dimensions; those are joined once, to the scored rows.
    """
    spine = ctx.spine
    ends = customers.at_end(ctx, ctx.customer_basis, [])
    population = ends.group_by(_n_period=ends.period).aggregate(_n=ends.count())
    events = ctx.table("engagement_events")
    events = events.filter(events.occurred_on >= ctx.first_day, events.occurred_on < ctx.end_day)
    in_window = spine.join(
        events,
        [events.occurred_on >= spine.engagement_start, events.occurred_on < spine.end],
    )
    counts = in_window.group_by(
        [in_window.period, in_window.account_id, in_window.event]
    ).aggregate(n=in_window["count"].fill_null(1).sum().cast("float64"))
    members = ends.select(_m_period=ends.period, _m_account=ends.account_id)
    counts = counts.join(
        members, [counts.period == members._m_period, counts.account_id == members._m_account]
    ).select("period", "account_id", "event", "n")
    counts = counts.filter(counts.n > 0)

    # The interpolated percentile of each event type's count over all N customers at end,
    # N − k of whom have a count of 0: rank r < N − k is a zero, else the (r − (N − k))-th
    # smallest non-zero count. Ranked by distinct count (how many customers have each), not
    # by customer: the ranks r with below ≤ r − (N − k) < below + customers have that count.
    hist = counts.group_by(["period", "event", "n"]).aggregate(_c=counts.count())
    by_type = [hist.period, hist.event]
    through = ibis.window(group_by=by_type, order_by=hist.n, rows=(None, 0))
    hist = hist.mutate(
        _k=hist._c.sum().over(group_by=by_type), _through=hist._c.sum().over(through)
    )
    hist = hist.join(population, hist.period == population._n_period)
    lo, hi, frac = _position(hist._n)
    zeros = hist._n - hist._k
    hist = hist.mutate(
        _first=zeros + hist._through - hist._c, _last=zeros + hist._through, _lo=lo, _hi=hi
    )
    seen = hist.group_by([hist.period.name("_e_period"), hist.event.name("_e_event")]).aggregate(
        _v_lo=hist.n.max(where=(hist._first <= hist._lo) & (hist._lo < hist._last)),
        _v_hi=hist.n.max(where=(hist._first <= hist._hi) & (hist._hi < hist._last)),
        _frac=frac.max(),
    )
    seen = seen.mutate(
        _pct=seen._v_lo.fill_null(0.0)
        + seen._frac * (seen._v_hi.fill_null(0.0) - seen._v_lo.fill_null(0.0))
    ).select("_e_period", "_e_event", "_pct")
    settings = _settings(ctx)
    configured = spine.select(_e_period=spine.period).cross_join(
        settings.select(_e_event=settings._s_event)
    )
    types = ibis.union(seen.select("_e_period", "_e_event"), configured, distinct=True)
    pct = seen.rename(_p_period="_e_period", _p_event="_e_event")
    types = types.left_join(
        pct, [types._e_period == pct._p_period, types._e_event == pct._p_event]
    ).drop("_p_period", "_p_event")
    types = types.left_join(settings, types._e_event == settings._s_event).drop("_s_event")
    target = types._s_target.fill_null(types._pct.fill_null(0.0))
    weight = types._s_weight.fill_null(1.0)
    types = types.select(
        "_e_period",
        "_e_event",
        _target=target,
        _weight=weight,
        _usable=(target > 0) & (weight > 0),
    )
    per_period = types.group_by(_w_period=types._e_period).aggregate(
        _wsum=types._weight.sum(where=types._usable),
        _types=types.count(where=types._usable),
        # unordered: Spark cannot order a string aggregation; the note sorts them
        _left_out=types._e_event.group_concat(LEFT_OUT_SEPARATOR, where=~(types._target > 0)),
    )
    scored = counts.join(types, [counts.period == types._e_period, counts.event == types._e_event])
    scored = scored.filter(scored._usable)
    per_customer = scored.group_by(
        [scored.period.name("_s_period"), scored.account_id.name("_s_account")]
    ).aggregate(_num=(scored._weight * ibis.least(scored.n / scored._target, 1.0)).sum())
    rows = ends.left_join(
        per_customer,
        [ends.period == per_customer._s_period, ends.account_id == per_customer._s_account],
    )
    rows = rows.left_join(per_period, rows.period == per_period._w_period)
    wsum = rows._wsum.fill_null(0.0)
    score = ibis.ifelse(wsum > 0, 100.0 * rows._num.fill_null(0.0) / wsum, ibis.null("float64"))
    return rows.select(
        "period",
        "account_id",
        event_types=rows._types.fill_null(0),
        left_out=rows._left_out,
        score=score,
    )


def build(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """Engagement components per (period, group)."""
    rows = score_rows(ctx, dims)
    agg = rows.group_by([rows.period, *gdims.keys(rows, dims)]).aggregate(
        engaged_customers=rows.count(where=rows.score.notnull()),
        engagement_sum=rows.score.sum(),
        engagement_at_risk=rows.count(where=rows.score < AT_RISK_BELOW),
        engagement_events=rows.event_types.max(),
        engagement_left_out=rows.left_out.max(),
    )
    return regroup(["period", *dims], [agg], COMPONENTS, OTHER)


def drill_scores(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """The customers at the end of the period with their engagement score."""
    return score_rows(ctx, dims)


FAMILY = Family(
    name="engagement",
    tables=("engagement_events", "opportunities", "accounts", "reps"),
    dims_supported=gdims.CUSTOMER_DIMS,
    components=COMPONENTS,
    other=OTHER,
    build=build,
    drills={"scores": drill_scores},
    additive=True,
    maxima=OTHER,
)
