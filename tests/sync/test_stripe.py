"""Stripe: customers, subscriptions (items, quantities, discounts, trials, cancellations) and
invoice lines, paged, retried, incremental through events, and bad payloads quarantined."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from werkzeug import Request, Response

from salesmetrics import Workspace
from salesmetrics.sync import SyncError
from salesmetrics.sync.state import load_cursors
from tests.ingest.conftest import rejects, rows
from tests.sync.conftest import TOKEN, Vendor, as_json, recorded, syncer


def serve(api: Vendor, data: dict[str, Any]) -> None:
    """Route Stripe's list endpoints to the recorded pages."""

    def customers(r: Request) -> Any:
        after = r.args.get("starting_after")
        return data["customers_page2"] if after == "cus_B" else data["customers_page1"]

    def events(r: Request) -> Any:
        return data["events_since"] if "created[gte]" in r.args else data["events_newest"]

    api.on("GET", "/v1/customers", customers)
    api.on("GET", "/v1/subscriptions", lambda r: data["subscriptions"])
    api.on("GET", "/v1/invoices", lambda r: data["invoices"])
    api.on("GET", "/v1/invoices/in_3/lines", lambda r: data["invoice_in_3_lines"])
    api.on("GET", "/v1/events", events)

    def subscription(r: Request) -> Any:  # the current state, discounts expanded
        found = dict(data["events_since"]["data"][0]["data"]["object"])
        return found | {"discounts": data["subscriptions"]["data"][0]["discounts"]}

    api.on("GET", "/v1/subscriptions/sub_1", subscription)


def test_full_sync_maps_customers_subscriptions_and_invoice_lines(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    serve(vendor, recorded("stripe"))
    result = syncer(workspace, "stripe", vendor)()
    assert [(b.table, b.rows_loaded, b.rows_rejected) for b in result.batches] == [
        ("accounts", 3, 0),
        ("subscriptions", 5, 0),
        ("invoice_lines", 3, 0),
    ]
    assert rows(workspace, "accounts", "account_id, name, country, created_at") == [
        ("cus_A", "Alpha Ltd", "ID", dt.datetime(2024, 1, 1)),
        ("cus_B", "ap@beta.example", None, dt.datetime(2024, 1, 2)),
        ("cus_C", "Gamma Pte", "SG", dt.datetime(2024, 1, 3)),
    ]
    subs = rows(
        workspace,
        "subscriptions",
        "subscription_id, account_id, start_date, end_date, mrr, currency, plan, quantity,"
        " is_trial",
    )
    day = dt.date
    assert subs == [
        # 2 x 50.00 a month, less 20 %
        ("sub_1", "cus_A", day(2024, 1, 1), None, Decimal("80"), "USD", "Pro monthly", 2, False),
        # 1,200.00 a year after a trial; cancelled
        (
            "sub_2",
            "cus_B",
            day(2024, 1, 16),
            day(2024, 6, 15),
            Decimal("100"),
            "USD",
            "prod_team",
            1,
            False,
        ),
        (
            "sub_2:trial",
            "cus_B",
            day(2024, 1, 2),
            day(2024, 1, 16),
            Decimal("0"),
            "USD",
            "prod_team",
            None,
            True,
        ),
        # two items; the seats billed quarterly (5 x 30.00 / 3); cancellation scheduled
        (
            "sub_3:si_3a",
            "cus_C",
            day(2024, 1, 3),
            day(2024, 12, 31),
            Decimal("30"),
            "SGD",
            "Base",
            1,
            False,
        ),
        (
            "sub_3:si_3b",
            "cus_C",
            day(2024, 1, 3),
            day(2024, 12, 31),
            Decimal("50"),
            "SGD",
            "Seat",
            5,
            False,
        ),
    ]
    assert (
        "subscription sub_4 skipped: status incomplete_expired (it never started)" in result.notes
    )
    lines = rows(
        workspace,
        "invoice_lines",
        "line_id, account_id, invoice_date, amount, service_start, service_end, plan, is_recurring",
    )
    assert lines == [
        # 100.00 less a 20.00 discount; the period's end is exclusive; finalized on 2024-01-01
        (
            "il_1",
            "cus_A",
            day(2024, 1, 1),
            Decimal("80"),
            day(2024, 1, 1),
            day(2024, 1, 31),
            "prod_pro",
            True,
        ),
        (
            "il_3a",
            "cus_C",
            day(2024, 1, 3),
            Decimal("30"),
            day(2024, 1, 3),
            day(2024, 2, 2),
            "prod_base",
            True,
        ),
        # a one-off fee: no service period, not recurring (the draft invoice in_2 is skipped)
        ("il_3b", "cus_C", day(2024, 1, 3), Decimal("500"), None, None, "prod_onboarding", False),
    ]
    assert load_cursors(workspace.root, "stripe") == {"events": "1717000000"}
    seen = vendor.seen
    assert all(r.headers["Authorization"] == f"Bearer {TOKEN}" for r in seen)


def test_lists_are_paged_with_starting_after(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    serve(vendor, recorded("stripe"))
    syncer(workspace, "stripe", vendor)()
    customers = [r for r in vendor.seen if r.path == "/v1/customers"]
    assert [r.args.get("starting_after") for r in customers] == [None, "cus_B"]
    assert all(r.args["limit"] == "100" for r in customers)
    subscriptions = next(r for r in vendor.seen if r.path == "/v1/subscriptions")
    assert subscriptions.args["status"] == "all"  # cancelled ones too


def test_rate_limits_and_server_errors_are_retried(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    serve(vendor, recorded("stripe"))
    vendor.fail_first(
        "GET",
        "/v1/customers",
        as_json({"error": {"message": "Too many requests"}}, 429, {"Retry-After": "3"}),
    )
    vendor.fail_first("GET", "/v1/invoices", as_json({}, 500), as_json({}, 502))
    sync = syncer(workspace, "stripe", vendor)
    result = sync()
    assert sync.waits == [3.0, 1.0, 2.0]
    assert result.rows_loaded == 11


def test_second_sync_pulls_only_the_changes(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    serve(vendor, recorded("stripe"))
    sync = syncer(workspace, "stripe", vendor)
    sync()
    vendor.seen.clear()
    again = sync()
    assert vendor.paths() == ["/v1/events", "/v1/subscriptions/sub_1"]
    assert vendor.seen[1].args.getlist("expand[]") == ["discounts"]
    asked = vendor.seen[0].args
    assert asked["created[gte]"] == "1717000000"
    assert "customer.subscription.deleted" in asked.getlist("types[]")
    assert [(b.table, b.rows_read) for b in again.batches] == [
        ("accounts", 1),
        ("subscriptions", 1),
    ]
    ended = rows(workspace, "subscriptions", "end_date", order="1")
    assert rows(workspace, "subscriptions", "subscription_id, end_date, mrr")[0] == (
        "sub_1",
        dt.date(2024, 5, 30),
        Decimal(80),  # the 20 % discount kept
    )
    assert len(ended) == 5  # the cancellation replaced sub_1's row; nothing else was touched
    assert ("cus_D", "Delta GmbH") in rows(workspace, "accounts", "account_id, name")
    assert load_cursors(workspace.root, "stripe") == {"events": "1717100000"}
    full = sync(full=True)
    assert "/v1/customers" in vendor.paths() and full.full


def test_records_missing_required_fields_are_quarantined_with_the_reason(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    data = recorded("stripe")
    del data["subscriptions"]["data"][0]["customer"]
    data["invoices"]["data"][0]["lines"]["data"][0]["amount"] = None
    serve(vendor, data)
    result = syncer(workspace, "stripe", vendor)()
    by_table = {b.table: b for b in result.batches}
    assert by_table["subscriptions"].rows_rejected == 1
    assert by_table["invoice_lines"].rows_rejected == 1
    reasons = {(column, reason) for _, column, _, reason in rejects(workspace)}
    assert ("account_id", "required value is missing") in reasons
    assert ("amount", "required value is missing") in reasons
    named = [(t, vid, col) for t, vid, col, _, _ in result.rejected]
    assert ("subscriptions", "sub_1", "account_id") in named
    assert ("invoice_lines", "il_1", "amount") in named


def test_an_answer_that_is_not_json_stops_the_sync_and_keeps_the_cursor(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    serve(vendor, recorded("stripe"))
    vendor.on(
        "GET",
        "/v1/invoices",
        lambda r: Response("<html>502 Bad Gateway</html>", 200, content_type="text/html"),
    )
    with pytest.raises(
        SyncError, match="stripe: GET /v1/invoices answered with something that is not JSON"
    ):
        syncer(workspace, "stripe", vendor)()
    assert load_cursors(workspace.root, "stripe") == {}


def test_a_list_without_data_is_a_clear_error(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    serve(vendor, recorded("stripe"))
    vendor.on("GET", "/v1/customers", lambda r: {"object": "customer", "id": "cus_A"})
    with pytest.raises(SyncError, match="stripe: GET /v1/customers answered without a 'data' list"):
        syncer(workspace, "stripe", vendor)()


def test_a_page_that_does_not_move_on_stops_instead_of_looping(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    data = recorded("stripe")
    serve(vendor, data)
    vendor.on("GET", "/v1/customers", lambda r: data["customers_page1"])  # always page 1
    with pytest.raises(SyncError, match="announced more pages but gave page cus_B again"):
        syncer(workspace, "stripe", vendor)()
    assert len([p for p in vendor.paths() if p == "/v1/customers"]) == 2


def test_a_record_on_two_pages_is_loaded_once_not_quarantined(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    data = recorded("stripe")
    data["customers_page2"]["data"].insert(0, data["customers_page1"]["data"][1])  # cus_B again
    serve(vendor, data)
    result = syncer(workspace, "stripe", vendor)()
    accounts = next(b for b in result.batches if b.table == "accounts")
    assert (accounts.rows_read, accounts.rows_loaded, accounts.rows_rejected) == (3, 3, 0)
