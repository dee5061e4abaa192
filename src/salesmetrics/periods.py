"""Periods: parsing the period syntax, fiscal calendars, splitting, comparisons, local dates.

A period is the half-open date range ``[start, end)``: ``start`` is the first day in it, ``end``
the first day after it. Every metric is computed over periods, and the engine joins its facts to
a *spine* (one row per period) with ``start <= d < end``, all periods in one query.

Period syntax (``--period``, ``--from``/``--to``), case-insensitive:

==========================  ================================================================
``2024``                    calendar year
``2024-Q2``                 calendar quarter
``2024-05``                 month
``2024-W19``                ISO 8601 week (Monday to Sunday; week 1 holds the first Thursday)
``FY2025``                  fiscal year, by the workspace's ``fiscal_year_start_month``
``FY2025-Q1``               fiscal quarter
``FY2025-M03``              fiscal month (01-12), with a week-based fiscal calendar only
``FY2025-W05``              fiscal week (01-52 or 01-53), with a week-based fiscal calendar only
``2024-04-01..2024-06-30``  custom range, both days inclusive
``all``                     from the earliest to the latest date in the data
``this-month``              the month holding the data's last date (its "today")
``last-month``              the month before it
``this-quarter``            the (fiscal) quarter holding the data's last date
``last-quarter``            the quarter before it
``ytd``                     the (fiscal) year to date: its start to the data's last date
``last-12-months``          the twelve latest months the data cover whole
==========================  ================================================================

The *shortcuts* (``this-month`` ... ``last-12-months``; ``_`` may stand for ``-``) are read
against the data's last fact date, passed in as the end of ``data_range`` (this module reads no
data): the workspace's "today". Months, quarters and years follow the fiscal calendar as grains
do (fiscal months with a week calendar, fiscal quarters with ``fiscal_year_start_month`` ≠ 1).
``this-month`` and ``this-quarter`` are whole periods, usually still in progress; ``ytd`` is the
year clipped to the data's last day (``2025 (to 2025-06-14)``: its previous period is the whole
year before, its same period last year ``2024 (to 2024-06-14)``); ``last-12-months`` is the
range of the twelve whole months ending with the last one the data have reached the end of
(the month holding the data's last date when that date is the month's last day, else the month
before it), so that split by month it gives twelve whole months.

**Fiscal years are named by the calendar year in which they end** (the convention of most
companies and of Salesforce): with a fiscal year starting in April, ``FY2025`` is 2024-04-01 up
to 2025-04-01 and ``FY2025-Q1`` is April to June 2024. With a January start, ``FY2025`` is the
calendar year 2025.

With a week-based fiscal calendar (4-4-5, 4-5-4, 5-4-4; :mod:`salesmetrics.calendars`), every
``fiscal_start_month`` parameter below takes a :class:`~salesmetrics.calendars.WeekCalendar`
instead of a start month, and the grains are fiscal weeks, months, quarters and years
(``FY2025-W05``, ``FY2025-M03``, ``FY2025-Q1``, ``FY2025``).

Labels are the syntax above, so every label parses back into its period, except the parts of a
split that are clipped (to a custom range, or by ``all`` to the data's dates): those say so,
``2022 (from 2022-12-23)``, and keep the whole period of their grain (:attr:`Period.whole`),
whose previous period is theirs (see :func:`split`, :func:`previous`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from salesmetrics.calendars import FiscalCalendar, WeekCalendar
from salesmetrics.errors import UserError, suggest

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "SHORTCUTS",
    "SYNTAX",
    "Grain",
    "Period",
    "clipped",
    "grain_start",
    "iso_weeks",
    "label_of",
    "local_date",
    "parse_grain",
    "parse_period",
    "period_of",
    "periods_between",
    "previous",
    "same_period_last_year",
    "split",
    "to_date",
]

#: The period shortcuts, read against the data's last date (see the module's docstring).
SHORTCUTS: tuple[str, ...] = (
    "this-month",
    "last-month",
    "this-quarter",
    "last-quarter",
    "ytd",
    "last-12-months",
)

#: The accepted syntaxes, as listed in error messages.
SYNTAX = (
    "2024, 2024-Q2, 2024-05, 2024-W19, FY2025, FY2025-Q1, 2024-04-01..2024-06-30, all"
    " or a shortcut (" + ", ".join(SHORTCUTS) + ")"
)

#: Years outside this range are almost certainly typos (and keep date arithmetic in range).
MIN_YEAR = 1900
MAX_YEAR = 2999

ALL = "all"
_DAY = timedelta(days=1)


class Grain(StrEnum):
    """The calendar units periods are split into (``--grain``)."""

    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


_MONTHS_PER: dict[Grain, int] = {Grain.MONTH: 1, Grain.QUARTER: 3, Grain.YEAR: 12}


@dataclass(frozen=True)
class Period:
    """A labelled half-open date range: ``start`` inclusive, ``end`` exclusive.

    ``whole`` is set on a part of a grain period clipped to a shorter range (:func:`clipped`):
    the whole period of the grain it is cut from.
    """

    label: str
    start: date
    end: date
    whole: Period | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"period {self.label!r}: end {self.end} is not after {self.start}")

    def __str__(self) -> str:
        return self.label

    @property
    def is_clipped(self) -> bool:
        """Whether the period is a clipped part of a grain period (see :func:`clipped`)."""
        return self.whole is not None

    @property
    def days(self) -> int:
        """Number of days in the period."""
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        """The last day in the period (``end`` − 1 day)."""
        return self.end - _DAY

    def contains(self, d: date) -> bool:
        """Whether ``d`` is in the period (``start <= d < end``); a datetime counts by its date."""
        if isinstance(d, dt.datetime):
            d = d.date()
        return self.start <= d < self.end

    def overlap_days(self, start: date, end: date) -> int:
        """Days shared with the half-open range ``[start, end)`` (0 when disjoint).

        For pro-rating a quota whose window differs from the period (see ``formulas.prorate``).
        """
        return max(0, (min(self.end, end) - max(self.start, start)).days)

    def to_dict(self) -> dict[str, str]:
        """``{"period": label, "start": ISO date, "end": ISO date}`` as in the JSON output."""
        return {"period": self.label, "start": self.start.isoformat(), "end": self.end.isoformat()}


# -- calendar arithmetic -------------------------------------------------------------------------


def _add_months(d: date, months: int) -> date:
    """The first of the month ``months`` after the month of ``d`` (``d`` must be a 1st)."""
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _check_fiscal(fiscal_start_month: int) -> None:
    if not 1 <= fiscal_start_month <= 12:
        raise ValueError(f"fiscal_start_month must be 1-12, not {fiscal_start_month}")


def _fiscal_year(d: date, fiscal_start_month: int) -> int:
    """The fiscal year of ``d``, named by the calendar year in which it ends."""
    start_year = d.year if d.month >= fiscal_start_month else d.year - 1
    return start_year + (1 if fiscal_start_month > 1 else 0)


def _fiscal_year_start(fiscal_year: int, fiscal_start_month: int) -> date:
    return date(fiscal_year - (1 if fiscal_start_month > 1 else 0), fiscal_start_month, 1)


def grain_start(d: date, grain: Grain | str, *, fiscal_start_month: FiscalCalendar = 1) -> date:
    """The first day of the ``grain`` period holding ``d`` (quarters and years fiscal)."""
    grain = parse_grain(grain)
    if isinstance(fiscal_start_month, WeekCalendar):
        return fiscal_start_month.locate(d, grain).start
    _check_fiscal(fiscal_start_month)
    if isinstance(d, dt.datetime):
        d = d.date()
    if grain is Grain.WEEK:
        return d - timedelta(days=d.weekday())
    first = d.replace(day=1)
    if grain is Grain.MONTH:
        return first
    into_year = (d.month - fiscal_start_month) % 12
    return _add_months(first, -(into_year % 3 if grain is Grain.QUARTER else into_year))


def _grain_next(start: date, grain: Grain) -> date:
    if grain is Grain.WEEK:
        return start + timedelta(days=7)
    return _add_months(start, _MONTHS_PER[grain])


def label_of(d: date, grain: Grain | str, *, fiscal_start_month: FiscalCalendar = 1) -> str:
    """The label of the ``grain`` period holding ``d``: ``2024-W19``, ``2024-05``, ``2024-Q2``,
    ``2024``; with ``fiscal_start_month`` ≠ 1 quarters and years are fiscal (``FY2025-Q1``,
    ``FY2025``); with a week calendar every grain is fiscal (``FY2025-W05``, ``FY2025-M03``)."""
    grain = parse_grain(grain)
    if isinstance(fiscal_start_month, WeekCalendar):
        return fiscal_start_month.locate(d, grain).label
    _check_fiscal(fiscal_start_month)
    if isinstance(d, dt.datetime):
        d = d.date()
    if grain is Grain.WEEK:
        iso = d.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if grain is Grain.MONTH:
        return f"{d.year}-{d.month:02d}"
    if fiscal_start_month == 1:
        if grain is Grain.QUARTER:
            return f"{d.year}-Q{(d.month - 1) // 3 + 1}"
        return str(d.year)
    fy = _fiscal_year(d, fiscal_start_month)
    if grain is Grain.QUARTER:
        return f"FY{fy}-Q{(d.month - fiscal_start_month) % 12 // 3 + 1}"
    return f"FY{fy}"


def period_of(d: date, grain: Grain | str, *, fiscal_start_month: FiscalCalendar = 1) -> Period:
    """The whole ``grain`` period holding ``d``."""
    grain = parse_grain(grain)
    if isinstance(fiscal_start_month, WeekCalendar):
        return Period(*fiscal_start_month.locate(d, grain))
    start = grain_start(d, grain, fiscal_start_month=fiscal_start_month)
    label = label_of(start, grain, fiscal_start_month=fiscal_start_month)
    return Period(label, start, _grain_next(start, grain))


def _range_label(start: date, end: date) -> str:
    return f"{start.isoformat()}..{(end - _DAY).isoformat()}"


def clipped(whole: Period, start: date, end: date) -> Period:
    """The part ``[start, end)`` of the grain period ``whole``, labelled as clipped:
    ``2022 (from 2022-12-23)``, ``2026-Q1 (to 2026-02-14)`` (the last day, inclusive) or
    ``2024 (from 2024-03-05 to 2024-09-10)``; ``whole`` itself when nothing is cut off."""
    start, end = max(start, whole.start), min(end, whole.end)
    if (start, end) == (whole.start, whole.end):
        return whole
    cut = []
    if start > whole.start:
        cut.append(f"from {start.isoformat()}")
    if end < whole.end:
        cut.append(f"to {(end - _DAY).isoformat()}")
    return Period(f"{whole.label} ({' '.join(cut)})", start, end, whole)


# -- parsing -------------------------------------------------------------------------------------

_YEAR = re.compile(r"(\d{4})")
_QUARTER = re.compile(r"(\d{4})-Q(\d+)")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_WEEK = re.compile(r"(\d{4})-W(\d{1,2})")
_FY = re.compile(r"FY(\d{4})")
_FY_QUARTER = re.compile(r"FY(\d{4})-Q(\d+)")
_RANGE = re.compile(r"(\S+?)\s*\.\.\s*(\S+)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _bad(text: str, why: str) -> UserError:
    return UserError(f"bad period {text!r}: {why}; use {SYNTAX}")


def _year(text: str, digits: str) -> int:
    year = int(digits)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _bad(text, f"year must be between {MIN_YEAR} and {MAX_YEAR}")
    return year


def _quarter(text: str, digits: str) -> int:
    quarter = int(digits)
    if not 1 <= quarter <= 4:
        raise _bad(text, "quarter must be 1-4")
    return quarter


def _iso_date(text: str, part: str) -> date:
    if not _DATE.fullmatch(part):
        raise _bad(text, f"{part!r} is not a date in the form YYYY-MM-DD")
    try:
        d = date.fromisoformat(part)
    except ValueError:
        raise _bad(text, f"{part} is not a valid date") from None
    _year(text, str(d.year))
    return d


def iso_weeks(year: int) -> int:
    """Number of ISO weeks in ``year`` (52 or 53)."""
    return date(year, 12, 28).isocalendar().week


def parse_period(
    text: str,
    *,
    fiscal_start_month: FiscalCalendar = 1,
    data_range: tuple[date, date] | None = None,
) -> Period:
    """Parse the period syntax (see the module docstring) into a :class:`Period`.

    ``data_range`` = (earliest, latest) date in the data is needed only for ``all``, which is
    ``[earliest, latest + 1 day)``, and for the shortcuts, read against ``latest``. Anything
    malformed is a :class:`UserError` naming the problem and the accepted syntaxes. Labels are
    normalised (``2024-q2`` → ``2024-Q2``, ``2024-5`` → ``2024-05``).
    """
    raw = text
    text = text.strip()
    upper = text.upper()
    shortcut = text.lower().replace("_", "-")
    if shortcut in SHORTCUTS:
        return _shortcut(shortcut, data_range, fiscal_start_month)
    if isinstance(fiscal_start_month, WeekCalendar):
        if upper.startswith("FY"):
            return _week_fiscal(raw, upper, fiscal_start_month)
        fiscal_start_month = 1  # what is left is not fiscal
    _check_fiscal(fiscal_start_month)
    if not text:
        raise _bad(raw, "empty")
    if upper == "ALL":
        return _all(data_range)
    if m := _YEAR.fullmatch(upper):
        year = _year(raw, m[1])
        return Period(str(year), date(year, 1, 1), date(year + 1, 1, 1))
    if m := _QUARTER.fullmatch(upper):
        year, quarter = _year(raw, m[1]), _quarter(raw, m[2])
        start = date(year, 3 * quarter - 2, 1)
        return Period(f"{year}-Q{quarter}", start, _add_months(start, 3))
    if m := _WEEK.fullmatch(upper):
        year, week = _year(raw, m[1]), int(m[2])
        if not 1 <= week <= iso_weeks(year):
            raise _bad(raw, f"{year} has ISO weeks 1-{iso_weeks(year)}")
        start = date.fromisocalendar(year, week, 1)
        return Period(f"{year}-W{week:02d}", start, start + timedelta(days=7))
    if m := _MONTH.fullmatch(upper):
        year, month = _year(raw, m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise _bad(raw, "month must be 01-12")
        start = date(year, month, 1)
        return Period(f"{year}-{month:02d}", start, _add_months(start, 1))
    if m := _FY.fullmatch(upper):
        fy = _year(raw, m[1])
        start = _fiscal_year_start(fy, fiscal_start_month)
        return Period(f"FY{fy}", start, _add_months(start, 12))
    if m := _FY_QUARTER.fullmatch(upper):
        fy, quarter = _year(raw, m[1]), _quarter(raw, m[2])
        start = _add_months(_fiscal_year_start(fy, fiscal_start_month), 3 * (quarter - 1))
        return Period(f"FY{fy}-Q{quarter}", start, _add_months(start, 3))
    if m := _RANGE.fullmatch(text):
        first, last = _iso_date(raw, m[1]), _iso_date(raw, m[2])
        if last < first:
            raise _bad(raw, f"the range ends ({last}) before it starts ({first})")
        return Period(_range_label(first, last + _DAY), first, last + _DAY)
    if _DATE.fullmatch(text):
        raise _bad(raw, f"a single day is the range {text}..{text}")
    return _bad_guess(raw, upper)


def _week_fiscal(raw: str, upper: str, calendar: WeekCalendar) -> Period:
    """A fiscal period label of a week calendar (``FY2025``, ``-Q1``, ``-M03``, ``-W05``)."""
    parsed = calendar.parse(upper)
    if parsed is None:
        return _bad_guess(raw, upper)
    year, grain, number = parsed
    _year(raw, str(year))
    try:
        return Period(*calendar.span(year, grain, number))
    except ValueError as err:
        raise _bad(raw, str(err)) from None


def _bad_guess(raw: str, upper: str) -> Period:
    if re.fullmatch(r"FY\d{2}(-Q\d)?", upper):
        raise _bad(raw, "write the fiscal year with 4 digits, e.g. FY2025")
    if re.fullmatch(r"FY\d{4}-[MW]\d+", upper):
        raise _bad(
            raw,
            "fiscal months and weeks need a week-based fiscal calendar (fiscal_calendar ="
            ' "4-4-5", "4-5-4" or "5-4-4" in salesmetrics.toml); use a month such as 2024-05',
        )
    if re.fullmatch(r"Q\d-\d{4}", upper):
        raise _bad(raw, "write the year first, e.g. 2024-Q2")
    if re.fullmatch(r"\d{4}-H[12]", upper):
        raise _bad(raw, "half-years are custom ranges, e.g. 2024-01-01..2024-06-30")
    hint = suggest(raw.lower().replace("_", "-"), [ALL, *SHORTCUTS])
    raise _bad(raw, "not a period" + hint)


def _shortcut(name: str, data_range: tuple[date, date] | None, calendar: FiscalCalendar) -> Period:
    """The period a shortcut names, read against the data's last date (``data_range[1]``)."""
    if data_range is None or data_range[1] is None:
        raise UserError(
            f"period {name!r} is read against the data's last date, and there are no dated"
            " rows yet; import data first or give a period such as 2024"
        )
    today = data_range[1]
    if isinstance(today, dt.datetime):
        today = today.date()
    if name in ("this-month", "last-month", "this-quarter", "last-quarter"):
        grain = Grain.MONTH if name.endswith("month") else Grain.QUARTER
        found = period_of(today, grain, fiscal_start_month=calendar)
        if name.startswith("last"):
            found = period_of(found.start - _DAY, grain, fiscal_start_month=calendar)
        return found
    if name == "ytd":
        year = period_of(today, Grain.YEAR, fiscal_start_month=calendar)
        return clipped(year, year.start, today + _DAY)
    # last-12-months: the twelve whole months ending with the last month the data reached the
    # end of
    month = period_of(today, Grain.MONTH, fiscal_start_month=calendar)
    if month.end > today + _DAY:
        month = period_of(month.start - _DAY, Grain.MONTH, fiscal_start_month=calendar)
    end = month.end
    for _ in range(11):
        month = period_of(month.start - _DAY, Grain.MONTH, fiscal_start_month=calendar)
    return Period(_range_label(month.start, end), month.start, end)


def _all(data_range: tuple[date, date] | None) -> Period:
    if data_range is None or data_range[0] is None or data_range[1] is None:
        raise UserError(
            "period 'all' needs data, and there are no dated rows yet; import data first or"
            " give a period such as 2024"
        )
    first, last = data_range
    if isinstance(first, dt.datetime):
        first = first.date()
    if isinstance(last, dt.datetime):
        last = last.date()
    if last < first:
        raise ValueError(f"data_range ends ({last}) before it starts ({first})")
    return Period(ALL, first, last + _DAY)


def parse_grain(grain: Grain | str) -> Grain:
    """A :class:`Grain` from its name (``week``, ``month``, ``quarter``, ``year``)."""
    if isinstance(grain, Grain):
        return grain
    try:
        return Grain(grain.strip().lower())
    except ValueError:
        names = [g.value for g in Grain]
        raise UserError(
            f"bad grain {grain!r}{suggest(grain.lower(), names)}; use {', '.join(names)}"
        ) from None


# -- splitting and ranges ------------------------------------------------------------------------


def split(
    period: Period, grain: Grain | str, *, fiscal_start_month: FiscalCalendar = 1
) -> list[Period]:
    """The periods of ``grain`` covering ``period``, clipped to it, in order.

    A part cut by the edges of ``period`` is labelled so (:func:`clipped`) and keeps its whole
    grain period in :attr:`Period.whole`: a custom range 2024-04-15..2024-06-10 split by month
    gives ``2024-04 (from 2024-04-15)`` = [04-15, 05-01), ``2024-05`` (whole) and
    ``2024-06 (to 2024-06-10)`` = [06-01, 06-11); ``all`` split by year gives, say,
    ``2022 (from 2022-12-23)`` first. Weeks are ISO weeks, so the first week of a month may
    carry the previous year's label (2023-01-01 is in ``2022-W52``). Quarters and years are
    fiscal when ``fiscal_start_month``
    ≠ 1, and every grain is fiscal with a week calendar.
    """
    grain = parse_grain(grain)
    if isinstance(fiscal_start_month, WeekCalendar):
        return [
            clipped(Period(s.label, s.start, s.end), period.start, period.end)
            for s in fiscal_start_month.spans(period.start, period.end, grain)
        ]
    parts: list[Period] = []
    start = grain_start(period.start, grain, fiscal_start_month=fiscal_start_month)
    while start < period.end:
        nxt = _grain_next(start, grain)
        label = label_of(start, grain, fiscal_start_month=fiscal_start_month)
        parts.append(clipped(Period(label, start, nxt), period.start, period.end))
        start = nxt
    return parts


def periods_between(
    first: str,
    last: str,
    grain: Grain | str,
    *,
    fiscal_start_month: FiscalCalendar = 1,
    data_range: tuple[date, date] | None = None,
) -> list[Period]:
    """The whole periods of ``grain`` from the one holding ``first`` to the one holding ``last``.

    For ``--from P --to P`` (inclusive). ``first`` and ``last`` are usually periods of the grain
    (``--from 2024-01 --to 2024-06 --grain month``); any period syntax works and is widened to
    whole periods of the grain (``--from 2024-02 --to 2024-05 --grain quarter`` gives 2024-Q1 and
    2024-Q2).
    """
    grain = parse_grain(grain)
    p_first = parse_period(first, fiscal_start_month=fiscal_start_month, data_range=data_range)
    p_last = parse_period(last, fiscal_start_month=fiscal_start_month, data_range=data_range)
    if p_last.end <= p_first.start:
        raise UserError(f"bad range: --to {last} ends before --from {first} starts")
    start = period_of(p_first.start, grain, fiscal_start_month=fiscal_start_month).start
    end = period_of(p_last.last_day, grain, fiscal_start_month=fiscal_start_month).end
    return split(
        Period(_range_label(start, end), start, end), grain, fiscal_start_month=fiscal_start_month
    )


# -- comparisons ---------------------------------------------------------------------------------


def _grain_of_label(label: str) -> tuple[Grain, bool] | None:
    """The grain a label names, and whether it is fiscal; None for ranges and ``all``."""
    for pattern, grain, fiscal in (
        (_YEAR, Grain.YEAR, False),
        (_QUARTER, Grain.QUARTER, False),
        (_WEEK, Grain.WEEK, False),
        (_MONTH, Grain.MONTH, False),
        (_FY, Grain.YEAR, True),
        (_FY_QUARTER, Grain.QUARTER, True),
    ):
        if pattern.fullmatch(label.upper()):
            return grain, fiscal
    return None


def _fiscal_start_of(period: Period, grain: Grain) -> int:
    """The fiscal start month implied by a whole fiscal period (its label and start)."""
    if grain is Grain.YEAR:
        return period.start.month
    quarter = int(period.label.rsplit("Q", 1)[1])
    return (period.start.month - 3 * (quarter - 1) - 1) % 12 + 1


def _resolve(
    period: Period, grain: Grain | str | None, fiscal_start_month: FiscalCalendar | None
) -> tuple[Grain, FiscalCalendar] | None:
    """The (grain, fiscal start month) of which ``period`` is one whole period, else None."""
    inferred = _grain_of_label(period.label)
    if grain is None:
        if inferred is None:
            return None
        grain = inferred[0]
    grain = parse_grain(grain)
    if fiscal_start_month is None:
        fiscal = inferred is not None and inferred[1] and inferred[0] is grain
        fiscal_start_month = _fiscal_start_of(period, grain) if fiscal else 1
    whole = period_of(period.start, grain, fiscal_start_month=fiscal_start_month)
    if (whole.start, whole.end) != (period.start, period.end):
        return None
    return grain, fiscal_start_month


def previous(
    period: Period,
    grain: Grain | str | None = None,
    *,
    fiscal_start_month: FiscalCalendar | None = None,
) -> Period:
    """The period immediately before ``period``.

    A whole period of a grain (``2024-Q2``, ``FY2025``, ``2024-W01``) gives the previous period
    of that grain (``2024-Q1``, ``FY2024``, ``2023-W52``). The grain and fiscal calendar are read
    from the label unless given. A part clipped by :func:`split` (``2026 (to 2026-03-14)``)
    gives the whole period before its grain period (``2025``: metrics.md, "previous period").
    Anything else (a custom range, ``all``) gives the range of the same number of days ending
    where ``period`` starts. With a week calendar, a whole fiscal period of it (``FY2025-M01``)
    gives the fiscal period before (``FY2024-M12``), whose length may differ (4, 5 or 6 weeks).
    """
    if period.whole is not None:
        return previous(period.whole, grain, fiscal_start_month=fiscal_start_month)
    if isinstance(fiscal_start_month, WeekCalendar):
        g = fiscal_start_month.whole_grain(period.label, period.start, period.end, grain)
        if g is not None:
            return Period(*fiscal_start_month.locate(period.start - _DAY, g))
        if grain is None:
            fiscal_start_month = None
    resolved = _resolve(period, grain, fiscal_start_month)
    if resolved is None:
        start = period.start - timedelta(days=period.days)
        return Period(_range_label(start, period.start), start, period.start)
    g, fsm = resolved
    return period_of(period.start - _DAY, g, fiscal_start_month=fsm)


def _year_back(d: date) -> date:
    """``d`` one calendar year earlier; 29 February becomes 28 February."""
    if d.month == 2 and d.day == 29:
        return date(d.year - 1, 2, 28)
    return d.replace(year=d.year - 1)


def same_period_last_year(
    period: Period,
    grain: Grain | str | None = None,
    *,
    fiscal_start_month: FiscalCalendar | None = None,
) -> Period:
    """``period`` shifted back one year, with its label adjusted.

    Whole periods map to the same period a year earlier: ``2024-Q2`` → ``2023-Q2``, ``2024-02`` →
    ``2023-02`` (28 days), ``FY2025`` → ``FY2024``, ``2024-W19`` → ``2023-W19`` and, when the
    earlier year has no week 53, ``2020-W53`` → ``2019-W52``. Other ranges shift each day by a
    calendar year, 29 February counting as 28 February (the first day) or as the end of
    February (the last day): 2024-02-01..2024-02-29 → 2023-02-01..2023-02-28. A clipped part
    (:func:`split`) gives the same part of its grain period a year earlier, labelled as
    clipped: ``2024-04 (from 2024-04-15)`` → ``2023-04 (from 2023-04-15)``; a week's part keeps
    its weekdays.

    With a week calendar, a whole fiscal period maps to the period of the same number one fiscal
    year earlier (``FY2025-M03`` → ``FY2024-M03``; ``FY2024-W53`` → ``FY2023-W52`` when that year
    has 52 weeks), not to the weeks 52 weeks earlier: after a 53-week year the two are a week
    apart (NRF restates such comparisons week-aligned; this does not).
    """
    if period.whole is not None:
        whole = same_period_last_year(period.whole, grain, fiscal_start_month=fiscal_start_month)
        if whole.days == period.whole.days:  # weeks, and months other than a leap February
            start = whole.start + (period.start - period.whole.start)
            end = whole.start + (period.end - period.whole.start)
        else:
            unclipped = Period(_range_label(period.start, period.end), period.start, period.end)
            shifted = same_period_last_year(unclipped)
            start, end = shifted.start, shifted.end
        start, end = max(start, whole.start), min(end, whole.end)
        return clipped(whole, start, end) if start < end else whole
    if isinstance(fiscal_start_month, WeekCalendar):
        g = fiscal_start_month.whole_grain(period.label, period.start, period.end, grain)
        if g is not None:
            return Period(*fiscal_start_month.year_ago(period.label, g))
        if grain is None:
            fiscal_start_month = None
    resolved = _resolve(period, grain, fiscal_start_month)
    if resolved is not None:
        g, fsm = resolved
        if g is Grain.WEEK:
            iso = period.start.isocalendar()
            year = iso.year - 1
            start = date.fromisocalendar(year, min(iso.week, iso_weeks(year)), 1)
        else:
            start = _add_months(period.start, -12)
        return period_of(start, g, fiscal_start_month=fsm)
    start = _year_back(period.start)
    last = period.last_day
    if last.month == 2 and last.day == 29:
        end = date(last.year - 1, 3, 1)
    else:
        end = _year_back(last) + _DAY
    return Period(_range_label(start, end), start, end)


# -- dates in the engine -------------------------------------------------------------------------

_UTC_NAMES = frozenset({"UTC", "ETC/UTC", "GMT", "ETC/GMT", "Z", "UCT", "ETC/UCT", "ZULU"})


def local_date(ts: ir.TimestampValue, timezone: str, *, dialect: str = "duckdb") -> ir.DateValue:
    """The date of a naive-UTC timestamp column in ``timezone``: the spec's "a timestamp counts
    by its date in the workspace timezone".

    Ibis 12 has no portable operation for converting between time zones (casting to a
    timezone-aware type only relabels the value on DuckDB), so this emits the backend's own
    function:

    * ``duckdb`` and ``postgres``: ``timezone(tz, timezone('UTC', ts))`` (SQL's
      ``ts AT TIME ZONE 'UTC' AT TIME ZONE tz``): read ``ts`` as UTC, then take the wall-clock
      time in ``tz``. Daylight saving is handled by the database's time-zone data (DuckDB's ICU
      extension, which the Python wheel bundles).
    * ``pyspark``: ``from_utc_timestamp(ts, tz)``.

    With a UTC timezone it is simply ``ts.date()`` on every backend. ``DATE`` columns need no
    conversion (they already are local dates).
    """
    if timezone.upper() in _UTC_NAMES:
        return ts.date()
    import ibis
    import ibis.expr.datatypes as idt

    def builtin(name: str, inputs: tuple[idt.DataType, ...], output: idt.DataType) -> Any:
        def fn(zone: Any, value: Any) -> Any:
            """A backend function (see local_date)."""

        return ibis.udf.scalar.builtin(fn, name=name, signature=(inputs, output))

    naive, utc = idt.Timestamp(), idt.Timestamp(timezone="UTC")
    if dialect in ("duckdb", "postgres", "postgresql"):
        as_utc = builtin("timezone", (idt.string, naive), utc)
        to_local = builtin("timezone", (idt.string, utc), naive)
        return to_local(timezone, as_utc("UTC", ts)).date()
    if dialect == "pyspark":
        from_utc = builtin("from_utc_timestamp", (naive, idt.string), naive)
        return from_utc(ts, timezone).date()
    raise ValueError(f"local_date: no time-zone conversion known for backend {dialect!r}")


#: The name the brief uses for :func:`local_date`.
to_date = local_date
