"""Backend parity: the whole registry on two workspaces holding the same data, value by value.

:data:`CASES` are the evaluations compared (the last full year of the demo, by quarter and by
month, company-wide, by team and by rep); :func:`review` runs one on a workspace and
:func:`differences` lists, in words, every way two results differ: rows present on one side
only, and per row the value, components, note, target and status. Money must agree to the cent;
counts, strings, flags and nulls exactly; every other number (ratios, and the other quotients:
coverage, LTV:CAC, payback months, scores, average days) to 1e-9 relative, because two
databases may add the same floats in a different order and differ in the last bit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from salesmetrics import Workspace
from salesmetrics.metrics.result import MetricResult

#: The demo's last full year (its data end on 2025-12-31).
YEAR = "2025"
CENT = 0.005
#: Relative tolerance of a non-money float (a ratio or another quotient).
RATIO_TOLERANCE = 1e-9
MONEY_UNITS = frozenset({"money", "money_per_day"})
#: Row fields compared exactly (besides ``value`` and ``components``).
EXACT_FIELDS = ("unit", "note", "target", "status", "start", "end", "compare_period")
#: Comparison fields held to the value's tolerance (``change_rate`` is a ratio).
COMPARE_VALUES = ("compare_value", "change")


@dataclass(frozen=True)
class Case:
    """One evaluation of every metric: a grain and the group dimensions."""

    grain: str
    by: tuple[str, ...] = ()

    @property
    def marks(self) -> tuple[pytest.MarkDecorator, ...]:
        """``slow`` for the long evaluations (by rep, and by month and team)."""
        long = "rep" in self.by or (self.grain == "month" and bool(self.by))
        return (pytest.mark.slow,) if long else ()

    @property
    def id(self) -> str:
        """A short test id, e.g. ``quarter-team``."""
        return "-".join([self.grain, *self.by]) if self.by else f"{self.grain}-company"


CASES = tuple(Case(g, by) for g in ("quarter", "month") for by in ((), ("team",), ("rep",)))

#: Commands whose whole output must be the same on every backend (the views that do not go
#: through the registry: waterfall, as-of pipeline, forecasts, backtest, drill-down).
COMMANDS = (
    ("waterfall", "--period", YEAR, "--grain", "quarter"),
    ("pipeline", "--as-of", f"{YEAR}-06-30", "--by", "team"),
    ("forecast", "--period", f"{YEAR}-Q4", "--by", "team"),
    ("forecast", "--backtest", "--from", f"{YEAR}-Q1", "--to", f"{YEAR}-Q4"),
    ("metrics", "-m", "win_rate", "-m", "mrr_churn", "-p", f"{YEAR}-Q2", "--by", "team", "--drill"),
)


def review(ws: Workspace, case: Case) -> MetricResult:
    """Every registry metric with data in ``ws`` for :data:`YEAR` split by the case's grain."""
    return ws.metrics(period=YEAR, grain=case.grain, by=list(case.by) or None)


def _key(row: Mapping[Any, Any]) -> tuple[str, str, tuple[tuple[str, Any], ...]]:
    group = row["group"] or {}
    return (row["metric"], row["period"], tuple(sorted(group.items())))


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    return None


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def same_value(a: Any, b: Any, money: bool) -> bool:
    """``a`` equals ``b``: both missing; or, for numbers, to the cent when ``money``, else
    exactly when both are integers, else to :data:`RATIO_TOLERANCE` relative; or equal."""
    if _is_missing(a) or _is_missing(b):
        return _is_missing(a) and _is_missing(b)
    x, y = _number(a), _number(b)
    if x is None or y is None or isinstance(a, bool) or isinstance(b, bool):
        return bool(a == b)
    if money:
        return abs(x - y) <= CENT
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    return abs(x - y) <= RATIO_TOLERANCE * max(1.0, abs(x), abs(y))


def differences(reference: MetricResult, other: MetricResult, limit: int = 20) -> list[str]:
    """Every difference between two results of the same evaluation (at most ``limit``)."""
    ref = {_key(r): r for r in reference.frame.to_dict("records")}
    got = {_key(r): r for r in other.frame.to_dict("records")}
    found: list[str] = []
    for key in sorted(ref.keys() - got.keys(), key=repr):
        found.append(f"{key}: missing")
    for key in sorted(got.keys() - ref.keys(), key=repr):
        found.append(f"{key}: unexpected row")
    for key in sorted(ref.keys() & got.keys(), key=repr):
        a, b = ref[key], got[key]
        money = str(a["unit"]) in MONEY_UNITS
        if not same_value(a["value"], b["value"], money):
            found.append(f"{key}: value {a['value']!r} != {b['value']!r}")
        for name in EXACT_FIELDS:
            if not same_value(a.get(name), b.get(name), money=False):
                found.append(f"{key}: {name} {a.get(name)!r} != {b.get(name)!r}")
        for name in (*COMPARE_VALUES, "change_rate"):
            if not same_value(a.get(name), b.get(name), money and name != "change_rate"):
                found.append(f"{key}: {name} {a.get(name)!r} != {b.get(name)!r}")
        ca, cb = a["components"] or {}, b["components"] or {}
        if ca.keys() != cb.keys():
            found.append(f"{key}: components {sorted(ca)} != {sorted(cb)}")
        for comp in sorted(ca.keys() & cb.keys()):
            va, vb = ca[comp], cb[comp]
            # amounts among the components of a money metric are money too
            if not same_value(va, vb, money and isinstance(va, float)):
                found.append(f"{key}: component {comp} {va!r} != {vb!r}")
        if len(found) >= limit:
            break
    return found[:limit]
