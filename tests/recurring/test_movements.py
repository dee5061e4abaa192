"""MRR movements: hand-built cases for each movement and the tricky calendars."""

from __future__ import annotations

from typing import Any

from salesmetrics import Workspace
from salesmetrics.recurring import CUSTOMER_PLAN, MOVEMENTS, check_identity, movements, waterfall
from tests.recurring.helpers import D, insert, line, periods, rate, sub


def moves(
    ws: Workspace, keys: tuple[str, ...] = ("account_id",)
) -> dict[tuple[Any, ...], dict[str, D]]:
    """``{(*keys, "YYYY-MM"): {movement: amount}}`` with only the non-zero movements."""
    frame = movements(ws, keys=keys).to_pandas()
    out = {}
    for row in frame.to_dict("records"):
        key = (*(row[k] for k in keys), f"{row['month']:%Y-%m}")
        out[key] = {m: row[m] for m in MOVEMENTS if row[m] != 0}
        assert row["mrr"] - row["prev_mrr"] == (
            row["new"] + row["reactivation"] + row["expansion"] - row["contraction"] - row["churn"]
        )
    return out


def test_new_expansion_contraction_churn_reactivation(workspace: Workspace) -> None:
    insert(
        workspace,
        "subscriptions",
        [
            sub("s1", "a", "2024-01-01", "2024-03-01", "100"),
            sub("s2", "a", "2024-02-01", "2024-04-01", "50"),  # Feb expansion
            # Mar: s2 only → contraction; Apr: nothing → churn; Jun: back → reactivation
            sub("s3", "a", "2024-06-01", "2024-07-01", "80"),
        ],
    )
    assert moves(workspace) == {
        ("a", "2024-01"): {"new": D(100)},
        ("a", "2024-02"): {"expansion": D(50)},
        ("a", "2024-03"): {"contraction": D(100)},
        ("a", "2024-04"): {"churn": D(50)},
        ("a", "2024-06"): {"reactivation": D(80)},
        ("a", "2024-07"): {"churn": D(80)},
    }


def test_churn_and_return_in_the_same_quarter(workspace: Workspace) -> None:
    insert(
        workspace,
        "subscriptions",
        [
            sub("s1", "a", "2023-10-01", "2024-02-01", "100"),
            sub("s2", "a", "2024-03-01", "2024-07-01", "120"),
        ],
    )
    q1 = waterfall(workspace, periods("2024-01-01", "2024-01-01", ["quarter"])).to_pandas()
    row = q1.iloc[0]
    assert (row.mrr_start, row.churn, row.reactivation, row.mrr_end) == (
        D(100),
        D(100),
        D(120),
        D(120),
    )
    assert (row.new, row.expansion, row.contraction) == (0, 0, 0)
    assert (row.customers_start, row.customers_end) == (1, 1)
    check_identity(q1)


def test_annual_plan_invoiced_once(workspace: Workspace) -> None:
    insert(
        workspace,
        "invoice_lines",
        [line("l", "a", "2024-01-01", "12000", ("2024-01-01", "2024-12-31"))],
    )
    assert moves(workspace) == {
        ("a", "2024-01"): {"new": D(1000)},
        **{("a", f"2024-{m:02d}"): {} for m in range(2, 13)},
        ("a", "2025-01"): {"churn": D(1000)},
    }


def test_mid_month_start_counts_from_the_month_whose_last_day_it_covers(
    workspace: Workspace,
) -> None:
    insert(workspace, "subscriptions", [sub("s", "a", "2024-01-15", "2024-03-15", "10")])
    # covers 31 Jan and 29 Feb, not 31 Mar
    assert moves(workspace) == {
        ("a", "2024-01"): {"new": D(10)},
        ("a", "2024-02"): {},
        ("a", "2024-03"): {"churn": D(10)},
    }


def test_credit_note_is_contraction_then_expansion(workspace: Workspace) -> None:
    insert(
        workspace,
        "invoice_lines",
        [
            line("l", "a", "2024-01-01", "300", ("2024-01-01", "2024-03-31")),
            line("c", "a", "2024-02-05", "-40", ("2024-02-01", "2024-02-29")),
        ],
    )
    assert moves(workspace) == {
        ("a", "2024-01"): {"new": D(100)},
        ("a", "2024-02"): {"contraction": D(40)},
        ("a", "2024-03"): {"expansion": D(40)},
        ("a", "2024-04"): {"churn": D(100)},
    }


def test_plan_change_on_the_same_day_is_expansion_not_churn_and_new(workspace: Workspace) -> None:
    insert(
        workspace,
        "subscriptions",
        [
            sub("old", "a", "2024-01-01", "2024-03-10", "100", plan="basic"),
            sub("new", "a", "2024-03-10", None, "250", plan="pro"),
            sub("down1", "b", "2024-01-01", "2024-03-01", "100", plan="pro"),
            sub("down2", "b", "2024-03-01", "2024-04-01", "60", plan="basic"),
        ],
    )
    assert moves(workspace)[("a", "2024-03")] == {"expansion": D(150)}
    assert moves(workspace)[("b", "2024-03")] == {"contraction": D(40)}
    # by plan, the rows of each plan count alone: churn in the old plan, new in the new one
    by_plan = moves(workspace, CUSTOMER_PLAN)
    assert by_plan[("a", "basic", "2024-03")] == {"churn": D(100)}
    assert by_plan[("a", "pro", "2024-03")] == {"new": D(250)}


def test_foreign_plan_while_the_rate_moves_has_no_movement(workspace: Workspace) -> None:
    insert(
        workspace,
        "fx_rates",
        [rate(f"2024-{m:02d}-01", "EUR", str(1 + m / 20)) for m in range(1, 13)],
    )
    insert(workspace, "subscriptions", [sub("s", "a", "2024-01-20", None, "100", currency="EUR")])
    frame = waterfall(workspace, periods("2024-01-01", "2024-12-31")).to_pandas()
    assert frame["new"].sum() == D("105.00")
    assert all(frame[m].sum() == 0 for m in ("expansion", "contraction", "churn", "reactivation"))
    assert set(frame["mrr_end"]) == {D("105.00")}


def test_trial_then_paid_is_new_when_paid(workspace: Workspace) -> None:
    insert(
        workspace,
        "subscriptions",
        [
            sub("t", "a", "2024-01-01", "2024-02-01", "100", trial=True),
            sub("p", "a", "2024-02-01", "2024-04-01", "100"),
        ],
    )
    assert moves(workspace) == {
        ("a", "2024-02"): {"new": D(100)},
        ("a", "2024-03"): {},
        ("a", "2024-04"): {"churn": D(100)},
    }


def test_recurring_line_without_service_dates(workspace: Workspace) -> None:
    insert(
        workspace,
        "invoice_lines",
        [line(f"l{m}", "a", f"2024-{m:02d}-10", "99") for m in (1, 2, 3)]
        + [line("l5", "a", "2024-05-10", "99")],
    )
    assert moves(workspace) == {
        ("a", "2024-01"): {"new": D(99)},
        ("a", "2024-02"): {},
        ("a", "2024-03"): {},
        ("a", "2024-04"): {"churn": D(99)},
        ("a", "2024-05"): {"reactivation": D(99)},
        ("a", "2024-06"): {"churn": D(99)},
    }
