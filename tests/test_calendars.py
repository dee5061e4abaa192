"""Week-based fiscal calendars (4-4-5, 4-5-4, 5-4-4): the NRF 4-5-4 retail calendar as published,
properties of every week calendar, and the period syntax, splits and comparisons that follow one."""

from __future__ import annotations

import calendar as stdlib_calendar
import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesmetrics.calendars import END_RULES, PATTERNS, WeekCalendar, parse_weekday
from salesmetrics.errors import UserError
from salesmetrics.periods import (
    SYNTAX,
    Grain,
    Period,
    grain_start,
    label_of,
    parse_period,
    period_of,
    periods_between,
    previous,
    same_period_last_year,
    split,
)

D = date
WEEK = timedelta(days=7)

#: The NRF calendar: weeks Sunday to Saturday, the year ending on the Saturday nearest 31 January.
NRF = WeekCalendar("4-5-4", start_month=2, end_weekday=5, rule="nearest")

#: The NRF 4-5-4 calendar as published (nrf.com, "4-5-4 Calendar"), by NRF's own year name (the
#: year it starts in): the first days of its 12 months (February ... January), then the first day
#: of the next year. Typed in, not computed: the reference the calendar code is checked against.
#: NRF's 53-week years here are 2017, 2023 (both announced by NRF) and 2028, whose extra week is
#: the last week of January.
NRF_PUBLISHED: dict[int, tuple[str, str, str]] = {
    2014: (
        "2014-02-02 2014-03-02 2014-04-06 2014-05-04 2014-06-01 2014-07-06",
        "2014-08-03 2014-08-31 2014-10-05 2014-11-02 2014-11-30 2015-01-04",
        "2015-02-01",
    ),
    2015: (
        "2015-02-01 2015-03-01 2015-04-05 2015-05-03 2015-05-31 2015-07-05",
        "2015-08-02 2015-08-30 2015-10-04 2015-11-01 2015-11-29 2016-01-03",
        "2016-01-31",
    ),
    2016: (
        "2016-01-31 2016-02-28 2016-04-03 2016-05-01 2016-05-29 2016-07-03",
        "2016-07-31 2016-08-28 2016-10-02 2016-10-30 2016-11-27 2017-01-01",
        "2017-01-29",
    ),
    2017: (
        "2017-01-29 2017-02-26 2017-04-02 2017-04-30 2017-05-28 2017-07-02",
        "2017-07-30 2017-08-27 2017-10-01 2017-10-29 2017-11-26 2017-12-31",
        "2018-02-04",
    ),
    2018: (
        "2018-02-04 2018-03-04 2018-04-08 2018-05-06 2018-06-03 2018-07-08",
        "2018-08-05 2018-09-02 2018-10-07 2018-11-04 2018-12-02 2019-01-06",
        "2019-02-03",
    ),
    2019: (
        "2019-02-03 2019-03-03 2019-04-07 2019-05-05 2019-06-02 2019-07-07",
        "2019-08-04 2019-09-01 2019-10-06 2019-11-03 2019-12-01 2020-01-05",
        "2020-02-02",
    ),
    2020: (
        "2020-02-02 2020-03-01 2020-04-05 2020-05-03 2020-05-31 2020-07-05",
        "2020-08-02 2020-08-30 2020-10-04 2020-11-01 2020-11-29 2021-01-03",
        "2021-01-31",
    ),
    2021: (
        "2021-01-31 2021-02-28 2021-04-04 2021-05-02 2021-05-30 2021-07-04",
        "2021-08-01 2021-08-29 2021-10-03 2021-10-31 2021-11-28 2022-01-02",
        "2022-01-30",
    ),
    2022: (
        "2022-01-30 2022-02-27 2022-04-03 2022-05-01 2022-05-29 2022-07-03",
        "2022-07-31 2022-08-28 2022-10-02 2022-10-30 2022-11-27 2023-01-01",
        "2023-01-29",
    ),
    2023: (
        "2023-01-29 2023-02-26 2023-04-02 2023-04-30 2023-05-28 2023-07-02",
        "2023-07-30 2023-08-27 2023-10-01 2023-10-29 2023-11-26 2023-12-31",
        "2024-02-04",
    ),
    2024: (
        "2024-02-04 2024-03-03 2024-04-07 2024-05-05 2024-06-02 2024-07-07",
        "2024-08-04 2024-09-01 2024-10-06 2024-11-03 2024-12-01 2025-01-05",
        "2025-02-02",
    ),
    2025: (
        "2025-02-02 2025-03-02 2025-04-06 2025-05-04 2025-06-01 2025-07-06",
        "2025-08-03 2025-08-31 2025-10-05 2025-11-02 2025-11-30 2026-01-04",
        "2026-02-01",
    ),
    2026: (
        "2026-02-01 2026-03-01 2026-04-05 2026-05-03 2026-05-31 2026-07-05",
        "2026-08-02 2026-08-30 2026-10-04 2026-11-01 2026-11-29 2027-01-03",
        "2027-01-31",
    ),
    2027: (
        "2027-01-31 2027-02-28 2027-04-04 2027-05-02 2027-05-30 2027-07-04",
        "2027-08-01 2027-08-29 2027-10-03 2027-10-31 2027-11-28 2028-01-02",
        "2028-01-30",
    ),
    2028: (
        "2028-01-30 2028-02-27 2028-04-02 2028-04-30 2028-05-28 2028-07-02",
        "2028-07-30 2028-08-27 2028-10-01 2028-10-29 2028-11-26 2028-12-31",
        "2029-02-04",
    ),
}
NRF_53_WEEK_YEARS = {2017, 2023, 2028}


def nrf_months(nrf_year: int) -> list[date]:
    """The 13 published boundaries of an NRF year: its 12 month starts and the next year's."""
    first, second, end = NRF_PUBLISHED[nrf_year]
    return [D.fromisoformat(t) for t in (*first.split(), *second.split(), end)]


# -- the NRF 4-5-4 calendar as published ----------------------------------------------------------


@pytest.mark.parametrize("nrf_year", sorted(NRF_PUBLISHED))
def test_nrf_years_quarters_and_months_match_the_published_calendar(nrf_year: int) -> None:
    bounds = nrf_months(nrf_year)
    # Fiscal years are named by the calendar year of their (nominal) end month: NRF "2023",
    # which ends in January 2024, is FY2024.
    fy = nrf_year + 1
    year = parse_period(f"FY{fy}", fiscal_start_month=NRF)
    assert (year.label, year.start, year.end) == (f"FY{fy}", bounds[0], bounds[12])
    assert NRF.weeks_in(fy) == (53 if nrf_year in NRF_53_WEEK_YEARS else 52)
    for q in range(1, 5):
        quarter = parse_period(f"FY{fy}-Q{q}", fiscal_start_month=NRF)
        assert (quarter.start, quarter.end) == (bounds[3 * q - 3], bounds[3 * q])
    for m in range(1, 13):
        month = parse_period(f"fy{fy}-m{m}", fiscal_start_month=NRF)
        assert (month.label, month.start, month.end) == (f"FY{fy}-M{m:02d}", *bounds[m - 1 : m + 1])
        assert period_of(bounds[m - 1], Grain.MONTH, fiscal_start_month=NRF) == month
        assert label_of(bounds[m] - timedelta(days=1), "month", fiscal_start_month=NRF) == (
            month.label
        )


def test_nrf_53rd_week_is_the_last_week_of_the_last_month() -> None:
    # NRF 2023 = FY2024: 2023-01-29 .. 2024-02-03, January 2024 has 5 weeks.
    week = parse_period("FY2024-W53", fiscal_start_month=NRF)
    assert (week.start, week.end) == (D(2024, 1, 28), D(2024, 2, 4))
    assert parse_period("FY2024-M12", fiscal_start_month=NRF).days == 35
    assert parse_period("FY2024-Q4", fiscal_start_month=NRF).days == 14 * 7
    with pytest.raises(UserError, match="FY2025 has fiscal weeks 01-52"):
        parse_period("FY2025-W53", fiscal_start_month=NRF)
    assert label_of(D(2024, 2, 3), "week", fiscal_start_month=NRF) == "FY2024-W53"
    assert label_of(D(2024, 2, 4), "week", fiscal_start_month=NRF) == "FY2025-W01"


def test_other_patterns_by_hand() -> None:
    # 4-4-5, years ending on the last Saturday of December: FY2024 = 2023-12-31 .. 2024-12-28.
    c445 = WeekCalendar("4-4-5", start_month=1, end_weekday=5, rule="last")
    months = [parse_period(f"FY2024-M{m:02d}", fiscal_start_month=c445) for m in (1, 2, 3, 4)]
    assert [(p.start, p.end) for p in months] == [
        (D(2023, 12, 31), D(2024, 1, 28)),
        (D(2024, 1, 28), D(2024, 2, 25)),
        (D(2024, 2, 25), D(2024, 3, 31)),
        (D(2024, 3, 31), D(2024, 4, 28)),
    ]
    assert parse_period("FY2024", fiscal_start_month=c445).end == D(2024, 12, 29)
    # 5-4-4 on the NRF year ends: FY2025 starts 2024-02-04.
    c544 = WeekCalendar("5-4-4", start_month=2, end_weekday=5)
    q1 = split(parse_period("FY2025-Q1", fiscal_start_month=c544), "month", fiscal_start_month=c544)
    assert [(p.label, p.start, p.end) for p in q1] == [
        ("FY2025-M01", D(2024, 2, 4), D(2024, 3, 10)),
        ("FY2025-M02", D(2024, 3, 10), D(2024, 4, 7)),
        ("FY2025-M03", D(2024, 4, 7), D(2024, 5, 5)),
    ]


def test_comparisons_in_and_after_a_53_week_year() -> None:
    def lab(text: str) -> Period:
        return parse_period(text, fiscal_start_month=NRF)

    def prev(text: str) -> str:
        return previous(lab(text), fiscal_start_month=NRF).label

    def year_ago(text: str) -> str:
        return same_period_last_year(lab(text), fiscal_start_month=NRF).label

    assert prev("FY2025-W01") == "FY2024-W53"
    assert prev("FY2025-M01") == "FY2024-M12"
    assert prev("FY2025-Q1") == "FY2024-Q4"
    assert prev("FY2025") == "FY2024"
    # The same fiscal period by number, a year back; week 53 compares with week 52.
    assert year_ago("FY2025-M01") == "FY2024-M01"
    assert year_ago("FY2024-W53") == "FY2023-W52"
    assert year_ago("FY2024-M12") == "FY2023-M12"
    assert lab("FY2024-M12").days == 35 and lab("FY2023-M12").days == 28
    # After the 53-week year the same period is 371 days earlier, not 364 (no NRF restating).
    assert (lab("FY2025-M01").start - lab(year_ago("FY2025-M01")).start).days == 371
    # With the grain given, the whole periods of the calendar are recognised the same way.
    month = lab("FY2025-M01")
    assert previous(month, "month", fiscal_start_month=NRF).label == "FY2024-M12"
    assert same_period_last_year(month, "month", fiscal_start_month=NRF).label == "FY2024-M01"


def test_calendar_periods_stay_calendar_periods_in_a_week_calendar() -> None:
    may = parse_period("2024-05", fiscal_start_month=NRF)
    assert (may.label, may.start, may.end) == ("2024-05", D(2024, 5, 1), D(2024, 6, 1))
    q2 = parse_period("2024-Q2", fiscal_start_month=NRF)
    assert previous(q2, fiscal_start_month=NRF).label == "2024-Q1"
    assert same_period_last_year(q2, fiscal_start_month=NRF).label == "2023-Q2"
    assert parse_period("2024-W19", fiscal_start_month=NRF).start == D(2024, 5, 6)
    # A custom range compares with the equal range before it, as in any calendar.
    rng = parse_period("2024-02-04..2024-02-10", fiscal_start_month=NRF)
    assert previous(rng, fiscal_start_month=NRF).label == "2024-01-28..2024-02-03"


def test_split_and_from_to_in_a_week_calendar() -> None:
    parts = split(parse_period("2024-02"), "month", fiscal_start_month=NRF)
    # a part cut by the range is labelled so, and keeps its whole fiscal month
    assert [(p.label, p.start, p.end) for p in parts] == [
        ("FY2024-M12 (from 2024-02-01)", D(2024, 2, 1), D(2024, 2, 4)),
        ("FY2025-M01 (to 2024-02-29)", D(2024, 2, 4), D(2024, 3, 1)),
    ]
    assert [p.whole.label if p.whole else None for p in parts] == ["FY2024-M12", "FY2025-M01"]
    run = periods_between("FY2024-M11", "FY2025-M02", "month", fiscal_start_month=NRF)
    assert [p.label for p in run] == ["FY2024-M11", "FY2024-M12", "FY2025-M01", "FY2025-M02"]
    assert run[0].start == D(2023, 11, 26) and run[-1].end == D(2024, 4, 7)
    widened = periods_between("FY2025-M02", "FY2025-M04", "quarter", fiscal_start_month=NRF)
    assert [p.label for p in widened] == ["FY2025-Q1", "FY2025-Q2"]
    weeks = split(
        parse_period("FY2025-M01", fiscal_start_month=NRF), "week", fiscal_start_month=NRF
    )
    assert [p.label for p in weeks] == ["FY2025-W01", "FY2025-W02", "FY2025-W03", "FY2025-W04"]
    assert grain_start(D(2024, 5, 1), "quarter", fiscal_start_month=NRF) == D(2024, 2, 4)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("FY2025-M13", "fiscal month must be 01-12"),
        ("FY2025-M00", "fiscal month must be 01-12"),
        ("FY2025-Q5", "quarter must be 1-4"),
        ("FY2024-W54", "FY2024 has fiscal weeks 01-53"),
        ("FY2025-W00", "FY2025 has fiscal weeks 01-52"),
        ("FY1899", "year must be between"),
        ("FY25", "4 digits"),
        ("FY2025-H1", "not a period"),
    ],
)
def test_bad_fiscal_periods_are_one_line_errors(text: str, why: str) -> None:
    with pytest.raises(UserError) as info:
        parse_period(text, fiscal_start_month=NRF)
    message = str(info.value)
    assert why in message and SYNTAX in message and "\n" not in message


@pytest.mark.parametrize("text", ["FY2025-M03", "FY2025-W05"])
def test_fiscal_months_and_weeks_need_a_week_calendar(text: str) -> None:
    with pytest.raises(UserError, match="need a week-based fiscal calendar"):
        parse_period(text, fiscal_start_month=4)


def test_calendar_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="4-4-5, 4-5-4, 5-4-4"):
        WeekCalendar("4-4-4")
    with pytest.raises(ValueError, match="start_month"):
        WeekCalendar(start_month=13)
    with pytest.raises(ValueError, match="end_weekday"):
        WeekCalendar(end_weekday=7)
    with pytest.raises(ValueError, match="nearest, last"):
        WeekCalendar(rule="first")
    assert parse_weekday("Sat") == parse_weekday(" SATURDAY ") == 5
    with pytest.raises(ValueError, match="not a day"):
        parse_weekday("someday")


# -- properties of every week calendar ------------------------------------------------------------

calendars = st.builds(
    WeekCalendar,
    st.sampled_from(PATTERNS),
    st.integers(1, 12),
    st.integers(0, 6),
    st.sampled_from(END_RULES),
)
years = st.integers(1901, 2998)
days = st.dates(D(1901, 3, 1), D(2998, 10, 1))
grains = st.sampled_from(list(Grain))


def weeks(p: Period) -> int:
    assert p.days % 7 == 0
    return p.days // 7


@given(calendars, years)
def test_weeks_tile_the_year(cal: WeekCalendar, fy: int) -> None:
    year = parse_period(f"FY{fy}", fiscal_start_month=cal)
    n = weeks(year)
    assert n in (52, 53)
    spans = [parse_period(f"FY{fy}-W{w:02d}", fiscal_start_month=cal) for w in range(1, n + 1)]
    assert spans[0].start == year.start and spans[-1].end == year.end
    assert all(a.end == b.start and a.days == 7 for a, b in itertools.pairwise(spans))
    with pytest.raises(UserError):
        parse_period(f"FY{fy}-W{n + 1}", fiscal_start_month=cal)
    assert split(year, "week", fiscal_start_month=cal) == spans


@given(calendars, years)
def test_months_follow_the_pattern_and_sum_to_quarters(cal: WeekCalendar, fy: int) -> None:
    year = parse_period(f"FY{fy}", fiscal_start_month=cal)
    months = [parse_period(f"FY{fy}-M{m:02d}", fiscal_start_month=cal) for m in range(1, 13)]
    quarters = [parse_period(f"FY{fy}-Q{q}", fiscal_start_month=cal) for q in range(1, 5)]
    expected = [int(w) for w in cal.pattern.split("-")] * 4
    expected[11] += weeks(year) - 52  # the 53rd week is the last month's
    assert [weeks(m) for m in months] == expected
    for q, quarter in enumerate(quarters):
        three = months[3 * q : 3 * q + 3]
        assert (three[0].start, three[-1].end) == (quarter.start, quarter.end)
        assert all(a.end == b.start for a, b in itertools.pairwise(three))
        assert weeks(quarter) == (14 if q == 3 and weeks(year) == 53 else 13)
    assert (quarters[0].start, quarters[-1].end) == (year.start, year.end)
    assert split(year, "month", fiscal_start_month=cal) == months
    assert split(year, "quarter", fiscal_start_month=cal) == quarters


@given(calendars, years)
def test_years_end_on_the_weekday_by_the_rule_and_meet(cal: WeekCalendar, fy: int) -> None:
    year = parse_period(f"FY{fy}", fiscal_start_month=cal)
    nxt = parse_period(f"FY{fy + 1}", fiscal_start_month=cal)
    assert year.end == nxt.start and year.days in (364, 371)
    last = year.last_day
    assert last.weekday() == cal.end_weekday
    end_month = cal.start_month - 1 or 12  # the month before the start month
    month_end = D(fy, end_month, stdlib_calendar.monthrange(fy, end_month)[1])
    if cal.rule == "nearest":
        assert abs((last - month_end).days) <= 3
    else:
        assert last <= month_end < last + WEEK
    # every day of the year is in it, named FY{fy}
    assert label_of(year.start, "year", fiscal_start_month=cal) == f"FY{fy}"
    assert label_of(last, "year", fiscal_start_month=cal) == f"FY{fy}"


@given(calendars, days, grains)
def test_every_day_lies_in_one_period_of_each_grain(cal: WeekCalendar, d: date, g: Grain) -> None:
    p = period_of(d, g, fiscal_start_month=cal)
    assert p.contains(d)
    assert parse_period(p.label, fiscal_start_month=cal) == p
    assert label_of(d, g, fiscal_start_month=cal) == p.label
    assert grain_start(d, g, fiscal_start_month=cal) == p.start
    # the periods nest: week in month in quarter in year, all of the same fiscal year
    outer = [period_of(d, h, fiscal_start_month=cal) for h in Grain]
    assert all(a.start >= b.start and a.end <= b.end for a, b in itertools.pairwise(outer))
    assert len({q.label[:6] for q in outer}) == 1


@given(calendars, days, grains)
def test_previous_and_year_ago_are_whole_periods_of_the_grain(
    cal: WeekCalendar, d: date, g: Grain
) -> None:
    p = period_of(d, g, fiscal_start_month=cal)
    before = previous(p, fiscal_start_month=cal)
    assert before.end == p.start
    assert period_of(before.start, g, fiscal_start_month=cal) == before
    ago = same_period_last_year(p, fiscal_start_month=cal)
    assert period_of(ago.start, g, fiscal_start_month=cal) == ago
    fy = int(p.label[2:6])
    assert ago.label[:6] == f"FY{fy - 1}"
    suffix, ago_suffix = p.label[6:], ago.label[6:]
    if suffix == "-W53" and cal.weeks_in(fy - 1) == 52:
        assert ago_suffix == "-W52"
    else:
        assert ago_suffix == suffix


@given(calendars, days, st.integers(0, 800), grains)
def test_split_covers_any_range(cal: WeekCalendar, d: date, n: int, g: Grain) -> None:
    whole = Period("range", d, d + timedelta(days=n + 1))
    parts = split(whole, g, fiscal_start_month=cal)
    assert parts[0].start == whole.start and parts[-1].end == whole.end
    assert all(a.end == b.start for a, b in itertools.pairwise(parts))
    for p in parts:  # a whole part parses back; a clipped one keeps its whole period
        whole_part = p.whole or p
        assert parse_period(whole_part.label, fiscal_start_month=cal) == whole_part
        assert whole_part.start <= p.start and p.end <= whole_part.end
