"""Every preset on its example export (tests/ingest/data/presets/<vendor>/), written by hand
after the vendor's documented export headers: one test per preset and object, then what the
presets add to a plain import (owners by name, US dates, 0-100 probabilities, closed deals
without a close date, picklists, the pipeline dimension)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from salesmetrics import Workspace
from salesmetrics.ingest.presets import PRESETS
from tests.ingest.conftest import DATA, rejects, rows

FILES = DATA / "presets"

#: (preset, table, file, rows loaded, rows rejected)
CASES = [
    ("hubspot", "opportunities", "hubspot/deals.csv", 4, 1),
    ("hubspot", "accounts", "hubspot/companies.csv", 3, 0),
    ("hubspot", "leads", "hubspot/contacts.csv", 4, 0),
    ("hubspot", "reps", "hubspot/owners.csv", 2, 0),
    ("salesforce", "opportunities", "salesforce/Opportunity.csv", 5, 1),
    ("salesforce", "opportunity_history", "salesforce/OpportunityHistory.csv", 5, 0),
    ("salesforce", "leads", "salesforce/Lead.csv", 4, 0),
    ("salesforce", "accounts", "salesforce/Account.csv", 3, 0),
    ("salesforce", "reps", "salesforce/User.csv", 3, 0),
    ("pipedrive", "opportunities", "pipedrive/deals.csv", 3, 1),
    ("pipedrive", "accounts", "pipedrive/organizations.csv", 3, 0),
    ("pipedrive", "leads", "pipedrive/persons.csv", 3, 0),
    ("pipedrive", "reps", "pipedrive/users.csv", 2, 0),
    ("capsule", "opportunities", "capsule/opportunities.csv", 4, 0),
    ("capsule", "accounts", "capsule/organisations.csv", 3, 0),
    ("capsule", "leads", "capsule/parties.csv", 3, 0),
]


def test_every_preset_object_has_an_example() -> None:
    covered = {(p, t) for p, t, *_ in CASES}
    assert covered == {(p.name, t) for p in PRESETS.values() for t in p.tables}


@pytest.mark.parametrize(("preset", "table", "file", "loaded", "rejected"), CASES)
def test_preset_on_its_example(
    ws: Workspace, preset: str, table: str, file: str, loaded: int, rejected: int
) -> None:
    result = ws.import_file(table, FILES / file, preset=preset)
    assert (result.rows_loaded, result.rows_rejected) == (loaded, rejected), rejects(ws)
    custom = (("type", "Channel Partner", 1),)  # a custom Type value, kept (see below)
    assert result.unmapped_values == (custom if file.endswith("Opportunity.csv") else ())
    # every column the preset maps is filled for at least one row
    for fld in result.mapping:
        filled = rows(ws, table, f"count({fld})")[0][0]
        assert filled > 0, fld


def test_salesforce_win_rate_keeps_the_lost_existing_business_deal(ws: Workspace) -> None:
    result = ws.import_file(
        "opportunities", FILES / "salesforce/Opportunity.csv", preset="salesforce"
    )
    assert rows(ws, "opportunities", "name, type, status", "name") == [
        ("Burlington Textiles Service Renewal", "renewal", "open"),
        ("Burlington Textiles Weaving Plant Generator", "new_business", "won"),
        ("Edge Emergency Generator", None, "won"),  # "Channel Partner": a custom Type value
        ("Grand Hotels Guest Portable Generators", "expansion", "lost"),
        ("United Oil Refinery Generators", "expansion", "open"),
    ]
    assert result.unmapped_values == (("type", "Channel Partner", 1),)
    assert rejects(ws) == [
        (6, "close_date", None, "close_date is required when status is lost"),
    ]
    win = ws.metrics(["win_rate"], period="2024-Q1").rows()[0]
    assert win["value"] == pytest.approx(2 / 3)
    assert rows(ws, "opportunities", "DISTINCT probability", "1") == [
        (0.0,),
        (0.6,),
        (0.9,),
        (1.0,),
    ]


def test_existing_business_without_a_preset_keeps_its_row(ws: Workspace) -> None:
    """The data-model rule on its own: no preset, a Type outside the allowed set."""
    result = ws.import_file(
        "opportunities",
        FILES / "salesforce/Opportunity.csv",
        mapping=["opportunity_id=Id", "stage=StageName", "close_date=CloseDate"],
    )
    assert result.rows_loaded == 6
    assert ("type", "Existing Business", 1) in result.unmapped_values
    win = ws.metrics(["win_rate"], period="2024-Q1").rows()[0]
    assert win["value"] == pytest.approx(2 / 3)


def test_hubspot_owner_names_become_reps_and_dates_are_us(ws: Workspace) -> None:
    result = ws.import_file("opportunities", FILES / "hubspot/deals.csv", preset="hubspot")
    assert result.created_reps == ("Liam Chen", "Maya Patel")
    assert rows(ws, "reps", "rep_id, name") == [
        ("Liam Chen", "Liam Chen"),
        ("Maya Patel", "Maya Patel"),
    ]
    assert rows(ws, "opportunities", "opportunity_id, close_date, created_at, owner_id")[0] == (
        "18234501",
        dt.date(2024, 2, 14),
        dt.datetime(2024, 1, 3, 9, 15),
        "Maya Patel",
    )
    assert rejects(ws) == [(6, "close_date", None, "close_date is required when status is won")]
    # imported again: the reps exist now, nothing is created twice
    again = ws.import_file("opportunities", FILES / "hubspot/deals.csv", preset="hubspot")
    assert again.created_reps == ()


def test_owner_names_resolve_to_known_reps(ws: Workspace) -> None:
    ws.import_file("reps", FILES / "hubspot/owners.csv", preset="hubspot")
    assert rows(ws, "reps", "rep_id, name, email, team") == [
        ("41629779", "Maya Patel", "maya.patel@example.com", "West Coast Sales"),
        ("41629780", "Liam Chen", "liam.chen@example.com", "EMEA Sales"),
    ]
    result = ws.import_file("opportunities", FILES / "hubspot/deals.csv", preset="hubspot")
    assert result.created_reps == ()
    assert rows(ws, "opportunities", "DISTINCT owner_id") == [("41629779",), ("41629780",)]


def test_pipeline_is_a_dimension(ws: Workspace) -> None:
    ws.import_file("opportunities", FILES / "hubspot/deals.csv", preset="hubspot")
    result = ws.metrics(["total_revenue"], period="2024-Q1", by=["pipeline"])
    won = {r["group"]["pipeline"]: r["value"] for r in result.rows()}
    assert won == {"Sales Pipeline": 12000, "Renewals Pipeline": 4500}


def test_salesforce_leads_and_history(ws: Workspace) -> None:
    ws.import_file("leads", FILES / "salesforce/Lead.csv", preset="salesforce")
    assert rows(ws, "leads", "lead_id, status, status_raw, converted_at, opportunity_id") == [
        ("00Q5g00000Le001EAA", "working", "Working - Contacted", None, None),
        ("00Q5g00000Le002EAA", "new", "Open - Not Contacted", None, None),
        (
            "00Q5g00000Le003EAA",
            "converted",
            "Closed - Converted",
            dt.datetime(2024, 1, 4),
            "0065g00000AbCd1AAF",
        ),
        ("00Q5g00000Le004EAA", "disqualified", "Closed - Not Converted", None, None),
    ]
    ws.import_file(
        "opportunity_history", FILES / "salesforce/OpportunityHistory.csv", preset="salesforce"
    )
    history = rows(
        ws,
        "opportunity_history",
        "stage, probability, forecast_category",
        "opportunity_id, changed_at",
    )
    assert history[:2] == [
        ("Prospecting", 0.1, "pipeline"),
        ("Proposal/Price Quote", 0.75, "best_case"),
    ]


def test_hubspot_contacts_map_statuses_and_sources(ws: Workspace) -> None:
    ws.import_file("leads", FILES / "hubspot/contacts.csv", preset="hubspot")
    assert rows(ws, "leads", "lead_id, status, source, owner_id, qualified_at") == [
        ("501", "converted", "web", "Maya Patel", dt.datetime(2023, 11, 5, 9, 0)),
        ("502", "working", "paid", "Liam Chen", None),
        ("503", "disqualified", "referral", "Maya Patel", None),
        ("504", "new", "Offline Sources", None, None),
    ]


def test_pipedrive_and_capsule_deals(ws: Workspace) -> None:
    ws.import_file("opportunities", FILES / "pipedrive/deals.csv", preset="pipedrive")
    assert rows(ws, "opportunities", "opportunity_id, status, close_date, probability") == [
        ("101", "won", dt.date(2024, 2, 21), 1.0),
        ("102", "lost", dt.date(2024, 3, 2), 0.0),
        ("103", "open", dt.date(2024, 6, 30), 0.6),
    ]
    assert rejects(ws)[0][1:] == ("close_date", None, "close_date is required when status is lost")
    ws.import_file("opportunities", FILES / "capsule/opportunities.csv", preset="capsule")
    assert rows(
        ws,
        "opportunities",
        "opportunity_id, status, close_date, amount, probability, account_id, pipeline",
        "1",
    )[-4:] == [
        ("3101", "won", dt.date(2024, 1, 24), Decimal("6400"), 1.0, "Harbour Café", "Web Projects"),
        (
            "3102",
            "lost",
            dt.date(2024, 3, 8),
            Decimal("12500"),
            0.0,
            "Kestrel Books",
            "Web Projects",
        ),
        ("3103", "open", dt.date(2024, 6, 30), Decimal("21000"), 0.5, "Moorland Farm", "Apps"),
        (
            "3104",
            "won",
            dt.date(2024, 2, 29),
            Decimal("3000"),
            1.0,
            "Stonegate Dental",
            "Retainers",
        ),
    ]


@pytest.mark.parametrize(
    "metric",
    [
        "win_rate",
        "sales_cycle_length",
        "average_deal_size",
        "weighted_pipeline",
        "pipeline_flow",
        "time_in_stage",
        "stage_conversion",
    ],
)
def test_every_deal_family_groups_by_pipeline(ws: Workspace, metric: str) -> None:
    ws.import_file("opportunities", FILES / "hubspot/deals.csv", preset="hubspot")
    result = ws.metrics([metric], period="2024", by=["pipeline"])
    groups = {r["group"]["pipeline"] for r in result.rows()}
    assert groups <= {"Sales Pipeline", "Renewals Pipeline", None}


def test_the_open_pipeline_groups_by_pipeline(ws: Workspace) -> None:
    ws.import_file("opportunities", FILES / "hubspot/deals.csv", preset="hubspot")
    frame = ws.pipeline(as_of=dt.date(2024, 4, 1), by="pipeline")
    assert set(frame["pipeline"]) == {"Renewals Pipeline"}
