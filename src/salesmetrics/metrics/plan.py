"""Resolving a metrics request: which metrics, periods, groups, comparison and bases.

:func:`plan_request` resolves a :class:`~salesmetrics.metrics.request.Request` (checked when it
was built) against the workspace: its default metrics, and its periods in the workspace's fiscal
calendar and data range (one-line UserErrors); and :func:`spine_periods` lists every period the
evaluation reads: the requested ones, their comparison periods and, for metrics that need it
(revenue growth), the periods before them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from salesmetrics import periods
from salesmetrics.calendars import FiscalCalendar, WeekCalendar
from salesmetrics.errors import UserError
from salesmetrics.metrics import filters
from salesmetrics.metrics import registry as reg
from salesmetrics.metrics.context import DataSpan, Inventory, data_span, spine_frame
from salesmetrics.periods import Grain, Period

if TYPE_CHECKING:
    from salesmetrics.connection import Connection
    from salesmetrics.metrics.request import Request


@dataclass(frozen=True)
class Plan:
    """A resolved request."""

    metrics: list[reg.Metric]
    explicit: bool
    periods: list[Period]
    grain: Grain | None
    by: tuple[str, ...]
    compare: str | None
    bases: dict[str, str]
    #: The earliest and latest fact date of the data (None without data).
    span: DataSpan | None = None
    #: The filters: (dimension, value) pairs, checked against the data.
    where: tuple[tuple[str, str], ...] = ()

    @property
    def grouped(self) -> tuple[str, ...]:
        """The dimensions the families are grouped by: ``by``, then each filtered dimension
        (a filter selects its value's group; see :func:`salesmetrics.metrics.engine.evaluate`)."""
        return (*self.by, *(d for d, _ in self.where if d not in self.by))

    def period_notes(self) -> dict[str, str]:
        """The note of each output period that runs past the data's last fact date.

        A period after it (metrics.md: shown only when asked for, "with a note that the data
        ends on that date"): "the data ends on DATE"; a period the data's end falls in, before
        its last day (the period in progress: its figures hold only the days the data reach):
        "in progress: the data ends on DATE".
        """
        if self.span is None:
            return {}
        last = self.span.last.isoformat()
        notes = {}
        for p in self.periods:
            if p.start > self.span.last:
                notes[p.label] = f"the data ends on {last}"
            elif p.end > self.span.end:
                notes[p.label] = f"in progress: the data ends on {last}"
        return notes


def _infer_grain(period: Period, fiscal_start_month: FiscalCalendar) -> Grain | None:
    """The grain of which ``period`` is one whole period (by its label), else None."""
    for grain in Grain:
        for fsm in (fiscal_start_month, 1):
            try:
                whole = periods.period_of(period.start, grain, fiscal_start_month=fsm)
            except ValueError:
                continue
            if (whole.label, whole.start, whole.end) == (period.label, period.start, period.end):
                return grain
    return None


def resolve_periods(
    ws: Connection, request: Request, span: DataSpan | None
) -> tuple[list[Period], Grain | None]:
    """The output periods of a request, and its grain (None for a single period); ``span``
    gives ``all``."""
    fsm = ws.config.calendar
    g = request.grain
    period, from_period, to_period = request.period, request.from_period, request.to_period
    rng = (span.first, span.last) if span is not None else None
    if from_period and to_period:
        if g is None:
            first = periods.parse_period(from_period, fiscal_start_month=fsm, data_range=rng)
            g = _infer_grain(first, fsm)
            if g is None:
                raise UserError(
                    f"--from {from_period}: give --grain (week, month, quarter or year)"
                )
        found = periods.periods_between(
            from_period, to_period, g, fiscal_start_month=fsm, data_range=rng
        )
        return found, g
    # None means "all"; an empty --period is a mistake that parse_period reports, not "all".
    whole = periods.parse_period(
        periods.ALL if period is None else period, fiscal_start_month=fsm, data_range=rng
    )
    if g is None:
        return [whole], None
    return periods.split(whole, g, fiscal_start_month=fsm), g


def _calendar_for(grain: Grain | None, fsm: FiscalCalendar) -> FiscalCalendar | None:
    """The calendar a comparison reads a period in: none (its label says) for a single period,
    except a week calendar's, whose fiscal labels cannot say it."""
    return fsm if grain or isinstance(fsm, WeekCalendar) else None


def _compare_period(p: Period, compare: str, grain: Grain | None, fsm: FiscalCalendar) -> Period:
    calendar = _calendar_for(grain, fsm)
    if compare == "previous":
        return periods.previous(p, grain, fiscal_start_month=calendar)
    return periods.same_period_last_year(p, grain, fiscal_start_month=calendar)


def spine_periods(plan: Plan, fsm: FiscalCalendar, window_days: int) -> pd.DataFrame:
    """Every period the request reads, with ``compare_period``, ``prev_period`` and ``output``."""
    grain = plan.grain
    wanted: dict[str, Period] = {p.label: p for p in plan.periods}
    compare_of: dict[str, str] = {}
    if plan.compare:
        for p in plan.periods:
            c = _compare_period(p, plan.compare, grain, fsm)
            compare_of[p.label] = c.label
            wanted.setdefault(c.label, c)
    prev_of: dict[str, str] = {}
    if any(m.previous for m in plan.metrics):
        for p in list(wanted.values()):
            q = periods.previous(p, grain, fiscal_start_month=_calendar_for(grain, fsm))
            prev_of[p.label] = q.label
            wanted.setdefault(q.label, q)
    frame = spine_frame(list(wanted.values()), window_days)
    frame["output"] = frame["period"].isin([p.label for p in plan.periods])
    frame["compare_period"] = frame["period"].map(compare_of)
    frame["prev_period"] = frame["period"].map(prev_of)
    return frame


def seller_basis(inventory: Inventory) -> str:
    """Who counts as a seller in this workspace: quota, employment or deal_owners."""
    if inventory.has("quotas"):
        return "quota"
    if inventory.reps_with_dates > 0:
        return "employment"
    return "deal_owners"


def plan_request(
    ws: Connection, inventory: Inventory, queries: list[str], request: Request
) -> tuple[Plan, list[str]]:
    """Resolve a request against the workspace (its default metrics, data and calendar);
    returns the plan and notes about metrics left out."""
    notes: list[str] = []
    if request.metrics:
        chosen = [reg.REGISTRY[m] for m in request.metrics]
    else:
        default = ws.config.default_metrics
        try:
            chosen = reg.resolve(default) if default else list(reg.REGISTRY.values())
        except UserError as err:
            raise UserError(f"salesmetrics.toml: key 'default_metrics': {err}") from None
        kept = []
        for m in chosen:
            missing = inventory.missing(m.tables)
            if missing:
                notes.append(f"{m.id}: skipped, the workspace has no {', '.join(missing)}")
            else:
                kept.append(m)
        chosen = kept
    where = filters.resolve(ws, request.where, queries)
    span = data_span(ws, queries)
    found, g = resolve_periods(ws, request, span)
    plan = Plan(
        chosen,
        bool(request.metrics),
        found,
        g,
        request.by,
        request.compare,
        request.bases,
        span,
        where,
    )
    return plan, notes
