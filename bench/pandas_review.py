"""The full review in plain pandas (quality bar P2: the engine must be ≥ 10 × faster).

The review (quality.md P1): every metric of the registry for the 4 quarters and 12 months of a
year, company-wide, by team and by rep. This module computes it from the canonical tables with
vectorised pandas (merges, group-bys, masks, cumulative sums), straight from the spec's
definitions (metrics.md and the glossary, docs/metrics.md); it never calls the engine. The
families of metrics live in :mod:`bench.pandas_ref`, one module each.

* :func:`load` reads the tables from a workspace's DuckDB file (timed apart from the review);
* :func:`review` computes every metric: one row per (metric, period, by, group[, stage or
  question]) with ``value`` (float, NaN where undefined);
* :func:`compare` lists the differences between the engine's review and this one.

The engine's side of :func:`compare` is the concatenation of ``MetricResult.to_pandas()`` of the
six requests (grain quarter and month × company-wide, ``by=["team"]``, ``by=["rep"]``), each
with a column ``by`` naming its dimension ("" company-wide); see :func:`tag`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from bench.pandas_ref import (
    customers,
    deals,
    engagement,
    forecasts,
    marketing,
    pipeline,
    recognized,
    recurring,
    stages,
    surveys,
    team,
)
from bench.pandas_ref.common import RESULT_COLUMNS, Review, Tables, review_periods, with_previous
from salesmetrics import schema
from salesmetrics.config import Config
from salesmetrics.metrics.registry import REGISTRY, Unit

__all__ = ["KEYS", "Tables", "compare", "load", "review", "tag"]

#: The key of a result row (besides the metric's value).
KEYS = ("metric", "period", "by", "group", "stage", "question")
#: Units compared to the cent; ratios and other floats to 1e-9; counts exactly.
MONEY_UNITS = frozenset({Unit.MONEY, Unit.MONEY_PER_DAY})
#: Metrics whose values are rounded by definition (decimals): compared to their last decimal,
#: since a mean lying on a rounding boundary rounds either way with the order of float sums.
ROUNDED = {"time_in_stage": 4}
#: The tables and columns the review reads.
COLUMNS: dict[str, tuple[str, ...]] = {
    "reps": ("rep_id", "team", "hired_on", "left_on"),
    "quotas": ("rep_id", "period_start", "period_end", "amount", "currency"),
    "accounts": ("account_id", "owner_id", "churned_at"),
    "leads": (
        "lead_id",
        "created_at",
        "owner_id",
        "status",
        "score",
        "qualified_at",
        "converted_at",
        "opportunity_id",
    ),
    "opportunities": (
        "opportunity_id",
        "account_id",
        "owner_id",
        "lead_id",
        "created_at",
        "close_date",
        "stage",
        "status",
        "amount",
        "currency",
        "probability",
    ),
    "opportunity_history": (
        "opportunity_id",
        "changed_at",
        "stage",
        "status",
        "amount",
        "close_date",
        "probability",
    ),
    "costs": ("date", "period_start", "period_end", "category", "amount", "currency"),
    "activities": ("rep_id", "type", "started_at", "duration_minutes", "is_selling"),
    "engagement_events": ("account_id", "occurred_on", "event", "count"),
    "survey_responses": (
        "response_id",
        "survey_id",
        "submitted_at",
        "question_id",
        "score",
        "respondent_id",
        "team",
    ),
    "fx_rates": ("currency", "date", "rate"),
    "subscriptions": ("account_id", "start_date", "end_date", "mrr", "currency", "is_trial"),
    "invoice_lines": (
        "line_id",
        "account_id",
        "invoice_date",
        "amount",
        "currency",
        "service_start",
        "service_end",
        "is_recurring",
    ),
    "forecasts": (
        "forecast_id",
        "scope",
        "scope_id",
        "period",
        "amount",
        "submitted_at",
        "category",
        "method",
    ),
}
_FAMILIES = (
    deals,
    team,
    customers,
    marketing,
    recurring,
    recognized,
    engagement,
    surveys,
    pipeline,
    stages,
    forecasts,
)


def load(db_path: Path) -> Tables:
    """The columns the review reads of every canonical table, from the workspace's DuckDB file,
    as pandas frames (names checked against the schema, never user text)."""
    known = {t.name: {c.name for c in t.columns} for t in schema.TABLES}
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        frames = {}
        for name, columns in COLUMNS.items():
            unknown = set(columns) - known.get(name, set())
            if unknown:
                raise KeyError(f"{name}: no columns {sorted(unknown)} in the schema")
            listed = ", ".join(f'"{c}"' for c in columns)
            frames[name] = con.execute(f'SELECT {listed} FROM "{name}"').df()
    finally:
        con.close()
    return Tables(frames)


def review(tables: Tables, year: int, config: Config) -> pd.DataFrame:
    """Every registry metric for the quarters and months of ``year``, company-wide, by team and
    by rep: columns :data:`KEYS` and ``value`` (NaN where undefined)."""
    periods = review_periods(year)
    ctx = Review(tables, config, with_previous(periods))
    parts = [frame for family in _FAMILIES for frame in family.metrics(ctx)]
    frame = pd.concat(parts, ignore_index=True)
    frame = frame[frame["period"].isin({p.label for p in periods})]
    out: pd.DataFrame = frame.loc[:, list(RESULT_COLUMNS)].reset_index(drop=True)
    return out


def tag(frame: pd.DataFrame, by: Iterable[str]) -> pd.DataFrame:
    """An engine ``MetricResult.to_pandas()`` frame with the ``by`` column :func:`compare`
    expects ("" company-wide, else the one dimension)."""
    dims = list(by)
    if len(dims) > 1:
        raise ValueError("the review groups by one dimension at a time")
    return frame.assign(by=dims[0] if dims else "")


def _normalise_engine(engine: pd.DataFrame) -> pd.DataFrame:
    """The engine frame keyed like :func:`review`'s."""
    out = pd.DataFrame(
        {
            "metric": engine["metric"].astype(object),
            "period": engine["period"].astype(object),
            "by": engine["by"].astype(object),
            "value": pd.to_numeric(engine["value"], errors="coerce").astype("float64"),
        }
    )
    group = pd.Series("", index=engine.index, dtype=object)
    for dim in ("team", "rep"):
        if dim in engine:
            hit = (engine["by"] == dim).to_numpy()
            group[hit] = engine.loc[hit, dim].astype(object)
    out["group"] = group
    for extra in ("stage", "question"):
        out[extra] = engine[extra].astype(object) if extra in engine else None
    return out


def _norm_keys(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for col in ("group", "stage", "question"):
        values = frame[col].astype(object)
        frame[col] = values.where(values.notna(), "<none>").astype(str)
    return frame


def compare(engine_frame: pd.DataFrame, pandas_frame: pd.DataFrame) -> list[str]:
    """The differences between the engine's review and :func:`review`'s, empty when equal.

    Money must agree to the cent, counts exactly, ratios and other values to 1e-9 (values
    rounded by definition, :data:`ROUNDED`, to their last decimal), nulls with nulls. A row
    present on one side only is a difference unless its value is null, or zero for money,
    counts and multiples (a group without any fact in the period: the engine lists every group
    seen in any period of its spine, the pandas review the groups with facts in it).
    """
    left = _norm_keys(_normalise_engine(engine_frame))
    right = _norm_keys(pandas_frame.loc[:, [*KEYS, "value"]])
    keys = list(KEYS)
    problems: list[str] = []
    for name, side in (("engine", left), ("pandas", right)):
        dup = side[side.duplicated(keys, keep=False)]
        if len(dup):
            problems.append(f"{name}: {len(dup)} duplicated rows, e.g. {dup.iloc[0].to_dict()}")
    merged = left.merge(
        right, on=keys, how="outer", suffixes=("_engine", "_pandas"), indicator=True
    )
    units = merged["metric"].map({m.id: str(m.unit) for m in REGISTRY.values()}).fillna("")
    a = merged["value_engine"].to_numpy(dtype="float64")
    b = merged["value_pandas"].to_numpy(dtype="float64")
    both = (merged["_merge"] == "both").to_numpy()
    money = units.isin(list(MONEY_UNITS)).to_numpy()
    counts = (units == Unit.COUNT).to_numpy()
    nulls = np.isnan(a) & np.isnan(b)
    last_decimal = merged["metric"].map({m: 10.0**-d for m, d in ROUNDED.items()})
    tolerance = np.maximum(last_decimal.fillna(0.0).to_numpy() * (1 + 1e-9), 1e-9)
    with np.errstate(invalid="ignore"):
        close = np.where(
            money,
            np.abs(a - b) <= 0.01 + 1e-9 * np.abs(b),
            np.where(
                counts,
                np.round(a) == np.round(b),
                np.abs(a - b) <= np.maximum(tolerance, 1e-9 * np.maximum(np.abs(a), np.abs(b))),
            ),
        )
    bad = both & ~nulls & ~close
    present = np.where(merged["_merge"] == "left_only", a, b)
    additive = units.isin([*MONEY_UNITS, Unit.COUNT, Unit.NUMBER]).to_numpy()
    harmless = np.isnan(present) | (additive & (present == 0))
    lonely = ~both & ~harmless
    labels = _labels(merged)
    for i in map(int, np.flatnonzero(bad | lonely)):  # only the differences, to report them
        if lonely[i]:
            where = "engine" if merged["_merge"].iat[i] == "left_only" else "pandas"
            problems.append(f"only in {where}: {labels.iat[i]} = {present[i]!r}")
        else:
            problems.append(f"{labels.iat[i]}: engine {a[i]!r}, pandas {b[i]!r}")
    return problems


def _labels(frame: pd.DataFrame) -> pd.Series:
    """ "metric period [by=group] [stage=..] [question=..]" of each row."""
    label = frame["metric"].astype(str) + " " + frame["period"].astype(str)
    grouped = frame["by"].astype(str) != ""
    label = label.where(~grouped, label + " " + frame["by"].astype(str) + "=" + frame["group"])
    for name in ("stage", "question"):
        has = frame[name] != "<none>"
        label = label.where(~has, label + f" {name}=" + frame[name])
    return label
