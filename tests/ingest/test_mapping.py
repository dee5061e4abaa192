"""Column mapping (--map, matching names), value maps, and the CRM presets with example files."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from salesmetrics import UserError, Workspace
from salesmetrics.ingest.mapping import normalise
from salesmetrics.ingest.options import parse_map, parse_value_maps
from salesmetrics.ingest.presets import PRESETS
from salesmetrics.schema import SCHEMA
from tests.ingest.conftest import DATA, rejects, rows, write

LEADS = "Lead ID,Created-At,LEAD SOURCE,owner,notes\nL1,2024-01-01,web,r1,hello\n"


def test_normalise() -> None:
    assert normalise(" Lead_ID ") == normalise("lead-id") == normalise("LeadId") == "leadid"


def test_headers_are_matched_by_normalised_name(ws: Workspace, tmp_path: Path) -> None:
    result = ws.import_file("leads", write(tmp_path / "l.csv", LEADS))
    assert result.mapping == {"lead_id": "Lead ID", "created_at": "Created-At"}
    assert result.unmapped_columns == ("LEAD SOURCE", "owner", "notes")


def test_explicit_map(ws: Workspace, tmp_path: Path) -> None:
    result = ws.import_file(
        "leads",
        write(tmp_path / "l.csv", LEADS),
        mapping=["source=LEAD SOURCE", "owner_id=owner", "segment=lead source"],
    )
    assert rows(ws, "leads", "lead_id, source, owner_id, segment") == [("L1", "web", "r1", "web")]
    assert result.unmapped_columns == ("notes",)


def test_explicit_map_wins_over_names(ws: Workspace, tmp_path: Path) -> None:
    text = "lead_id,created_at,id\nL1,2024-01-01,X9\n"
    ws.import_file("leads", write(tmp_path / "l.csv", text), mapping={"lead_id": "id"})
    assert rows(ws, "leads", "lead_id") == [("X9",)]


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (
            ["sourc=LEAD SOURCE"],
            r"--map sourc=LEAD SOURCE: table leads has no column 'sourc'"
            r" \(did you mean 'source'\?\)",
        ),
        (
            ["source=Lead Sauce"],
            r"--map source=Lead Sauce: .*l\.csv has no column 'Lead Sauce'"
            r" \(did you mean 'LEAD SOURCE'\?\); its columns: Lead ID, Created-At",
        ),
        (["source"], r"--map 'source': expected FIELD=COLUMN"),
        (
            ["source=LEAD SOURCE", "source=owner"],
            r"--map source=LEAD SOURCE and --map source=owner: source is mapped twice",
        ),
        (["source=owner", "source=owner"], r"source is mapped twice; give one --map per field"),
    ],
)
def test_bad_maps(ws: Workspace, tmp_path: Path, mapping: list[str], message: str) -> None:
    with pytest.raises(UserError, match=message):
        ws.import_file("leads", write(tmp_path / "l.csv", LEADS), mapping=mapping)


def test_required_column_absent(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(
        UserError,
        match=r"required column 'created_at' of table leads is not in the file"
        r" .*--map created_at=COLUMN",
    ):
        ws.import_file("leads", write(tmp_path / "l.csv", "lead_id,created\nL1,2024-01-01\n"))


def test_compound_key_cannot_be_derived(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="required column 'rep_id'"):
        ws.import_file("quotas", write(tmp_path / "q.csv", "period_start,period_end,amount\n"))


def test_value_map(ws: Workspace, tmp_path: Path) -> None:
    text = "opportunity_id,stage,type\no1,Discovery,NB\no2,Won it,nb\no3,Discovery,\n"
    ws.import_file(
        "opportunities",
        write(tmp_path / "o.csv", text),
        value_map=["type:NB=new_business", "type:=renewal", "stage:Won it=Closed Won"],
    )
    assert rows(ws, "opportunities", "opportunity_id, stage, status, type") == [
        ("o1", "Discovery", "open", "new_business"),
        ("o2", "Closed Won", "won", "new_business"),
        ("o3", "Discovery", "open", "renewal"),
    ]


@pytest.mark.parametrize("item", ["status", "status:won", ":a=b"])
def test_bad_value_map_syntax(item: str) -> None:
    with pytest.raises(UserError, match=r"expected FIELD:FROM=TO"):
        parse_value_maps([item])


def test_value_map_syntax() -> None:
    assert parse_value_maps(["status:Closed Won=won", "status: Lost =lost", "type:a=b=c"]) == {
        "status": {"Closed Won": "won", "Lost": "lost"},
        "type": {"a": "b=c"},
    }
    assert parse_map(["lead_id = Lead ID"]) == {"lead_id": "Lead ID"}


def test_value_map_unknown_field(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(
        UserError, match=r"--value-map stat:\.\.\.: table leads has no column 'stat'"
    ):
        ws.import_file("leads", write(tmp_path / "l.csv", LEADS), value_map=["stat:a=b"])


@pytest.mark.parametrize(
    ("table", "item", "message"),
    [
        ("opportunities", "status:Signed=wonn", r"'wonn' is not one of: open, won, lost"),
        ("opportunities", "type:Upsell=upsell", r"'upsell' is not one of: new_business"),
        ("opportunities", "probability:high=lots", r"'lots' is not a number"),
        ("invoice_lines", "is_recurring:once=maybe", r"'maybe' is not a yes/no value"),
    ],
)
def test_value_map_targets_are_checked_even_when_the_value_is_absent(
    ws: Workspace, tmp_path: Path, table: str, item: str, message: str
) -> None:
    # The file has none of the mapped values: the target is still checked, before reading.
    path = write(tmp_path / "x.csv", "opportunity_id,stage\no1,Prospecting\n")
    with pytest.raises(UserError, match=r"^--value-map " + re.escape(item) + ": " + message):
        ws.import_file(table, path, value_map=[item])


def test_value_map_targets_that_fit(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "opportunity_id,stage,type,amount\no1,Signed,Upsell,10\n")
    ws.import_file(
        "opportunities",
        path,
        value_map=["status:Signed=Won", "type:Upsell=Expansion", "probability:x=45%", "type:="],
    )
    assert rows(ws, "opportunities", "status, type") == [("won", "expansion")]


def test_other_option_errors(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "l.csv", LEADS)
    with pytest.raises(UserError, match="--decimal ';'"):
        ws.import_file("leads", path, decimal=";")
    with pytest.raises(UserError, match="--date-format 'dd/mm'"):
        ws.import_file("leads", path, date_format="dd/mm")
    with pytest.raises(UserError, match="--date-format '%Q'"):
        ws.import_file("leads", path, date_format="%Q")
    with pytest.raises(UserError, match="unknown table 'lead'"):
        ws.import_file("lead", path)


def test_unknown_preset(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "l.csv", LEADS)
    with pytest.raises(UserError, match=r"unknown preset 'hubspt' \(did you mean 'hubspot'\?\)"):
        ws.import_file("opportunities", path, preset="hubspt")
    with pytest.raises(
        UserError,
        match=r"preset 'capsule' has no mapping for table 'reps'; it fills: opportunities"
        r" \(opportunities\), accounts \(organisations\), leads \(parties\)",
    ):
        ws.import_file("reps", path, preset="capsule")


def test_presets_map_onto_real_columns() -> None:
    for preset in PRESETS.values():
        for table, spec in preset.tables.items():
            columns = SCHEMA[table].column_names
            assert set(spec.columns) <= set(columns), (preset.name, table)
            assert set(spec.value_maps) <= set(columns), (preset.name, table)


def test_hubspot(ws: Workspace) -> None:
    result = ws.import_file("opportunities", DATA / "hubspot_deals.csv", preset="hubspot")
    assert result.rows_rejected == 0
    assert result.unmapped_columns == ()
    assert rows(ws, "opportunities", "DISTINCT pipeline") == [("Sales Pipeline",)]
    assert rows(
        ws,
        "opportunities",
        "opportunity_id, name, stage, status, amount, close_date, created_at,"
        " owner_id, probability, type",
    ) == [
        (
            "1001",
            "Acme renewal",
            "Closed Won",
            "won",
            Decimal("12000"),
            dt.date(2024, 3, 31),
            dt.datetime(2024, 1, 10, 9, 15),
            "Jane Roe",
            1.0,
            "expansion",
        ),
        (
            "1002",
            "Globex new",
            "Contract Sent",
            "open",
            Decimal("5500"),
            dt.date(2024, 6, 30),
            dt.datetime(2024, 2, 1, 14, 0),
            "John Doe",
            0.8,
            "new_business",
        ),
        (
            "1003",
            "Initech",
            "Closed Lost",
            "lost",
            Decimal("3000"),
            dt.date(2024, 4, 15),
            dt.datetime(2024, 2, 20, 11, 30),
            "Jane Roe",
            0.0,
            None,
        ),
    ]


def test_hubspot_api_names(ws: Workspace) -> None:
    ws.config.timezone = "Asia/Jakarta"
    ws.import_file("opportunities", DATA / "hubspot_deals_api.csv", preset="hubspot")
    assert rows(
        ws, "opportunities", "opportunity_id, status, amount, close_date, created_at, owner_id"
    ) == [
        ("2001", "won", Decimal("900"), dt.date(2024, 5, 1), dt.datetime(2024, 4, 1, 8, 0), "77"),
        ("2002", "open", None, dt.date(2024, 7, 1), dt.datetime(2024, 4, 2, 8, 0), "78"),
    ]


def test_salesforce_opportunities(ws: Workspace) -> None:
    result = ws.import_file(
        "opportunities", DATA / "salesforce_opportunities.csv", preset="salesforce"
    )
    assert result.rows_rejected == 0
    assert result.unmapped_columns == ()
    assert rows(
        ws,
        "opportunities",
        "opportunity_id, account_id, status, amount, currency, probability,"
        " forecast_category, type, source, created_at",
    ) == [
        (
            "0061a000001",
            "0011a000001",
            "won",
            Decimal("24000"),
            "USD",
            1.0,
            "closed",
            "new_business",
            "Web",
            dt.datetime(2024, 1, 5, 10, 0),
        ),
        (
            "0061a000002",
            "0011a000002",
            "open",
            Decimal("8000.5"),
            "EUR",
            0.9,
            "commit",
            "expansion",
            "Partner",
            dt.datetime(2024, 2, 11, 16, 30),
        ),
        (
            "0061a000003",
            "0011a000003",
            "won",
            Decimal("0"),
            "USD",
            1.0,
            "closed",
            "new_business",
            None,
            dt.datetime(2024, 2, 15, 9, 0),
        ),
        (
            "0061a000004",
            "0011a000004",
            "lost",
            None,
            "USD",
            0.0,
            "omitted",
            "new_business",
            "Event",
            dt.datetime(2024, 3, 1, 12, 0),
        ),
    ]


def test_salesforce_history(ws: Workspace) -> None:
    result = ws.import_file(
        "opportunity_history", DATA / "salesforce_opportunity_history.csv", preset="salesforce"
    )
    assert result.unmapped_columns == ("Id",)
    assert rows(
        ws,
        "opportunity_history",
        "opportunity_id, changed_at, stage, status, amount, probability, forecast_category",
        "opportunity_id, changed_at",
    ) == [
        (
            "0061a000001",
            dt.datetime(2024, 1, 5, 10, 0),
            "Prospecting",
            "open",
            Decimal("20000"),
            0.1,
            "pipeline",
        ),
        (
            "0061a000001",
            dt.datetime(2024, 2, 20, 8, 0),
            "Negotiation/Review",
            "open",
            Decimal("24000"),
            0.9,
            "commit",
        ),
        (
            "0061a000001",
            dt.datetime(2024, 3, 28, 17, 45),
            "Closed Won",
            "won",
            Decimal("24000"),
            1.0,
            "closed",
        ),
        (
            "0061a000002",
            dt.datetime(2024, 2, 11, 16, 30),
            "Qualification",
            "open",
            Decimal("8000.5"),
            0.2,
            "best_case",
        ),
    ]


def test_pipedrive(ws: Workspace) -> None:
    result = ws.import_file("opportunities", DATA / "pipedrive_deals.csv", preset="pipedrive")
    assert result.rows_rejected == 0
    assert result.unmapped_columns == ()
    assert rows(
        ws,
        "opportunities",
        "opportunity_id, name, status, stage, amount, currency, close_date,"
        " probability, lost_reason, owner_id, account_id",
    ) == [
        (
            "11",
            "Acme deal",
            "won",
            "4",
            Decimal("1500"),
            "EUR",
            dt.date(2024, 2, 1),
            None,
            None,
            "101",
            "501",
        ),
        (
            "12",
            "Globex deal",
            "open",
            "2",
            Decimal("2500.75"),
            "USD",
            dt.date(2024, 4, 30),
            0.6,
            None,
            "102",
            "502",
        ),
        (
            "13",
            "Initech deal",
            "lost",
            "3",
            Decimal("800"),
            "USD",
            dt.date(2024, 3, 1),
            None,
            "Price too high",
            "101",
            "503",
        ),
    ]


def test_capsule_without_ids(ws: Workspace) -> None:
    result = ws.import_file("opportunities", DATA / "capsule_opportunities.csv", preset="capsule")
    assert result.rows_rejected == 0
    assert result.unmapped_columns == ("Description",)
    got = rows(
        ws,
        "opportunities",
        "name, account_id, status, amount, currency, close_date, probability, owner_id",
        "name",
    )
    assert got == [
        (
            "Support plan",
            "Globex",
            "open",
            Decimal("3000"),
            "GBP",
            dt.date(2024, 5, 30),
            0.5,
            "bob",
        ),
        ("Training", "Initech", "lost", Decimal("1500"), "GBP", dt.date(2024, 3, 20), 0.0, "alice"),
        (
            "Website rebuild",
            "Acme Ltd",
            "won",
            Decimal("12000"),
            "GBP",
            dt.date(2024, 2, 27),
            1.0,
            "alice",
        ),
    ]
    ids = [r[0] for r in rows(ws, "opportunities", "opportunity_id")]
    assert all(i.startswith("auto-") and i.endswith("-1") for i in ids)


def test_map_overrides_preset(ws: Workspace) -> None:
    ws.import_file(
        "opportunities", DATA / "hubspot_deals.csv", preset="hubspot", mapping=["owner_id=Pipeline"]
    )
    assert {r[0] for r in rows(ws, "opportunities", "owner_id")} == {"Sales Pipeline"}


def test_preset_value_map_can_be_overridden(ws: Workspace) -> None:
    ws.import_file(
        "opportunities",
        DATA / "salesforce_opportunities.csv",
        preset="salesforce",
        value_map=["type:New Customer=renewal"],
    )
    assert rows(ws, "opportunities", "type") == [
        ("expansion",),
        ("renewal",),
        ("renewal",),
        ("renewal",),
    ]
    assert rejects(ws) == []
