"""Forecasts the product makes, their accuracy, and a backtest.

Two methods (the ``method`` column of ``forecasts``):

* ``weighted_pipeline`` — Σ amount × probability of the deals open at the period's start with a
  close date in it (their state at the start, from history).
* ``statistical`` — Holt's linear exponential smoothing (statsmodels; smoothing parameters
  estimated per series; no seasonality: a handful of quarters cannot estimate one) of the
  revenue won in the up to
  :data:`HISTORY` periods of the same grain before P, as known at P's start (deals whose state
  at s is won with a close date before s). Fewer than 3 past periods: their mean. The prediction
  interval is empirical: the 10th and 90th percentiles of the one-step-ahead in-sample errors
  added to the point forecast, widened to contain it (80% interval; needs ≥ 3 periods).

Both use only what was known at the period's start, so :func:`backtest` can replay past periods.
Accuracy (:func:`accuracy`) follows metrics.md: per forecast scope, method and category, the
latest forecast submitted before s (else before e, noted) against the revenue won in P.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence
from contextlib import closing
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from statsmodels.tsa.holtwinters import Holt

from salesmetrics import dims as gdims
from salesmetrics import formulas, fx
from salesmetrics.errors import UserError
from salesmetrics.periods import Period, parse_period, periods_between, previous
from salesmetrics.pipeline import measures
from salesmetrics.pipeline.asof import instant, probes_table, states

if TYPE_CHECKING:
    from salesmetrics.connection import Connection

METHODS = ("weighted_pipeline", "statistical")
HISTORY = 8
SCOPE_DIMS = {"rep": "rep", "team": "team"}


def _scope(by: str | None) -> str:
    if by is None:
        return "company"
    if by not in SCOPE_DIMS:
        raise UserError(f"forecasts are by rep or team (the forecast scopes), not by {by!r}")
    return by


def _period(ws: Connection, label: str) -> Period:
    return parse_period(label, fiscal_start_month=ws.config.calendar)


def _group_col(frame: pd.DataFrame, by: str | None) -> pd.Series[Any]:
    if by is None:
        return pd.Series("", index=frame.index, dtype=object)
    col = frame[gdims.col(by)] if gdims.col(by) in frame else frame[by]
    return col.astype(object).where(col.notna(), None)


def weighted_forecast(ws: Connection, periods: Sequence[Period], by: str | None) -> pd.DataFrame:
    """``period``, ``group``, ``amount`` (the weighted pipeline as of each period's start)."""
    frame = pd.DataFrame(
        {
            "period": [p.label for p in periods],
            "start": [p.start for p in periods],
            "end": [p.end for p in periods],
        }
    )
    dims = (by,) if by else ()
    expr = measures.aggregate(measures.deal_rows(ws, frame, dims), dims)
    agg: pd.DataFrame = ws.backend.to_pyarrow(expr).to_pandas()
    return pd.DataFrame(
        {"period": agg["period"], "group": _group_col(agg, by), "amount": agg["weighted_amount"]}
    )


def won_known_at(ws: Connection, target: Period, by: str | None) -> pd.DataFrame:
    """Revenue won in each of the :data:`HISTORY` periods before ``target`` as known at its
    start: ``period``, ``start``, ``group``, ``won`` (every past period and group, 0 filled)."""
    past: list[Period] = []
    p = target
    fy = ws.config.calendar
    for _ in range(HISTORY):
        p = previous(p, fiscal_start_month=fy)
        past.append(p)
    past.reverse()
    s = target.start
    probes = probes_table(pd.DataFrame({"day": [s], "as_of": [instant(s, ws.config.timezone)]}))
    rows = states(ws, probes, ["day"])
    rows = rows.filter(rows.status == "won", rows.close_date < s, rows.close_date >= past[0].start)
    dims = (by,) if by else ()
    rows = gdims.with_rep_dims(rows, ws.table("reps"), rows.owner_id, dims)
    rows = fx.to_base(
        rows,
        ws.table("fx_rates"),
        amount="amount",
        currency="currency",
        day=rows.close_date,
        base_currency=ws.config.base_currency,
        out="amount_base",
    )
    rows = rows.mutate(amount_base=rows.amount_base.cast("float64"))
    cols = ["close_date", "amount_base", fx.MISSING_COUNT, fx.MISSING_EXAMPLE]
    cols += [gdims.col(d) for d in dims]
    frame: pd.DataFrame = ws.backend.to_pyarrow(rows.select(*cols)).to_pandas()
    fx.raise_missing(frame, "opportunities.amount")
    starts = pd.to_datetime(pd.Series([q.start for q in past]))
    close = pd.to_datetime(frame["close_date"])
    idx = np.searchsorted(starts.to_numpy(), close.to_numpy(), side="right") - 1
    frame["period"] = np.asarray([q.label for q in past], dtype=object)[idx]
    frame["group"] = _group_col(frame, by)
    # Summed in whole cents: integer sums are exact in any order, so every backend (whatever
    # order it returns the deals in) feeds the model the very same series.
    frame["won"] = np.round(frame["amount_base"].astype("float64") * 100).astype("int64")
    sums = frame.groupby(["period", "group"], dropna=False)["won"].sum().reset_index()
    sums["won"] = sums["won"] / 100
    groups = pd.DataFrame({"group": sums["group"].drop_duplicates()})
    if by is None and groups.empty:  # the company always gets a forecast (of 0 without history)
        groups = pd.DataFrame({"group": [""]})
    grid = pd.DataFrame(
        {"period": [q.label for q in past], "start": [q.start for q in past]}
    ).merge(groups, how="cross")
    out = grid.merge(sums, on=["period", "group"], how="left")
    out["won"] = out["won"].fillna(0.0)
    return out


def holt(series: np.ndarray) -> tuple[float, float | None, float | None]:
    """One-step-ahead forecast of ``series`` with its 80% empirical interval (or None).

    Holt's linear trend model from statsmodels, its smoothing parameters and initial state
    estimated from the series itself; fewer than 3 points give their mean and no interval.
    """
    y = np.asarray(series, dtype="float64")
    if len(y) == 0:
        return 0.0, None, None
    if len(y) < 3:
        return float(y.mean()), None, None
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # short or perfectly fitted series make statsmodels warn about its fit statistics
        warnings.simplefilter("ignore")
        fit = Holt(y, initialization_method="estimated").fit()
        point = max(0.0, float(fit.forecast(1)[0]))
        lo, hi = np.percentile(np.asarray(fit.resid, dtype="float64"), [10, 90])
    low = max(0.0, point + min(float(lo), 0.0))
    return point, low, max(0.0, point + max(float(hi), 0.0))


def statistical_forecast(ws: Connection, periods: Sequence[Period], by: str | None) -> pd.DataFrame:
    """``period``, ``group``, ``amount``, ``low``, ``high`` for each period (data known at its
    start only)."""
    parts = []
    for target in periods:  # one query per forecast period
        past = won_known_at(ws, target, by)
        for group, series in past.groupby("group", dropna=False, sort=True):
            point, low, high = holt(series.sort_values("start")["won"].to_numpy())
            parts.append(
                {"period": target.label, "group": group, "amount": point, "low": low, "high": high}
            )
    return pd.DataFrame(parts, columns=["period", "group", "amount", "low", "high"])


def make(
    ws: Connection, periods: Sequence[Period], methods: Sequence[str], by: str | None
) -> pd.DataFrame:
    """Forecasts of ``methods`` for ``periods``: ``period``, ``method``, ``scope``, ``group``,
    ``amount``, ``low``, ``high``."""
    _scope(by)
    parts = []
    for method in methods:
        if method == "weighted_pipeline":
            frame = weighted_forecast(ws, periods, by)
        elif method == "statistical":
            frame = statistical_forecast(ws, periods, by)
        else:
            raise UserError(f"unknown forecast method {method!r}; use {', '.join(METHODS)}")
        frame = frame.assign(method=method)
        # the backend's row order is arbitrary: fix one, the same on every backend
        parts.append(frame.sort_values(["period", "group"], kind="stable", na_position="last"))
    out = pd.concat(parts, ignore_index=True)
    out["scope"] = _scope(by)
    for col in ("low", "high"):
        if col not in out:
            out[col] = None
    out["amount"] = out["amount"].astype("float64").round(2)
    return out[["period", "method", "scope", "group", "amount", "low", "high"]]


def actuals(ws: Connection, periods: Sequence[Period], by: str | None) -> pd.DataFrame:
    """Revenue won in each period (as the data stand today): ``period``, ``group``, ``actual``."""
    from salesmetrics.metrics.engine import evaluate
    from salesmetrics.metrics.request import Request

    request = Request(
        ("total_revenue",),
        from_period=periods[0].label,
        to_period=periods[-1].label,
        by=(by,) if by else (),
    )
    result = evaluate(ws, request)
    rows = pd.DataFrame(result.rows())
    group = rows["group"].map(lambda g: g.get(by) if by else "")
    return pd.DataFrame({"period": rows["period"], "group": group, "actual": rows["value"]})


def save(ws: Connection, forecasts: pd.DataFrame, submitted_at: dt.datetime) -> int:
    """Store forecasts (from :func:`make`) in the ``forecasts`` table with their method and
    category ``most_likely``, submitted at ``submitted_at`` (naive UTC). The key is derived from
    (method, scope, group, period, submitted_at), so saving again replaces. Returns rows written."""
    import pyarrow as pa

    stamp = submitted_at.strftime("%Y%m%dT%H%M%S")
    ids = [
        f"{m}:{sc}:{g or ''}:{p}:{stamp}"
        for m, sc, g, p in zip(
            forecasts["method"],
            forecasts["scope"],
            forecasts["group"],
            forecasts["period"],
            strict=True,
        )
    ]
    data = pa.table(
        {
            "forecast_id": pa.array(ids, pa.string()),
            "scope": pa.array(forecasts["scope"].astype(str).tolist(), pa.string()),
            "scope_id": pa.array(
                [None if g in ("", None) else str(g) for g in forecasts["group"]], pa.string()
            ),
            "period": pa.array(forecasts["period"].astype(str).tolist(), pa.string()),
            "amount": pa.array(
                [f"{a:.2f}" for a in forecasts["amount"].astype("float64")], pa.string()
            ),
            "submitted_at": pa.array([submitted_at] * len(ids), pa.timestamp("us")),
            "method": pa.array(forecasts["method"].astype(str).tolist(), pa.string()),
        }
    )
    from salesmetrics.ingest.store import store_for

    columns = (
        "forecast_id",
        "scope",
        "scope_id",
        "period",
        "amount",
        "submitted_at",
        "category",
        "method",
        "_batch_id",
        "_loaded_at",
    )
    # Staged in the import store's DuckDB engine, written by key in one backend transaction.
    with closing(store_for(ws)) as store:
        con = store.engine
        con.register("_forecast_rows", data)
        try:
            con.execute(
                "CREATE OR REPLACE TEMP VIEW _forecast_view AS SELECT forecast_id, scope,"
                " scope_id, period, CAST(amount AS DECIMAL(18,4)) AS amount, submitted_at,"
                " 'most_likely' AS category, method, 'forecast' AS _batch_id,"
                " now()::TIMESTAMP AS _loaded_at FROM _forecast_rows"
            )
            store.upsert([("forecasts", columns, "_forecast_view")])
        finally:
            store.drop(["_forecast_view"])
            con.unregister("_forecast_rows")
    return len(ids)


def accuracy(ws: Connection, periods: Sequence[Period], by: str | None) -> pd.DataFrame:
    """Accuracy and bias of the stored forecasts for ``periods`` at ``by``'s scope, per method
    and category: the latest forecast submitted before s (else before e, ``late``)."""
    scope = _scope(by)
    table = ws.table("forecasts")
    frame: pd.DataFrame = ws.backend.to_pyarrow(table.filter(table.scope == scope)).to_pandas()
    if frame.empty:
        return pd.DataFrame(
            columns=["period", "group", "method", "category", "forecast", "actual", "accuracy"]
        )
    labels = {p.label: p for p in periods}
    spans = {}
    for label in frame["period"].drop_duplicates():
        try:
            p = _period(ws, str(label))
        except UserError:
            continue
        for q in periods:
            if q.start == p.start and q.end == p.end:
                spans[label] = q.label
    frame["p"] = frame["period"].map(spans)
    frame = frame[frame["p"].isin(labels)].copy()
    tz = ws.config.timezone
    frame["s"] = frame["p"].map(lambda lab: instant(labels[lab].start, tz))
    frame["e"] = frame["p"].map(lambda lab: instant(labels[lab].end, tz))
    frame = frame[frame["submitted_at"] < frame["e"]].copy()
    frame["late"] = frame["submitted_at"] >= frame["s"]
    frame["method"] = frame["method"].fillna("manager")
    frame["category"] = frame["category"].fillna("most_likely")
    frame["group"] = frame["scope_id"].fillna("") if by else ""
    frame = frame.sort_values(["late", "submitted_at"], ascending=[False, True], kind="stable")
    latest = frame.groupby(["p", "group", "method", "category"], as_index=False).last()
    act = actuals(ws, periods, by).rename(columns={"period": "p"})
    out = latest.merge(act, on=["p", "group"], how="left")
    forecast = out["amount"].astype("float64").to_numpy()
    actual = out["actual"].astype("float64").to_numpy()
    out["forecast"] = forecast
    out["accuracy"] = np.asarray(formulas.sales_forecast_accuracy(forecast, actual))
    out["bias"] = np.asarray(formulas.forecast_bias(forecast, actual))
    out = out.drop(columns=["period"]).rename(columns={"p": "period"})
    cols = ["period", "group", "method", "category", "forecast", "actual", "accuracy", "bias"]
    return out[[*cols, "late", "submitted_at"]].reset_index(drop=True)


def backtest(
    ws: Connection,
    from_period: str,
    to_period: str,
    by: str | None = None,
    grain: str = "quarter",
    group: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replay each period from..to: forecasts of every method made with the data known at its
    start, against the revenue won in it; only ``group`` of ``by`` when given (a team or a rep).
    Returns (per period, group and method; summary per method with MAPE, mean bias and mean
    accuracy)."""
    fy = ws.config.calendar
    periods = periods_between(from_period, to_period, grain, fiscal_start_month=fy)
    made = make(ws, periods, METHODS, by)
    act = actuals(ws, periods, by)
    rows = made.merge(act, on=["period", "group"], how="left")
    if group is not None:
        rows = rows[rows["group"] == group].reset_index(drop=True)
    forecast = rows["amount"].to_numpy(dtype="float64")
    actual = rows["actual"].to_numpy(dtype="float64", na_value=np.nan)
    rows["accuracy"] = np.asarray(formulas.sales_forecast_accuracy(forecast, actual))
    rows["bias"] = np.asarray(formulas.forecast_bias(forecast, actual))
    rows["abs_pct_error"] = np.abs(rows["bias"])
    summary = (
        rows.groupby("method", sort=False)
        .agg(
            periods=("period", "nunique"),
            mape=("abs_pct_error", "mean"),
            bias=("bias", "mean"),
            accuracy=("accuracy", "mean"),
        )
        .reset_index()
    )
    return rows, summary
