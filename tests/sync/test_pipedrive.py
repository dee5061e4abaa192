"""Pipedrive: users, organizations, deals and their changelog, cursor-paged, retried,
incremental on updated_since, and bad payloads quarantined."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from werkzeug import Request

from salesmetrics import Workspace
from salesmetrics.sync import SyncError
from salesmetrics.sync.state import load_cursors
from tests.ingest.conftest import rejects, rows
from tests.sync.conftest import TOKEN, Vendor, as_json, recorded, syncer


def serve(api: Vendor, data: dict[str, Any], *, changed: bool = False) -> None:
    """Route Pipedrive's endpoints to the recorded answers (``changed``: after deal 403 moved)."""

    def deals(r: Request) -> Any:
        if r.args.get("updated_since"):
            return data["deals_changed"]
        return (
            data["deals_page2"] if r.args.get("cursor") == "eyJpZCI6NDAyfQ" else data["deals_page1"]
        )

    def organizations(r: Request) -> Any:
        if r.args.get("updated_since"):
            return {"success": True, "data": None, "additional_data": {"next_cursor": None}}
        return data["organizations"]

    api.on("GET", "/api/v1/users", lambda r: data["users"])
    api.on("GET", "/api/v2/stages", lambda r: data["stages"])
    api.on("GET", "/api/v2/organizations", organizations)
    api.on("GET", "/api/v2/deals", deals)
    for deal in ("401", "402", "403"):
        key = f"{deal}_changed" if changed and deal == "403" else deal
        log = {
            "success": True,
            "data": data["changelog"][key],
            "additional_data": {"next_cursor": None},
        }
        api.on("GET", f"/api/v1/deals/{deal}/changelog", lambda r, log=log: log)


def test_full_sync_maps_users_organizations_deals_and_their_history(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    serve(vendor, recorded("pipedrive"))
    result = syncer(workspace, "pipedrive", vendor)()
    assert [(b.table, b.rows_loaded, b.rows_rejected) for b in result.batches] == [
        ("reps", 2, 0),
        ("accounts", 1, 0),
        ("opportunities", 3, 0),
        ("opportunity_history", 8, 0),
    ]
    assert rows(workspace, "accounts", "account_id, name, owner_id, country") == [
        ("301", "Garuda Logistics", "7001", "Indonesia")
    ]
    deals = rows(
        workspace,
        "opportunities",
        "opportunity_id, account_id, owner_id, stage, status, amount, currency, probability,"
        " close_date, lost_reason",
    )
    assert deals == [
        ("401", "301", "7001", "Negotiations Started", "won", Decimal(48000), "IDR", 0.8,
         dt.date(2024, 2, 20), None),
        ("402", "301", "7002", "Qualified", "lost", Decimal("9000.5"), "IDR", 0.2,
         dt.date(2024, 2, 21), "Went with a competitor"),
        ("403", "301", "7001", "Proposal Made", "open", Decimal(30000), "IDR", 0.65,
         dt.date(2024, 4, 30), None),
    ]  # fmt: skip
    history = rows(
        workspace, "opportunity_history", "opportunity_id, changed_at, stage, status", order="1, 2"
    )
    assert [h for h in history if h[0] == "401"] == [
        ("401", dt.datetime(2024, 1, 5, 3), "Qualified", "open"),
        ("401", dt.datetime(2024, 1, 15, 3), "Proposal Made", "open"),
        ("401", dt.datetime(2024, 2, 1, 3), "Negotiations Started", "open"),
        ("401", dt.datetime(2024, 2, 20, 4), "Negotiations Started", "won"),
    ]
    assert load_cursors(workspace.root, "pipedrive") == {
        "deals": "2024-02-25T04:00:00Z",
        "organizations": "2024-01-20T02:00:00Z",
    }
    assert all(r.headers["x-api-token"] == TOKEN for r in vendor.seen)
    assert all("api_token" not in r.args for r in vendor.seen)  # never in a URL (logs keep URLs)


def test_lists_are_paged_with_the_next_cursor(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    serve(vendor, recorded("pipedrive"))
    syncer(workspace, "pipedrive", vendor)()
    asked = [r.args.get("cursor") for r in vendor.seen if r.path == "/api/v2/deals"]
    assert asked == [None, "eyJpZCI6NDAyfQ"]
    assert all(r.args["limit"] == "500" for r in vendor.seen if r.path == "/api/v2/deals")


def test_rate_limits_and_server_errors_are_retried(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    serve(vendor, recorded("pipedrive"))
    limited = {"success": False, "error": "Request over limit", "errorCode": 429}
    vendor.fail_first("GET", "/api/v2/deals", as_json(limited, 429, {"Retry-After": "2"}))
    vendor.fail_first("GET", "/api/v1/deals/402/changelog", as_json({}, 500))
    sync = syncer(workspace, "pipedrive", vendor)
    assert sync().rows_loaded == 14
    assert sync.waits == [2.0, 1.0]


def test_second_sync_pulls_deals_updated_since_the_cursor(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    data = recorded("pipedrive")
    serve(vendor, data)
    sync = syncer(workspace, "pipedrive", vendor)
    sync()
    vendor.seen.clear()
    serve(vendor, data, changed=True)
    again = sync()
    deals = next(r for r in vendor.seen if r.path == "/api/v2/deals")
    assert deals.args["updated_since"] == "2024-02-25T04:00:00Z"
    assert [(b.table, b.rows_read) for b in again.batches] == [
        ("reps", 2),
        ("opportunities", 1),
        ("opportunity_history", 3),
    ]
    assert "1 deleted deals skipped: 404" in again.notes
    assert rows(workspace, "opportunities", "stage, amount, probability", "opportunity_id")[2] == (
        "Negotiations Started",
        Decimal(32000),
        0.8,
    )
    assert load_cursors(workspace.root, "pipedrive")["deals"] == "2024-03-01T04:00:00Z"
    assert load_cursors(workspace.root, "pipedrive")["organizations"] == "2024-01-20T02:00:00Z"


def test_deals_with_bad_values_are_quarantined_with_the_reason(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    data = recorded("pipedrive")
    data["deals_page1"]["data"][0]["currency"] = "rupiah"
    data["deals_page2"]["data"][0]["value"] = None
    data["deals_page2"]["data"][0]["status"] = "won"
    serve(vendor, data)
    result = syncer(workspace, "pipedrive", vendor)()
    deals = next(b for b in result.batches if b.table == "opportunities")
    assert (deals.rows_loaded, deals.rows_rejected) == (1, 2)
    reasons = {c: reason for _, c, _, reason in rejects(workspace)}
    assert reasons["currency"] == "not a 3-letter ISO 4217 currency code"
    assert reasons["amount"] == "amount is required when status is won"
    assert [(vid, c) for t, vid, c, _, _ in result.rejected] == [
        ("401", "currency"),
        ("403", "amount"),
    ]


def test_an_unsuccessful_answer_is_a_clear_error(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    serve(vendor, recorded("pipedrive"))
    vendor.on("GET", "/api/v1/users", lambda r: {"success": False, "error": "Scope missing"})
    with pytest.raises(
        SyncError, match=r"pipedrive: GET /api/v1/users did not succeed \(Scope missing\)"
    ):
        syncer(workspace, "pipedrive", vendor)()
