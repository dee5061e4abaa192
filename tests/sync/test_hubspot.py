"""HubSpot: owners, companies, deals and their dealstage history, paged, retried, incremental on
hs_lastmodifieddate, and bad payloads quarantined."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from werkzeug import Request, Response

from salesmetrics import Workspace
from salesmetrics.sync import SyncError, hubspot
from salesmetrics.sync.state import load_cursors
from tests.ingest.conftest import rejects, rows
from tests.sync.conftest import TOKEN, Vendor, as_json, body, recorded, syncer


def serve(api: Vendor, data: dict[str, Any], *, changed: bool = False) -> None:
    """Route HubSpot's endpoints to the recorded answers (``changed``: after deal 1003 won)."""

    def owners(r: Request) -> Any:
        return data["owners_page2"] if r.args.get("after") == "101" else data["owners_page1"]

    def deals(r: Request) -> Any:
        asked = body(r)
        if asked.get("filterGroups"):
            return data["deals_changed"]
        return data["deals_page2"] if asked.get("after") == "2" else data["deals_page1"]

    def companies(r: Request) -> Any:
        return {"total": 0, "results": []} if body(r).get("filterGroups") else data["companies"]

    def history(r: Request) -> Any:
        found = []
        for item in body(r)["inputs"]:
            key = f"{item['id']}_changed" if changed and item["id"] == "1003" else item["id"]
            found.append(
                {
                    "id": item["id"],
                    "properties": {"dealstage": data["history"][key][0]["value"]},
                    "propertiesWithHistory": {"dealstage": data["history"][key]},
                    "createdAt": "2024-01-01T00:00:00Z",
                    "updatedAt": "2024-03-20T09:00:00Z",
                    "archived": False,
                }
            )
        return {"status": "COMPLETE", "results": found}

    def associations(r: Request) -> Any:
        wanted = {i["id"] for i in body(r)["inputs"]}
        found = [a for a in data["associations"]["results"] if a["from"]["id"] in wanted]
        return {**data["associations"], "results": found}

    api.on("GET", "/crm/v3/owners", owners)
    api.on("GET", "/crm/v3/pipelines/deals", lambda r: data["pipelines"])
    api.on("POST", "/crm/v3/objects/companies/search", companies)
    api.on("POST", "/crm/v3/objects/deals/search", deals)
    api.on("POST", "/crm/v3/objects/deals/batch/read", history)
    api.on("POST", "/crm/v4/associations/deals/companies/batch/read", associations)


def test_full_sync_maps_owners_companies_deals_and_stage_history(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    serve(vendor, recorded("hubspot"))
    result = syncer(workspace, "hubspot", vendor)()
    assert [(b.table, b.rows_loaded, b.rows_rejected) for b in result.batches] == [
        ("reps", 2, 0),
        ("accounts", 2, 0),
        ("opportunities", 3, 0),
        ("opportunity_history", 7, 0),
    ]
    assert rows(workspace, "reps", "rep_id, name, email, team") == [
        ("101", "Ana Lim", "ana@acme.example", "APAC"),
        ("102", "Budi Santoso", "budi@acme.example", None),
    ]
    assert rows(workspace, "accounts", "account_id, name, owner_id") == [
        ("5001", "Alpha Ltd", "101"),
        ("5002", "Beta Corp", "102"),
    ]
    deals = rows(
        workspace,
        "opportunities",
        "opportunity_id, account_id, owner_id, type, stage, status, amount, currency,"
        " probability, close_date, lost_reason",
    )
    assert deals == [
        ("1001", "5001", "101", "new_business", "Closed Won", "won", Decimal(12000), "USD", 1.0,
         dt.date(2024, 3, 1), None),
        ("1002", "5002", "102", None, "Closed Lost", "lost", Decimal(3000), "SGD", 0.0,
         dt.date(2024, 2, 20), "Budget"),
        ("1003", "5001", "101", None, "Contract Sent", "open", Decimal(5000), "USD", 0.9,
         dt.date(2024, 5, 31), None),
    ]  # fmt: skip
    # the CRM's pipeline kept as a dimension, by its label (--by pipeline)
    assert {p for (p,) in rows(workspace, "opportunities", "pipeline")} == {"Sales Pipeline"}
    history = rows(
        workspace, "opportunity_history", "opportunity_id, changed_at, stage, status", order="1, 2"
    )
    assert history[:3] == [
        ("1001", dt.datetime(2024, 1, 10, 3), "Appointment Scheduled", "open"),
        ("1001", dt.datetime(2024, 2, 10, 10), "Contract Sent", "open"),
        ("1001", dt.datetime(2024, 3, 1, 10), "Closed Won", "won"),
    ]
    assert load_cursors(workspace.root, "hubspot") == {
        "companies": "1706860800000",
        "deals": "1709641800000",
    }
    assert all(r.headers["Authorization"] == f"Bearer {TOKEN}" for r in vendor.seen)


def test_searches_and_owners_are_paged_with_after(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    serve(vendor, recorded("hubspot"))
    syncer(workspace, "hubspot", vendor)()
    searches = [body(r) for r in vendor.seen if r.path == "/crm/v3/objects/deals/search"]
    assert [s.get("after") for s in searches] == [None, "2"]
    assert searches[0]["sorts"] == [
        {"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}
    ]
    assert "filterGroups" not in searches[0]  # the first sync takes everything
    owners = [r.args.get("after") for r in vendor.seen if r.path == "/crm/v3/owners"]
    assert owners == [None, "101"]


def test_rate_limits_and_server_errors_are_retried(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    serve(vendor, recorded("hubspot"))
    limited = {"status": "error", "message": "You have reached your secondly limit.",
               "errorType": "RATE_LIMIT", "category": "RATE_LIMITS"}  # fmt: skip
    vendor.fail_first(
        "POST", "/crm/v3/objects/deals/search", as_json(limited, 429, {"Retry-After": "1"})
    )
    vendor.fail_first("GET", "/crm/v3/pipelines/deals", as_json({}, 504))
    sync = syncer(workspace, "hubspot", vendor)
    assert sync().rows_loaded == 14
    assert sorted(sync.waits) == [1.0, 1.0]


def test_second_sync_pulls_only_changed_deals(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    data = recorded("hubspot")
    serve(vendor, data)
    sync = syncer(workspace, "hubspot", vendor)
    sync()
    vendor.seen.clear()
    serve(vendor, data, changed=True)
    again = sync()
    search = next(body(r) for r in vendor.seen if r.path == "/crm/v3/objects/deals/search")
    assert search["filterGroups"] == [
        {
            "filters": [
                {"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": "1709641800000"}
            ]
        }
    ]
    assert [(b.table, b.rows_read) for b in again.batches] == [
        ("reps", 2),
        ("opportunities", 1),
        ("opportunity_history", 3),
    ]
    assert rows(workspace, "opportunities", "status, amount", order="opportunity_id")[2] == (
        "won",
        Decimal(5500),
    )
    assert len(rows(workspace, "opportunity_history")) == 8
    assert load_cursors(workspace.root, "hubspot")["deals"] == "1710925200000"


def test_a_deal_without_a_stage_is_quarantined_with_the_reason(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    data = recorded("hubspot")
    data["deals_page1"]["results"][1]["properties"]["dealstage"] = None
    data["deals_page2"]["results"][0]["properties"]["amount"] = "lots"
    serve(vendor, data)
    result = syncer(workspace, "hubspot", vendor)()
    deals = next(b for b in result.batches if b.table == "opportunities")
    assert (deals.rows_loaded, deals.rows_rejected) == (1, 2)
    found = {(c, v, reason.split(" (")[0]) for _, c, v, reason in rejects(workspace)}
    assert ("stage", None, "required value is missing") in found
    assert any(c == "amount" and v == "lots" for c, v, _ in found)
    assert [(vid, col) for t, vid, col, _, _ in result.rejected if t == "opportunities"] == [
        ("1002", "stage"),
        ("1003", "amount"),
    ]


def test_an_answer_without_results_is_a_clear_error(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    serve(vendor, recorded("hubspot"))
    vendor.on("GET", "/crm/v3/owners", lambda r: {"status": "error"})
    with pytest.raises(
        SyncError, match="hubspot: GET /crm/v3/owners answered without a 'results' list"
    ):
        syncer(workspace, "hubspot", vendor)()


def test_a_non_json_answer_is_a_clear_error(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    serve(vendor, recorded("hubspot"))
    vendor.on("POST", "/crm/v3/objects/deals/search", lambda r: Response("oops", 200))
    with pytest.raises(SyncError, match="not JSON"):
        syncer(workspace, "hubspot", vendor)()
    assert load_cursors(workspace.root, "hubspot") == {}


def test_a_search_past_hubspots_limit_starts_again_from_the_last_change(
    workspace: Workspace, vendor: Vendor, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hubspot, "SEARCH_LIMIT", 50)  # as if the next page would pass 10,000
    serve(vendor, recorded("hubspot"))
    syncer(workspace, "hubspot", vendor)()
    searches = [body(r) for r in vendor.seen if r.path == "/crm/v3/objects/deals/search"]
    assert len(searches) == 2
    assert "after" not in searches[1]
    assert searches[1]["filterGroups"][0]["filters"][0]["value"] == "1709377200000"  # deal 1002
