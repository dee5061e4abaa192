"""``--where``/``--segment`` on the commands, and ``salesmetrics cohorts``, on the small demo."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from salesmetrics import open_workspace
from salesmetrics.workspace import Workspace
from tests.cli.test_metrics_cli import run


@pytest.fixture
def demo(demo_copy: Workspace) -> str:
    root = demo_copy.root
    demo_copy.close()
    toml = Path(root) / "salesmetrics.toml"
    text = toml.read_text(encoding="utf-8")
    assert "\n[segments]\n" in text  # the rendered file lists the (empty) table
    segment = '[segments]\nemea_smb = { region = "EMEA", segment = "SMB" }\n'
    toml.write_text(text.replace("[segments]\n", segment), encoding="utf-8")
    return str(root)


def _json(args: list[str], capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    code, out, err = run([*args, "--format", "json"], capsys)
    assert code == 0, err
    rows: list[dict[str, object]] = json.loads(out)["results"]
    return rows


def test_where_and_segment_on_metrics(demo: str, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["metrics", "-m", "win_rate", "-m", "total_revenue", "-p", "2025", "-w", demo]
    grouped = _json([*base, "--by", "region", "--by", "segment"], capsys)
    where = _json([*base, "--where", "region=EMEA", "--where", "segment=SMB"], capsys)
    saved = _json([*base, "--segment", "emea_smb"], capsys)
    mine = [r for r in grouped if r["group"] == {"region": "EMEA", "segment": "SMB"}]
    assert where == saved == mine and len(mine) == 2
    # the table shows the filtered group
    code, out, _ = run([*base, "--segment", "emea_smb"], capsys)
    assert code == 0 and "EMEA" in out and "SMB" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--where", "region=EMAE"], "error: filter region='EMAE': no such region in the data"),
        (["--where", "regin=EMEA"], "error: unknown group dimension 'regin'"),
        (["--where", "region"], "error: bad filter 'region': use DIM=VALUE"),
        (["--segment", "emea"], "error: no segment 'emea' in salesmetrics.toml"),
        (["--segment", "emea_smb", "--where", "region=APAC"], "has region=EMEA"),
    ],
)
def test_bad_filters_exit_1_with_one_line(
    demo: str, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["metrics", "-m", "win_rate", "-p", "2025", "-w", demo, *args], capsys)
    assert code == 1 and message in err and err.count("\n") == 1 and not out


def test_where_on_waterfall_pipeline_forecast_and_drill(
    demo: str, capsys: pytest.CaptureFixture[str]
) -> None:
    waterfall = _json(["waterfall", "-p", "2025-Q4", "--where", "segment=SMB", "-w", demo], capsys)
    grouped = _json(["waterfall", "-p", "2025-Q4", "--by", "segment", "-w", demo], capsys)
    assert waterfall == [r for r in grouped if r["group"] == {"segment": "SMB"}]
    code, out, _ = run(
        ["pipeline", "--as-of", "2025-07-01", "--where", "region=EMEA", "-w", demo], capsys
    )
    with open_workspace(demo) as ws:
        frame = ws.pipeline(as_of=dt.date(2025, 7, 1), by="region")
        teams = ws.metrics(["win_rate"], period="2025", by="team").rows()
        team = next(r["group"]["team"] for r in teams if r["group"]["team"])
    emea = frame[frame["region"] == "EMEA"]
    assert code == 0 and f"total: {int(emea['deals'].sum())} deals" in out
    code, out, _ = run(["forecast", "-p", "2025-Q4", "--where", f"team={team}", "-w", demo], capsys)
    assert code == 0 and "team" in out and team.split()[0] in out
    code, _, err = run(["forecast", "-p", "2025-Q4", "--where", "region=EMEA", "-w", demo], capsys)
    assert code == 1 and "filter by one team or one rep" in err
    drill = ["metrics", "-m", "total_revenue", "-p", "2025-Q4", "--where", "region=EMEA"]
    code, out, _ = run([*drill, "--drill", "--format", "json", "-w", demo], capsys)
    assert code == 0
    deals = json.loads(out)
    text = json.dumps(deals)
    assert "EMEA" in text and "North America" not in text


def test_cohorts_command_prints_the_triangle(demo: str, capsys: pytest.CaptureFixture[str]) -> None:
    with open_workspace(demo) as ws:
        monthly = ws.cohorts()
        quarterly = ws.cohorts(grain="quarter")
    code, out, err = run(["cohorts", "-p", "2025", "--ages", "4", "-w", demo], capsys)
    assert code == 0, err
    rows = [line for line in out.splitlines() if line.startswith("│")]
    lines = {line.split("│")[1].strip(): line for line in rows}
    assert len(lines) == 12 and "Jan 2025" in lines and "Dec 2025" in lines
    first = monthly[monthly["cohort"].astype(str).str.startswith("2025-01")].sort_values("age")
    cells = [c.strip() for c in lines["Jan 2025"].split("│")[2:-1]]
    assert cells[0] == str(int(first["customers"].iloc[0]))
    assert cells[1:] == [f"{v:.1%}" for v in first["logo_retention"].iloc[:4]]
    code, out, _ = run(
        ["cohorts", "--by", "acquisition-quarter", "--measure", "mrr", "-p", "2025", "-w", demo],
        capsys,
    )
    assert code == 0 and "Q1 2025" in out
    q1 = quarterly[quarterly["cohort"].astype(str).str.startswith("2025-01")].sort_values("age")
    row = next(line for line in out.splitlines() if line.startswith("│Q1 2025"))
    assert [c.strip() for c in row.split("│")[3:-1]][: len(q1)] == [
        f"{v:.1%}" for v in q1["mrr_retention"]
    ]
    code, out, _ = run(["cohorts", "-p", "2025", "--format", "csv", "-w", demo], capsys)
    assert code == 0 and out.startswith("cohort,age,customers,retained,logo_retention")
    code, _, err = run(["cohorts", "-p", "2030", "-w", demo], capsys)
    assert code == 1 and "no customers were acquired in 2030" in err


def test_quarterly_cohorts_against_the_monthly_triangle(shared_demo: Workspace) -> None:
    """A quarterly cohort is its three monthly cohorts, seen at each quarter's last month."""
    monthly = shared_demo.cohorts()
    quarterly = shared_demo.cohorts(grain="quarter")
    months = monthly[monthly["cohort"].astype(str).str[:7].isin(["2024-04", "2024-05", "2024-06"])]
    q = quarterly[quarterly["cohort"].astype(str).str.startswith("2024-04")].set_index("age")
    sizes = months[months["age"] == 0]
    assert q["customers"].iloc[0] == sizes["customers"].sum()
    # at quarter age 1 (the end of 2024-Q3, 2024-09): ages 5, 4 and 3 of the monthly cohorts
    at_end = [(m, 5 - i) for i, m in enumerate(["2024-04", "2024-05", "2024-06"])]
    retained = sum(
        int(
            months[(months["cohort"].astype(str).str[:7] == m) & (months["age"] == a)][
                "retained"
            ].iloc[0]
        )
        for m, a in at_end
    )
    assert q.loc[1, "retained"] == retained
    assert q.loc[1, "logo_retention"] == pytest.approx(retained / sizes["customers"].sum())


def test_a_rep_is_filtered_by_name_and_shown_by_name(
    demo: str, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["metrics", "-m", "win_rate", "-p", "2025", "-w", demo, "--by", "team"]
    selling = _json([*base[:-2], "--by", "rep"], capsys)
    rep_id = next(str(r["group"]["rep"]) for r in selling if r["value"] is not None)  # type: ignore[index]
    with open_workspace(demo) as ws:
        name = ws.names("rep")[rep_id]
    by_id = _json([*base, "--where", f"rep={rep_id}"], capsys)
    by_name = _json([*base, "--where", f"rep={name.upper()}"], capsys)
    assert by_id == by_name and by_id and all(r["group"]["rep"] == rep_id for r in by_id)
    code, out, _ = run([*base, "--where", f"rep={name}"], capsys)
    assert code == 0 and name in out and rep_id not in out


def test_a_filtered_group_without_data_says_so(
    demo: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["metrics", "-m", "win_rate", "-p", "1999", "-w", demo, "--by", "region"]
    rows = _json([*args, "--where", "region=EMEA"], capsys)
    assert rows and all(r["value"] is None and "no data for region=EMEA" in r["note"] for r in rows)


def test_the_backtest_of_one_team_is_its_rows_of_the_backtest_by_team(demo: str) -> None:
    from salesmetrics.metrics import forecasting as fc

    with open_workspace(demo) as ws:
        rows, _ = fc.backtest(ws, "2025-Q1", "2025-Q4", "team")
        team = str(rows["group"].dropna().iloc[0])
        mine, summary = fc.backtest(ws, "2025-Q1", "2025-Q4", "team", group=team)
    expected = rows[rows["group"] == team].reset_index(drop=True)
    assert len(mine) == len(expected) > 0 and set(mine["group"]) == {team}
    assert mine["amount"].tolist() == expected["amount"].tolist()
    assert summary["periods"].max() == 4


@pytest.mark.parametrize("width", (80, 120))
def test_cohorts_fit_in_parts_and_speak_indonesian(
    demo: str, width: int, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from salesmetrics.cli import options as cli_options

    monkeypatch.setattr(cli_options.out, "_width", width)
    code, out, err = run(["cohorts", "-p", "2025", "--lang", "id", "-w", demo], capsys)
    assert code == 0, err
    assert "…" not in out and all(len(line) <= width for line in out.splitlines() if "│" in line)
    headers = {
        c.strip() for line in out.splitlines() if line.startswith("┃") for c in line.split("┃")
    }
    assert {str(a) for a in range(12)} <= headers and "kohort" in headers
    assert "Mei 2025" in out and "100,0%" in out  # Indonesian months and decimal comma
