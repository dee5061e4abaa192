"""Week-based fiscal calendars: 4-4-5, 4-5-4 and 5-4-4 years of 52 or 53 whole weeks.

Many B2B companies (and Salesforce's custom fiscal years, and US retail with the NRF 4-5-4
calendar) keep a fiscal year of whole weeks, so that every month, quarter and year ends on the
same weekday. A :class:`WeekCalendar` is set in ``salesmetrics.toml`` by:

* ``fiscal_calendar`` — the weeks per month in each quarter: ``4-4-5``, ``4-5-4`` or ``5-4-4``;
* ``fiscal_week_end_day`` — the weekday every fiscal week, and so every fiscal year, ends on;
* ``fiscal_year_start_month`` — the year ends in the month before it (``2``: in January);
* ``fiscal_year_end_rule`` — ``nearest``: the year ends on the ``fiscal_week_end_day``
  nearest to the last day of that month (up to 3 days before or after it); ``last``: on the
  last ``fiscal_week_end_day`` in that month.

The NRF 4-5-4 retail calendar is ``fiscal_calendar = "4-5-4"``, ``fiscal_week_end_day =
"saturday"``, ``fiscal_year_start_month = 2``, ``fiscal_year_end_rule = "nearest"`` (the year
ends on the Saturday nearest 31 January).

A year has 52 weeks, or 53 where the end rule moves its end a week later than 52 weeks after the
previous end. **The 53rd week goes into the last month** (and so the last quarter), as NRF
does: a 53-week 4-5-4 year is 4-5-4 4-5-4 4-5-4 4-5-5.

**Years are named by the calendar year of the month they end in**, like the month-based fiscal
years of :mod:`salesmetrics.periods`: the NRF year that ends on 3 February 2024 (its nominal end
month is January 2024) is ``FY2024`` here, while NRF itself calls it "fiscal 2023".

Labels: ``FY2025`` (year), ``FY2025-Q1`` (quarter), ``FY2025-M03`` (the third fiscal month,
01-12), ``FY2025-W05`` (the fifth fiscal week, 01-52 or 01-53). This module is pure date
arithmetic; :mod:`salesmetrics.periods` wraps its spans into periods.
"""

from __future__ import annotations

import datetime as dt
import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import NamedTuple

__all__ = [
    "END_RULES",
    "PATTERNS",
    "WEEKDAYS",
    "FiscalCalendar",
    "Span",
    "WeekCalendar",
    "parse_weekday",
]

#: The week patterns of a quarter's three months.
PATTERNS = ("4-4-5", "4-5-4", "5-4-4")
#: How the year's last day is chosen in its end month.
END_RULES = ("nearest", "last")
#: Weekday names, Monday first (the index is :meth:`datetime.date.weekday`).
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_WEEK = timedelta(days=7)
_DAY = timedelta(days=1)
_GRAINS = ("week", "month", "quarter", "year")
_LABEL = re.compile(r"FY(\d{4})(?:-([QMW])(\d{1,2}))?")
_PART_GRAIN = {None: "year", "Q": "quarter", "M": "month", "W": "week"}


class Span(NamedTuple):
    """One fiscal period: its label and half-open dates ``[start, end)``."""

    label: str
    start: date
    end: date


def parse_weekday(text: str) -> int:
    """The weekday index (Monday = 0) of a name, full or its first three letters, any case."""
    name = text.strip().lower()
    for i, day in enumerate(WEEKDAYS):
        if name in (day, day[:3]):
            return i
    raise ValueError(f"{text!r} is not a day of the week")


@dataclass(frozen=True)
class WeekCalendar:
    """A week-based fiscal calendar (see the module docstring).

    ``end_weekday`` is a :meth:`datetime.date.weekday` index (Saturday = 5); the fiscal year
    ``FY n`` ends (rule ``nearest`` or ``last``) in month ``start_month`` − 1 of year ``n``
    (December when ``start_month`` is 1).
    """

    pattern: str = "4-4-5"
    start_month: int = 1
    end_weekday: int = 5
    rule: str = "nearest"

    def __post_init__(self) -> None:
        if self.pattern not in PATTERNS:
            raise ValueError(f"week pattern must be one of {', '.join(PATTERNS)}")
        if not 1 <= self.start_month <= 12:
            raise ValueError(f"start_month must be 1-12, not {self.start_month}")
        if not 0 <= self.end_weekday <= 6:
            raise ValueError(f"end_weekday must be 0-6 (Monday-Sunday), not {self.end_weekday}")
        if self.rule not in END_RULES:
            raise ValueError(f"end rule must be one of {', '.join(END_RULES)}")

    # -- years -----------------------------------------------------------------------------------

    @property
    def end_month(self) -> int:
        """The month the fiscal year ends in (nominally: ``nearest`` may end a few days after)."""
        return (self.start_month - 2) % 12 + 1

    @cached_property
    def _month_weeks(self) -> tuple[int, ...]:
        return tuple(int(w) for w in self.pattern.split("-")) * 4

    def _last_day(self, fiscal_year: int) -> date:
        """The last day of fiscal year ``fiscal_year``: the end weekday by the end rule."""
        month_end = date(fiscal_year, self.end_month, monthrange(fiscal_year, self.end_month)[1])
        delta = (self.end_weekday - month_end.weekday()) % 7
        if self.rule == "last":
            return month_end - timedelta(days=(7 - delta) % 7)
        return month_end + timedelta(days=delta - 7 if delta > 3 else delta)

    def year_start(self, fiscal_year: int) -> date:
        """The first day of ``fiscal_year``."""
        return self._last_day(fiscal_year - 1) + _DAY

    def year_end(self, fiscal_year: int) -> date:
        """The day after the last day of ``fiscal_year`` (its exclusive end)."""
        return self._last_day(fiscal_year) + _DAY

    def weeks_in(self, fiscal_year: int) -> int:
        """52 or 53."""
        return (self.year_end(fiscal_year) - self.year_start(fiscal_year)).days // 7

    def month_starts(self, fiscal_year: int) -> list[date]:
        """The first days of the 12 fiscal months, then the year's exclusive end (13 dates).

        The 53rd week of a long year is the last week of month 12.
        """
        weeks = list(self._month_weeks)
        weeks[-1] += self.weeks_in(fiscal_year) - 52
        day = self.year_start(fiscal_year)
        starts = [day]
        for n in weeks:
            day += n * _WEEK
            starts.append(day)
        return starts

    def fiscal_year_of(self, d: date) -> int:
        """The fiscal year holding ``d``."""
        if isinstance(d, dt.datetime):
            d = d.date()
        year = d.year + (1 if d.month > self.end_month else 0)
        while d >= self.year_end(year):
            year += 1
        while d < self.year_start(year):
            year -= 1
        return year

    # -- periods ---------------------------------------------------------------------------------

    def span(self, fiscal_year: int, grain: str, number: int = 1) -> Span:
        """Period ``number`` (1-based) of ``grain`` in ``fiscal_year``; ValueError (the reason,
        for a user) when ``number`` is out of range."""
        grain = _grain(grain)
        if grain == "year":
            return Span(
                f"FY{fiscal_year}", self.year_start(fiscal_year), self.year_end(fiscal_year)
            )
        if grain == "week":
            weeks = self.weeks_in(fiscal_year)
            if not 1 <= number <= weeks:
                raise ValueError(f"FY{fiscal_year} has fiscal weeks 01-{weeks}")
            start = self.year_start(fiscal_year) + (number - 1) * _WEEK
            return Span(f"FY{fiscal_year}-W{number:02d}", start, start + _WEEK)
        starts = self.month_starts(fiscal_year)
        if grain == "month":
            if not 1 <= number <= 12:
                raise ValueError("fiscal month must be 01-12")
            return Span(f"FY{fiscal_year}-M{number:02d}", starts[number - 1], starts[number])
        if not 1 <= number <= 4:
            raise ValueError("quarter must be 1-4")
        return Span(f"FY{fiscal_year}-Q{number}", starts[3 * number - 3], starts[3 * number])

    def locate(self, d: date, grain: str) -> Span:
        """The period of ``grain`` holding ``d`` (a datetime counts by its date)."""
        if isinstance(d, dt.datetime):
            d = d.date()
        grain = _grain(grain)
        year = self.fiscal_year_of(d)
        if grain == "year":
            return self.span(year, grain)
        if grain == "week":
            return self.span(year, grain, (d - self.year_start(year)).days // 7 + 1)
        starts = self.month_starts(year)
        month = next(i for i in range(12) if d < starts[i + 1]) + 1
        return self.span(year, grain, month if grain == "month" else (month + 2) // 3)

    def spans(self, start: date, end: date, grain: str) -> list[Span]:
        """The whole periods of ``grain`` that overlap ``[start, end)``, in order."""
        found = [self.locate(start, grain)]
        while found[-1].end < end:
            found.append(self.locate(found[-1].end, grain))
        return found

    @staticmethod
    def parse(text: str) -> tuple[int, str, int] | None:
        """(fiscal year, grain, number) of a label such as ``FY2025-M03`` (any case); None when
        ``text`` is not one. The number is not checked (:meth:`span` does)."""
        m = _LABEL.fullmatch(text.strip().upper())
        if m is None:
            return None
        return int(m[1]), _PART_GRAIN[m[2]], int(m[3] or 1)

    def whole_grain(self, label: str, start: date, end: date, grain: str | None) -> str | None:
        """The grain of which ``(label, start, end)`` is one whole period of this calendar (the
        grain is read from the label when not given); None otherwise."""
        if grain is None:
            parsed = self.parse(label)
            if parsed is None:
                return None
            grain = parsed[1]
        grain = _grain(grain)
        whole = self.locate(start, grain)
        return grain if (whole.label, whole.start, whole.end) == (label, start, end) else None

    def year_ago(self, label: str, grain: str) -> Span:
        """The fiscal period of ``grain`` labelled ``label``, one fiscal year earlier, by number:
        ``FY2025-M03`` → ``FY2024-M03``; week 53 → week 52 when the earlier year has 52 weeks."""
        grain = _grain(grain)
        parsed = self.parse(label)
        if parsed is None:
            raise ValueError(f"{label!r} is not a fiscal period label")
        year, _, number = parsed
        if grain == "week":
            number = min(number, self.weeks_in(year - 1))
        return self.span(year - 1, grain, number)


#: The fiscal calendar of a workspace: a start month (month-based fiscal years) or a
#: :class:`WeekCalendar`.
FiscalCalendar = int | WeekCalendar


def _grain(grain: str) -> str:
    name = str(grain)
    if name not in _GRAINS:
        raise ValueError(f"unknown grain {grain!r}")
    return name
