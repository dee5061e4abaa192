"""What every part of the pandas review shares: the tables, the periods, dates, money, groups.

Conventions (metrics.md "Conventions", restated): a period is [start, end); a timestamp counts
by its date in the workspace timezone; an amount is converted to the base currency at the latest
rate of its currency on or before the amount's own date; money shown is rounded to cents at the
end. A result row is keyed by (metric, period, by, group) plus ``stage`` / ``question`` for the
metrics broken down by them; ``by`` is "" (company-wide), "team" or "rep".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from salesmetrics.config import Config

T = TypeVar("T")

#: The group dimensions of the review: company-wide, by team, by rep.
BYS: tuple[str, ...] = ("", "team", "rep")
#: Columns of every result frame of the review.
RESULT_COLUMNS = ("metric", "period", "by", "group", "stage", "question", "value")


@dataclass(frozen=True)
class Period:
    """A period [start, end) with its label and the label of the period before it."""

    label: str
    start: pd.Timestamp
    end: pd.Timestamp
    previous: str

    @property
    def last(self) -> pd.Timestamp:
        """The last day of the period."""
        return self.end - pd.Timedelta(days=1)

    @property
    def first_month(self) -> int:
        """Month index (year × 12 + month − 1) of the first month."""
        return month_index(self.start)

    @property
    def end_month(self) -> int:
        """Month index of the month after the last one."""
        return month_index(self.end)


def month_index(day: pd.Timestamp | dt.date) -> int:
    """``year * 12 + month - 1`` of a date."""
    return day.year * 12 + day.month - 1


def month_label(k: int) -> str:
    """ "YYYY-MM" of month index ``k``."""
    return f"{k // 12:04d}-{k % 12 + 1:02d}"


def quarter_label(year: int, q: int) -> str:
    """ "YYYY-Qn"."""
    return f"{year:04d}-Q{q}"


def month_start(k: int) -> pd.Timestamp:
    """The first day of month index ``k``."""
    return pd.Timestamp(year=k // 12, month=k % 12 + 1, day=1)


def review_periods(year: int) -> list[Period]:
    """The 4 quarters and 12 months of ``year`` (calendar year), in that order."""
    quarters = [
        Period(
            quarter_label(year, q),
            month_start(year * 12 + 3 * (q - 1)),
            month_start(year * 12 + 3 * q),
            quarter_label(year - 1, 4) if q == 1 else quarter_label(year, q - 1),
        )
        for q in range(1, 5)
    ]
    months = [
        Period(month_label(k), month_start(k), month_start(k + 1), month_label(k - 1))
        for k in range(year * 12, year * 12 + 12)
    ]
    return quarters + months


def with_previous(periods: Sequence[Period]) -> list[Period]:
    """``periods`` plus the periods just before them that are not in it (revenue growth)."""
    known = {p.label for p in periods}
    extra: dict[str, Period] = {}
    for p in periods:
        if p.previous in known or p.previous in extra:
            continue
        months = 3 if "Q" in p.label else 1
        start = month_start(p.first_month - months)
        extra[p.previous] = Period(p.previous, start, p.start, "")
    return [*periods, *extra.values()]


@dataclass
class Tables:
    """The canonical tables of a workspace as pandas frames, and values derived from them once
    per review (``cache``)."""

    frames: dict[str, pd.DataFrame]
    cache: dict[Hashable, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.frames[name]


@dataclass(frozen=True)
class Review:
    """What a part of the review needs: tables, configuration and periods."""

    tables: Tables
    config: Config
    periods: list[Period]

    @property
    def base(self) -> str:
        """The base currency, upper case."""
        return self.config.base_currency.upper()


def raise_if_not_datetime(ts: pd.Series) -> None:
    """Guard: the review reads timestamps as datetime64 columns."""
    if not pd.api.types.is_datetime64_any_dtype(ts):
        raise TypeError(f"expected a datetime column, got {ts.dtype}")


def memo(review: Review, key: Hashable, build: Callable[[], T]) -> T:
    """``build()``, computed once per review under ``key`` (facts shared by several metrics
    and by the three group dimensions)."""
    cache = review.tables.cache
    if key not in cache:
        cache[key] = build()
    value: T = cache[key]
    return value


def local_days(ts: pd.Series, timezone: str) -> pd.Series:
    """Dates of naive-UTC timestamps in ``timezone`` (midnight Timestamps, NaT kept)."""
    raise_if_not_datetime(ts)
    if timezone != "UTC":
        ts = ts.dt.tz_localize("UTC").dt.tz_convert(timezone).dt.tz_localize(None)
    days: pd.Series = ts.dt.normalize()
    return days


def instant(day: pd.Timestamp, timezone: str) -> pd.Timestamp:
    """The naive UTC instant at which ``day`` starts in ``timezone``."""
    if timezone == "UTC":
        return pd.Timestamp(day)
    return pd.Timestamp(day).tz_localize(timezone).tz_convert("UTC").tz_localize(None)


def currency_codes(currency: pd.Series, base: str) -> pd.Series:
    """Currency codes upper-cased and stripped; empty or missing = the base currency."""
    cur = currency.astype(object).where(currency.notna(), base).astype(str).str.upper().str.strip()
    return cur.where(cur != "", base)


def fx_table(review: Review) -> pd.DataFrame:
    """fx_rates with ``currency`` normalised, ``date`` as Timestamp, sorted by date."""
    cached = review.tables.cache.get("fx")
    if cached is None:
        fx = review.tables["fx_rates"]
        cached = pd.DataFrame(
            {
                "currency": fx["currency"].astype(str).str.upper().str.strip(),
                "date": pd.to_datetime(fx["date"]),
                "rate": fx["rate"].astype("float64"),
            }
        ).sort_values("date", kind="stable")
        review.tables.cache["fx"] = cached
    return cached


def rates_on(review: Review, currency: pd.Series, day: pd.Series) -> np.ndarray:
    """The rate of each (currency, day): the latest on or before the day; 1 for the base
    currency; NaN where a foreign currency has no rate (or the day is missing)."""
    cur = currency_codes(currency, review.base)
    out = np.ones(len(cur), dtype="float64")
    foreign = (cur != review.base).to_numpy()
    if not foreign.any():
        return out
    left = pd.DataFrame(
        {"_pos": np.flatnonzero(foreign), "currency": cur[foreign].to_numpy(), "day": day[foreign]}
    )
    dated = left[left["day"].notna()].sort_values("day", kind="stable")
    merged = pd.merge_asof(
        dated,
        fx_table(review),
        left_on="day",
        right_on="date",
        by="currency",
        direction="backward",
    )
    out[left["_pos"].to_numpy()] = np.nan
    out[merged["_pos"].to_numpy()] = merged["rate"].to_numpy()
    return out


def to_base(review: Review, amount: pd.Series, currency: pd.Series, day: pd.Series) -> pd.Series:
    """``amount`` in the base currency at the rate of ``day`` (a missing rate is an error)."""
    rate = rates_on(review, currency, day)
    values = amount.astype("float64").to_numpy()
    if (np.isnan(rate) & ~np.isnan(values)).any():
        raise LookupError("a foreign amount has no exchange rate on or before its date")
    return pd.Series(values * rate, index=amount.index)


def rep_team(review: Review) -> dict[str, Any]:
    """rep_id → team."""
    reps = review.tables["reps"]
    return dict(zip(reps["rep_id"].astype(object), reps["team"].astype(object), strict=True))


def with_rep_groups(review: Review, frame: pd.DataFrame, rep: pd.Series) -> pd.DataFrame:
    """``frame`` with the group columns ``rep`` (= ``rep``) and ``team`` (the rep's team)."""
    teams = rep_team(review)
    rep_obj = rep.astype(object).where(rep.notna(), None)
    team = rep_obj.map(teams)
    return frame.assign(rep=rep_obj.to_numpy(), team=team.where(team.notna(), None).to_numpy())


def account_groups(review: Review) -> pd.DataFrame:
    """Per account: ``rep`` (its owner) and ``team`` (the owner's team), indexed by account."""
    cached = review.tables.cache.get("account_groups")
    if cached is None:
        accounts = review.tables["accounts"]
        cached = with_rep_groups(
            review, pd.DataFrame(index=accounts["account_id"].astype(object)), accounts["owner_id"]
        )
        review.tables.cache["account_groups"] = cached
    return cached


def with_account_groups(review: Review, frame: pd.DataFrame, account: pd.Series) -> pd.DataFrame:
    """``frame`` with ``rep``/``team`` of the account ``account`` (customer metrics)."""
    groups = account_groups(review)
    idx = groups.index.get_indexer(pd.Index(account.astype(object)))
    missing = np.full(len(idx), None, dtype=object)
    rep = np.where(idx >= 0, groups["rep"].to_numpy()[idx], missing)
    team = np.where(idx >= 0, groups["team"].to_numpy()[idx], missing)
    return frame.assign(rep=rep, team=team)


def key(frame: pd.DataFrame, by: str) -> pd.Series:
    """The group value of each row for dimension ``by`` ("" company-wide)."""
    if not by:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[by].astype(object)


def bucket(frame: pd.DataFrame, day: pd.Series, periods: Sequence[Period]) -> pd.DataFrame:
    """``frame`` with a ``period`` column: one copy per period containing ``day`` (months and
    quarters both), rows outside every period dropped. Vectorised per period."""
    parts = []
    values = day.to_numpy()
    for p in periods:
        mask = (values >= p.start.to_datetime64()) & (values < p.end.to_datetime64())
        if mask.any():
            parts.append(frame[mask].assign(period=p.label))
    if not parts:
        return frame.iloc[:0].assign(period=pd.Series(dtype=object))
    return pd.concat(parts, ignore_index=True)


def sums(
    frame: pd.DataFrame, by: str, columns: Iterable[str], keys: Sequence[str] = ("period",)
) -> pd.DataFrame:
    """Σ of ``columns`` per (``keys``, group of ``by``); the group in column ``group``."""
    grouped = frame.assign(group=key(frame, by))
    return (
        grouped.groupby([*keys, "group"], dropna=False, sort=False)[list(columns)]
        .sum()
        .reset_index()
    )


def result(
    metric: str,
    frame: pd.DataFrame,
    by: str,
    value: Any,
    *,
    stage: Any = None,
    question: Any = None,
) -> pd.DataFrame:
    """Result rows of ``metric`` for the (period, group) rows of ``frame``."""
    out = pd.DataFrame(
        {
            "metric": metric,
            "period": frame["period"].to_numpy(),
            "by": by,
            "group": frame["group"].to_numpy() if "group" in frame else "",
            "stage": stage if stage is not None else None,
            "question": question if question is not None else None,
            "value": np.asarray(value, dtype="float64"),
        }
    )
    return out.loc[:, list(RESULT_COLUMNS)]


def money(values: Any) -> np.ndarray:
    """Money rounded to cents."""
    return np.round(np.asarray(values, dtype="float64"), 2)
