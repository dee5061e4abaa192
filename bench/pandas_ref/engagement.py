"""Customer engagement score: 0-100 per customer at the end of P, averaged per group.

Over the last ``engagement_window_days`` of P (not before its start), per customer at end c and
event type e: countₑ(c) = Σ of the events' counts (a missing count is 1). Score of c =
100 × Σₑ wₑ·min(countₑ / targetₑ, 1) / Σₑ wₑ over the types with target > 0 and weight > 0;
wₑ from ``engagement_weights`` (default 1), targetₑ from ``engagement_targets``, else the 90th
percentile (linear) of countₑ over every customer at end, zeros included. Types: those counted
for a customer at end in the window plus the configured ones.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.pandas_ref.common import BYS, Period, Review, result, sums, with_account_groups
from bench.pandas_ref.customers import deal_states, recurring_states
from bench.pandas_ref.recurring import mrr_matrix


def customers_at_end(review: Review, p: Period) -> pd.Index:
    """The accounts that are customers at the end of P."""
    recurring = mrr_matrix(review) is not None
    st = recurring_states(review, p) if recurring else deal_states(review, p)
    members: pd.Index = pd.Index(st.loc[st["at_end"].to_numpy(), "account_id"].astype(object))
    return members


def scores(review: Review, p: Period) -> pd.DataFrame:
    """``account_id`` and ``score`` (NaN when no type can be scored) of the customers at end."""
    cfg = review.config
    members = customers_at_end(review, p)
    events = review.tables["engagement_events"]
    day = pd.to_datetime(events["occurred_on"])
    window_start = max(p.start, p.end - pd.Timedelta(days=cfg.engagement_window_days))
    inside = ((day >= window_start) & (day < p.end)).to_numpy()
    ev = events[inside]
    ev = ev[ev["account_id"].astype(object).isin(members).to_numpy()]
    counts = (
        ev.assign(n=ev["count"].astype("float64").fillna(1.0))
        .groupby([ev["account_id"].astype(object), ev["event"].astype(object)])["n"]
        .sum()
    )
    matrix = counts[counts > 0].unstack(fill_value=0)
    types = sorted(set(matrix.columns) | set(cfg.engagement_weights) | set(cfg.engagement_targets))
    grid = matrix.reindex(index=members, columns=types, fill_value=0.0).fillna(0.0)
    values = grid.to_numpy(dtype="float64")
    pct = np.quantile(values, 0.9, axis=0) if len(grid) else np.zeros(len(types))
    target = np.array([cfg.engagement_targets.get(t, np.nan) for t in types], dtype="float64")
    target = np.where(np.isnan(target), pct, target)
    weight = np.array([cfg.engagement_weights.get(t, 1.0) for t in types], dtype="float64")
    usable = (target > 0) & (weight > 0)
    wsum = weight[usable].sum()
    share = np.minimum(values[:, usable] / target[usable], 1.0)
    score = 100.0 * (share * weight[usable]).sum(axis=1) / wsum if wsum > 0 else np.nan
    return pd.DataFrame({"account_id": grid.index, "score": score})


def metrics(review: Review) -> list[pd.DataFrame]:
    """customer_engagement_score for every period of the review and group of BYS."""
    per_period = []
    for p in review.periods:
        s = scores(review, p)
        s = with_account_groups(review, s, s["account_id"])
        per_period.append(
            s.assign(
                period=p.label, scored=s["score"].notna().astype(int), total=s["score"].fillna(0.0)
            )
        )
    rows = pd.concat(per_period, ignore_index=True)
    out = []
    for by in BYS:
        agg = sums(rows, by, ("scored", "total"))
        value = np.where(
            agg["scored"] > 0, agg["total"] / agg["scored"].where(agg["scored"] > 0, 1), np.nan
        )
        out.append(result("customer_engagement_score", agg, by, value))
    return out
