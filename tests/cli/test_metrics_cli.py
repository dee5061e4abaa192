"""``salesmetrics metrics`` and ``salesmetrics glossary`` through the command line."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from salesmetrics import init_workspace
from salesmetrics.cli import main
from salesmetrics.metrics.registry import REGISTRY
from tests.metrics.builder import insert
from tests.metrics.randomized import build

D = dt.date


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the CLI; returns (exit status, stdout, stderr)."""
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("cli") / "ws"
    ws = init_workspace(root)
    build(ws)
    ws.close()
    return str(root)


def test_json_follows_the_contract(company: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        [
            "metrics",
            "--metric",
            "win_rate",
            "--metric",
            "total_revenue",
            "--period",
            "2024",
            "--grain",
            "quarter",
            "--by",
            "team",
            "--format",
            "json",
            "-w",
            company,
        ],
        capsys,
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["base_currency"] == "USD"
    first = data["results"][0]
    assert list(first)[:9] == [
        "metric",
        "period",
        "start",
        "end",
        "group",
        "value",
        "unit",
        "components",
        "note",
    ]
    assert first["metric"] == "win_rate" and first["period"] == "2024-Q1"
    assert first["start"] == "2024-01-01" and first["end"] == "2024-04-01"
    assert set(first["group"]) == {"team"} and set(first["components"]) == {"won", "lost"}
    assert {r["metric"] for r in data["results"]} == {"win_rate", "total_revenue"}
    assert "NaN" not in out and "Infinity" not in out


def test_every_metric_by_team_as_json(company: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        [
            "metrics",
            "--period",
            "2024",
            "--grain",
            "quarter",
            "--by",
            "team",
            "--format",
            "json",
            "-w",
            company,
        ],
        capsys,
    )
    assert code == 0
    results = json.loads(out)["results"]
    # the company has no recurring revenue and no forecasts: those metrics are skipped
    assert {r["metric"] for r in results} == {
        m.id
        for m in REGISTRY.values()
        if "subscriptions|invoice_lines" not in m.tables and "forecasts" not in m.tables
    } - {"recognized_revenue"}
    assert {r["period"] for r in results} == {f"2024-Q{q}" for q in range(1, 5)}


def test_dashboard_table(company: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["metrics", "--period", "2024", "--grain", "quarter", "-w", company], capsys)
    assert code == 0
    dashboard = out.split("\nRevenue\n")[0]
    assert "Dashboard (USD)" in dashboard
    for name in (
        "Lead conversion",
        "Average deal size",
        "Win rate",
        "Share of reps at quota",
        "Revenue growth",
        "Pipeline coverage",
        "Customer retention",
    ):
        assert name in dashboard
    assert "not available yet" not in out
    assert "2024-Q4" in out and "✓ on track" in out


def test_csv(company: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        [
            "metrics",
            "-m",
            "win_rate",
            "-p",
            "2024-Q2",
            "--by",
            "team",
            "--compare",
            "year",
            "--format",
            "csv",
            "-w",
            company,
        ],
        capsys,
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and set(rows[0]) >= {
        "metric",
        "period",
        "team",
        "value",
        "components",
        "compare_period",
        "change",
    }
    assert rows[0]["compare_period"] == "2023-Q2"
    assert json.loads(rows[0]["components"])["won"] >= 0


def test_csv_neutralises_formulas(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = init_workspace(tmp_path / "ws")
    insert(ws, "reps", [{"rep_id": "r", "team": '=HYPERLINK("x")'}])
    insert(
        ws,
        "opportunities",
        [
            {
                "opportunity_id": "o",
                "stage": "won",
                "status": "won",
                "close_date": D(2024, 5, 1),
                "amount": 5,
                "owner_id": "r",
            }
        ],
    )
    ws.close()
    code, out, _ = run(
        [
            "metrics",
            "-m",
            "total_revenue",
            "-p",
            "2024",
            "--by",
            "team",
            "--format",
            "csv",
            "-w",
            str(tmp_path / "ws"),
        ],
        capsys,
    )
    assert code == 0 and "'=HYPERLINK" in out


def test_from_to_and_compare(company: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        [
            "metrics",
            "-m",
            "total_revenue",
            "--from",
            "2024-01",
            "--to",
            "2024-03",
            "--compare",
            "previous",
            "--format",
            "json",
            "-w",
            company,
        ],
        capsys,
    )
    assert code == 0
    results = json.loads(out)["results"]
    assert [r["period"] for r in results] == ["2024-01", "2024-02", "2024-03"]
    assert results[0]["compare_period"] == "2023-12"


def test_drill_json(company: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        [
            "metrics",
            "-m",
            "win_rate",
            "-m",
            "enps",
            "-p",
            "2024-Q2",
            "--by",
            "team",
            "--drill",
            "--format",
            "json",
            "-w",
            company,
        ],
        capsys,
    )
    assert code == 0, err
    results = json.loads(out)["results"]
    win = next(r for r in results if r["metric"] == "win_rate" and r["value"] is not None)
    statuses = [d["status"] for d in win["rows"]]
    assert statuses.count("won") == win["components"]["won"]
    assert statuses.count("lost") == win["components"]["lost"]
    assert all(d["team"] == win["group"]["team"] for d in win["rows"])
    assert all(r["rows"] is None for r in results if r["metric"] == "enps")


def test_drill_table(company: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["metrics", "-m", "quota_attainment_rate", "-p", "2024-Q2", "--drill", "-w", company],
        capsys,
    )
    assert code == 0 and "rep_id" in out and "reached" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-m", "win_rte", "-p", "2024"], "did you mean 'win_rate'"),
        (["-p", "2024-Q5"], "bad period '2024-Q5'"),
        (["-p", ""], "bad period '': empty"),  # not "all"
        (["-p", " "], "bad period ' ': empty"),
        (["-p", "", "--from", "2024-01", "--to", "2024-02"], "not both"),
        (["-p", "2024", "--from", "2024-01", "--to", "2024-02"], "not both"),
        (["--from", "2024-01"], "--from and --to go together"),
        (["-m", "win_rate", "-p", "2024", "--basis", "win_rate=x"], "unknown basis"),
    ],
)
def test_user_errors_exit_1_with_one_line(
    company: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = run(["metrics", *args, "-w", company], capsys)
    assert code == 1
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err


@pytest.mark.parametrize(
    "args",
    [
        ["--by", "teams"],
        ["--grain", "day"],
        ["--format", "xml"],
        ["--compare", "last"],
        ["--basis", "nonsense"],
    ],
)
def test_usage_errors_exit_2(
    company: str, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, _, _ = run(["metrics", *args, "-w", company], capsys)
    assert code == 2


def test_missing_rate_is_a_user_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = init_workspace(tmp_path / "ws")
    insert(
        ws,
        "opportunities",
        [
            {
                "opportunity_id": "o",
                "stage": "won",
                "status": "won",
                "close_date": D(2024, 5, 1),
                "amount": 5,
                "currency": "EUR",
            }
        ],
    )
    ws.close()
    code, _, err = run(["metrics", "-p", "2024", "-w", str(tmp_path / "ws")], capsys)
    assert code == 1 and "EUR on 2024-05-01" in err and "Traceback" not in err


def test_glossary(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["glossary"], capsys)
    assert code == 0 and all(m in out for m in REGISTRY)
    code, out, _ = run(["glossary", "win_rate", "--lang", "id"], capsys)
    assert code == 0 and "Tingkat kemenangan" in out and "Rumus" in out
    code, out, _ = run(["glossary", "ltv_to_cac"], capsys)
    assert code == 0 and "≥ 3.00" in out and "Owner: finance" in out
    code, _, err = run(["glossary", "win_rte"], capsys)
    assert code == 1 and "did you mean 'win_rate'" in err
    code, _, _ = run(["glossary", "--lang", "fr"], capsys)
    assert code == 2


def test_running_out_of_the_memory_limit_is_one_line_saying_what_to_raise(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = init_workspace(tmp_path / "ws")
    # far more rows than a 1 MB engine can aggregate
    with ws.writing() as backend:
        backend.con.execute(
            "INSERT INTO leads (lead_id, created_at) SELECT 'l' || i, TIMESTAMP '2025-01-01'"
            " + to_seconds(i) FROM range(2000000) t(i)"
        )
    ws.close()
    config = tmp_path / "ws" / "salesmetrics.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('memory_limit = "2GB"', 'memory_limit = "1MB"'), "utf-8")
    code, _, err = run(
        ["metrics", "-m", "lead_conversion_rate", "--period", "2025", "-w", str(tmp_path / "ws")],
        capsys,
    )
    assert code == 1
    assert err.startswith("error: the embedded engine ran out of memory (Out of Memory Error")
    assert "raise memory_limit in salesmetrics.toml" in err
    assert len(err.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def retail(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A workspace on the NRF 4-5-4 calendar, set in its salesmetrics.toml."""
    root = tmp_path_factory.mktemp("cli") / "retail"
    ws = init_workspace(root)
    won = [(D(2024, 2, 3), 10), (D(2024, 2, 4), 20), (D(2024, 3, 2), 30), (D(2024, 3, 3), 40)]
    deals = [
        {"opportunity_id": f"o{i}", "stage": "won", "status": "won", "close_date": d, "amount": a}
        for i, (d, a) in enumerate(won)
    ]
    insert(ws, "opportunities", deals)
    ws.close()
    toml = root / "salesmetrics.toml"
    text = toml.read_text(encoding="utf-8")
    for old, new in [
        ('fiscal_calendar = "months"\n', 'fiscal_calendar = "4-5-4"\n'),
        ("fiscal_year_start_month = 1\n", "fiscal_year_start_month = 2\n"),
    ]:
        assert old in text
        text = text.replace(old, new)
    toml.write_text(text, encoding="utf-8")
    return str(root)


def test_week_calendar_periods(retail: str, capsys: pytest.CaptureFixture[str]) -> None:
    # NRF 2024 (FY2025 here) starts on 2024-02-04; its February is 4 weeks, March 5.
    code, out, err = run(
        [
            "metrics",
            "-m",
            "total_revenue",
            "-p",
            "fy2025-q1",
            "-g",
            "month",
            "--compare",
            "previous",
            "--format",
            "json",
            "-w",
            retail,
        ],
        capsys,
    )
    assert code == 0, err
    results = json.loads(out)["results"]
    assert [(r["period"], r["start"], r["end"], r["value"]) for r in results] == [
        ("FY2025-M01", "2024-02-04", "2024-03-03", 50),
        ("FY2025-M02", "2024-03-03", "2024-04-07", 40),
        ("FY2025-M03", "2024-04-07", "2024-05-05", 0),
    ]
    assert results[0]["compare_period"] == "FY2024-M12" and results[0]["compare_value"] == 10
    code, out, _ = run(
        ["metrics", "-m", "total_revenue", "-p", "FY2024-W53", "--format", "json", "-w", retail],
        capsys,
    )
    week = json.loads(out)["results"][0]
    assert (code, week["start"], week["end"], week["value"]) == (0, "2024-01-28", "2024-02-04", 10)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "FY2025-M13"], "fiscal month must be 01-12"),
        (["-p", "FY2025-W53"], "FY2025 has fiscal weeks 01-52"),
    ],
)
def test_bad_week_calendar_periods_exit_1(
    retail: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = run(["metrics", "-m", "total_revenue", *args, "-w", retail], capsys)
    assert code == 1 and err.count("\n") == 1 and message in err


def test_fiscal_months_need_a_week_calendar(
    company: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        ["metrics", "-m", "total_revenue", "-p", "FY2025-M03", "-w", company], capsys
    )
    assert code == 1 and err.count("\n") == 1 and "need a week-based fiscal calendar" in err


def test_every_view_hides_a_complementary_survey_group(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "ws"
    ws = init_workspace(root)
    answers = [("East", i) for i in range(3)] + [("West", i) for i in range(10)]
    insert(
        ws,
        "survey_responses",
        [
            {
                "response_id": f"r{k}",
                "survey_id": "s",
                "submitted_at": dt.datetime(2024, 5, 1, 9),
                "question_id": "enps",
                "score": (k * 3) % 11,
                "respondent_id": f"{team}{i}",
                "team": team,
            }
            for k, (team, i) in enumerate(answers)
        ],
    )
    ws.close()
    base = ["metrics", "-m", "enps", "-p", "2024-Q2", "--by", "team", "-w", str(root)]
    code, out, _ = run([*base, "--format", "json"], capsys)
    assert code == 0
    results = json.loads(out)["results"]
    # West (10) would give East (3) as the company's 13 minus West: both are hidden.
    assert [r["components"] for r in results] == [{"min_survey_group": 5}] * 2
    assert all(r["value"] is None and "anonymous" in r["note"] for r in results)
    code, out, _ = run([*base, "--format", "csv"], capsys)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [json.loads(r["components"]) for r in rows] == [{"min_survey_group": 5}] * 2
    code, out, _ = run(base, capsys)
    assert code == 0 and "anonymous" in out
    code, out, _ = run(
        ["metrics", "-m", "enps", "-p", "2024-Q2", "--format", "json", "-w", str(root)], capsys
    )
    assert json.loads(out)["results"][0]["components"]["respondents"] == 13


@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Deals won from 2023-03-05 to 2025-02-14, and one open deal expected in 2026."""
    root = tmp_path_factory.mktemp("dated") / "ws"
    ws = init_workspace(root)
    deals = [(D(2023, 3, 5), "won"), (D(2024, 6, 1), "won"), (D(2025, 2, 14), "won")]
    deals.append((D(2026, 9, 30), "open"))
    insert(
        ws,
        "opportunities",
        [
            {
                "opportunity_id": f"o{i}",
                "stage": status,
                "status": status,
                "close_date": close,
                "amount": 1000 * (i + 1),
                "created_at": dt.datetime(2023, 3, 5, 9),
            }
            for i, (close, status) in enumerate(deals)
        ],
    )
    ws.close()
    return str(root)


def test_all_labels_clipped_edges_and_stops_at_the_data(
    dated: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["metrics", "-m", "total_revenue", "-p", "all", "--grain", "year", "-w", dated]
    code, out, _ = run([*args, "--compare", "previous", "--format", "json"], capsys)
    assert code == 0
    results = json.loads(out)["results"]
    assert [(r["period"], r["start"], r["end"]) for r in results] == [
        ("2023 (from 2023-03-05)", "2023-03-05", "2024-01-01"),
        ("2024", "2024-01-01", "2025-01-01"),
        ("2025 (to 2025-02-14)", "2025-01-01", "2025-02-15"),
    ]
    assert [r["compare_period"] for r in results] == ["2022", "2023", "2024"]
    assert [r["value"] for r in results] == [1000, 2000, 3000]
    code, out, _ = run(args, capsys)
    assert code == 0 and "2023 (from 2023-03-05)" in out and "2026" not in out


def test_a_period_after_the_data_says_where_the_data_ends(
    dated: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["metrics", "-m", "total_revenue", "-m", "win_rate", "--from", "2025-Q1", "--to"]
    args += ["2025-Q2", "-w", dated]
    code, out, _ = run([*args, "--format", "json"], capsys)
    assert code == 0
    notes = {(r["metric"], r["period"]): r["note"] for r in json.loads(out)["results"]}
    # the data end within 2025-Q1: the period in progress
    assert notes["total_revenue", "2025-Q1"] == "in progress: the data ends on 2025-02-14"
    assert notes["total_revenue", "2025-Q2"] == (
        "no deals won in 2025-Q2; the data ends on 2025-02-14"
    )
    assert notes["win_rate", "2025-Q2"] == "no closed deals in 2025-Q2; the data ends on 2025-02-14"
    code, out, _ = run(args, capsys)
    assert code == 0
    # the table says it once per period, and the rows' own notes without it
    assert out.count("the data ends on 2025-02-14") == 2
    assert "2025-Q1: in progress: the data ends on 2025-02-14" in out
    assert "2025-Q2: the data ends on 2025-02-14" in out
    assert "total_revenue 2025-Q2: no deals won in 2025-Q2\n" in out


def test_a_bad_forecast_setting_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "ws"
    init_workspace(root).close()
    toml = root / "salesmetrics.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            'forecast_category = "most_likely"', 'forecast_category = "likely"'
        ),
        encoding="utf-8",
    )
    code, _, err = run(["metrics", "-m", "forecast_bias", "-p", "2024", "-w", str(root)], capsys)
    assert code == 1 and err.count("\n") == 1
    assert "key 'forecast_category' = 'likely': must be one of most_likely, commit" in err
    assert "did you mean 'most_likely'?" in err


def test_a_full_disk_during_metrics_is_the_users_error_with_its_cause(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB reports a temp folder it cannot spill into as "out of memory": the truth is a full
    disk, and the advice is to free space (simulated: no small disk in CI)."""
    import duckdb

    from salesmetrics.metrics import engine

    deals = tmp_path / "deals.csv"
    deals.write_text("opportunity_id,stage,amount,close_date\no1,Won,10,2025-03-01\n", "utf-8")
    with init_workspace(tmp_path / "ws") as ws:
        ws.import_file("opportunities", deals)

    def full(*args: object, **kwargs: object) -> None:
        raise duckdb.OutOfMemoryException(
            "Out of Memory Error: failed to offload data block of size 256.0 KiB: could not"
            ' write file "workspace.duckdb.tmp/duckdb_temp_storage-0.tmp": No space left on'
            " device\n\nPossible solutions: ..."
        )

    monkeypatch.setattr(engine, "_run_family", full)
    code, _, err = run(
        ["metrics", "-m", "win_rate", "--period", "2025", "-w", str(tmp_path / "ws")], capsys
    )
    assert code == 1
    assert err.startswith("error: no space left on the device; free some space")
    assert "internal error" not in err and "raise memory_limit" not in err
    assert len(err.strip().splitlines()) == 1
