"""Alerts: the metrics and groups that crossed their target or moved more than a configured
amount since the last pack, with the deals behind each.

:func:`check` evaluates the metrics checked for a period compared with the previous period
(one engine evaluation for the company and one per group dimension of ``[alerts] by``), then
flags rows set-wise over the result's columns:

* **off track**: the status turned off_track (it was not in the previous period, judged against
  the same target);
* **moved**: the value changed either way by more than ``[alerts] change`` (a share of the
  previous value, default 25 %), or for a rate (win rate, churn) by more than
  ``[alerts] change_points`` (default 0.10: ten percentage points);
* **rules** of ``[alerts] rules``: ``METRIC up|down [AMOUNT[%]]`` (rose or fell, by more than
  the amount when one is given: a share with ``%``, else in the metric's unit), ``METRIC moves
  AMOUNT[%]`` (either way), ``METRIC below|above LEVEL`` (the value is below or above the level,
  whether or not it was before: coverage below 3 is worth saying every month it stays there).

Each flagged row lists the deals (or leads, customers, reps) it was computed from, the largest
first, through the drill-down (:func:`salesmetrics.metrics.drill.drill_rows`, one query per
metric), and how many there were in the previous period. Survey metrics have none.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from salesmetrics import periods
from salesmetrics.metrics import registry as reg
from salesmetrics.metrics import targets as tgt
from salesmetrics.metrics.engine import evaluate
from salesmetrics.metrics.format import format_value
from salesmetrics.metrics.request import Request
from salesmetrics.metrics.result import plain

if TYPE_CHECKING:
    from salesmetrics.config import AlertRule, AlertSettings
    from salesmetrics.connection import Connection

#: The review whose metrics a period's alerts check by default, by the period's grain.
CADENCE_OF_GRAIN = {
    periods.Grain.MONTH: reg.Cadence.MONTHLY,
    periods.Grain.QUARTER: reg.Cadence.QUARTERLY,
    periods.Grain.YEAR: reg.Cadence.ANNUAL,
}
OFF_TRACK = "off_track"
CHANGE = "change"


@dataclass(frozen=True)
class Alert:
    """One metric and group that crossed its target or moved: its values, why it alerts
    (``triggers``: ``off_track``, ``change`` or a rule's text; ``reasons``: the same in words)
    and the deals behind it (``deals``: the largest ``max_deals``; ``deal_count`` in the period
    and ``deal_count_before`` in the previous one; None without a drill-down)."""

    metric: str
    name: str
    unit: str
    period: str
    start: str
    end: str
    compare_period: str | None
    group: dict[str, Any]
    value: float | None
    previous: float | None
    change: float | None
    change_rate: float | None
    target: float | None
    status: str | None
    previous_status: str | None
    triggers: tuple[str, ...]
    reasons: tuple[str, ...]
    deals: list[dict[str, Any]] = field(default_factory=list)
    deal_count: int | None = None
    deal_count_before: int | None = None

    @property
    def row(self) -> dict[str, Any]:
        """The result row alerted on, as :meth:`Workspace.drill` takes it."""
        return {
            "metric": self.metric,
            "period": self.period,
            "start": self.start,
            "end": self.end,
            "group": dict(self.group),
        }

    @property
    def group_label(self) -> str:
        """``team East`` (``company`` for the whole company)."""
        if not self.group:
            return "company"
        return ", ".join(f"{k} {'(none)' if v is None else v}" for k, v in self.group.items())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field."""
        out = {k: plain(getattr(self, k)) for k in self.__dataclass_fields__}
        out["triggers"] = list(self.triggers)
        out["reasons"] = list(self.reasons)
        out["deals"] = [{k: plain(v) for k, v in d.items()} for d in self.deals]
        return out


@dataclass
class Alerts:
    """The alerts of ``period`` against ``compare_period``, the metrics checked and the
    evaluation's notes."""

    period: str
    compare_period: str | None
    base_currency: str
    alerts: list[Alert] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Alerts found beyond ``[alerts] limit`` (the weakest), not listed.
    left_out: int = 0

    def __len__(self) -> int:
        return len(self.alerts)

    def __iter__(self) -> Iterator[Alert]:
        return iter(self.alerts)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``salesmetrics alerts --format json``."""
        return {
            "period": self.period,
            "compare_period": self.compare_period,
            "base_currency": self.base_currency,
            "checked": list(self.checked),
            "alerts": [a.to_dict() for a in self.alerts],
            "left_out": self.left_out,
        }

    def to_json(self, indent: int | None = None) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def lines(self) -> list[str]:
        """One plain-text line per alert (for an email body or a webhook summary)."""
        return [f"{a.name} ({a.group_label}): {'; '.join(a.reasons)}" for a in self.alerts]


def last_complete(
    grain: periods.Grain | str, data_today: dt.date, today: dt.date, calendar: Any
) -> periods.Period:
    """The latest whole ``grain`` period (of the workspace's calendar) that has ended: the data
    reach its last day (``data_today``, the workspace's "today") and the calendar has passed it
    (``today``, the wall clock's date, so future-dated facts never complete a period early)."""
    reference = min(data_today + dt.timedelta(days=1), today)
    found = periods.period_of(reference - dt.timedelta(days=1), grain, fiscal_start_month=calendar)
    if found.end != reference:
        found = periods.period_of(
            found.start - dt.timedelta(days=1), grain, fiscal_start_month=calendar
        )
    return found


def whole_grain(period: periods.Period, calendar: Any) -> periods.Grain | None:
    """The grain (month, quarter, year of the workspace's calendar) of which ``period`` is one
    whole period, or None (a week, a custom range)."""
    for grain in CADENCE_OF_GRAIN:
        found = periods.period_of(period.start, grain, fiscal_start_month=calendar)
        if (found.start, found.end) == (period.start, period.end):
            return grain
    return None


def checked_metrics(
    period: periods.Period, settings: AlertSettings, calendar: Any, cadence: str | None = None
) -> list[str]:
    """The metrics checked for ``period``: ``[alerts] metrics`` when set, else those of
    ``cadence`` (default: the review of the period's grain; every metric for another range);
    with the metrics of every rule."""
    if settings.metrics:
        chosen = list(settings.metrics)
    else:
        if cadence is None:
            grain = whole_grain(period, calendar)
            review = CADENCE_OF_GRAIN.get(grain) if grain is not None else None
        else:
            review = reg.Cadence(cadence)
        chosen = [m.id for m in reg.REGISTRY.values() if review is None or review in m.cadence]
    return list(dict.fromkeys([*chosen, *(r.metric for r in settings.rules)]))


def check(
    ws: Connection,
    period: str,
    *,
    cadence: str | None = None,
    metrics: Sequence[str] | None = None,
    settings: AlertSettings | None = None,
    with_deals: bool = True,
    limit: int | None = None,
) -> Alerts:
    """The alerts of ``period`` (a whole month, quarter or year; see the module docstring)
    against the period before it: the strongest ``limit`` (default ``[alerts] limit``; 0 for
    every one), the number of the others in ``left_out``."""
    settings = settings if settings is not None else ws.config.alerts
    calendar = ws.config.calendar
    whole = periods.parse_period(period, fiscal_start_month=calendar)
    ids = list(metrics) if metrics else checked_metrics(whole, settings, calendar, cadence)
    reg.resolve(ids)  # unknown ids: one line with suggestions
    found = Alerts(whole.label, None, ws.config.base_currency, checked=ids)
    frames: list[pd.DataFrame] = []
    for by in [(), *((d,) for d in settings.by)]:
        result = evaluate(ws, Request.of(ids, period=whole.label, by=by, compare="previous"))
        found.notes.extend(n for n in result.notes if n not in found.notes)
        if result.size:
            frames.append(result.frame)
    if not frames:
        return found
    frame = pd.concat(frames, ignore_index=True)
    found.compare_period = next(iter(frame["compare_period"].dropna()), None)
    flagged = [_flag(frame[frame["metric"] == m], reg.get(m), settings) for m in ids]
    hits = (
        pd.concat([f for f in flagged if len(f)], ignore_index=True)
        if any(len(f) for f in flagged)
        else frame.iloc[0:0]
    )
    if hits.empty:
        return found
    hits = hits.sort_values(["priority", "strength"], ascending=[True, False], kind="stable")
    limit = settings.limit if limit is None else limit
    if limit and len(hits) > limit:
        found.left_out = len(hits) - limit
        hits = hits.iloc[:limit]
    hits = hits.reset_index(drop=True)
    deals = _deals(ws, hits, calendar, settings.max_deals) if with_deals else {}
    currency = ws.config.base_currency
    records: list[dict[str, Any]] = hits.to_dict("records")  # type: ignore[assignment]
    for i, row in enumerate(records):
        metric = reg.get(row["metric"])
        listed, count, before = deals.get(i, ([], None, None))
        found.alerts.append(
            Alert(
                metric=metric.id,
                name=metric.name.en,
                unit=metric.unit.value,
                period=row["period"],
                start=row["start"],
                end=row["end"],
                compare_period=plain(row.get("compare_period")),
                group=dict(row["group"]),
                value=plain(row["value"]),
                previous=plain(row["compare_value"]),
                change=plain(row["change"]),
                change_rate=plain(row["change_rate"]),
                target=plain(row["target"]),
                status=plain(row["status"]),
                previous_status=plain(row["previous_status"]),
                triggers=tuple(row["triggers"]),
                reasons=tuple(_reason(t, row, metric, currency) for t in row["triggers"]),
                deals=listed,
                deal_count=count,
                deal_count_before=before,
            )
        )
    return found


def _flag(rows: pd.DataFrame, metric: reg.Metric, settings: AlertSettings) -> pd.DataFrame:
    """``rows`` (one metric's result rows) that alert, with their ``previous_status``,
    ``triggers`` (a list per row), ``priority`` (0 off track, 1 a rule, 2 a move) and
    ``strength`` (the move against its threshold), all conditions computed over the columns."""
    value = pd.to_numeric(rows["value"], errors="coerce").to_numpy(dtype="float64")
    before = pd.to_numeric(rows["compare_value"], errors="coerce").to_numpy(dtype="float64")
    change = pd.to_numeric(rows["change"], errors="coerce").to_numpy(dtype="float64")
    rate = pd.to_numeric(rows["change_rate"], errors="coerce").to_numpy(dtype="float64")
    target = pd.to_numeric(rows["target"], errors="coerce").to_numpy(dtype="float64")
    previous_status = tgt.status(metric, before, target)
    conditions: list[tuple[str, np.ndarray]] = [
        (OFF_TRACK, (rows["status"].to_numpy() == OFF_TRACK) & (previous_status != OFF_TRACK))
    ]
    # a rate's move is read in points (30 % -> 24 % is 6 points), any other value's as a share
    ratio = metric.unit is reg.Unit.RATIO
    limit = settings.change_points if ratio else settings.change
    if limit > 0:
        with np.errstate(invalid="ignore"):
            conditions.append((CHANGE, np.abs(change if ratio else rate) > limit))
    for rule in settings.rules:
        if rule.metric == metric.id:
            conditions.append((rule.text, _rule_mask(rule, value, change, rate)))
    masks = np.column_stack([np.nan_to_num(c, nan=0).astype(bool) for _, c in conditions])
    keep = masks.any(axis=1)
    names = np.array([name for name, _ in conditions], dtype=object)
    out = rows.iloc[np.flatnonzero(keep)].copy()
    out["previous_status"] = previous_status[keep]
    out["triggers"] = [list(names[m]) for m in masks[keep]]
    kept = masks[keep]
    first_rule = 2 if limit > 0 else 1  # conditions: off track, the move (when on), the rules
    out["priority"] = np.where(kept[:, 0], 0, np.where(kept[:, first_rule:].any(axis=1), 1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        strength = np.abs(change if ratio else rate) / (limit or 1.0)
    out["strength"] = np.nan_to_num(strength[keep], nan=0.0)
    return out


def _rule_mask(
    rule: AlertRule, value: np.ndarray, change: np.ndarray, rate: np.ndarray
) -> np.ndarray:
    """The rows ``rule`` holds for."""
    amount = rule.amount
    moved = rate if rule.relative else change
    with np.errstate(invalid="ignore"):
        match rule.kind:
            case "below":
                return value < (amount or 0.0)
            case "above":
                return value > (amount or 0.0)
            case "up":
                return (change > 0) & (moved > amount) if amount is not None else change > 0
            case "down":
                return (change < 0) & (-moved > amount) if amount is not None else change < 0
    moves: np.ndarray = np.abs(moved) > (amount or 0.0)
    return moves


def _reason(trigger: str, row: dict[str, Any], metric: reg.Metric, currency: str) -> str:
    """``trigger`` in words for ``row``: the values it compared."""
    unit = metric.unit.value

    def show(v: Any) -> str:
        return format_value(plain(v), unit, currency)

    was = f"{show(row['compare_value'])} in {row.get('compare_period') or 'the period before'}"
    if trigger == OFF_TRACK:
        before = (plain(row["previous_status"]) or "no status").replace("_", " ")
        return (
            f"off track: {show(row['value'])} against target {show(row['target'])} (was {before})"
        )
    rate = plain(row["change_rate"])
    moved = f" ({rate:+.0%})" if rate is not None else ""
    if trigger == CHANGE:
        if unit == reg.Unit.RATIO.value and plain(row["change"]) is not None:
            moved = f" ({plain(row['change']) * 100:+.1f} pp)"
        return f"moved from {was} to {show(row['value'])}{moved}"
    return f"{trigger}: {show(row['value'])}, {was}{moved}"


def _deals(
    ws: Connection, hits: pd.DataFrame, calendar: Any, max_deals: int
) -> dict[int, tuple[list[dict[str, Any]], int, int | None]]:
    """For each flagged row (by position in ``hits``): its largest ``max_deals`` underlying
    rows, how many there are, and how many its previous-period row had; rows of metrics
    without a drill-down are left out. One drill query per metric, both periods at once."""
    from salesmetrics.metrics.drill import drill_rows

    wanted: list[dict[str, Any]] = []
    owners: list[tuple[int, bool]] = []
    for i, row in enumerate(hits.to_dict("records")):
        metric = reg.get(row["metric"])
        if not metric.drill or metric.respondents:
            continue
        base = {"metric": row["metric"], "group": dict(row["group"]), "unit": row["unit"]}
        wanted.append({**base, "period": row["period"], "start": row["start"], "end": row["end"]})
        owners.append((i, False))
        label = row.get("compare_period")
        if isinstance(label, str):
            prev = periods.parse_period(label, fiscal_start_month=calendar)
            wanted.append({**base, **prev.to_dict()})
            owners.append((i, True))
    out: dict[int, tuple[list[dict[str, Any]], int, int | None]] = {}
    for (i, before), (_, frame) in zip(owners, drill_rows(ws, wanted), strict=True):
        if frame is None:
            continue
        if before:
            listed, count, _ = out[i]
            out[i] = (listed, count, len(frame))
            continue
        size = next((c for c in ("amount_base", "amount") if c in frame.columns), None)
        if size is not None:
            frame = frame.sort_values(size, ascending=False, kind="stable", na_position="last")
        records = frame.head(max_deals).to_dict("records")
        out[i] = ([{str(k): plain(v) for k, v in r.items()} for r in records], len(frame), None)
    return out
