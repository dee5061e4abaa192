"""The waterfall per period and group, its components, and the identity to the cent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesmetrics import Workspace, init_workspace
from salesmetrics.recurring import IdentityError, check_identity, load, waterfall
from tests.depth import examples
from tests.recurring.helpers import D, insert, line, periods, rate, sub


@pytest.fixture
def company(workspace: Workspace) -> Workspace:
    insert(
        workspace,
        "reps",
        [{"rep_id": "r1", "team": "East", "manager_id": "m1"}, {"rep_id": "r2", "team": "West"}],
    )
    insert(
        workspace,
        "accounts",
        [
            {"account_id": "a", "segment": "SMB", "owner_id": "r1", "region": "EU"},
            {"account_id": "b", "segment": "SMB", "owner_id": "r2", "region": "US"},
            {"account_id": "c", "segment": "Enterprise", "owner_id": "r1", "region": "EU"},
        ],
    )
    insert(
        workspace,
        "subscriptions",
        [
            sub("a1", "a", "2024-01-01", "2024-03-01", "100", plan="basic"),
            sub("a2", "a", "2024-03-01", None, "150", plan="pro"),
            sub("b1", "b", "2024-01-01", "2024-05-01", "200", plan="pro"),
            sub("c1", "c", "2024-01-01", None, "1000", plan="enterprise"),
            sub("c2", "c", "2024-04-01", None, "-0", plan="enterprise"),
            sub("c3", "c", "2024-05-01", None, "500", plan="addon"),
        ],
    )
    return workspace


def test_quarter_components(company: Workspace) -> None:
    frame = waterfall(company, periods("2024-01-01", "2024-06-30", ["quarter"])).to_pandas()
    q2 = frame.set_index("period").loc["2024-Q2"]
    assert q2.mrr_start == D(1350)  # a 150 + b 200 + c 1000 at the end of March
    assert (q2.churn, q2.expansion, q2.mrr_end) == (D(200), D(500), D(1650))
    assert (q2.customers_start, q2.customers_end) == (3, 2)
    assert q2.mrr_end_of_start_customers == D(1650)  # net revenue retention 1650 / 1350
    assert q2.retained_mrr_capped == D(1150)  # gross: min(150,150) + min(0,200) + min(1500,1000)
    check_identity(frame)


def test_every_period_has_a_row_without_groups(company: Workspace) -> None:
    frame = waterfall(company, periods("2023-11-01", "2024-12-31")).to_pandas()
    assert len(frame) == 14
    assert frame.set_index("period").loc["2023-11"].mrr_end == 0
    assert frame.set_index("period").loc["2024-12"].mrr_end == D(1650)
    check_identity(frame)


def test_groups_from_the_account(company: Workspace) -> None:
    frame = waterfall(
        company, periods("2024-01-01", "2024-06-30", ["quarter"]), by=["segment", "team"]
    ).to_pandas()
    check_identity(frame)
    q2 = frame[frame.period == "2024-Q2"].set_index(["segment", "team"])
    assert q2.loc[("SMB", "West")].churn == D(200)
    assert q2.loc[("Enterprise", "East")].expansion == D(500)
    whole = waterfall(company, periods("2024-04-01", "2024-06-30", ["quarter"])).to_pandas()
    for column in ("mrr_start", "churn", "expansion", "mrr_end", "customers_end"):
        assert q2[column].sum() == whole[column].iloc[0]


def test_groups_by_plan_and_first_plan(company: Workspace) -> None:
    quarter = periods("2024-01-01", "2024-03-31", ["quarter"])
    by_plan = waterfall(company, quarter, by=["plan"]).to_pandas().set_index("plan")
    check_identity(by_plan)
    assert by_plan.loc["basic"].new == D(100) and by_plan.loc["basic"].churn == D(100)
    assert by_plan.loc["pro"].new == D(350)
    first = waterfall(company, quarter, by=["first_plan"]).to_pandas().set_index("first_plan")
    assert first.loc["basic"].mrr_end == D(150)  # account a started on basic
    assert set(first.index) == {"basic", "pro", "enterprise"}


def test_periods_after_the_loaded_months_are_refused(company: Workspace) -> None:
    data = load(company)
    with pytest.raises(ValueError, match="after the loaded months"):
        waterfall(data, periods("2025-01-01", "2025-12-31"))
    # from the workspace the months run through the last period
    frame = waterfall(company, periods("2025-01-01", "2025-12-31", ["quarter"])).to_pandas()
    assert set(frame.mrr_end) == {D(1650)}


def test_no_paid_subscriptions_give_zeros(workspace: Workspace) -> None:
    insert(workspace, "subscriptions", [sub("t", "a", "2024-01-01", None, "10", trial=True)])
    frame = waterfall(load(workspace), periods("2024-01-01", "2024-03-31")).to_pandas()
    assert len(frame) == 3 and (frame.mrr_end == 0).all() and (frame.customers_end == 0).all()


def test_check_identity_reports_broken_rows() -> None:
    frame = pd.DataFrame(
        [
            {
                "mrr_start": D(10),
                "new": D(5),
                "reactivation": D(0),
                "expansion": D(0),
                "contraction": D(0),
                "churn": D(0),
                "mrr_end": D("15.01"),
            },
        ]
    )
    with pytest.raises(IdentityError, match="1 of 1 rows"):
        check_identity(frame)


# -- randomized: the identity to the cent for every month and quarter ----------------------------

START = dt.date(2023, 1, 1)
money = st.decimals(min_value=Decimal("-50"), max_value=Decimal("5000"), places=4)
offsets = st.integers(min_value=0, max_value=700)


@st.composite
def subscriptions(draw: st.DrawFn) -> list[dict[str, object]]:
    rows = []
    for n in range(draw(st.integers(min_value=1, max_value=25))):
        start = START + dt.timedelta(days=draw(offsets))
        length = draw(st.none() | st.integers(min_value=1, max_value=500))
        rows.append(
            sub(
                f"s{n}",
                draw(st.sampled_from("abcde")),
                start.isoformat(),
                (start + dt.timedelta(days=length)).isoformat() if length else None,
                str(abs(draw(money))),
                plan=draw(st.sampled_from(["basic", "pro", None])),
                currency=draw(st.sampled_from([None, "USD", "EUR"])),
                trial=draw(st.sampled_from([None, False, True])),
            )
        )
    return rows


@st.composite
def invoice_lines(draw: st.DrawFn) -> list[dict[str, object]]:
    rows = []
    for n in range(draw(st.integers(min_value=1, max_value=25))):
        first = START + dt.timedelta(days=draw(offsets))
        length = draw(st.none() | st.integers(min_value=0, max_value=400))
        service = None
        if length is not None:
            service = (first.isoformat(), (first + dt.timedelta(days=length)).isoformat())
        rows.append(
            line(
                f"l{n}",
                draw(st.sampled_from("abcde")),
                first.isoformat(),
                str(draw(money)),
                service,
                plan=draw(st.sampled_from(["basic", "pro", None])),
                currency=draw(st.sampled_from([None, "EUR"])),
                recurring=draw(st.sampled_from([None, True, False])),
            )
        )
    return rows


RATES = [rate(f"{2022 + m // 12}-{m % 12 + 1:02d}-01", "EUR", f"1.{m:02d}37") for m in range(48)]
ALL_PERIODS = periods("2023-01-01", "2025-12-31", ["month", "quarter"])


def _reset(ws: Workspace, table: str, rows: list[dict[str, object]]) -> None:
    with ws.writing() as backend:
        backend.con.execute("DELETE FROM subscriptions; DELETE FROM invoice_lines")
    insert(ws, table, rows)


@pytest.mark.slow  # the fast tier checks the identity on fixed data above
def test_identity_on_random_subscriptions(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    insert(ws, "fx_rates", RATES)

    @settings(max_examples=examples(8))
    @given(rows=subscriptions())
    def check(rows: list[dict[str, object]]) -> None:
        _reset(ws, "subscriptions", rows)
        assert check_identity(waterfall(ws, ALL_PERIODS)) == 48
        check_identity(waterfall(ws, ALL_PERIODS, by=["plan"]))

    check()


@pytest.mark.slow
def test_identity_on_random_invoice_lines(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    insert(ws, "fx_rates", RATES)

    @settings(max_examples=examples(8))
    @given(rows=invoice_lines())
    def check(rows: list[dict[str, object]]) -> None:
        _reset(ws, "invoice_lines", rows)
        if not any(r["is_recurring"] is not False for r in rows):
            return
        assert check_identity(waterfall(ws, ALL_PERIODS)) == 48
        check_identity(waterfall(ws, ALL_PERIODS, by=["plan"]))

    check()
