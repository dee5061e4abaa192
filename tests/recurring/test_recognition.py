"""Recognized revenue: cumulative rounding per line, closed form per period, FX per day.

The expected values come from the plain-Python day-by-day reference (tests/recurring/
reference.py, :class:`fractions.Fraction`) or by hand; the property checks the rule's promises
(whole line, within a cent of every period's exact share, months adding up to quarters) on
random lines and random period boundaries.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesmetrics import UserError, Workspace, init_workspace
from salesmetrics.recurring import recognized_revenue
from salesmetrics.recurring.recognition import _rounded_quotient
from tests.depth import examples
from tests.metrics.builder import insert
from tests.recurring import reference as ref
from tests.recurring.helpers import D, add_months, as_dict, line, periods, rate

BASE = "USD"
CENT = Fraction(1, 100)


def days(first: str, count: int) -> ir.Table:
    start = dt.date.fromisoformat(first)
    starts = [start + dt.timedelta(days=n) for n in range(count)]
    return ibis.memtable(
        pa.table(
            {
                "start": pa.array(starts, pa.date32()),
                "end": pa.array([d + dt.timedelta(days=1) for d in starts], pa.date32()),
            }
        )
    )


def daily(
    ws: Workspace, line_id: str, first: str, count: int, column: str = "amount_local"
) -> list[D]:
    frame = recognized_revenue(ws, days(first, count)).to_pandas()
    frame = frame[frame.line_id == line_id].sort_values("start")
    return list(frame[column])


def spans(rows: list[tuple[str, dt.date, dt.date]]) -> ir.Table:
    """A periods table from ``(period, start, end)`` rows (end exclusive)."""
    return ibis.memtable(
        pa.table(
            {
                "period": [r[0] for r in rows],
                "start": pa.array([r[1] for r in rows], pa.date32()),
                "end": pa.array([r[2] for r in rows], pa.date32()),
            }
        )
    )


def calendar(first: dt.date, last: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """Months, quarters and years from ``first``'s month to ``last``'s."""
    out = []
    start = first.replace(day=1)
    while start <= last:
        out.append((f"{start:%Y-%m}", start, add_months(start, 1)))
        if start.month % 3 == 1:
            out.append((f"{start.year}-Q{start.month // 3 + 1}", start, add_months(start, 3)))
        if start.month == 1:
            out.append((f"{start.year}", start, add_months(start, 12)))
        start = add_months(start, 1)
    return out


def weeks(first: dt.date, last: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """ISO weeks (Monday to Sunday) from ``first``'s to ``last``'s."""
    start = first - dt.timedelta(days=first.weekday())
    out = []
    while start <= last:
        year, week, _ = start.isocalendar()
        out.append((f"{year}-W{week:02d}", start, start + dt.timedelta(days=7)))
        start += dt.timedelta(days=7)
    return out


def by_line_and_period(frame: Any) -> dict[tuple[str, str], tuple[D, D]]:
    return {(r.line_id, r.period): (r.amount_local, r.amount) for r in frame.itertuples()}


def test_the_issue_example_is_within_a_cent_of_every_months_share(workspace: Workspace) -> None:
    # 10,413.84 over the 366 days of 2024: January's exact share is 10,413.84 x 31 / 366 =
    # 882.0466; whole cents a day with the leftovers first gave 882.26 and May 881.95
    insert(
        workspace,
        "invoice_lines",
        [line("l", "a", "2024-01-01", "10413.84", ("2024-01-01", "2024-12-31"))],
    )
    frame = recognized_revenue(workspace, periods("2024-01-01", "2024-12-31", ["month", "quarter"]))
    amounts = as_dict(frame.to_pandas(), ["period"], "amount_local")
    # round_half_even(1,041,384 x k / 366) at the months' ends, by hand
    assert amounts["2024-01"] == D("882.05") and amounts["2024-05"] == D("882.04")
    assert amounts["2024-02"] == D("825.14") and amounts["2024-09"] == D("853.59")
    assert amounts["2024-Q1"] == amounts["2024-01"] + amounts["2024-02"] + amounts["2024-03"]
    assert sum(v for k, v in amounts.items() if "Q" not in k) == D("10413.84")


def test_hundred_over_three_days(workspace: Workspace) -> None:
    insert(
        workspace,
        "invoice_lines",
        [line("l", "a", "2024-01-01", "100.00", ("2024-01-01", "2024-01-03"))],
    )
    # through day 1: 3,333.33 -> 3,333; day 2: 6,666.67 -> 6,667; day 3: 10,000
    assert daily(workspace, "l", "2024-01-01", 3) == [D("33.33"), D("33.34"), D("33.33")]


def test_few_cents_are_spread_over_the_days(workspace: Workspace) -> None:
    insert(
        workspace,
        "invoice_lines",
        [
            line("l", "a", "2024-01-01", "0.05", ("2024-01-01", "2024-01-07")),
            line("c", "a", "2024-01-01", "-0.05", ("2024-01-01", "2024-01-07")),
        ],
    )
    # through day k: round(5k / 7) = 1, 1, 2, 3, 4, 4, 5 (3.5 at no k: no tie)
    cents = [D("0.01"), D(0), D("0.01"), D("0.01"), D("0.01"), D(0), D("0.01")]
    assert daily(workspace, "l", "2024-01-01", 7) == cents
    assert daily(workspace, "c", "2024-01-01", 7) == [-c for c in cents]


def test_ties_round_half_to_even(workspace: Workspace) -> None:
    insert(
        workspace,
        "invoice_lines",
        [
            line("ten", "a", "2024-01-01", "0.10", ("2024-01-01", "2024-01-04")),
            line("one", "a", "2024-01-01", "0.01", ("2024-01-01", "2024-01-02")),
            line("three", "a", "2024-01-01", "0.03", ("2024-01-01", "2024-01-02")),
        ],
    )
    # 10 cents over 4 days: 2.5 -> 2, 5, 7.5 -> 8, 10; 1 over 2: 0.5 -> 0; 3 over 2: 1.5 -> 2
    assert daily(workspace, "ten", "2024-01-01", 4) == [D("0.02"), D("0.03"), D("0.03"), D("0.02")]
    assert daily(workspace, "one", "2024-01-01", 2) == [D(0), D("0.01")]
    assert daily(workspace, "three", "2024-01-01", 2) == [D("0.02"), D("0.01")]


def test_months_sum_exactly_to_the_line(workspace: Workspace) -> None:
    insert(
        workspace,
        "invoice_lines",
        [
            line("y", "a", "2024-01-15", "12000", ("2024-01-15", "2025-01-14")),
            line("odd", "a", "2024-02-03", "1000.0049", ("2024-02-03", "2024-05-17")),
        ],
    )
    frame = recognized_revenue(workspace).to_pandas()
    totals = frame.groupby("line_id").amount_local.sum()
    assert totals["y"] == D("12000.00") and totals["odd"] == D("1000.00")
    jan = frame[(frame.line_id == "y") & (frame.period == "2024-01")].iloc[0]
    # 1,200,000 cents over 366 days, through the 17th day: 55,737.70 -> 55,738
    assert (jan.days, jan.amount_local) == (17, D("557.38"))


def test_large_amounts_over_long_periods_do_not_overflow(workspace: Workspace) -> None:
    # 5 x 10^15 cents over 3,653 days: C x k would pass 2^63 from the 1,845th day on
    amount = "50000000000000.00"
    insert(
        workspace,
        "invoice_lines",
        [line("big", "a", "2024-01-01", amount, ("2024-01-01", "2033-12-31"))],
    )
    got = as_dict(recognized_revenue(workspace).to_pandas(), ["period"], "amount_local")
    rows = [line("big", "a", "2024-01-01", amount, ("2024-01-01", "2033-12-31"))]
    expected = ref.recognized_by_month(rows, ref.Rates([]), BASE)
    assert got == {f"{y:04d}-{m:02d}": local for (_, (y, m)), (local, _) in expected.items()}
    assert sum(got.values()) == D(amount)


def test_any_periods_months_and_quarters_together(workspace: Workspace) -> None:
    insert(
        workspace,
        "invoice_lines",
        [line("l", "a", "2024-02-10", "900", ("2024-02-10", "2024-05-09"))],
    )
    frame = recognized_revenue(workspace, periods("2024-01-01", "2024-06-30", ["month", "quarter"]))
    amounts = as_dict(frame.to_pandas(), ["period"], "amount")
    assert amounts["2024-Q1"] == amounts["2024-02"] + amounts["2024-03"]
    assert amounts["2024-Q1"] + amounts["2024-Q2"] == D(900)
    assert "2024-01" not in amounts and "2024-06" not in amounts


def test_line_without_service_dates_on_its_invoice_date(workspace: Workspace) -> None:
    insert(
        workspace,
        "invoice_lines",
        [
            line("fee", "a", "2024-03-31", "250.005", recurring=False),
            line("r", "a", "2024-04-01", "10"),
        ],
    )
    frame = recognized_revenue(workspace).to_pandas()
    assert as_dict(frame, ["line_id", "period"], "amount") == {
        ("fee", "2024-03"): D("250.01"),
        ("r", "2024-04"): D(10),
    }


#: Lines of every shape: (line id, amount, service period or None, currency).
SHAPES: list[tuple[str, str, tuple[str, str] | None, str | None]] = [
    ("issue", "10413.84", ("2024-01-01", "2024-12-31"), None),
    ("leap", "10413.84", ("2024-02-01", "2025-01-31"), None),
    ("plain-year", "12000.01", ("2023-01-01", "2023-12-31"), None),
    ("one-day", "99.99", ("2024-03-15", "2024-03-15"), None),
    ("credit", "-1234.57", ("2024-01-10", "2024-04-20"), None),
    ("multi-year", "987654.32", ("2022-12-15", "2026-01-10"), None),
    ("cut-both-ends", "0.07", ("2024-05-10", "2024-05-20"), None),
    ("cent", "0.01", ("2024-06-01", "2024-06-30"), None),
    ("ties", "0.10", ("2024-07-30", "2024-08-02"), None),
    ("reversed", "45.67", ("2024-09-09", "2024-09-01"), None),
    ("no-dates", "15.05", None, None),
    ("eur", "1000.03", ("2024-01-20", "2024-05-10"), "EUR"),
    ("eur-credit", "-777.77", ("2024-02-28", "2024-03-02"), "eur"),
    ("eur-long", "5432.10", ("2023-12-20", "2025-03-10"), "EUR"),
]


def _eur_rates() -> list[dict[str, Any]]:
    """A rate with 10 decimals on most days from 2023-12-01 to 2025-03-31, gaps between."""
    first = dt.date(2023, 12, 1)
    out = []
    for n in range(0, 487):
        if n % 5 != 3:
            value = Decimal(10000 + (n * 7919) % 3000) / 10000 + Decimal(n) / 10**10
            out.append(rate((first + dt.timedelta(days=n)).isoformat(), "EUR", str(value)))
    return out


def test_lines_of_every_shape_against_the_reference(workspace: Workspace) -> None:
    rows = [
        line(lid, "a", "2024-04-02", amount, service, currency=currency)
        for lid, amount, service, currency in SHAPES
    ]
    rates = _eur_rates()
    insert(workspace, "fx_rates", rates)
    insert(workspace, "invoice_lines", rows)
    first, last = dt.date(2022, 12, 1), dt.date(2026, 1, 31)
    odd = [
        ("odd-1", dt.date(2024, 1, 25), dt.date(2024, 4, 12)),
        ("odd-2", dt.date(2024, 2, 29), dt.date(2024, 3, 1)),
        ("odd-3", dt.date(2022, 12, 20), dt.date(2026, 1, 5)),
    ]
    table = [*calendar(first, last), *weeks(first, last), *odd]
    got = by_line_and_period(recognized_revenue(workspace, spans(table)).to_pandas())
    expected = ref.recognized_in_periods(rows, ref.Rates(rates), BASE, table)
    assert got == expected
    # the same shares without the lines' details, computed or from the engine's narrow lines
    for materialised in (False, True):
        narrow = recognized_revenue(
            workspace, spans(table), materialised=materialised, details=False
        )
        assert not {"plan", "currency", "is_recurring"} & set(narrow.columns)
        assert by_line_and_period(narrow.to_pandas()) == expected, materialised
    # and the engine's default periods, the months of the data
    monthly = recognized_revenue(workspace).to_pandas()
    got_months = {
        (r.line_id, (r.start.year, r.start.month)): (r.amount_local, r.amount)
        for r in monthly.itertuples()
    }
    assert got_months == ref.recognized_by_month(rows, ref.Rates(rates), BASE)


def test_foreign_line_converted_at_each_days_rate(workspace: Workspace) -> None:
    insert(
        workspace, "fx_rates", [rate("2024-01-01", "EUR", "1.0"), rate("2024-01-03", "EUR", "2.0")]
    )
    insert(
        workspace,
        "invoice_lines",
        [line("l", "a", "2024-01-01", "100.00", ("2024-01-01", "2024-01-04"), currency="EUR")],
    )
    assert daily(workspace, "l", "2024-01-01", 4, "amount") == [D(25), D(25), D(50), D(50)]
    frame = recognized_revenue(workspace).to_pandas()
    assert frame.amount.tolist() == [D(150)] and frame.amount_local.tolist() == [D(100)]


def test_foreign_line_converts_each_days_exact_share(workspace: Workspace) -> None:
    insert(workspace, "fx_rates", [rate("2024-01-01", "EUR", "1.0")])
    insert(
        workspace,
        "invoice_lines",
        [line("l", "a", "2024-01-01", "0.01", ("2024-01-01", "2024-01-02"), currency="EUR")],
    )
    # one cent over two days: half a cent a day; locally 0 then 1 (half to even), converted
    # half a cent each day, rounded half away from zero
    assert daily(workspace, "l", "2024-01-01", 2) == [D(0), D("0.01")]
    assert daily(workspace, "l", "2024-01-01", 2, "amount") == [D("0.01"), D("0.01")]


def test_foreign_line_over_whole_and_partial_months_of_any_periods(workspace: Workspace) -> None:
    # rates change inside months; periods: months, quarters and one starting mid-month (whole
    # months inside it, partial ones at both ends)
    rates = [
        rate("2024-01-01", "EUR", "1.1"),
        rate("2024-02-15", "EUR", "1.2345678912"),
        rate("2024-04-01", "EUR", "0.9"),
    ]
    insert(workspace, "fx_rates", rates)
    rows = [line("l", "a", "2024-01-20", "1000.03", ("2024-01-20", "2024-05-10"), currency="EUR")]
    insert(workspace, "invoice_lines", rows)
    month = [(f"2024-{m:02d}", dt.date(2024, m, 1), dt.date(2024, m + 1, 1)) for m in range(1, 6)]
    table = [
        *month,
        ("Q1", dt.date(2024, 1, 1), dt.date(2024, 4, 1)),
        ("Q2", dt.date(2024, 4, 1), dt.date(2024, 7, 1)),
        ("odd", dt.date(2024, 1, 25), dt.date(2024, 4, 12)),
    ]
    got = as_dict(recognized_revenue(workspace, spans(table)).to_pandas(), ["period"], "amount")
    expected = ref.recognized_in_periods(rows, ref.Rates(rates), BASE, table)
    assert got == {period: base for (_, period), (_, base) in expected.items()}
    # by hand: 100,003 cents over 112 days; Q1 holds 72 of them (Jan 20 - Mar 31), 26 at 1.1
    # and 46 at 1.2345678912: 100,003 x 85.3901229952 / 112 = 76,243.47 cents
    assert got["Q1"] == D("762.43")


@pytest.mark.parametrize(
    ("value", "divisor", "quotient"),
    [
        # 2^54 + 1 is no double: the float quotient is ...992 exactly, the tie goes up
        ("18014398509481985", 2, 9007199254740993),
        ("18014398509481984.9999999999", 2, 9007199254740992),
        ("18014398509481983", 2, 9007199254740992),
        ("0.5", 1, 1),
        ("0.4999999999", 1, 0),
        ("1.5", 3, 1),
        ("1.4999999999", 3, 0),
        ("0", 7, 0),
        ("3653.0000000001", 3653, 1),
    ],
)
def test_the_converted_share_is_divided_exactly(value: str, divisor: int, quotient: int) -> None:
    t = ibis.memtable(pa.table({"v": pa.array([Decimal(value)], pa.decimal128(38, 10))}))
    t = t.mutate(d=ibis.literal(divisor, "int64"))
    expr = t.select(q=_rounded_quotient(t.v, t.d))
    assert ibis.duckdb.connect().execute(expr)["q"].tolist() == [quotient]


MONEY = st.integers(min_value=-(10**9), max_value=10**9).map(lambda c: Decimal(c) / 100)
START = dt.date(2023, 1, 1)


@st.composite
def lines_and_cuts(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dt.date]]:
    """1-6 lines of any length in 2023-2026 (one day to four years) and 0-12 cut days."""
    rows = []
    for n in range(draw(st.integers(min_value=1, max_value=6))):
        first = START + dt.timedelta(days=draw(st.integers(min_value=0, max_value=1000)))
        length = draw(
            st.sampled_from([0, 1, 6, 27, 28, 29, 30, 31, 89, 364, 365, 366])
            | st.integers(min_value=0, max_value=1460)
        )
        service = (first.isoformat(), (first + dt.timedelta(days=length)).isoformat())
        rows.append(line(f"l{n}", "a", first.isoformat(), str(draw(MONEY)), service))
    offsets = st.integers(min_value=0, max_value=2500)
    cuts = sorted({START + dt.timedelta(days=d) for d in draw(st.lists(offsets, max_size=12))})
    return rows, cuts


def _exact_share(row: dict[str, Any], start: dt.date, end: dt.date) -> Fraction:
    """C x (days of the line in [start, end)) / n, in currency units (the line's sign)."""
    first = row["service_start"]
    last = row["service_end"]
    n = (last - first).days + 1
    inside = (min(last, end - dt.timedelta(days=1)) - max(first, start)).days + 1
    return Fraction(row["amount"]) * max(inside, 0) / n


def _kind(period: str) -> str:
    """month, quarter or year (:func:`calendar`'s labels), or cut (the random pieces)."""
    if period.startswith("cut-"):
        return "cut"
    return "quarter" if "Q" in period else "year" if len(period) == 4 else "month"


@pytest.mark.slow  # the fast tier checks the same promises on fixed lines of every shape above
def test_cumulative_rounding_promises_on_random_lines(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    lo, hi = START, START + dt.timedelta(days=2500 + 1460)
    grid = calendar(lo, hi)

    @settings(max_examples=examples(25))
    @given(case=lines_and_cuts())
    def check(case: tuple[list[dict[str, Any]], list[dt.date]]) -> None:
        rows, cuts = case
        with ws.writing() as backend:
            backend.con.execute("DELETE FROM invoice_lines")
        insert(ws, "invoice_lines", rows)
        bounds = [lo, *(c for c in cuts if lo < c < hi), hi]
        pieces = [(f"cut-{i}", a, b) for i, (a, b) in enumerate(itertools.pairwise(bounds))]
        table = [*grid, *pieces]
        got = by_line_and_period(recognized_revenue(ws, spans(table)).to_pandas())
        for row in rows:
            mine = {p: local for (lid, p), (local, _) in got.items() if lid == row["line_id"]}
            total = Decimal(row["amount"]).quantize(Decimal("0.01"))
            # every partition of the days sums to the line exactly
            for kind in ("month", "quarter", "year", "cut"):
                parts = [v for p, v in mine.items() if _kind(p) == kind]
                assert sum(parts, Decimal(0)) == total, (row, kind)
            for name, start, end in table:
                value = mine.get(name, Decimal(0))
                assert abs(Fraction(value) - _exact_share(row, start, end)) <= CENT, (row, name)
                if _kind(name) == "quarter":  # its months add up to it exactly
                    months = [m for m, s, _ in grid if _kind(m) == "month" and start <= s < end]
                    assert value == sum((mine.get(m, Decimal(0)) for m in months), Decimal(0))

    check()
    ws.close()


def test_foreign_line_needs_a_rate_on_its_first_day(workspace: Workspace) -> None:
    insert(workspace, "fx_rates", [rate("2024-01-05", "EUR", "1.0")])
    insert(
        workspace,
        "invoice_lines",
        [line("l", "a", "2024-01-01", "100.00", ("2024-01-03", "2024-01-10"), currency="EUR")],
    )
    with pytest.raises(UserError, match="EUR on 2024-01-03"):
        recognized_revenue(workspace)


def test_no_lines_no_rows(workspace: Workspace) -> None:
    assert recognized_revenue(workspace).to_pandas().empty
