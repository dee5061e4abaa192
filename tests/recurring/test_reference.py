"""The backend results against the plain-Python reference, to the cent, on randomized data."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from salesmetrics import Workspace
from salesmetrics.recurring import (
    CUSTOMER_PLAN,
    MOVEMENTS,
    check_identity,
    customer_month_mrr,
    load,
    movements,
    recognized_revenue,
    waterfall,
)
from tests.recurring import reference as ref
from tests.recurring.helpers import insert, periods

BASE = "USD"
FIRST = dt.date(2022, 1, 1)


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 10000, high * 10000)) / 10000


def random_rates(rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for n in range(0, 1200, 7):  # weekly EUR
        rows.append(
            {
                "date": FIRST + dt.timedelta(days=n),
                "currency": "EUR",
                "rate": Decimal(rng.randint(1000, 1300)) / 1000,
            }
        )
    for n in range(0, 1200):  # daily IDR
        rows.append(
            {
                "date": FIRST + dt.timedelta(days=n),
                "currency": "IDR",
                "rate": Decimal(rng.randint(600, 700)) / 10**7,
            }
        )
    return rows


def random_subscriptions(rng: random.Random, n: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(n):
        start = FIRST + dt.timedelta(days=rng.randint(0, 1000))
        length = rng.choice([None, rng.randint(1, 40), rng.randint(28, 400), rng.randint(300, 900)])
        currency = rng.choice([None, "USD", "EUR", "IDR"])
        mrr = _money(rng, 0, 2000) * (20000 if currency == "IDR" else 1)
        rows.append(
            {
                "subscription_id": f"s{i}",
                "account_id": f"a{rng.randint(0, 39)}",
                "start_date": start,
                "end_date": start + dt.timedelta(days=length) if length else None,
                "mrr": mrr,
                "currency": currency,
                "plan": rng.choice(["basic", "pro", "enterprise", None]),
                "is_trial": rng.random() < 0.1,
            }
        )
    return rows


def random_lines(rng: random.Random, n: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(n):
        first = FIRST + dt.timedelta(days=rng.randint(0, 1000))
        kind = rng.choice(["month", "month", "quarter", "year", "odd", "undated", "start_only"])
        end: dt.date | None
        if kind == "month":
            end = ref.add_months(first, 1) - dt.timedelta(days=1)
        elif kind == "quarter":
            end = ref.add_months(first, 3) - dt.timedelta(days=1)
        elif kind == "year":
            end = ref.add_months(first, 12) - dt.timedelta(days=1)
        elif kind == "odd":
            end = first + dt.timedelta(days=rng.randint(0, 500))
        else:
            end = None
        currency = rng.choice([None, "EUR", "IDR"])
        amount = _money(rng, -100, 30000) * (20000 if currency == "IDR" else 1)
        rows.append(
            {
                "line_id": f"l{i}",
                "account_id": f"a{rng.randint(0, 39)}",
                "invoice_date": first - dt.timedelta(days=rng.randint(0, 20)) if end else first,
                "amount": amount,
                "currency": currency,
                "service_start": first if kind != "undated" else None,
                "service_end": end,
                "plan": rng.choice(["basic", "pro", None]),
                "is_recurring": rng.choice([None, True, True, False]),
            }
        )
    return rows


def _none(value: Any) -> Any:
    return None if pd.isna(value) else value


def _month(value: Any) -> tuple[int, int]:
    return (value.year, value.month)


def compare_mrr(ws: Workspace, items: list[ref.Item]) -> None:
    data = load(ws)
    months = ref.months_of(items)
    assert (data.first_day, data.last_day) == (
        dt.date(*months[0], 1),
        ref.last_day(*months[-1]),
    )
    expected = ref.month_mrr(items, months)
    got = customer_month_mrr(data).to_pandas()
    assert {(r.account_id, _month(r.month)): r.mrr for r in got.itertuples()} == {
        (key[0], month): value
        for key, by_month in expected.items()
        for month, value in by_month.items()
    }
    for keys, by_plan in (("account_id",), False), (CUSTOMER_PLAN, True):
        expected_moves = ref.movements(ref.month_mrr(items, months, by_plan), months)
        frame = movements(data, keys=keys).to_pandas()
        got_moves = {
            (tuple(_none(r[k]) for k in keys), _month(r["month"])): {
                c: r[c] for c in ("mrr", "prev_mrr", *MOVEMENTS)
            }
            for r in frame.to_dict("records")
        }
        assert got_moves == expected_moves
    quarters = periods(
        f"{months[0][0]}-01-01", ref.last_day(*months[-1]).isoformat(), ["month", "quarter"]
    )
    check_identity(waterfall(ws, quarters, by=["plan"]))


#: A second random company per input: the slow tier (make test).
@pytest.mark.parametrize("seed", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_subscriptions_against_the_reference(workspace: Workspace, seed: int) -> None:
    rng = random.Random(seed)
    rates, rows = random_rates(rng), random_subscriptions(rng, 300)
    insert(workspace, "fx_rates", rates)
    insert(workspace, "subscriptions", rows)
    compare_mrr(workspace, ref.subscription_items(rows, ref.Rates(rates), BASE))


@pytest.mark.parametrize("seed", [3, pytest.param(4, marks=pytest.mark.slow)])
def test_invoice_lines_against_the_reference(workspace: Workspace, seed: int) -> None:
    rng = random.Random(seed)
    rates, rows = random_rates(rng), random_lines(rng, 400)
    insert(workspace, "fx_rates", rates)
    insert(workspace, "invoice_lines", rows)
    compare_mrr(workspace, ref.line_items(rows, ref.Rates(rates), BASE))

    expected = ref.recognized_by_month(rows, ref.Rates(rates), BASE)
    frame = recognized_revenue(workspace).to_pandas()
    got = {(r.line_id, _month(r.start)): (r.amount_local, r.amount) for r in frame.itertuples()}
    assert got == expected
