"""Salesforce: User, Account, Opportunity and OpportunityHistory through SOQL queries, paged by
nextRecordsUrl, retried, incremental on SystemModstamp, and bad payloads quarantined."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from werkzeug import Request

from salesmetrics import Workspace
from salesmetrics.errors import UserError
from salesmetrics.sync import SyncError
from salesmetrics.sync.state import load_cursors
from tests.ingest.conftest import rejects, rows
from tests.sync.conftest import TOKEN_ENV, Vendor, as_json, recorded, syncer

QUERY = "/services/data/v62.0/query"


def serve(api: Vendor, data: dict[str, Any]) -> list[str]:
    """Route SOQL queries to the recorded answers by their FROM; the queries asked are listed
    in the returned list."""
    asked: list[str] = []

    def query(r: Request) -> Any:
        soql = r.args["q"]
        asked.append(soql)
        obj = re.search(r"FROM (\w+)", soql).group(1)  # type: ignore[union-attr]
        if obj == "Opportunity":
            return data["Opportunity_changed" if "WHERE" in soql else "Opportunity_page1"]
        if "WHERE" in soql:
            return {"totalSize": 0, "done": True, "records": []}
        return data[obj]

    api.on("GET", QUERY, query)
    api.on("GET", f"{QUERY}/01gRO0000016PIAYA2-2", lambda r: data["Opportunity_page2"])
    return asked


def test_full_sync_maps_users_accounts_opportunities_and_history(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    serve(vendor, recorded("salesforce"))
    result = syncer(workspace, "salesforce", vendor)()
    assert [(b.table, b.rows_loaded, b.rows_rejected) for b in result.batches] == [
        ("reps", 2, 0),
        ("accounts", 1, 0),
        ("opportunities", 3, 0),
        ("opportunity_history", 3, 0),
    ]
    opportunities = rows(
        workspace,
        "opportunities",
        "opportunity_id, account_id, type, source, stage, status, amount, probability,"
        " forecast_category, close_date, created_at",
    )
    assert opportunities == [
        ("006RO00000A1", "001RO000001XYZAYA4", "new_business", "Web", "Closed Won", "won",
         Decimal(75000), 1.0, "closed", dt.date(2024, 2, 28), dt.datetime(2024, 1, 8, 2)),
        ("006RO00000A2", "001RO000001XYZAYA4", "expansion", None, "Closed Lost", "lost",
         Decimal("12500.5"), 0.0, "omitted", dt.date(2024, 3, 10), dt.datetime(2024, 1, 15, 2)),
        ("006RO00000A3", None, "renewal", "Partner", "Negotiation/Review", "open",
         Decimal(20000), 0.9, "commit", dt.date(2024, 6, 30), dt.datetime(2024, 2, 1, 2)),
    ]  # fmt: skip
    history = rows(
        workspace,
        "opportunity_history",
        "changed_at, stage, status, probability, forecast_category",
        order="1",
    )
    assert history == [
        (dt.datetime(2024, 1, 8, 2), "Prospecting", "open", 0.1, "pipeline"),
        (dt.datetime(2024, 2, 1, 2), "Proposal/Price Quote", "open", 0.75, "best_case"),
        (dt.datetime(2024, 2, 28, 9), "Closed Won", "won", 1.0, "closed"),
    ]
    assert load_cursors(workspace.root, "salesforce") == {
        "Account": "2024-01-05T08:00:00.000Z",
        "Opportunity": "2024-03-12T09:00:00.000Z",
        "OpportunityHistory": "2024-02-28T09:00:00.000Z",
        "User": "2024-01-03T08:00:00.000Z",
    }


def test_query_results_are_paged_by_next_records_url(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    serve(vendor, recorded("salesforce"))
    syncer(workspace, "salesforce", vendor)()
    assert f"{QUERY}/01gRO0000016PIAYA2-2" in vendor.paths()


def test_rate_limits_and_server_errors_are_retried(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    serve(vendor, recorded("salesforce"))
    busy = [{"message": "Server busy", "errorCode": "SERVER_UNAVAILABLE"}]
    vendor.fail_first("GET", QUERY, as_json(busy, 503), as_json(busy, 429, {"Retry-After": "5"}))
    sync = syncer(workspace, "salesforce", vendor)
    assert sync().rows_loaded == 9
    assert sync.waits == [1.0, 5.0]


def test_second_sync_asks_for_records_changed_since_the_cursor(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    asked = serve(vendor, recorded("salesforce"))
    sync = syncer(workspace, "salesforce", vendor)
    sync()
    assert all("WHERE" not in q for q in asked)
    asked.clear()
    again = sync()
    opportunity = next(q for q in asked if "FROM Opportunity " in q)
    assert "WHERE SystemModstamp >= 2024-03-12T09:00:00.000Z ORDER BY SystemModstamp" in opportunity
    assert [(b.table, b.rows_read) for b in again.batches] == [("opportunities", 1)]
    assert rows(workspace, "opportunities", "status, amount", "opportunity_id")[2] == (
        "won",
        Decimal(21000),
    )
    assert load_cursors(workspace.root, "salesforce")["Opportunity"] == "2024-03-20T09:00:00.000Z"
    assert load_cursors(workspace.root, "salesforce")["User"] == "2024-01-03T08:00:00.000Z"


def test_records_with_bad_values_are_quarantined_with_the_reason(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    data = recorded("salesforce")
    data["Opportunity_page1"]["records"][0]["StageName"] = None
    data["OpportunityHistory"]["records"][1]["CreatedDate"] = "last tuesday"
    serve(vendor, data)
    result = syncer(workspace, "salesforce", vendor)()
    found = {(c, v) for _, c, v, _ in rejects(workspace)}
    assert ("stage", None) in found and ("changed_at", "last tuesday") in found
    assert result.rows_rejected == 2
    assert {(t, vid) for t, vid, *_ in result.rejected} == {
        ("opportunities", "006RO00000A1"),
        ("opportunity_history", "008RO0000002"),
    }


def test_an_expired_session_is_one_line_and_not_retried(
    workspace: Workspace, vendor: Vendor, token: str
) -> None:
    expired = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    vendor.on("GET", QUERY, lambda r: as_json(expired, 401))
    with pytest.raises(
        SyncError, match=r"refused the token \(HTTP 401: Session expired or invalid\)"
    ):
        syncer(workspace, "salesforce", vendor)()
    assert len(vendor.seen) == 1


def test_salesforce_needs_the_instance_url(
    workspace: Workspace, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SALESMETRICS_SALESFORCE_URL", raising=False)
    with pytest.raises(UserError, match="salesforce: no base URL; give --base-url or set"):
        workspace.sync("salesforce", token_env=TOKEN_ENV)
