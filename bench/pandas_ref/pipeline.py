"""Open-pipeline metrics from the state of every deal at a period's start s and end e.

The state of a deal at instant t (data-model.md): its last history row with changed_at <= t; a
deal with history but none yet at t is in its first history row's state; a deal without history
is in its current state; an empty history column is taken from the deal's row and an empty
status derived from the stage ("won"/"lost" in its name, else open). A deal exists at t when
created_at <= t or its first history row is at or before t (no date at all: always). Amounts are
converted at the state's close date (else the probe's day) and rounded to cents per deal.

Per period (metrics.md, Pipeline): *expected* = open at s with close_date (as of s) in P;
coverage = their value / quota; weighted = Σ value × probability; slipped = expected deals still
open at e with a later close date; flow = start + created + pulled in + increased − decreased −
pushed out − lost − won = end, whose value is end − start.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.pandas_ref.common import (
    BYS,
    Review,
    currency_codes,
    fx_table,
    instant,
    memo,
    money,
    result,
    sums,
    with_rep_groups,
)
from bench.pandas_ref.recurring import half_away_div
from bench.pandas_ref.team import seller_components
from salesmetrics import formulas

STATE = ("status", "amount", "close_date", "probability")
FLOW_IN = ("created", "pulled_in")
FLOW_OUT = ("pushed_out", "lost", "won")
COLUMNS = (
    "expected",
    "pipeline_amount",
    "weighted_amount",
    "slipped",
    "flow_start",
    "flow_end",
    "flow_increased",
    "flow_decreased",
    *(f"flow_{b}" for b in (*FLOW_IN, *FLOW_OUT)),
)


def status_of(stage: pd.Series) -> pd.Series:
    """Status derived from a stage name: won / lost when the name says so, else open."""
    low = stage.astype(object).str.lower()
    out = np.where(
        low.str.contains("won", na=False),
        "won",
        np.where(low.str.contains("lost", na=False), "lost", "open"),
    )
    return pd.Series(out, index=stage.index, dtype=object).where(stage.notna(), None)


def _history(review: Review) -> pd.DataFrame:
    """History with ``code`` (the deal's row in opportunities; history of unknown deals left
    out), sorted by deal and time; status filled from the stage where empty."""
    cached = review.tables.cache.get("history")
    if cached is None:
        h = review.tables["opportunity_history"]
        ids = pd.Index(review.tables["opportunities"]["opportunity_id"].astype(object))
        cached = pd.DataFrame(
            {
                "code": ids.get_indexer(pd.Index(h["opportunity_id"].astype(object))),
                "changed_at": h["changed_at"].to_numpy(),
                "status": h["status"].astype(object).fillna(status_of(h["stage"])).to_numpy(),
                "amount": h["amount"].astype("float64").to_numpy(),
                "close_date": pd.to_datetime(h["close_date"]).to_numpy(),
                "probability": h["probability"].astype("float64").to_numpy(),
            }
        )
        cached = cached[cached["code"] >= 0].sort_values(["code", "changed_at"], kind="stable")
        review.tables.cache["history"] = cached
    return cached


def _last_per_deal(codes: np.ndarray, n: int) -> np.ndarray:
    """For rows sorted by deal code: per deal (0..n−1) the position of its last row, −1 if none."""
    out = np.full(n, -1, dtype="int64")
    if len(codes):
        last = np.r_[codes[1:] != codes[:-1], True]
        out[codes[last]] = np.flatnonzero(last)
    return out


def base_cents(
    review: Review, amount: pd.Series, currency: pd.Series, day: pd.Series
) -> np.ndarray:
    """Amounts in base currency at the latest rate on or before ``day``, in whole cents, half
    away from zero (base-currency amounts exactly, from their 4 decimals; converted ones from the
    float product, nudged so that an exact half cent rounds away from zero)."""
    values = amount.to_numpy(dtype="float64")
    cents = half_away_div(np.round(np.nan_to_num(values) * 10_000).astype("int64"), 100)
    out = cents.astype("float64")
    cur = currency_codes(currency, review.base).to_numpy()
    foreign = np.flatnonzero((cur != review.base) & ~np.isnan(values))
    if len(foreign):
        left = pd.DataFrame(
            {"_pos": foreign, "currency": cur[foreign], "day": day.to_numpy()[foreign]}
        )
        left = left.sort_values("day", kind="stable")
        merged = pd.merge_asof(
            left,
            fx_table(review),
            left_on="day",
            right_on="date",
            by="currency",
            direction="backward",
        )
        if merged["rate"].isna().any():
            raise LookupError("a deal's amount has no exchange rate on or before its close date")
        pos = merged["_pos"].to_numpy()
        product = values[pos] * merged["rate"].to_numpy() * 100
        out[pos] = np.sign(product) * np.floor(np.abs(product) + 0.5 + 1e-7)
    out[np.isnan(values)] = np.nan
    return out


def _current(opps: pd.DataFrame) -> pd.DataFrame:
    """The deals' current state (what history does not record is taken from here)."""
    return pd.DataFrame(
        {
            "currency": opps["currency"].astype(object).to_numpy(),
            "status": opps["status"].astype(object).to_numpy(),
            "amount": opps["amount"].astype("float64").to_numpy(),
            "close_date": pd.to_datetime(opps["close_date"]).to_numpy(),
            "probability": opps["probability"].astype("float64").to_numpy(),
        }
    )


def states_at(review: Review, t: pd.Timestamp) -> pd.DataFrame:
    """Every deal (in opportunities' row order) with ``exists`` at instant ``t``, its state
    then and ``value`` in base-currency cents (NaN without amount)."""
    cache = review.tables.cache.setdefault("states", {})
    if t in cache:
        return cache[t]  # type: ignore[no-any-return]
    opps = review.tables["opportunities"]
    hist = _history(review)
    n = len(opps)
    state = memo(review, "current_states", lambda: _current(opps)).copy()
    codes = hist["code"].to_numpy()
    first_pos = np.full(n, -1, dtype="int64")
    if len(codes):
        starts = np.r_[True, codes[1:] != codes[:-1]]
        first_pos[codes[starts]] = np.flatnonzero(starts)
    upto = np.flatnonzero(hist["changed_at"].to_numpy() <= t.to_datetime64())
    last_pos = _last_per_deal(codes[upto], n)
    last_pos = np.where(last_pos >= 0, upto[np.maximum(last_pos, 0)], -1)
    # the last row at or before t, else the first row, else none (the current state)
    pos = np.where(last_pos >= 0, last_pos, first_pos)
    has = pos >= 0
    for col in STATE:
        values = hist[col].to_numpy()[np.maximum(pos, 0)]
        from_history = pd.Series(values, dtype=state[col].dtype).where(has)
        state[col] = from_history.where(from_history.notna(), state[col])
    created = opps["created_at"].to_numpy()
    first_at = np.where(
        first_pos >= 0,
        hist["changed_at"].to_numpy()[np.maximum(first_pos, 0)],
        np.datetime64("NaT"),
    )
    at = t.to_datetime64()
    state["exists"] = (np.isnat(created) & np.isnat(first_at)) | (created <= at) | (first_at <= at)
    status = state["status"]
    state["is_open"] = (status == "open").to_numpy()
    state["is_won"] = (status == "won").to_numpy()
    state["is_lost"] = (status == "lost").to_numpy()
    day = state["close_date"].fillna(t.normalize())
    state["value"] = base_cents(review, state["amount"], state["currency"], day)
    cache[t] = state
    return state


def deal_rows(review: Review) -> pd.DataFrame:
    """One row per (period, deal that matters for it) with the flow buckets and values."""
    tz = review.config.timezone
    opps = review.tables["opportunities"]
    owners = with_rep_groups(review, pd.DataFrame(index=range(len(opps))), opps["owner_id"])
    parts = []
    for p in review.periods:
        s = states_at(review, instant(p.start, tz))
        e = states_at(review, instant(p.end, tz))
        exists_s = s["exists"].to_numpy()
        close_s, close_e = s["close_date"], e["close_date"]
        in_p_s = ((close_s >= p.start) & (close_s < p.end)).to_numpy()
        in_p_e = ((close_e >= p.start) & (close_e < p.end)).to_numpy()
        open_s = exists_s & s["is_open"].to_numpy()
        open_e = e["exists"].to_numpy() & e["is_open"].to_numpy()
        won_e = e["exists"].to_numpy() & e["is_won"].to_numpy()
        closed_e = won_e | (e["exists"].to_numpy() & e["is_lost"].to_numpy())
        closed_s = exists_s & (s["is_won"].to_numpy() | s["is_lost"].to_numpy())
        in_s = open_s & in_p_s
        in_e = open_e & in_p_e
        passing = ~in_s & ~in_e & closed_e & in_p_e & ~closed_s
        arrives = (~in_s & in_e) | passing
        leaves = (in_s & ~in_e) | passing
        keep = np.flatnonzero(open_s | in_e | arrives)
        value_s = np.nan_to_num(np.where(exists_s, s["value"].to_numpy(), np.nan))[keep]
        value_e = e["value"].to_numpy()[keep]
        value_e = np.where(np.isnan(value_e), value_s, value_e)
        in_s, in_e, arrives, leaves = in_s[keep], in_e[keep], arrives[keep], leaves[keep]
        won, still_open = won_e[keep], open_e[keep]
        delta = np.where(in_s, value_e - value_s, 0.0)
        probability = np.nan_to_num(s["probability"].to_numpy(dtype="float64")[keep])
        slipped = in_s & still_open & (close_e > close_s).to_numpy()[keep]
        frame = pd.DataFrame(
            {
                "period": p.label,
                "rep": owners["rep"].to_numpy()[keep],
                "team": owners["team"].to_numpy()[keep],
                "expected": in_s.astype(int),
                "pipeline_amount": np.where(in_s, value_s, 0.0),
                "weighted_amount": np.where(in_s, value_s * probability, 0.0),
                "slipped": slipped.astype(int),
                "flow_start": np.where(in_s, value_s, 0.0),
                "flow_end": np.where(in_e, value_e, 0.0),
                "flow_increased": np.where(delta > 0, delta, 0.0),
                "flow_decreased": np.where(delta < 0, -delta, 0.0),
                "flow_created": np.where(arrives & ~exists_s[keep], value_e, 0.0),
                "flow_pulled_in": np.where(arrives & exists_s[keep], value_e, 0.0),
                # a deal leaving while still open was pushed out (passing deals are closed)
                "flow_pushed_out": np.where(leaves & still_open, value_e, 0.0),
                "flow_won": np.where(leaves & won, value_e, 0.0),
                "flow_lost": np.where(leaves & ~won & ~still_open, value_e, 0.0),
            }
        )
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)


def metrics(review: Review) -> list[pd.DataFrame]:
    """pipeline_coverage, weighted_pipeline, deal_slippage_rate and pipeline_flow."""
    if not len(review.tables["opportunity_history"]):
        return []
    rows = deal_rows(review)
    out = []
    for by in BYS:
        agg = sums(rows, by, COLUMNS)
        money_cols = [c for c in COLUMNS if c not in ("expected", "slipped")]
        agg[money_cols] = agg[money_cols] / 100
        quota = seller_components(review, by)[["period", "group", "quota"]]
        cov = agg.merge(quota, on=["period", "group"], how="outer").fillna(
            {"pipeline_amount": 0.0, "quota": 0.0}
        )
        out += [
            result(
                "pipeline_coverage",
                cov,
                by,
                formulas.pipeline_coverage(cov["pipeline_amount"], cov["quota"]),
            ),
            result("weighted_pipeline", agg, by, money(agg["weighted_amount"])),
            result(
                "deal_slippage_rate",
                agg,
                by,
                formulas.deal_slippage_rate(agg["slipped"], agg["expected"]),
            ),
            result("pipeline_flow", agg, by, money(agg["flow_end"] - agg["flow_start"])),
        ]
    return out
