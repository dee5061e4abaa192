"""Recurring-revenue metrics through the engine: the MRR family, its identity at every grain and
group, the trailing-12-month retention basis, the recurring customer basis, the waterfall view,
and the Done-when command on the small demo against tests/recurring/reference.py to the cent."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from salesmetrics import init_workspace
from salesmetrics.metrics.registry import REGISTRY
from salesmetrics.recurring import check_identity
from salesmetrics.workspace import Workspace
from tests.demos import DemoBuild, copy_demo
from tests.metrics.builder import insert
from tests.recurring import reference as ref

D = dt.date
MOVES = ("mrr_new", "mrr_expansion", "mrr_contraction", "mrr_churn", "mrr_reactivation")
DONE_WHEN = ("mrr", *MOVES, "net_revenue_retention")
GRAINS = ("month", "quarter", "year")
GROUPS: tuple[tuple[str, ...], ...] = ((), ("plan",), ("first_plan",), ("segment", "rep"))


def run_cli(args: list[str]) -> None:
    """``salesmetrics ARGS`` in-process; a clean exit is fine."""
    from salesmetrics.cli import main

    try:
        main(args)
    except SystemExit as exit_:
        assert exit_.code in (0, None)


def cents(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def sub(
    sid: str, account: str, start: D, mrr: float, end: D | None = None, plan: str = "basic"
) -> dict[str, Any]:
    return {
        "subscription_id": sid,
        "account_id": account,
        "start_date": start,
        "end_date": end,
        "mrr": mrr,
        "plan": plan,
    }


# -- hand-built ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """Every movement once in 2024: a, b from January; in March a expands (plan change basic →
    pro), b contracts; c is new in April, churns after May, returns in August; d leaves in
    June."""
    ws = init_workspace(tmp_path_factory.mktemp("small") / "ws")
    insert(
        ws,
        "accounts",
        [
            {"account_id": "a", "owner_id": "r1", "segment": "SMB"},
            {"account_id": "b", "owner_id": "r2", "segment": "ENT"},
            {"account_id": "c", "owner_id": "r1", "segment": "SMB"},
            {"account_id": "d", "owner_id": "r2", "segment": "ENT"},
        ],
    )
    insert(ws, "reps", [{"rep_id": "r1", "team": "East"}, {"rep_id": "r2", "team": "West"}])
    insert(
        ws,
        "subscriptions",
        [
            sub("a1", "a", D(2024, 1, 1), 100, end=D(2024, 3, 1)),
            sub("a2", "a", D(2024, 3, 1), 150, plan="pro"),
            sub("b1", "b", D(2024, 1, 1), 200, end=D(2024, 3, 1)),
            sub("b2", "b", D(2024, 3, 1), 120),
            sub("c1", "c", D(2024, 4, 1), 50.55, end=D(2024, 6, 1)),
            sub("c2", "c", D(2024, 8, 1), 60),
            sub("d1", "d", D(2024, 1, 1), 300, end=D(2024, 6, 1)),
        ],
    )
    yield ws
    ws.close()


def values(ws: Workspace, metrics: list[str], **options: Any) -> dict[tuple[str, str], Any]:
    rows = ws.metrics(metrics, **options).rows()
    return {(r["metric"], r["period"]): r["value"] for r in rows if not r["group"]}


def test_each_movement_by_month(small: Workspace) -> None:
    got = values(small, ["mrr", *MOVES], period="2024", grain="month")
    assert got[("mrr", "2024-02")] == 600
    assert got[("mrr_expansion", "2024-03")] == 50
    assert got[("mrr_contraction", "2024-03")] == 80
    assert got[("mrr_new", "2024-04")] == 50.55
    assert got[("mrr_churn", "2024-06")] == 50.55 + 300
    assert got[("mrr_reactivation", "2024-08")] == 60
    assert got[("mrr", "2024-12")] == 330
    assert got[("mrr_new", "2024-01")] == 600


def test_year_metrics(small: Workspace) -> None:
    metrics = [
        "mrr",
        "arr",
        "net_revenue_retention",
        "gross_revenue_retention",
        "revenue_churn_rate",
        "quick_ratio",
        "arpa",
    ]
    got = values(small, metrics, period="2024-Q2")
    # start (March): a 150, b 120, d 300 = 570; end (June): a 150, b 120 = 270
    assert got[("mrr", "2024-Q2")] == 270
    assert got[("arr", "2024-Q2")] == 3240
    assert got[("net_revenue_retention", "2024-Q2")] == pytest.approx(270 / 570)
    assert got[("gross_revenue_retention", "2024-Q2")] == pytest.approx(270 / 570)
    assert got[("revenue_churn_rate", "2024-Q2")] == pytest.approx((300 + 50.55) / 570)
    assert got[("quick_ratio", "2024-Q2")] == pytest.approx(50.55 / (300 + 50.55))
    assert got[("arpa", "2024-Q2")] == 135


def test_trailing_12m_basis(small: Workspace) -> None:
    result = small.metrics(
        ["net_revenue_retention", "gross_revenue_retention"],
        period="2025-02",
        basis={"net_revenue_retention": "trailing_12m", "gross_revenue_retention": "trailing_12m"},
    )
    rows = {r["metric"]: r for r in result.rows()}
    # 12 months ending with 2025-02: start = January 2024 (a 100, b 200, d 300 = 600);
    # at end a 150, b 120, d 0 → NRR 270 / 600, GRR (100 + 120) / 600
    nrr, grr = rows["net_revenue_retention"], rows["gross_revenue_retention"]
    assert nrr["components"]["basis"] == "trailing_12m"
    assert nrr["value"] == pytest.approx(270 / 600)
    assert grr["value"] == pytest.approx(220 / 600)
    plain = small.metrics(["net_revenue_retention"], period="2025-02").rows()[0]
    assert plain["components"]["basis"] == "period"


def test_groups_and_targets(small: Workspace) -> None:
    rows = small.metrics(["mrr", "mrr_expansion"], period="2024-03", by=["plan"]).rows()
    by_plan = {(r["metric"], r["group"]["plan"]): r["value"] for r in rows}
    # per plan, a's move from basic to pro is churn in basic and new in pro
    assert by_plan[("mrr", "pro")] == 150 and by_plan[("mrr", "basic")] == 420
    assert by_plan[("mrr_expansion", "pro")] == 0
    rows = small.metrics(["mrr"], period="2024-03", by=["rep", "team", "first_plan"]).rows()
    got = {
        (r["group"]["rep"], r["group"]["team"], r["group"]["first_plan"]): r["value"] for r in rows
    }
    assert got[("r1", "East", "basic")] == 150
    assert got[("r2", "West", "basic")] == 420
    nrr = small.metrics(["net_revenue_retention", "quick_ratio"], period="2024-Q2").rows()
    assert [r["target"] for r in nrr] == [1.0, 4.0]
    assert [r["status"] for r in nrr] == ["off_track", "off_track"]
    assert REGISTRY["mrr"].owners[0].value == "finance"
    assert REGISTRY["net_revenue_retention"].owners[0].value == "customer_success"


def test_customer_metrics_switch_to_the_recurring_basis(small: Workspace) -> None:
    result = small.metrics(
        ["customer_churn_rate", "customer_retention_rate", "new_customers"],
        period="2024-Q2",
    )
    rows = {r["metric"]: r for r in result.rows()}
    churn = rows["customer_churn_rate"]
    assert churn["components"] == {"customers_at_start": 3, "lost": 1, "basis": "recurring_mrr"}
    assert churn["value"] == pytest.approx(1 / 3)
    assert rows["customer_retention_rate"]["value"] == pytest.approx(2 / 3)
    assert rows["new_customers"]["value"] == 1  # c, first MRR in April (acquired)
    q3 = small.metrics(["new_customers", "net_customer_churn_rate"], period="2024-Q3").rows()
    # c returns in August: new at end of Q3 against start, but not acquired again
    assert q3[0]["value"] == 0
    assert q3[1]["components"]["new"] == 1


def test_acquired_by_a_won_deal_before_its_mrr_starts(tmp_path: Path) -> None:
    """metrics.md: the acquisition date is the first won deal's close date or the first month
    of MRR, whichever is earlier. Account e wins in February 2024 and its MRR starts only in
    February 2025 (f, without a deal, in April 2024): e is new in 2024-Q1 whatever the request's
    periods (ending before any MRR, before e's, or after it), and not again in 2025-Q1."""
    ws = init_workspace(tmp_path / "ws")
    insert(ws, "reps", [{"rep_id": "r1", "team": "East"}])
    insert(
        ws,
        "accounts",
        [{"account_id": a, "owner_id": "r1", "segment": "SMB"} for a in ("e", "f")],
    )
    insert(
        ws,
        "opportunities",
        [
            {
                "opportunity_id": "o1",
                "account_id": "e",
                "owner_id": "r1",
                "stage": "won",
                "status": "won",
                "close_date": D(2024, 2, 10),
                "amount": 1_000,
            }
        ],
    )
    insert(
        ws, "subscriptions", [sub("e1", "e", D(2025, 2, 1), 80), sub("f1", "f", D(2024, 4, 1), 50)]
    )

    def new(period: str, **options: Any) -> dict[str, Any]:
        rows = ws.metrics(["new_customers"], period=period, **options).rows()
        return {r["period"]: r["value"] for r in rows}

    assert new("2024-Q1") == {"2024-Q1": 1}  # the request ends before any month of MRR
    for period in ("2024", "2024-01-01..2025-06-30"):  # ending before e's MRR, and after it
        got = new(period, grain="quarter")
        assert got["2024-Q1"] == 1 and got["2024-Q2"] == 1, (period, got)
    assert new("2024-01-01..2025-06-30", grain="quarter")["2025-Q1"] == 0  # not again
    q1 = ws.metrics(["new_customers", "net_customer_churn_rate"], period="2025-Q1").rows()
    assert q1[1]["components"]["new"] == 1  # a customer (by MRR) at end, not at start
    by_team = ws.metrics(["new_customers"], period="2024-Q1", by=["team"]).rows()
    assert [(r["group"], r["value"]) for r in by_team] == [({"team": "East"}, 1)]
    ws.close()


def test_clv_and_payback_use_arpa(small: Workspace) -> None:
    insert(
        small,
        "costs",
        [{"cost_id": "m", "date": D(2024, 4, 2), "category": "marketing", "amount": 1_011}],
    )
    rows = {
        r["metric"]: r
        for r in small.metrics(
            ["cac_payback_months", "customer_lifetime_value"], period="2024-Q2"
        ).rows()
    }
    payback = rows["cac_payback_months"]
    assert (
        payback["components"]["arpa"] == 135 and payback["components"]["basis"] == "recurring_mrr"
    )
    assert payback["value"] == pytest.approx(1_011 / 135)
    assert rows["customer_lifetime_value"]["components"]["annual_revenue_per_customer"] == 1620


def test_recognized_revenue_by_plan(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    insert(
        ws,
        "invoice_lines",
        [
            {
                "line_id": "l1",
                "account_id": "a",
                "invoice_date": D(2024, 1, 1),
                "amount": 100,
                "service_start": D(2024, 1, 30),
                "service_end": D(2024, 2, 1),
                "plan": "pro",
            },
            {"line_id": "l2", "account_id": "b", "invoice_date": D(2024, 2, 5), "amount": 7},
        ],
    )
    rows = ws.metrics(["recognized_revenue"], period="2024-Q1", grain="month", by=["plan"])
    got = {(r["period"], r["group"]["plan"]): r["value"] for r in rows.rows()}
    assert got[("2024-01", "pro")] == 66.67 and got[("2024-02", "pro")] == 33.33
    assert got[("2024-02", None)] == 7
    # invoice lines alone are recurring data too: MRR from them
    mrr = ws.metrics(["mrr"], period="2024-01").rows()[0]
    assert mrr["components"]["identity_ok"] is True
    ws.close()


def test_recognized_revenue_keeps_the_lines_text_out_of_its_materialised_lines(
    tmp_path: Path,
) -> None:
    """A grouping without the plan materialises the lines without their text columns (but
    their line_id and account); the drill-down still traces each share to its line, with its
    plan and currency."""
    ws = init_workspace(tmp_path / "ws")
    insert(
        ws,
        "invoice_lines",
        [
            {
                "line_id": "l1",
                "account_id": "a",
                "invoice_date": D(2024, 1, 1),
                "amount": 100,
                "currency": "usd",
                "service_start": D(2024, 1, 30),
                "service_end": D(2024, 2, 1),
                "plan": "pro",
            },
            {"line_id": "l2", "account_id": "b", "invoice_date": D(2024, 2, 5), "amount": 7},
        ],
    )
    result = ws.metrics(["recognized_revenue"], period="2024-Q1", grain="month")
    built = [b for b in ws.derived.built if "recognized_lines" in b]
    assert built == ["derived recognized_lines"], built
    narrow = ws.derived.get("recognized_lines", lambda: pytest.fail("built again"))
    assert {"line_id", "account_id"} <= set(narrow.columns)
    assert not {"plan", "currency", "is_recurring"} & set(narrow.columns)
    rows = {r["period"]: r for r in result.rows()}
    assert rows["2024-01"]["value"] == 66.67 and rows["2024-02"]["value"] == 40.33
    february = ws.drill(rows["2024-02"]).to_pandas().sort_values("line_id")
    assert list(february.line_id) == ["l1", "l2"]
    assert list(february.plan.fillna("")) == ["pro", ""]
    assert list(february.currency.fillna("")) == ["usd", ""]
    assert [float(a) for a in february.amount] == [33.33, 7.0]
    assert "derived recognized_lines_detailed" in ws.derived.built
    ws.close()


def test_no_recurring_data_is_a_note(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    row = ws.metrics(["mrr"], period="2024").rows()[0]
    assert row["value"] is None
    assert "subscriptions or invoice_lines" in row["note"]
    ws.close()


# -- the small demo ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(
    demo_build: DemoBuild, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Workspace, int]]:
    """A copy of the small demo (MRR from its subscriptions) of this module's own, its cache
    untouched by other modules (a test counts the queries run), and its last full year."""
    ws = copy_demo(demo_build, tmp_path_factory.mktemp("recurring-demo") / "ws")
    assert ws.config.recurring_source == "subscriptions"  # what the demo sets
    yield ws, demo_build.year
    ws.close()


def _reference(ws: Workspace, year: int) -> dict[tuple[str, str], Decimal | float | None]:
    """The Done-when metrics per month of ``year`` from tests/recurring/reference.py."""
    base = ws.config.base_currency
    rates = ref.Rates(ws.table("fx_rates").to_pyarrow().to_pylist())
    source = ws.config.recurring_source
    table = ws.table(source).to_pyarrow().to_pylist()
    items = (
        ref.subscription_items(table, rates, base)
        if source == "subscriptions"
        else ref.line_items(table, rates, base)
    )
    months = ref.months_of(items, through=(year, 12))
    series = ref.month_mrr(items, months)
    moves = ref.movements(series, months)
    out: dict[tuple[str, str], Decimal | float | None] = {}
    for month in range(1, 13):
        label = f"{year}-{month:02d}"
        ym = (year, month)
        before = (year, month - 1) if month > 1 else (year - 1, 12)
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for (_, m), row in moves.items():
            if m == ym:
                for name in ref.MOVES:
                    totals[name] += row[name]
        out[("mrr", label)] = sum((s.get(ym, Decimal(0)) for s in series.values()), Decimal(0))
        for name in ref.MOVES:
            out[("mrr_" + name, label)] = totals[name]
        start = [s for s in series.values() if s.get(before, 0) > 0]
        mrr_start = sum((s[before] for s in start), Decimal(0))
        kept = sum((s.get(ym, Decimal(0)) for s in start), Decimal(0))
        out[("net_revenue_retention", label)] = float(kept / mrr_start) if mrr_start else None
    return out


def test_done_when_command_matches_the_reference_to_the_cent(
    demo: tuple[Workspace, int], capsys: pytest.CaptureFixture[str]
) -> None:
    ws, year = demo
    args = [f"--metric={m}" for m in DONE_WHEN]
    run_cli(["metrics", *args, "--period", str(year), "--grain", "month", "--format", "json",
          "--workspace", str(ws.root)])  # fmt: skip
    payload = json.loads(capsys.readouterr().out)
    got = {(r["metric"], r["period"]): r["value"] for r in payload["results"]}
    expected = _reference(ws, year)
    assert set(got) == set(expected)
    for key, want in expected.items():
        if key[0] == "net_revenue_retention":
            assert got[key] == pytest.approx(want, rel=1e-12), key
        else:
            assert cents(got[key]) == want, key
    assert {r["components"]["identity_ok"] for r in payload["results"] if r["metric"] == "mrr"} == {
        True
    }


@pytest.mark.parametrize("grain", GRAINS)
def test_identity_through_the_engine_at_every_grain_and_group(
    demo: tuple[Workspace, int], grain: str
) -> None:
    ws, year = demo
    for by in GROUPS:
        result = ws.metrics(["mrr"], from_period=f"{year - 1}-01", to_period=f"{year}-12",
                            grain=grain, by=list(by))  # fmt: skip
        rows = result.rows()
        assert rows and all(r["components"]["identity_ok"] for r in rows), (grain, by)
        frame = pd.DataFrame([r["components"] for r in rows])
        assert check_identity(frame) == len(rows)
        # the groups add up to the company (MRR; per plan a plan change moves between plans)
        if by:
            company = ws.metrics(["mrr"], from_period=f"{year - 1}-01", to_period=f"{year}-12",
                                 grain=grain)  # fmt: skip
            want = {r["period"]: cents(r["value"]) for r in company.rows()}
            sums: dict[str, Decimal] = defaultdict(Decimal)
            for r in rows:
                sums[r["period"]] += cents(r["value"])
            assert sums == want, by


def test_demo_customer_basis_and_queries(demo: tuple[Workspace, int]) -> None:
    ws, year = demo
    result = ws.metrics(
        ["mrr", "arr", "quick_ratio", "net_revenue_retention", "customer_churn_rate"],
        period=str(year),
        grain="quarter",
    )
    # besides the whole-history tables materialised once per data version and those of the
    # periods, once per spine (salesmetrics.derived); the recurring cube's periods may have
    # been computed by an earlier test on the same workspace (kept per period)
    queries = [q for q in result.queries if not q.startswith(("derived ", "periods "))]
    assert sorted(queries) in (["customers", "inventory"], ["customers", "inventory", "recurring"])
    churn = [r for r in result.rows() if r["metric"] == "customer_churn_rate"]
    assert {r["components"]["basis"] for r in churn} == {"recurring_mrr"}
    mrr = {r["period"]: r for r in result.rows() if r["metric"] == "mrr"}
    for r in churn:
        # the customers at start of the churn metric are the MRR waterfall's
        assert (
            r["components"]["customers_at_start"]
            == mrr[r["period"]]["components"]["customers_at_start"]
        )


def test_waterfall_command_renders_a_table(
    demo: tuple[Workspace, int], capsys: pytest.CaptureFixture[str]
) -> None:
    ws, year = demo
    run_cli(["waterfall", "--period", str(year), "--workspace", str(ws.root)])
    text = capsys.readouterr().out
    # the movements as rows, the months as columns (in parts at this width)
    assert "MRR waterfall" in text and "+ New" in text and "− Churn" in text
    assert f"Dec {year}" in text and "✓" in text and "✗" not in text
