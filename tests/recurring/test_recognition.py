"""Recognized revenue: daily spread in whole cents, closed form per period, FX per day."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP
from fractions import Fraction

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pytest

from salesmetrics import UserError, Workspace
from salesmetrics.recurring import recognized_revenue
from tests.recurring.helpers import D, as_dict, insert, line, periods, rate


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


def test_hundred_over_three_days(workspace: Workspace) -> None:
    insert(
        workspace,
        "invoice_lines",
        [line("l", "a", "2024-01-01", "100.00", ("2024-01-01", "2024-01-03"))],
    )
    assert daily(workspace, "l", "2024-01-01", 3) == [D("33.34"), D("33.33"), D("33.33")]


def test_extra_cents_go_to_the_first_days(workspace: Workspace) -> None:
    insert(
        workspace,
        "invoice_lines",
        [
            line("l", "a", "2024-01-01", "0.05", ("2024-01-01", "2024-01-07")),
            line("c", "a", "2024-01-01", "-0.05", ("2024-01-01", "2024-01-07")),
        ],
    )
    assert daily(workspace, "l", "2024-01-01", 7) == [D("0.01")] * 5 + [D(0)] * 2
    assert daily(workspace, "c", "2024-01-01", 7) == [D("-0.01")] * 5 + [D(0)] * 2


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
    # 1,200,000 cents over 366 days: 3,278 a day and the first 252 days one more
    assert (jan.days, jan.amount_local) == (17, D("557.43"))


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


def _expected_base(
    cents: int, first: dt.date, last: dt.date, rates: list[tuple[dt.date, str]], periods: list
) -> dict[str, D]:
    """Day by day, as the rules say: ⌊C / n⌋ cents a day, one more on each of the first C mod n
    days, each day at its own rate; per period the sum rounded half away from zero."""
    n = (last - first).days + 1
    out: dict[str, D] = {}
    for name, start, end in periods:
        total = Fraction(0)
        for k in range(n):
            d = first + dt.timedelta(days=k)
            if start <= d < end:
                rate_d = [Fraction(v) for on, v in rates if on <= d][-1]
                total += (cents // n + (1 if k < cents % n else 0)) * rate_d
        if total:
            out[name] = D(total.numerator) / D(total.denominator) / 100
    return {k: v.quantize(D("0.01"), rounding=ROUND_HALF_UP) for k, v in out.items()}


def test_foreign_line_over_whole_and_partial_months_of_any_periods(workspace: Workspace) -> None:
    # rates change inside months; the extra cents end in April; periods: months, quarters and
    # one starting mid-month (whole months inside it, partial ones at both ends)
    rates = [("2024-01-01", "1.1"), ("2024-02-15", "1.2345678912"), ("2024-04-01", "0.9")]
    insert(workspace, "fx_rates", [rate(d, "EUR", v) for d, v in rates])
    insert(
        workspace,
        "invoice_lines",
        [line("l", "a", "2024-01-20", "1000.03", ("2024-01-20", "2024-05-10"), currency="EUR")],
    )
    month = [(f"2024-{m:02d}", dt.date(2024, m, 1), dt.date(2024, m + 1, 1)) for m in range(1, 6)]
    rows = [
        *month,
        ("Q1", dt.date(2024, 1, 1), dt.date(2024, 4, 1)),
        ("Q2", dt.date(2024, 4, 1), dt.date(2024, 7, 1)),
        ("odd", dt.date(2024, 1, 25), dt.date(2024, 4, 12)),
    ]
    table = ibis.memtable(
        pa.table(
            {
                "period": [r[0] for r in rows],
                "start": pa.array([r[1] for r in rows], pa.date32()),
                "end": pa.array([r[2] for r in rows], pa.date32()),
            }
        )
    )
    got = as_dict(recognized_revenue(workspace, table).to_pandas(), ["period"], "amount")
    by_day = [(dt.date.fromisoformat(d), v) for d, v in rates]
    expected = _expected_base(100003, dt.date(2024, 1, 20), dt.date(2024, 5, 10), by_day, rows)
    assert got == expected
    # by hand: 112 days of 892 cents and 99 extra cents, so all 72 days of Q1 (Jan 20 - Mar 31)
    # have 893 cents: 26 days at 1.1 and 46 at 1.2345678912 -> 893 x 85.3901229952 / 100
    assert expected["Q1"] == D("762.53")


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
