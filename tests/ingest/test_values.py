"""Conversion and validation of values: numbers, money, dates, choices, defaults, row rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from salesmetrics import Workspace
from tests.ingest.conftest import rejects, rows, write


def lines_csv(tmp_path: Path, header: str, *lines: str, name: str = "data.csv") -> Path:
    return write(tmp_path / name, "\n".join([header, *lines]) + "\n")


def test_bad_dates_and_numbers(ws: Workspace, tmp_path: Path) -> None:
    path = lines_csv(
        tmp_path,
        "line_id,account_id,invoice_date,amount,service_start,is_recurring",
        "i1,a1,2024-01-31,100,2024-01-01,yes",
        "i2,a1,2024-02-30,100,,",  # no 30 February
        "i3,a1,31/01/2024,100,,",  # ambiguous without --date-format
        "i4,a1,2024-01-31,12abc,,",
        "i5,a1,2024-01-31,1,5,2024-01-01,x",  # '1' then '5': the row has too many fields
        "i6,a1,2024-01-31,100,2024-13-01,maybe",
        "i7,a1,2024-01-31 garbage,100,,",
    )
    result = ws.import_file("invoice_lines", path)
    assert (result.rows_read, result.rows_loaded) == (7, 1)
    got = [(r, c, v) for r, c, v, _ in rejects(ws)]
    assert got == [
        (3, "invoice_date", "2024-02-30"),
        (4, "invoice_date", "31/01/2024"),
        (5, "amount", "12abc"),
        (6, "*", "i5,a1,2024-01-31,1,5,2024-01-01,x"),
        (7, "is_recurring", "maybe"),
        (7, "service_start", "2024-13-01"),
        (8, "invoice_date", "2024-01-31 garbage"),
    ]
    reasons = {c: reason for _, c, _, reason in rejects(ws)}
    assert reasons["invoice_date"].startswith("not a date")
    assert reasons["amount"].startswith("not a number")
    assert reasons["is_recurring"].startswith("not a yes/no value")


def test_thousands_separators_symbols_and_spaces(ws: Workspace, tmp_path: Path) -> None:
    path = lines_csv(
        tmp_path,
        "line_id,account_id,invoice_date,amount",
        'i1,a1,2024-01-31,"1,234.56"',
        "i2,a1,2024-01-31,$1234.5",
        'i3,a1,2024-01-31,"  € 1,000,000.00 "',
        "i4,a1,2024-01-31,USD 12",
        "i5,a1,2024-01-31,12 EUR",
        "i6,a1,2024-01-31,(12.50)",
        "i7,a1,2024-01-31,-$3.10",
        'i8,a1,2024-01-31,"1,5"',  # not thousands grouping: rejected, not read as 15
        'i9,a1,2024-01-31,"12,34.5"',
        "i10,a1,2024-01-31,Rp 1500",
        "i11,a1,2024-01-31,12abc",
    )
    ws.import_file("invoice_lines", path)
    assert rows(ws, "invoice_lines", "line_id, amount", "line_id") == [
        ("i1", Decimal("1234.56")),
        ("i10", Decimal("1500")),
        ("i2", Decimal("1234.5")),
        ("i3", Decimal("1000000")),
        ("i4", Decimal("12")),
        ("i5", Decimal("12")),
        ("i6", Decimal("-12.5")),
        ("i7", Decimal("-3.1")),
    ]
    assert [(r, v) for r, _, v, _ in rejects(ws)] == [(9, "1,5"), (10, "12,34.5"), (12, "12abc")]


def test_decimal_comma(ws: Workspace, tmp_path: Path) -> None:
    path = lines_csv(
        tmp_path,
        "line_id;account_id;invoice_date;amount",
        "i1;a1;2024-01-31;1.234,56",
        "i2;a1;2024-01-31;Rp 1.000.000,00",
        "i3;a1;2024-01-31;-0,5",
        "i4;a1;2024-01-31;1234",
        "i5;a1;2024-01-31;1.5",  # a '.' can only group thousands here
        "i6;a1;2024-01-31;1.2345.6",
    )
    result = ws.import_file("invoice_lines", path, decimal=",")
    assert rows(ws, "invoice_lines", "line_id, amount", "line_id") == [
        ("i1", Decimal("1234.56")),
        ("i2", Decimal("1000000")),
        ("i3", Decimal("-0.5")),
        ("i4", Decimal("1234")),
    ]
    assert [(r, v) for r, _, v, _ in rejects(ws)] == [(6, "1.5"), (7, "1.2345.6")]
    assert result.rows_rejected == 2


def test_money_is_exact(ws: Workspace, tmp_path: Path) -> None:
    lines = [f"i{i},a1,2024-01-31,0.10" for i in range(10)] + ["j,a1,2024-01-31,0.20"]
    path = lines_csv(tmp_path, "line_id,account_id,invoice_date,amount", *lines)
    ws.import_file("invoice_lines", path)
    total = ws.duckdb.execute("SELECT sum(amount) FROM invoice_lines").fetchone()
    assert total is not None and total[0] == Decimal("1.2000")
    typ = ws.duckdb.execute("SELECT typeof(amount) FROM invoice_lines LIMIT 1").fetchone()
    assert typ is not None and typ[0].startswith("DECIMAL")


def test_more_decimals_than_stored_are_rejected_not_rounded(ws: Workspace, tmp_path: Path) -> None:
    path = lines_csv(
        tmp_path,
        "line_id,account_id,invoice_date,amount",
        "i1,a1,2024-01-31,1.2345",
        "i2,a1,2024-01-31,1.23456",
    )
    ws.import_file("invoice_lines", path)
    assert rows(ws, "invoice_lines", "amount") == [(Decimal("1.2345"),)]
    [(row, _, value, reason)] = rejects(ws)
    assert (row, value) == (3, "1.23456")
    assert "more than 4 decimal places" in reason


def test_negative_and_huge_values(ws: Workspace, tmp_path: Path) -> None:
    path = lines_csv(
        tmp_path,
        "subscription_id,account_id,start_date,mrr,quantity",
        "s1,a1,2024-01-01,-5,1",  # mrr has a minimum of 0
        "s2,a1,2024-01-01,99999999999999.9999,9223372036854775807",
        "s3,a1,2024-01-01,100000000000000,1",  # beyond DECIMAL(18,4)
        "s4,a1,2024-01-01,1e400,1",
        "s5,a1,2024-01-01,5,99999999999999999999",  # beyond BIGINT
        "s6,a1,2024-01-01,5,-3",
        "s7,a1,2024-01-01,5,2.5",
        "s8,a1,2024-01-01,1.5E3,1",
    )
    ws.import_file("subscriptions", path)
    assert rows(ws, "subscriptions", "subscription_id, mrr, quantity") == [
        ("s2", Decimal("99999999999999.9999"), 9223372036854775807),
        ("s8", Decimal("1500"), 1),
    ]
    assert [(r, c, v, reason) for r, c, v, reason in rejects(ws)] == [
        (2, "mrr", "-5", "must be at least 0"),
        (4, "mrr", "100000000000000", "number out of range for DECIMAL(18,4)"),
        (5, "mrr", "1e400", "number out of range for DECIMAL(18,4)"),
        (6, "quantity", "99999999999999999999", "not a whole number"),
        (7, "quantity", "-3", "must be at least 0"),
        (8, "quantity", "2.5", "not a whole number"),
    ]


def test_negative_amounts_are_numbers(ws: Workspace, tmp_path: Path) -> None:
    path = lines_csv(tmp_path, "line_id,account_id,invoice_date,amount", "c1,a1,2024-01-31,-250.00")
    ws.import_file("invoice_lines", path)
    assert rows(ws, "invoice_lines", "amount") == [(Decimal("-250"),)]


def test_formula_like_cells_are_data(ws: Workspace, tmp_path: Path) -> None:
    path = lines_csv(
        tmp_path,
        "account_id,name,segment,industry,region",
        'a1,=1+2,"=HYPERLINK(""http://x"",""y"")",@SUM(A1),+49 30',
        "a2,-minus,=cmd|' /C calc'!A0,@,-",
    )
    ws.import_file("accounts", path)
    assert rows(ws, "accounts", "account_id, name, segment, industry, region") == [
        ("a1", "=1+2", '=HYPERLINK("http://x","y")', "@SUM(A1)", "+49 30"),
        ("a2", "-minus", "=cmd|' /C calc'!A0", "@", "-"),
    ]


def test_formula_like_numbers(ws: Workspace, tmp_path: Path) -> None:
    path = lines_csv(
        tmp_path,
        "line_id,account_id,invoice_date,amount",
        "i1,a1,2024-01-31,+5",
        "i2,a1,2024-01-31,-5",
        "i3,a1,2024-01-31,=5",
        "i4,a1,2024-01-31,@5",
    )
    ws.import_file("invoice_lines", path)
    assert rows(ws, "invoice_lines", "line_id, amount") == [
        ("i1", Decimal("5")),
        ("i2", Decimal("-5")),
    ]
    assert [(r, v) for r, _, v, _ in rejects(ws)] == [(4, "=5"), (5, "@5")]


def test_booleans(ws: Workspace, tmp_path: Path) -> None:
    words = ["true", "FALSE", "Yes", "no", "Y", "n", "1", "0", "t", "F", ""]
    lines = [f"i{i},a1,2024-01-31,1,{w}" for i, w in enumerate(words)]
    path = lines_csv(tmp_path, "line_id,account_id,invoice_date,amount,is_recurring", *lines)
    ws.import_file("invoice_lines", path)
    got = dict(rows(ws, "invoice_lines", "line_id, is_recurring"))
    expected = [True, False, True, False, True, False, True, False, True, False, True]
    assert [got[f"i{i}"] for i in range(len(words))] == expected  # empty: default true


def test_timestamps_in_the_workspace_time_zone(ws: Workspace, tmp_path: Path) -> None:
    ws.config.timezone = "Asia/Jakarta"  # UTC+7, no daylight saving
    path = lines_csv(
        tmp_path,
        "lead_id,created_at",
        "L1,2024-01-15 10:30:00",
        "L2,2024-01-15T10:30:00Z",
        "L3,2024-01-15T10:30:00.000+0000",
        "L4,2024-01-15 10:30:00-05:00",
        "L5,2024-01-15",
        "L6,2024-01-15 10:30",
        "L7, 2024-01-15 10:30:00 ",
    )
    ws.import_file("leads", path)
    assert rows(ws, "leads", "lead_id, created_at") == [
        ("L1", dt.datetime(2024, 1, 15, 3, 30)),
        ("L2", dt.datetime(2024, 1, 15, 10, 30)),
        ("L3", dt.datetime(2024, 1, 15, 10, 30)),
        ("L4", dt.datetime(2024, 1, 15, 15, 30)),
        ("L5", dt.datetime(2024, 1, 14, 17, 0)),
        ("L6", dt.datetime(2024, 1, 15, 3, 30)),
        ("L7", dt.datetime(2024, 1, 15, 3, 30)),
    ]
    tz = ws.duckdb.execute("SELECT current_setting('TimeZone')").fetchone()
    assert tz is not None and tz[0] != "Asia/Jakarta"  # the session setting is restored


def test_daylight_saving_time_zone(ws: Workspace, tmp_path: Path) -> None:
    ws.config.timezone = "America/New_York"
    path = lines_csv(tmp_path, "lead_id,created_at", "L1,2024-01-15 12:00", "L2,2024-07-15 12:00")
    ws.import_file("leads", path)
    assert rows(ws, "leads", "created_at") == [
        (dt.datetime(2024, 1, 15, 17, 0),),
        (dt.datetime(2024, 7, 15, 16, 0),),
    ]


def test_date_format(ws: Workspace, tmp_path: Path) -> None:
    path = lines_csv(
        tmp_path,
        "rep_id,hired_on,left_on",
        "r1,31/01/2024,",
        "r2,01/02/2024,2024-03-01",  # ISO is accepted too
        "r3,13/13/2024,",
        "r4,31.01.2024,",
    )
    ws.import_file("reps", path, date_format="%d/%m/%Y")
    assert rows(ws, "reps", "rep_id, hired_on, left_on") == [
        ("r1", dt.date(2024, 1, 31), None),
        ("r2", dt.date(2024, 2, 1), dt.date(2024, 3, 1)),
    ]
    assert [(r, v) for r, _, v, _ in rejects(ws)] == [(4, "13/13/2024"), (5, "31.01.2024")]
    assert "%d/%m/%Y" in rejects(ws)[0][3]


def test_date_format_for_timestamps(ws: Workspace, tmp_path: Path) -> None:
    path = lines_csv(
        tmp_path,
        "lead_id,created_at",
        "L1,31/01/2024 14:05",
        "L2,31/01/2024",
        "L3,31/01/2024 14:05:09",
    )
    ws.import_file("leads", path, date_format="%d/%m/%Y")
    assert rows(ws, "leads", "created_at", "lead_id") == [
        (dt.datetime(2024, 1, 31, 14, 5),),
        (dt.datetime(2024, 1, 31, 0, 0),),
        (dt.datetime(2024, 1, 31, 14, 5, 9),),
    ]


def test_choices_are_normalised(ws: Workspace, tmp_path: Path) -> None:
    path = lines_csv(
        tmp_path,
        "opportunity_id,stage,type,forecast_category",
        "o1,Prospecting,New Business,Best Case",
        "o2,Prospecting,RENEWAL,best-case",
        "o3,Prospecting,upsell,commit",
        "o4,Prospecting,expansion,maybe",
    )
    result = ws.import_file("opportunities", path)
    # data-model.md: an optional value outside the allowed set never costs the row
    assert rows(ws, "opportunities", "opportunity_id, type, forecast_category") == [
        ("o1", "new_business", "best_case"),
        ("o2", "renewal", "best_case"),
        ("o3", None, "commit"),
        ("o4", "expansion", None),
    ]
    assert rejects(ws) == []
    assert result.unmapped_values == (("type", "upsell", 1), ("forecast_category", "maybe", 1))
    assert (
        "unmapped type value 'upsell' (1 rows, loaded with type empty); map it with"
        " --value-map 'type:upsell=VALUE'" in result.summary_lines()
    )


def test_status_outside_its_choices_still_rejects(ws: Workspace, tmp_path: Path) -> None:
    path = lines_csv(tmp_path, "opportunity_id,stage,status", "o1,Demo,open", "o2,Demo,pending")
    ws.import_file("opportunities", path)
    assert [(r, c, v) for r, c, v, _ in rejects(ws)] == [(3, "status", "pending")]
    assert rejects(ws)[0][3] == "not one of: open, won, lost"


def test_lead_status_free_text_is_kept(ws: Workspace, tmp_path: Path) -> None:
    path = lines_csv(
        tmp_path,
        "lead_id,created_at,status",
        "L1,2024-01-01,Qualified",
        "L2,2024-01-01,Attempted to contact",
        "L3,2024-01-01,MQL",
        "L4,2024-01-01,",
    )
    result = ws.import_file("leads", path, value_map=["status:MQL=qualified"])
    assert result.rows_rejected == 0  # an unmappable status is not a reason to reject
    assert rows(ws, "leads", "lead_id, status, status_raw") == [
        ("L1", "qualified", "Qualified"),
        ("L2", None, "Attempted to contact"),
        ("L3", "qualified", "MQL"),
        ("L4", None, None),
    ]


def test_currency_default_and_case(ws: Workspace, tmp_path: Path) -> None:
    path = lines_csv(
        tmp_path,
        "line_id,account_id,invoice_date,amount,currency",
        "i1,a1,2024-01-31,1,eur",
        "i2,a1,2024-01-31,1,",
        "i3,a1,2024-01-31,1,euro",
    )
    ws.import_file("invoice_lines", path)
    assert rows(ws, "invoice_lines", "line_id, currency") == [("i1", "EUR"), ("i2", "USD")]
    assert [(r, c, v) for r, c, v, _ in rejects(ws)] == [(4, "currency", "euro")]


def test_currency_default_without_a_column(ws: Workspace, tmp_path: Path) -> None:
    path = lines_csv(tmp_path, "line_id,account_id,invoice_date,amount", "i1,a1,2024-01-31,1")
    ws.import_file("invoice_lines", path)
    assert rows(ws, "invoice_lines", "currency, is_recurring") == [("USD", True)]


def test_table_defaults(ws: Workspace, tmp_path: Path) -> None:
    ws.import_file(
        "engagement_events",
        lines_csv(
            tmp_path,
            "account_id,occurred_on,event,count",
            "a1,2024-01-01,login,",
            "a1,2024-01-02,login,3",
            name="e.csv",
        ),
    )
    assert rows(ws, "engagement_events", "count") == [(1,), (3,)]
    ws.import_file(
        "forecasts",
        lines_csv(
            tmp_path,
            "forecast_id,scope,period,amount,submitted_at",
            "f1,company,2024-Q2,100,2024-03-30",
            name="f.csv",
        ),
    )
    assert rows(ws, "forecasts", "category") == [("most_likely",)]
    ws.import_file(
        "activities",
        lines_csv(
            tmp_path,
            "activity_id,rep_id,started_at,duration_minutes,type,is_selling",
            "x1,r1,2024-01-01 09:00,30,Call,",
            "x2,r1,2024-01-01 10:00,60,admin,",
            "x3,r1,2024-01-01 11:00,15,training,yes",
            name="a.csv",
        ),
    )
    assert rows(ws, "activities", "activity_id, is_selling") == [
        ("x1", True),
        ("x2", False),
        ("x3", True),
    ]


def test_row_rules(ws: Workspace, tmp_path: Path) -> None:
    path = lines_csv(
        tmp_path,
        "opportunity_id,stage,amount",
        "o1,Closed Won,100",
        "o2,Closed Won,",  # a won deal needs an amount
        "o3,Closed Lost,",
    )
    ws.import_file("opportunities", path)
    assert rows(ws, "opportunities", "opportunity_id, status") == [("o1", "won"), ("o3", "lost")]
    assert rejects(ws) == [(3, "amount", None, "amount is required when status is won")]


def test_not_before_rule(ws: Workspace, tmp_path: Path) -> None:
    path = lines_csv(
        tmp_path, "rep_id,hired_on,left_on", "r1,2024-01-01,2023-12-31", "r2,2024-01-01,2024-01-01"
    )
    ws.import_file("reps", path)
    assert rows(ws, "reps", "rep_id") == [("r2",)]
    assert rejects(ws) == [(2, "left_on", "2023-12-31", "left_on must not be before hired_on")]


def test_bounds(ws: Workspace, tmp_path: Path) -> None:
    path = lines_csv(
        tmp_path,
        "response_id,survey_id,submitted_at,question_id,score",
        "x1,s1,2024-01-01,enps,10",
        "x2,s1,2024-01-01,enps,11",
        "x3,s1,2024-01-01,enps,-1",
    )
    ws.import_file("survey_responses", path)
    assert [(r, v, reason) for r, _, v, reason in rejects(ws)] == [
        (3, "11", "must be between 0 and 10"),
        (4, "-1", "must be between 0 and 10"),
    ]


def test_required_values(ws: Workspace, tmp_path: Path) -> None:
    path = lines_csv(tmp_path, "lead_id,created_at", "L1,", ",2024-01-01", "  ,  ")
    result = ws.import_file("leads", path)
    assert result.rows_loaded == 0
    assert [(r, c) for r, c, _, _ in rejects(ws)] == [
        (2, "created_at"),
        (3, "lead_id"),
        (4, "created_at"),
        (4, "lead_id"),
    ]
    assert {reason for _, _, _, reason in rejects(ws)} == {"required value is missing"}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["0.1", "0.75", "1"], [0.1, 0.75, 1.0]),
        (["10", "75", "100"], [0.1, 0.75, 1.0]),  # 0-100 is detected and scaled
        (["10%", "0.75", "100 %"], [0.1, 0.75, 1.0]),
        (["5", "1", "20"], [0.05, 0.01, 0.2]),  # one value above 1: the column is percent
        (["0", "1", "20", "30 %"], [0.0, 0.01, 0.2, 0.3]),  # 0 and 1 fit either scale
    ],
)
def test_probability_scale(
    ws: Workspace, tmp_path: Path, values: list[str], expected: list[float]
) -> None:
    lines = [f"o{i},Prospecting,{v}" for i, v in enumerate(values)]
    result = ws.import_file(
        "opportunities", lines_csv(tmp_path, "opportunity_id,stage,probability", *lines)
    )
    assert [r[0] for r in rows(ws, "opportunities", "probability", "opportunity_id")] == (
        pytest.approx(expected)
    )
    assert any("divided by 100" in w for w in result.warnings) == any(
        float(v.strip(" %")) > 1 and "%" not in v for v in values
    )


def test_probability_with_mixed_scales_is_rejected_not_guessed(
    ws: Workspace, tmp_path: Path
) -> None:
    """0.2 and 20 in one file: dividing every value by 100 would turn 0.2 (20 %) into 0.2 %."""
    path = lines_csv(
        tmp_path,
        "opportunity_id,stage,probability",
        "o1,a,0.2",
        "o2,a,20",
        "o3,a,0",
        "o4,a,",
        "o5,a,35%",
    )
    result = ws.import_file("opportunities", path)
    assert (result.rows_loaded, result.rows_rejected) == (3, 2)
    assert rows(ws, "opportunities", "opportunity_id, probability") == [
        ("o3", 0.0),
        ("o4", None),
        ("o5", pytest.approx(0.35)),
    ]
    assert [(r, c) for r, c, _, _ in rejects(ws)] == [(2, "probability"), (3, "probability")]
    assert "mixes the 0-1 and 0-100 scales in this file (e.g. 0.2 and 20)" in rejects(ws)[0][3]
    assert not any("divided by 100" in w for w in result.warnings)


def test_probability_out_of_range(ws: Workspace, tmp_path: Path) -> None:
    path = lines_csv(
        tmp_path, "opportunity_id,stage,probability", "o1,a,50", "o2,a,150", "o3,a,-1", "o4,a,100"
    )
    ws.import_file("opportunities", path)
    assert rows(ws, "opportunities", "probability") == [(0.5,), (1.0,)]
    assert [(r, v) for r, _, v, _ in rejects(ws)] == [(3, "150"), (4, "-1")]


@pytest.mark.parametrize(
    ("stage", "status"),
    [
        ("Closed Won", "won"),
        ("closedwon", "won"),
        ("Closed Lost", "lost"),
        ("LOST", "lost"),
        ("Negotiation", "open"),
        ("Signed", "won"),  # by --value-map status:Signed=won
    ],
)
def test_status_from_stage(ws: Workspace, tmp_path: Path, stage: str, status: str) -> None:
    path = lines_csv(tmp_path, "opportunity_id,stage,amount", f"o1,{stage},10")
    ws.import_file("opportunities", path, value_map={"status": {"signed": "won"}})
    assert rows(ws, "opportunities", "stage, status") == [(stage, status)]


def test_status_column_wins_over_stage(ws: Workspace, tmp_path: Path) -> None:
    path = lines_csv(tmp_path, "opportunity_id,stage,status,amount", "o1,Closed Won,Open,10")
    ws.import_file("opportunities", path)
    assert rows(ws, "opportunities", "status") == [("open",)]


def test_history_status_from_stage(ws: Workspace, tmp_path: Path) -> None:
    path = lines_csv(
        tmp_path,
        "opportunity_id,changed_at,stage",
        "o1,2024-01-01,Prospecting",
        "o1,2024-02-01,Closed Won",
    )
    ws.import_file("opportunity_history", path)
    assert rows(ws, "opportunity_history", "status", "changed_at") == [("open",), ("won",)]


def test_fx_rates_must_be_positive(ws: Workspace, tmp_path: Path) -> None:
    path = lines_csv(
        tmp_path,
        "date,currency,rate",
        "2024-01-01,EUR,0",
        "2024-01-02,EUR,-1.1",
        "2024-01-03,EUR,1.1",
    )
    result = ws.import_file("fx_rates", path)
    assert (result.rows_loaded, result.rows_rejected) == (1, 2)
    assert rejects(ws) == [
        (2, "rate", "0", "must be greater than 0"),
        (3, "rate", "-1.1", "must be greater than 0"),
    ]


def test_a_won_deal_with_a_negative_amount_needs_the_credit_type(
    ws: Workspace, tmp_path: Path
) -> None:
    path = lines_csv(
        tmp_path,
        "opportunity_id,stage,amount,type",
        "o1,Closed Won,-50,",
        "o2,Closed Won,-50,new_business",
        "o3,Closed Won,-50,Credit",  # marked as a credit: loaded
        "o4,Closed Lost,-50,",  # not won: a negative amount is not counted anywhere
        "o5,Closed Won,50,",
    )
    result = ws.import_file("opportunities", path)
    assert rows(ws, "opportunities", "opportunity_id, amount, type") == [
        ("o3", Decimal("-50"), "credit"),
        ("o4", Decimal("-50"), None),
        ("o5", Decimal("50"), None),
    ]
    reason = "amount must not be negative when status is won (unless type is credit)"
    assert rejects(ws) == [(2, "amount", "-50", reason), (3, "amount", "-50", reason)]
    assert result.rows_rejected == 2


def test_dates_outside_the_years_are_rejected(ws: Workspace, tmp_path: Path) -> None:
    path = lines_csv(
        tmp_path,
        "opportunity_id,stage,close_date,created_at",
        "o1,a,1899-12-31,",
        "o2,a,2101-01-01,",
        "o3,a,9999-12-31,",
        "o4,a,,0024-05-01 10:00:00",  # a two-digit year read as year 24
        "o5,a,1900-01-01,2100-12-31 23:59:59",
    )
    ws.import_file("opportunities", path)
    assert rows(ws, "opportunities", "opportunity_id") == [("o5",)]
    found = rejects(ws)
    assert [(r, c) for r, c, _, _ in found] == [
        (2, "close_date"),
        (3, "close_date"),
        (4, "close_date"),
        (5, "created_at"),
    ]
    assert found[0][3].startswith("year outside 1900-2100")
    assert "earliest_year / latest_year in salesmetrics.toml" in found[0][3]


def test_the_configuration_widens_the_years(ws: Workspace, tmp_path: Path) -> None:
    ws.config.earliest_year, ws.config.latest_year = 1800, 9999
    path = lines_csv(
        tmp_path, "opportunity_id,stage,close_date", "o1,a,1850-01-01", "o2,a,9999-12-31"
    )
    result = ws.import_file("opportunities", path)
    assert result.rows_loaded == 2
