"""MRR per customer and month: items, service periods, rounding, FX, source choice."""

from __future__ import annotations

import pytest

from salesmetrics import UserError, Workspace
from salesmetrics.recurring import customer_month_mrr, load, recurring_source
from tests.recurring.helpers import D, as_dict, day, insert, line, rate, sub


def mrr_by_month(ws: Workspace, account: str = "a") -> dict[str, D]:
    frame = customer_month_mrr(ws).to_pandas()
    frame = frame[frame.account_id == account].sort_values("month")
    return {f"{m:%Y-%m}": v for m, v in as_dict(frame, ["month"], "mrr").items()}


def test_subscription_counts_in_the_months_whose_last_day_it_covers(workspace: Workspace) -> None:
    insert(workspace, "subscriptions", [sub("s", "a", "2024-03-15", "2024-06-01", "100")])
    # 15 March: 31 March is covered; ends (exclusively) 1 June: 31 May is the last month-end
    assert mrr_by_month(workspace) == {"2024-03": D("100"), "2024-04": D(100), "2024-05": D(100)}


def test_subscription_shorter_than_a_month_end_has_no_mrr(workspace: Workspace) -> None:
    insert(
        workspace,
        "subscriptions",
        [sub("s", "a", "2024-03-01", "2024-03-20", "100"), sub("t", "b", "2024-03-01", None, "1")],
    )
    assert mrr_by_month(workspace) == {}


def test_subscription_starting_on_the_last_day_counts_that_month(workspace: Workspace) -> None:
    insert(workspace, "subscriptions", [sub("s", "a", "2024-01-31", "2024-02-29", "10")])
    assert mrr_by_month(workspace) == {"2024-01": D(10)}


def test_trials_carry_no_mrr(workspace: Workspace) -> None:
    insert(
        workspace,
        "subscriptions",
        [
            sub("t", "a", "2024-01-01", "2024-03-01", "50", trial=True),
            sub("s", "a", "2024-03-01", "2024-05-01", "50", trial=False),
        ],
    )
    assert mrr_by_month(workspace) == {"2024-03": D(50), "2024-04": D(50)}


def test_subscription_mrr_is_rounded_to_cents_half_away_from_zero(workspace: Workspace) -> None:
    insert(workspace, "subscriptions", [sub("s", "a", "2024-01-01", "2024-02-01", "10.0050")])
    assert mrr_by_month(workspace) == {"2024-01": D("10.01")}


def test_yearly_line_is_spread_over_its_twelve_months(workspace: Workspace) -> None:
    insert(
        workspace,
        "invoice_lines",
        [line("l", "a", "2024-01-01", "12000", ("2024-01-01", "2024-12-31"))],
    )
    months = mrr_by_month(workspace)
    assert list(months) == [f"2024-{m:02d}" for m in range(1, 13)]
    assert set(months.values()) == {D("1000.00")}


def test_monthly_line_mid_month(workspace: Workspace) -> None:
    insert(
        workspace,
        "invoice_lines",
        [line("l", "a", "2024-01-15", "100", ("2024-01-15", "2024-02-14"))],
    )
    assert mrr_by_month(workspace) == {"2024-01": D(100)}


@pytest.mark.parametrize(
    ("amount", "service", "expected"),
    [
        ("100", ("2024-01-01", "2024-03-31"), "33.33"),
        ("100.01", ("2024-01-01", "2024-02-29"), "50.01"),  # 50.005: half away from zero
        ("-100.01", ("2024-01-01", "2024-02-29"), "-50.01"),
        # 31 Jan to 28 Feb 2023 is one month (ending on the short month's last day) and one day
        ("1000", ("2023-01-31", "2023-02-28"), "968.19"),  # 1000 / (1 + 1/30.4375)
        # 45 days from 1 Jan 2024: 1 month (to 1 Feb) and 14 days
        ("1000", ("2024-01-01", "2024-02-14"), "684.95"),  # 1000 / (1 + 14/30.4375)
        # rupiah: a large yearly amount must not overflow DECIMAL(18,4) arithmetic
        ("60000000000.0006", ("2024-01-01", "2024-12-31"), "5000000000.00"),
    ],
)
def test_line_mrr(
    workspace: Workspace, amount: str, service: tuple[str, str], expected: str
) -> None:
    insert(workspace, "invoice_lines", [line("l", "a", service[0], amount, service)])
    items = load(workspace).items.to_pandas()
    assert items.mrr_local.tolist() == [D(expected)]


def test_recurring_line_without_service_dates_covers_one_month(workspace: Workspace) -> None:
    insert(
        workspace,
        "invoice_lines",
        [line("l", "a", "2024-01-15", "100"), line("m", "b", "2024-01-31", "80.125")],
    )
    assert mrr_by_month(workspace) == {"2024-01": D(100)}
    assert mrr_by_month(workspace, "b") == {"2024-01": D("80.13")}


def test_one_off_lines_carry_no_mrr(workspace: Workspace) -> None:
    insert(
        workspace,
        "invoice_lines",
        [
            line("setup", "a", "2024-01-01", "5000", recurring=False),
            line("l", "a", "2024-01-01", "100", ("2024-01-01", "2024-01-31"), recurring=None),
        ],
    )
    assert mrr_by_month(workspace) == {"2024-01": D(100)}


def test_credit_reduces_the_months_it_covers(workspace: Workspace) -> None:
    insert(
        workspace,
        "invoice_lines",
        [
            line("l1", "a", "2024-01-01", "100", ("2024-01-01", "2024-01-31")),
            line("l2", "a", "2024-02-01", "100", ("2024-02-01", "2024-02-29")),
            line("c2", "a", "2024-02-10", "-30", ("2024-02-01", "2024-02-29")),
            line("l3", "a", "2024-03-01", "100", ("2024-03-01", "2024-03-31")),
            # a credit larger than the charges leaves no MRR, never a negative one
            line("c3", "b", "2024-03-01", "-10", ("2024-03-01", "2024-03-31")),
        ],
    )
    assert mrr_by_month(workspace) == {"2024-01": D(100), "2024-02": D(70), "2024-03": D(100)}
    assert mrr_by_month(workspace, "b") == {}


def test_foreign_amount_keeps_the_rate_of_its_start_date(workspace: Workspace) -> None:
    insert(
        workspace,
        "fx_rates",
        [rate("2023-12-20", "EUR", "1.10"), rate("2024-02-01", "EUR", "1.30")],
    )
    insert(
        workspace,
        "subscriptions",
        [
            sub("s", "a", "2024-01-10", "2024-05-01", "100", currency="EUR"),
            sub("t", "b", "2024-02-01", "2024-04-01", "100.005", currency="eur"),
        ],
    )
    assert set(mrr_by_month(workspace).values()) == {D("110.00")}
    assert set(mrr_by_month(workspace, "b").values()) == {D("130.01")}


def test_foreign_amount_without_a_rate_is_an_error(workspace: Workspace) -> None:
    insert(workspace, "fx_rates", [rate("2024-02-01", "EUR", "1.10")])
    insert(workspace, "subscriptions", [sub("s", "a", "2024-01-15", None, "100", currency="EUR")])
    with pytest.raises(UserError, match=r"EUR on 2024-01-15.*subscriptions\.mrr"):
        load(workspace)


def test_both_inputs_need_a_choice(workspace: Workspace) -> None:
    insert(workspace, "subscriptions", [sub("s", "a", "2024-01-01", None, "100")])
    insert(
        workspace,
        "invoice_lines",
        [line("l", "a", "2024-01-01", "70", ("2024-01-01", "2024-01-31"))],
    )
    with pytest.raises(UserError, match="recurring_source"):
        load(workspace)
    workspace.config.recurring_source = "invoice_lines"
    assert recurring_source(workspace) == "invoice_lines"
    assert mrr_by_month(workspace) == {"2024-01": D(70)}
    workspace.config.recurring_source = "subscriptions"
    assert mrr_by_month(workspace) == {"2024-01": D(100)}


def test_auto_picks_the_input_with_rows(workspace: Workspace) -> None:
    assert recurring_source(workspace) is None
    with pytest.raises(UserError, match="no recurring-revenue data"):
        load(workspace)
    insert(workspace, "invoice_lines", [line("l", "a", "2024-01-01", "70")])
    assert recurring_source(workspace) == "invoice_lines"


def test_spine_runs_to_the_last_end_or_through(workspace: Workspace) -> None:
    insert(
        workspace,
        "subscriptions",
        [sub("s", "a", "2024-01-01", None, "10"), sub("t", "b", "2024-02-01", "2024-04-01", "10")],
    )
    data = load(workspace)
    assert (data.first_day, data.last_day) == (day("2024-01-01"), day("2024-04-30"))
    data = load(workspace, through=day("2024-12-31"))
    assert data.last_day == day("2024-12-31")
    assert len(mrr_by_month(workspace)) == 4
