"""Period parsing, fiscal calendars, splitting, comparisons and local dates."""

from __future__ import annotations

import datetime as dt
import itertools
from datetime import date

import duckdb
import ibis
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesmetrics.errors import UserError
from salesmetrics.periods import (
    SYNTAX,
    Grain,
    Period,
    clipped,
    grain_start,
    iso_weeks,
    label_of,
    local_date,
    parse_grain,
    parse_period,
    period_of,
    periods_between,
    previous,
    same_period_last_year,
    split,
    to_date,
)

D = date


def rng(text: str, fiscal: int = 1) -> tuple[str, date, date]:
    p = parse_period(text, fiscal_start_month=fiscal)
    return p.label, p.start, p.end


# -- parsing -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label", "start", "end"),
    [
        ("2024", "2024", D(2024, 1, 1), D(2025, 1, 1)),
        ("2024-Q1", "2024-Q1", D(2024, 1, 1), D(2024, 4, 1)),
        ("2024-Q2", "2024-Q2", D(2024, 4, 1), D(2024, 7, 1)),
        ("2024-Q4", "2024-Q4", D(2024, 10, 1), D(2025, 1, 1)),
        ("2024-q2", "2024-Q2", D(2024, 4, 1), D(2024, 7, 1)),
        ("2024-05", "2024-05", D(2024, 5, 1), D(2024, 6, 1)),
        ("2024-5", "2024-05", D(2024, 5, 1), D(2024, 6, 1)),
        ("2024-12", "2024-12", D(2024, 12, 1), D(2025, 1, 1)),
        ("2024-02", "2024-02", D(2024, 2, 1), D(2024, 3, 1)),
        ("2024-W19", "2024-W19", D(2024, 5, 6), D(2024, 5, 13)),
        ("2024-w1", "2024-W01", D(2024, 1, 1), D(2024, 1, 8)),
        ("2024-04-01..2024-06-30", "2024-04-01..2024-06-30", D(2024, 4, 1), D(2024, 7, 1)),
        ("2024-05-03..2024-05-03", "2024-05-03..2024-05-03", D(2024, 5, 3), D(2024, 5, 4)),
        (" 2024-Q2 ", "2024-Q2", D(2024, 4, 1), D(2024, 7, 1)),
        ("2024-04-01 .. 2024-04-30", "2024-04-01..2024-04-30", D(2024, 4, 1), D(2024, 5, 1)),
    ],
)
def test_parse_calendar_periods(text: str, label: str, start: date, end: date) -> None:
    assert rng(text) == (label, start, end)


def test_iso_weeks_at_year_boundaries() -> None:
    # 2020 has 53 ISO weeks; its week 53 ends in January 2021.
    assert rng("2020-W53") == ("2020-W53", D(2020, 12, 28), D(2021, 1, 4))
    # 2024-W01 starts on Monday 2024-01-01; 2025-W01 starts in 2024, 2021-W01 in 2021.
    assert rng("2025-W01") == ("2025-W01", D(2024, 12, 30), D(2025, 1, 6))
    assert rng("2026-W01") == ("2026-W01", D(2025, 12, 29), D(2026, 1, 5))
    assert rng("2021-W01")[1] == D(2021, 1, 4)
    assert iso_weeks(2020) == 53 and iso_weeks(2024) == 52 and iso_weeks(2026) == 53


def test_iso_week_starting_in_previous_year() -> None:
    # 2023-W01 is Monday 2023-01-02; 2019-W01 starts on 2018-12-31.
    assert rng("2019-W01")[1:] == (D(2018, 12, 31), D(2019, 1, 7))
    assert label_of(D(2018, 12, 31), Grain.WEEK) == "2019-W01"
    assert label_of(D(2023, 1, 1), Grain.WEEK) == "2022-W52"
    assert label_of(D(2021, 1, 3), "week") == "2020-W53"


def test_leap_years() -> None:
    assert parse_period("2024-02").days == 29
    assert parse_period("2023-02").days == 28
    assert parse_period("2024").days == 366
    assert parse_period("2000-02").days == 29
    assert parse_period("1900-02").days == 28
    assert rng("2024-02-29..2024-02-29")[1:] == (D(2024, 2, 29), D(2024, 3, 1))


def test_fiscal_year_starting_in_april_is_named_by_the_year_it_ends() -> None:
    assert rng("FY2025", 4) == ("FY2025", D(2024, 4, 1), D(2025, 4, 1))
    assert rng("FY2025-Q1", 4) == ("FY2025-Q1", D(2024, 4, 1), D(2024, 7, 1))
    assert rng("FY2025-Q3", 4) == ("FY2025-Q3", D(2024, 10, 1), D(2025, 1, 1))
    assert rng("FY2025-Q4", 4) == ("FY2025-Q4", D(2025, 1, 1), D(2025, 4, 1))
    assert rng("fy2025-q2", 4) == ("FY2025-Q2", D(2024, 7, 1), D(2024, 10, 1))


def test_fiscal_other_start_months() -> None:
    assert rng("FY2025", 1) == ("FY2025", D(2025, 1, 1), D(2026, 1, 1))
    assert rng("FY2025", 2)[1:] == (D(2024, 2, 1), D(2025, 2, 1))
    assert rng("FY2025", 10)[1:] == (D(2024, 10, 1), D(2025, 10, 1))
    assert rng("FY2025", 12)[1:] == (D(2024, 12, 1), D(2025, 12, 1))
    assert rng("FY2025-Q2", 10)[1:] == (D(2025, 1, 1), D(2025, 4, 1))
    assert rng("FY2025-Q4", 12)[1:] == (D(2025, 9, 1), D(2025, 12, 1))


def test_all_uses_the_data_range() -> None:
    p = parse_period("all", data_range=(D(2023, 5, 6), D(2024, 1, 2)))
    assert (p.label, p.start, p.end) == ("all", D(2023, 5, 6), D(2024, 1, 3))
    p = parse_period("ALL", data_range=(dt.datetime(2023, 5, 6, 12), dt.datetime(2023, 5, 6, 13)))
    assert (p.start, p.end) == (D(2023, 5, 6), D(2023, 5, 7))


@pytest.mark.parametrize("data_range", [None, (None, None)])
def test_all_without_data_is_a_clear_error(data_range: object) -> None:
    with pytest.raises(UserError, match=r"'all' needs data.*import data first"):
        parse_period("all", data_range=data_range)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2024-Q5", "quarter must be 1-4"),
        ("2024-Q0", "quarter must be 1-4"),
        ("FY2025-Q5", "quarter must be 1-4"),
        ("2024-13", "month must be 01-12"),
        ("2024-00", "month must be 01-12"),
        ("2019-W53", "2019 has ISO weeks 1-52"),
        ("2024-W00", "2024 has ISO weeks 1-52"),
        ("1899", "year must be between 1900 and 2999"),
        ("3000-Q1", "year must be between 1900 and 2999"),
        ("2024-02-30..2024-03-01", "2024-02-30 is not a valid date"),
        ("2024-06-30..2024-04-01", "ends .2024-04-01. before it starts"),
        ("2024-6-1..2024-6-30", "not a date in the form YYYY-MM-DD"),
        ("2024-05-03", "a single day is the range 2024-05-03..2024-05-03"),
        ("FY25", "4 digits"),
        ("Q2-2024", "year first"),
        ("2024-H1", "custom ranges"),
        ("al", "did you mean 'all'"),
        ("last month", "not a period"),
        ("", "empty"),
    ],
)
def test_bad_periods(text: str, why: str) -> None:
    with pytest.raises(UserError, match=why) as info:
        parse_period(text)
    message = str(info.value)
    assert message.startswith(f"bad period {text!r}: ")
    assert message.endswith(f"use {SYNTAX}")
    assert "\n" not in message


def test_grains() -> None:
    assert parse_grain("Month") is Grain.MONTH
    assert parse_grain(Grain.WEEK) is Grain.WEEK
    with pytest.raises(UserError, match=r"bad grain 'quater' \(did you mean 'quarter'\?\)"):
        parse_grain("quater")


@given(st.dates(D(1900, 1, 1), D(2998, 12, 31)), st.sampled_from(list(Grain)), st.integers(1, 12))
def test_labels_parse_back_to_the_period_holding_the_day(d: date, grain: Grain, fsm: int) -> None:
    p = period_of(d, grain, fiscal_start_month=fsm)
    assert p.contains(d)
    assert p.start == grain_start(d, grain, fiscal_start_month=fsm)
    assert parse_period(p.label, fiscal_start_month=fsm) == p
    assert previous(p, fiscal_start_month=fsm).end == p.start


@given(st.dates(D(1901, 1, 1), D(2998, 12, 31)), st.dates(D(1901, 1, 1), D(2998, 12, 31)))
def test_custom_ranges_round_trip(a: date, b: date) -> None:
    first, last = min(a, b), max(a, b)
    p = parse_period(f"{first}..{last}")
    assert (p.start, p.last_day) == (first, last)
    assert parse_period(p.label) == p
    before = previous(p)
    assert before.end == p.start and before.days == p.days
    assert same_period_last_year(p).start.year == first.year - 1


# -- the Period object ---------------------------------------------------------------------------


def test_period_helpers() -> None:
    p = parse_period("2024-Q2")
    assert p.days == 91
    assert p.last_day == D(2024, 6, 30)
    assert p.contains(D(2024, 4, 1)) and p.contains(D(2024, 6, 30))
    assert not p.contains(D(2024, 7, 1)) and not p.contains(D(2024, 3, 31))
    assert p.contains(dt.datetime(2024, 6, 30, 23, 59))
    assert p.overlap_days(D(2024, 6, 1), D(2024, 9, 1)) == 30
    assert p.overlap_days(D(2025, 1, 1), D(2025, 2, 1)) == 0
    assert str(p) == "2024-Q2"
    assert p.to_dict() == {"period": "2024-Q2", "start": "2024-04-01", "end": "2024-07-01"}
    assert p == Period("2024-Q2", D(2024, 4, 1), D(2024, 7, 1))
    with pytest.raises(ValueError, match="not after"):
        Period("x", D(2024, 1, 1), D(2024, 1, 1))


def test_label_of_and_grain_start() -> None:
    d = D(2024, 5, 8)
    assert label_of(d, Grain.WEEK) == "2024-W19"
    assert label_of(d, Grain.MONTH) == "2024-05"
    assert label_of(d, Grain.QUARTER) == "2024-Q2"
    assert label_of(d, Grain.YEAR) == "2024"
    assert label_of(d, Grain.QUARTER, fiscal_start_month=4) == "FY2025-Q1"
    assert label_of(d, Grain.YEAR, fiscal_start_month=4) == "FY2025"
    assert label_of(D(2025, 3, 31), Grain.YEAR, fiscal_start_month=4) == "FY2025"
    assert label_of(D(2025, 4, 1), Grain.YEAR, fiscal_start_month=4) == "FY2026"
    assert label_of(dt.datetime(2024, 5, 8, 23), "month") == "2024-05"
    assert grain_start(d, Grain.WEEK) == D(2024, 5, 6)
    assert grain_start(d, Grain.QUARTER) == D(2024, 4, 1)
    assert grain_start(D(2024, 3, 15), Grain.QUARTER, fiscal_start_month=2) == D(2024, 2, 1)
    assert grain_start(D(2024, 1, 15), Grain.YEAR, fiscal_start_month=4) == D(2023, 4, 1)


# -- split and ranges ----------------------------------------------------------------------------


def labels(periods: list[Period]) -> list[str]:
    return [p.label for p in periods]


def test_split_year_by_every_grain() -> None:
    year = parse_period("2024")
    assert labels(split(year, "quarter")) == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    months = split(year, Grain.MONTH)
    assert labels(months) == [f"2024-{m:02d}" for m in range(1, 13)]
    assert sum(m.days for m in months) == 366
    assert split(year, Grain.YEAR) == [year]
    weeks = split(year, Grain.WEEK)
    # 2024 starts on a Monday; 2024-12-30 and 31 belong to 2025-W01, clipped.
    assert weeks[0] == parse_period("2024-W01")
    w01 = parse_period("2025-W01")
    assert weeks[-1] == Period("2025-W01 (to 2024-12-31)", D(2024, 12, 30), D(2025, 1, 1), w01)
    assert len(weeks) == 53


def test_split_is_contiguous_and_covers_the_period() -> None:
    p = parse_period("2023-11-15..2024-03-10")
    for grain in Grain:
        parts = split(p, grain)
        assert parts[0].start == p.start and parts[-1].end == p.end
        assert all(a.end == b.start for a, b in itertools.pairwise(parts))


def test_split_custom_range_gives_partial_first_and_last_months_labelled_clipped() -> None:
    parts = split(parse_period("2024-04-15..2024-06-10"), Grain.MONTH)
    april, june = parse_period("2024-04"), parse_period("2024-06")
    assert parts == [
        Period("2024-04 (from 2024-04-15)", D(2024, 4, 15), D(2024, 5, 1), april),
        Period("2024-05", D(2024, 5, 1), D(2024, 6, 1)),
        Period("2024-06 (to 2024-06-10)", D(2024, 6, 1), D(2024, 6, 11), june),
    ]
    assert [p.is_clipped for p in parts] == [True, False, True]


def test_all_split_labels_its_edge_periods_as_clipped() -> None:
    everything = parse_period("all", data_range=(D(2022, 12, 23), D(2026, 3, 14)))
    years = split(everything, Grain.YEAR)
    assert labels(years) == [
        "2022 (from 2022-12-23)",
        "2023",
        "2024",
        "2025",
        "2026 (to 2026-03-14)",
    ]
    assert (years[0].start, years[0].end) == (D(2022, 12, 23), D(2023, 1, 1))
    assert (years[-1].start, years[-1].end) == (D(2026, 1, 1), D(2026, 3, 15))
    assert years[0].whole == parse_period("2022") and years[-1].whole == parse_period("2026")
    # data within one year: cut at both ends
    (only,) = split(parse_period("all", data_range=(D(2024, 3, 5), D(2024, 9, 10))), "year")
    assert only.label == "2024 (from 2024-03-05 to 2024-09-10)"
    assert (only.start, only.last_day) == (D(2024, 3, 5), D(2024, 9, 10))
    # data starting and ending on grain boundaries: nothing clipped
    whole = split(parse_period("all", data_range=(D(2024, 1, 1), D(2024, 6, 30))), "quarter")
    assert labels(whole) == ["2024-Q1", "2024-Q2"] and not any(p.is_clipped for p in whole)


def test_clipped() -> None:
    q = parse_period("2024-Q2")
    assert clipped(q, D(2024, 1, 1), D(2025, 1, 1)) is q  # nothing cut off
    part = clipped(q, D(2024, 5, 1), D(2025, 1, 1))
    assert part == Period("2024-Q2 (from 2024-05-01)", D(2024, 5, 1), D(2024, 7, 1), q)
    assert clipped(q, D(2024, 4, 1), D(2024, 4, 2)).label == "2024-Q2 (to 2024-04-01)"
    fy = parse_period("FY2025", fiscal_start_month=4)
    july = clipped(fy, D(2024, 7, 1), D(2024, 8, 1))
    assert july.label == "FY2025 (from 2024-07-01 to 2024-07-31)"


@given(
    st.dates(D(1901, 1, 1), D(2998, 1, 1)),
    st.integers(0, 800),
    st.sampled_from(list(Grain)),
    st.integers(1, 12),
)
def test_split_parts_know_their_whole_period(
    first: date, days: int, grain: Grain, fsm: int
) -> None:
    span = Period("range", first, first + dt.timedelta(days=days + 1))
    parts = split(span, grain, fiscal_start_month=fsm)
    for part in parts:
        whole = part.whole or part
        assert whole == period_of(part.start, grain, fiscal_start_month=fsm)
        assert whole.start <= part.start < part.end <= whole.end
        assert part.is_clipped == ((part.start, part.end) != (whole.start, whole.end))
        assert part.label.startswith(whole.label)
        if not part.is_clipped:
            assert parse_period(part.label, fiscal_start_month=fsm) == part
        # the previous period of a clipped part is the whole grain period before its own
        before = previous(part, grain, fiscal_start_month=fsm)
        day_before = whole.start - dt.timedelta(days=1)
        assert before == period_of(day_before, grain, fiscal_start_month=fsm)
        year_ago = same_period_last_year(part, grain, fiscal_start_month=fsm)
        year_ago_whole = same_period_last_year(whole, grain, fiscal_start_month=fsm)
        assert (year_ago.whole or year_ago) == year_ago_whole
        assert year_ago_whole.start <= year_ago.start < year_ago.end <= year_ago_whole.end


def test_split_fiscal() -> None:
    fy = parse_period("FY2025", fiscal_start_month=4)
    quarters = split(fy, Grain.QUARTER, fiscal_start_month=4)
    assert labels(quarters) == ["FY2025-Q1", "FY2025-Q2", "FY2025-Q3", "FY2025-Q4"]
    assert quarters[2].start == D(2024, 10, 1)
    assert labels(split(parse_period("2024"), "year", fiscal_start_month=4)) == [
        "FY2024 (from 2024-01-01)",
        "FY2025 (to 2024-12-31)",
    ]
    # months are months whatever the fiscal calendar
    assert split(fy, "month", fiscal_start_month=4)[0].label == "2024-04"


def test_periods_between() -> None:
    months = periods_between("2024-01", "2024-06", "month")
    assert labels(months) == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
    assert labels(periods_between("2024-02", "2024-05", Grain.QUARTER)) == ["2024-Q1", "2024-Q2"]
    assert labels(periods_between("2023-Q4", "2024-Q1", "quarter")) == ["2023-Q4", "2024-Q1"]
    assert labels(periods_between("2024-W52", "2025-W02", "week")) == [
        "2024-W52",
        "2025-W01",
        "2025-W02",
    ]
    fiscal = periods_between("FY2025-Q1", "FY2025-Q4", "quarter", fiscal_start_month=4)
    assert labels(fiscal) == ["FY2025-Q1", "FY2025-Q2", "FY2025-Q3", "FY2025-Q4"]
    assert periods_between("2024-05", "2024-05", "month") == [parse_period("2024-05")]
    assert labels(periods_between("2022", "2024", "year")) == ["2022", "2023", "2024"]
    whole = periods_between("2024-04-15..2024-04-20", "2024-05-02..2024-05-03", "month")
    assert whole == [parse_period("2024-04"), parse_period("2024-05")]


def test_periods_between_errors() -> None:
    with pytest.raises(UserError, match="--to 2023 ends before --from 2024"):
        periods_between("2024", "2023", "year")
    with pytest.raises(UserError, match="bad period '2024-13'"):
        periods_between("2024-01", "2024-13", "month")
    with pytest.raises(UserError, match="bad grain"):
        periods_between("2024-01", "2024-02", "fortnight")


# -- previous and same period last year ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "before", "year_ago"),
    [
        ("2024-Q1", "2023-Q4", "2023-Q1"),
        ("2024-Q3", "2024-Q2", "2023-Q3"),
        ("2024-01", "2023-12", "2023-01"),
        ("2024-03", "2024-02", "2023-03"),
        ("2024", "2023", "2023"),
        ("2024-W01", "2023-W52", "2023-W01"),
        ("2021-W01", "2020-W53", "2020-W01"),
        ("2024-W19", "2024-W18", "2023-W19"),
        ("2020-W53", "2020-W52", "2019-W52"),
    ],
)
def test_previous_and_last_year_of_whole_periods(text: str, before: str, year_ago: str) -> None:
    p = parse_period(text)
    assert previous(p) == parse_period(before)
    assert same_period_last_year(p) == parse_period(year_ago)


def test_previous_and_last_year_fiscal() -> None:
    q1 = parse_period("FY2025-Q1", fiscal_start_month=4)
    assert previous(q1) == parse_period("FY2024-Q4", fiscal_start_month=4)
    assert previous(q1).start == D(2024, 1, 1)
    assert same_period_last_year(q1) == parse_period("FY2024-Q1", fiscal_start_month=4)
    fy = parse_period("FY2025", fiscal_start_month=4)
    assert previous(fy) == Period("FY2024", D(2023, 4, 1), D(2024, 4, 1))
    assert same_period_last_year(fy) == previous(fy)
    # the fiscal calendar may also be given explicitly, with the grain
    q = parse_period("2024-Q2")
    assert previous(q, Grain.QUARTER, fiscal_start_month=4).label == "FY2024-Q4"


def test_previous_of_custom_range_is_the_equal_range_before() -> None:
    p = parse_period("2024-04-01..2024-06-30")
    assert previous(p) == Period("2024-01-01..2024-03-31", D(2024, 1, 1), D(2024, 4, 1))
    p = parse_period("2024-03-10..2024-03-19")
    assert previous(p) == parse_period("2024-02-29..2024-03-09")
    # with the grain given, a range that is exactly a quarter is that quarter
    assert previous(parse_period("2024-04-01..2024-06-30"), Grain.QUARTER).label == "2024-Q1"
    all_ = parse_period("all", data_range=(D(2024, 1, 1), D(2024, 1, 31)))
    assert previous(all_) == parse_period("2023-12-01..2023-12-31")


def test_previous_of_a_clipped_part_is_the_whole_period_before() -> None:
    first = split(parse_period("2024-04-15..2024-06-10"), Grain.MONTH)[0]
    assert previous(first) == parse_period("2024-03")
    # issue 21: the previous period of a clipped 2026 was "2025-09-14..2025-12-31"
    last = split(parse_period("all", data_range=(D(2023, 5, 2), D(2026, 3, 14))), "year")[-1]
    assert last.label == "2026 (to 2026-03-14)"
    assert previous(last) == previous(last, Grain.YEAR) == parse_period("2025")
    # fiscal: the whole fiscal quarter before
    fq = split(parse_period("2024-05-10..2024-12-31"), "quarter", fiscal_start_month=4)[0]
    assert fq.label == "FY2025-Q1 (from 2024-05-10)"
    assert previous(fq, "quarter", fiscal_start_month=4) == parse_period(
        "FY2024-Q4", fiscal_start_month=4
    )
    # a clipped week: the whole ISO week before
    week = split(parse_period("2024-01-03..2024-01-20"), "week")[0]
    assert week.label == "2024-W01 (from 2024-01-03)"
    assert previous(week) == parse_period("2023-W52")


def test_same_period_last_year_of_ranges_and_feb_29() -> None:
    assert same_period_last_year(parse_period("2024-02")) == parse_period("2023-02")
    assert same_period_last_year(parse_period("2025-02")).days == 29
    assert same_period_last_year(parse_period("2024-02-01..2024-02-29")) == parse_period(
        "2023-02-01..2023-02-28"
    )
    assert same_period_last_year(parse_period("2024-02-29..2024-03-05")) == parse_period(
        "2023-02-28..2023-03-05"
    )
    assert same_period_last_year(parse_period("2024-02-10..2024-02-28")) == parse_period(
        "2023-02-10..2023-02-28"
    )
    assert same_period_last_year(parse_period("2025-01-15..2025-03-15")) == parse_period(
        "2024-01-15..2024-03-15"
    )
    part = split(parse_period("2024-04-15..2024-06-10"), Grain.MONTH)[0]
    assert same_period_last_year(part) == Period(
        "2023-04 (from 2023-04-15)", D(2023, 4, 15), D(2023, 5, 1), parse_period("2023-04")
    )
    # a leap February's last days: the same days of the shorter February
    feb = split(parse_period("2024-02-10..2024-02-29"), "month")[0]
    assert same_period_last_year(feb).label == "2023-02 (from 2023-02-10)"
    assert same_period_last_year(feb).end == D(2023, 3, 1)
    # a clipped week keeps its weekdays (Wednesday to Sunday)
    week = split(parse_period("2024-05-08..2024-05-31"), "week")[0]
    year_ago = same_period_last_year(week)
    assert year_ago.label == "2023-W19 (from 2023-05-10)"
    assert (year_ago.start.weekday(), year_ago.last_day.weekday()) == (2, 6)


# -- local dates ---------------------------------------------------------------------------------


def _local_dates(tz: str, session_tz: str = "UTC") -> list[date]:
    stamps = [
        dt.datetime(2024, 3, 10, 18, 30),  # 01:30 next day in Jakarta (UTC+7)
        dt.datetime(2024, 7, 1, 3, 0),  # 23:00 the day before in New York (UTC-4 in summer)
        dt.datetime(2024, 1, 1, 4, 59),  # 23:59 on 31 December in New York (UTC-5 in winter)
        dt.datetime(2024, 1, 1, 5, 0),
    ]
    con = ibis.duckdb.connect()
    con.raw_sql(f"SET TimeZone = '{session_tz}'")
    t = ibis.memtable({"ts": stamps})
    return con.to_pyarrow(t.mutate(d=local_date(t.ts, tz))).column("d").to_pylist()


def test_local_date_converts_naive_utc_to_the_workspace_timezone() -> None:
    assert _local_dates("UTC") == [D(2024, 3, 10), D(2024, 7, 1), D(2024, 1, 1), D(2024, 1, 1)]
    assert _local_dates("Asia/Jakarta") == [
        D(2024, 3, 11),
        D(2024, 7, 1),
        D(2024, 1, 1),
        D(2024, 1, 1),
    ]
    ny = [D(2024, 3, 10), D(2024, 6, 30), D(2023, 12, 31), D(2024, 1, 1)]
    assert _local_dates("America/New_York") == ny
    # the DuckDB session time zone must not matter
    assert _local_dates("America/New_York", session_tz="Asia/Tokyo") == ny
    assert to_date is local_date


def test_local_date_sql_for_other_backends() -> None:
    t = ibis.table({"ts": "timestamp"}, name="t")
    pg = ibis.to_sql(t.select(d=local_date(t.ts, "Asia/Jakarta", dialect="postgres")), "postgres")
    assert "TIMEZONE('Asia/Jakarta', TIMEZONE('UTC', \"t0\".\"ts\"))" in pg
    spark = ibis.to_sql(t.select(d=local_date(t.ts, "Asia/Jakarta", dialect="pyspark")), "pyspark")
    assert "FROM_UTC_TIMESTAMP" in spark
    with pytest.raises(ValueError, match="no time-zone conversion"):
        local_date(t.ts, "Asia/Jakarta", dialect="sqlite")


def test_duckdb_has_time_zone_data() -> None:
    # local_date relies on DuckDB's ICU extension (bundled with the Python package).
    assert duckdb.sql("SELECT timezone('Asia/Jakarta', TIMESTAMPTZ '2024-01-01 00:00:00+00')")


# -- shortcuts, read against the data's last date ------------------------------------------------

_SPAN_FROM = date(2020, 1, 1)


@pytest.mark.parametrize(
    ("today", "fsm", "text", "label", "start", "end"),
    [
        (date(2025, 6, 14), 1, "this-month", "2025-06", date(2025, 6, 1), date(2025, 7, 1)),
        (date(2025, 6, 14), 1, "last-month", "2025-05", date(2025, 5, 1), date(2025, 6, 1)),
        (date(2026, 1, 3), 1, "last-month", "2025-12", date(2025, 12, 1), date(2026, 1, 1)),
        (date(2026, 1, 3), 1, "this-quarter", "2026-Q1", date(2026, 1, 1), date(2026, 4, 1)),
        (date(2026, 1, 3), 1, "last-quarter", "2025-Q4", date(2025, 10, 1), date(2026, 1, 1)),
        (date(2025, 3, 31), 1, "last-quarter", "2024-Q4", date(2024, 10, 1), date(2025, 1, 1)),
        (date(2025, 6, 14), 1, "ytd", "2025 (to 2025-06-14)", date(2025, 1, 1), date(2025, 6, 15)),
        (date(2026, 1, 3), 1, "YTD", "2026 (to 2026-01-03)", date(2026, 1, 1), date(2026, 1, 4)),
        (date(2025, 12, 31), 1, "ytd", "2025", date(2025, 1, 1), date(2026, 1, 1)),
        # the twelve whole months before the month in progress; a month ending on the data's
        # last day is whole
        (
            date(2025, 6, 14),
            1,
            "last-12-months",
            "2024-06-01..2025-05-31",
            date(2024, 6, 1),
            date(2025, 6, 1),
        ),
        (
            date(2026, 1, 3),
            1,
            "last_12_months",
            "2025-01-01..2025-12-31",
            date(2025, 1, 1),
            date(2026, 1, 1),
        ),
        (
            date(2025, 12, 31),
            1,
            "last-12-months",
            "2025-01-01..2025-12-31",
            date(2025, 1, 1),
            date(2026, 1, 1),
        ),
        # fiscal years starting in April: fiscal quarters, fiscal year to date
        (date(2025, 6, 14), 4, "this-quarter", "FY2026-Q1", date(2025, 4, 1), date(2025, 7, 1)),
        (date(2025, 6, 14), 4, "last-quarter", "FY2025-Q4", date(2025, 1, 1), date(2025, 4, 1)),
        (date(2026, 1, 3), 4, "last-quarter", "FY2026-Q3", date(2025, 10, 1), date(2026, 1, 1)),
        (
            date(2026, 1, 3),
            4,
            "ytd",
            "FY2026 (to 2026-01-03)",
            date(2025, 4, 1),
            date(2026, 1, 4),
        ),
        (date(2025, 3, 31), 4, "ytd", "FY2025", date(2024, 4, 1), date(2025, 4, 1)),
        (date(2025, 4, 1), 4, "ytd", "FY2026 (to 2025-04-01)", date(2025, 4, 1), date(2025, 4, 2)),
    ],
)
def test_shortcuts_against_the_data_end(
    today: date, fsm: int, text: str, label: str, start: date, end: date
) -> None:
    period = parse_period(text, fiscal_start_month=fsm, data_range=(_SPAN_FROM, today))
    assert (period.label, period.start, period.end) == (label, start, end)


def test_shortcuts_with_a_week_calendar() -> None:
    from salesmetrics.calendars import WeekCalendar

    nrf = WeekCalendar("4-5-4", start_month=2, end_weekday=5, rule="nearest")
    today = date(2025, 6, 14)
    month = parse_period("this-month", fiscal_start_month=nrf, data_range=(_SPAN_FROM, today))
    assert month.start <= today < month.end and month.label.startswith("FY")
    last = parse_period("last-month", fiscal_start_month=nrf, data_range=(_SPAN_FROM, today))
    assert last.end == month.start
    twelve = parse_period("last-12-months", fiscal_start_month=nrf, data_range=(_SPAN_FROM, today))
    assert twelve.end == month.start  # the fiscal month in progress is left out
    assert len(split(twelve, "month", fiscal_start_month=nrf)) == 12


def test_shortcuts_need_data_and_typos_are_suggested() -> None:
    with pytest.raises(UserError, match="read against the data's last date"):
        parse_period("ytd")
    with pytest.raises(UserError) as err:
        parse_period("this_mnth", data_range=(_SPAN_FROM, date(2025, 1, 1)))
    assert "did you mean 'this-month'" in str(err.value) and "\n" not in str(err.value)
