"""The terminal views (issue 23 items 1-3, 7, 8; issue 24 item 4): tables that fit 80, 120 and
200 columns with nothing cut, names not ids, one format per unit, --lang, exit codes, and text
from files shown escaped.

The expected labels, names and numbers come from the registry and from the workspace's tables
read directly (pandas), and numbers are formatted here with Python's own format specs, not the
product's formatters.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from rich.text import Text

from salesmetrics import Workspace, init_workspace
from salesmetrics.cli import main
from salesmetrics.cli import options as cli_options
from salesmetrics.cli import tables as view
from salesmetrics.cli.safe import json_printable, printable
from salesmetrics.metrics.registry import REGISTRY
from tests.metrics.builder import insert

WIDTHS = (80, 120, 200)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the CLI; returns (exit status, stdout, stderr)."""
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def console(width: int) -> Console:
    """A recording console of ``width`` columns, writing nowhere else."""
    return Console(width=width, record=True, file=io.StringIO(), color_system=None)


def assert_fits(text: str, width: int) -> None:
    """Nothing cut (no ellipsis) and no line wider than the console."""
    assert "…" not in text
    too_wide = [line for line in text.splitlines() if len(line) > width]
    assert not too_wide, too_wide[:3]


def rep_names(ws: Workspace) -> dict[str, str]:
    """rep_id → name, read from the reps table (the reference for the name lookup)."""
    reps = ws.table("reps").to_pandas()
    return dict(zip(reps["rep_id"], reps["name"], strict=True))


def money(value: float) -> str:
    return f"${value:,.2f}" if value >= 0 else f"-${-value:,.2f}"


@pytest.fixture(autouse=True)
def _wide_out(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The CLI's stdout console at 120 columns unless a test says otherwise."""
    monkeypatch.setattr(cli_options.out, "_width", 120)
    yield


# -- tables that fit ---------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_twelve_months_by_team_fit_with_every_label_and_number(
    shared_demo: Workspace, width: int
) -> None:
    result = shared_demo.metrics(
        ["mrr", "win_rate", "customer_churn_rate"], period="2025", grain="month", by=["team"]
    )
    screen = console(width)
    style = view.make_style("en", result.base_currency, view.names_for(shared_demo, result.by))
    view.print_tables(result, screen, explicit=True, style=style)
    text = screen.export_text()
    assert_fits(text, width)
    for metric in ("mrr", "win_rate", "customer_churn_rate"):
        assert REGISTRY[metric].name.en in text
    for row in result.rows():
        team = row["group"]["team"]
        assert (team if team is not None else "(none)") in text
        if row["value"] is None:
            continue
        if row["unit"] == "money":
            assert money(row["value"]) in text
        elif row["unit"] == "ratio":
            assert f"{row['value'] * 100:.1f}%" in text
    # every month is shown, under its name
    for month in ("Jan 2025", "Jun 2025", "Dec 2025"):
        assert month in text
    if width >= 200:
        assert "part 3 of" not in text  # at 200 columns the year takes two parts at most


def test_a_twelve_month_table_by_team_reads_at_120_in_few_parts(shared_demo: Workspace) -> None:
    result = shared_demo.metrics(["mrr"], period="2025", grain="month", by=["team"])
    screen = console(120)
    view.print_tables(result, screen, explicit=True)
    text = screen.export_text()
    parts = re.findall(r"part \d+ of (\d+)", text)
    assert parts and int(parts[0]) <= 2  # six months side by side, the team names repeated


@pytest.mark.parametrize("width", WIDTHS)
def test_dashboard_fits(shared_demo: Workspace, width: int) -> None:
    result = shared_demo.metrics(None, period="2025", grain="quarter")
    screen = console(width)
    view.print_tables(result, screen, explicit=False)
    text = screen.export_text()
    assert_fits(text, width)
    for metric in dict.fromkeys(r["metric"] for r in result.rows()):
        assert REGISTRY[metric].name.en in text, metric


def test_labels_that_do_not_fit_beside_a_period_get_a_table_each() -> None:
    """A metric label and a long group beside one period wider than the console: each metric
    is a table of its own, titled by its full name; still nothing cut."""
    rows = [
        {
            "metric": "win_rate",
            "period": "2025-01",
            "start": "2025-01-01",
            "end": "2025-02-01",
            "group": {"team": "A team whose name is long enough to need a line of its own"},
            "value": 0.25,
            "unit": "ratio",
            "components": {},
            "note": None,
            "target": None,
            "status": None,
        }
    ]
    result = _Answer(rows, by=("team",))
    screen = console(80)
    view.print_tables(result, screen, explicit=True)
    text = screen.export_text()
    assert_fits(text, 80)
    assert re.search(r"^Win rate *$", text, re.M)  # the title of its own table
    assert "A team whose name is long enough to need a line of its own" in text


class _Answer:
    """A hand-made result (the fields the views read)."""

    def __init__(self, rows: list[dict[str, object]], by: tuple[str, ...] = ()) -> None:
        self._rows = rows
        self.by = by
        self.compare = None
        self.period_notes: dict[str, str] = {}
        self.base_currency = "USD"

    def rows(self) -> list[dict[str, object]]:
        return self._rows


@pytest.mark.parametrize("width", WIDTHS)
def test_waterfall_fits_every_width(shared_demo: Workspace, width: int) -> None:
    result = shared_demo.metrics(["mrr"], period="2025-Q1", grain="month")
    screen = console(width)
    for part in view.waterfall_tables(result, view.make_style("en", "USD"), width):
        screen.print(part)
    text = screen.export_text()
    assert_fits(text, width)
    for row in result.rows():
        end = row["components"]["mrr_end"]
        assert f"${round(end):,}" in text
    for word in ("MRR at start", "+ New", "− Churn", "MRR at end"):
        assert word in text


def test_waterfall_whole_money_keeps_every_digit() -> None:
    """$3,009,867: the zeros inside a number are not taken for cents."""
    style = view.make_style("en", "USD")
    assert view._whole_money(3_009_867.4, style.fmt) == "$3,009,867"
    assert view._whole_money(1_000_000, style.fmt) == "$1,000,000"
    assert view._whole_money(2_000_500, view.make_style("id", "IDR").fmt) == "Rp2.000.500"


# -- names, not ids ----------------------------------------------------------------------------


def test_by_rep_shows_names_and_json_keeps_ids(
    shared_demo: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = str(shared_demo.root)
    names = rep_names(shared_demo)
    code, out, err = run(
        ["metrics", "-m", "win_rate", "-p", "2025", "--by", "rep", "-w", ws], capsys
    )
    assert code == 0, err
    shown = [name for name in names.values() if name in out]
    assert len(shown) >= 5
    assert not re.search(r"\bR-\d{5}\b", out)  # no rep id in the table
    code, out, _ = run(
        ["metrics", "-m", "win_rate", "-p", "2025", "--by", "rep", "-f", "json", "-w", ws], capsys
    )
    assert code == 0 and re.search(r'"rep": "R-\d{5}"', out)


def test_drill_shows_owner_names_and_reading_columns(
    shared_demo: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    names = rep_names(shared_demo)
    code, out, err = run(
        ["metrics", "-m", "win_rate", "-p", "2025-03", "--drill", "-w", str(shared_demo.root)],
        capsys,
    )
    assert code == 0, err
    assert_fits(out, 120)
    assert "opportunity_id" in out and "owner" in out and "stage" in out
    assert sum(name in out for name in names.values()) >= 3
    assert "owner_id" not in out.split("--format csv or json also gives:")[0]
    # amounts in the base currency to the cent, the rest named for csv/json
    assert re.search(r"\$\d{1,3}(,\d{3})*\.\d{2}", out)
    assert "--format csv or json also gives:" in out


def test_names_shared_by_two_ids_stay_apart(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    insert(
        ws,
        "reps",
        [
            {"rep_id": "R1", "name": "Ayu Lestari"},
            {"rep_id": "R2", "name": "Ayu Lestari"},
            {"rep_id": "R3", "name": "Budi"},
            {"rep_id": "R4", "name": "  "},
        ],
    )
    assert ws.names("rep") == {"R1": "Ayu Lestari (R1)", "R2": "Ayu Lestari (R2)", "R3": "Budi"}
    assert ws.names("rep", ["R3", "R9"]) == {"R3": "Budi"}
    ws.close()


# -- one way to show each unit -----------------------------------------------------------------


def test_pipeline_and_forecast_show_money_and_percentages(
    shared_demo: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = str(shared_demo.root)
    code, out, err = run(["pipeline", "--as-of", "2025-06-01", "--by", "rep", "-w", ws], capsys)
    assert code == 0, err
    assert_fits(out, 120)
    assert re.search(r"total: [\d,]+ deals, \$[\d,]+\.\d{2} \(weighted \$[\d,]+\.\d{2}\)", out)
    assert sum(name in out for name in rep_names(shared_demo).values()) >= 3
    code, out, err = run(
        ["forecast", "--backtest", "--from", "2025-Q1", "--to", "2025-Q2", "-w", ws], capsys
    )
    assert code == 0, err
    assert_fits(out, 120)
    assert re.search(r"\d+\.\d%", out)  # accuracy, bias, mape as percentages
    assert re.search(r"\$[\d,]+\.\d{2}", out)
    assert not re.search(r"\b0\.\d\d\b", out)  # no bare fractions


def test_status_shows_the_target_and_change_colours_follow_the_direction() -> None:
    style = view.make_style("en", "USD")
    base = {"period": "2025-01", "components": {}, "note": None}
    win = {
        **base,
        "metric": "win_rate",
        "value": 0.4,
        "unit": "ratio",
        "target": 0.3,
        "status": "on_track",
        "change": 0.05,
        "change_rate": 0.1,
    }
    cell = view.cell(win, style, None)
    assert cell.plain == "40.0% ✓ ≥30.0% ▲ 5.0 pp"
    assert _style_of(cell, "▲") == "green"  # win rate up: good
    churn = {
        **base,
        "metric": "customer_churn_rate",
        "value": 0.02,
        "unit": "ratio",
        "target": 0.03,
        "status": "on_track",
        "change": -0.01,
        "change_rate": -0.3,
    }
    cell = view.cell(churn, style, None)
    assert "✓ ≤3.0%" in cell.plain
    assert _style_of(cell, "▼") == "green"  # churn down: good
    churn["change"] = 0.01
    assert _style_of(view.cell(churn, style, None), "▲") == "red"  # churn up: bad


def _style_of(text: Text, marker: str) -> str:
    at = text.plain.index(marker)
    return next(str(s.style) for s in text.spans if s.start <= at < s.end)


def test_quota_labels_cannot_be_confused() -> None:
    a, b = REGISTRY["quota_attainment"].name, REGISTRY["quota_attainment_rate"].name
    for lang in ("en", "id"):
        assert a.get(lang) != b.get(lang)
        assert not a.get(lang).startswith(b.get(lang)) and not b.get(lang).startswith(a.get(lang))
    assert "quota" in a.en.lower() and "reps" in b.en.lower()


# -- consistent options ------------------------------------------------------------------------


def test_lang_id_writes_indonesian_labels_months_and_numbers(
    shared_demo: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = str(shared_demo.root)
    code, out, err = run(
        [
            "metrics",
            "-m",
            "win_rate",
            "-m",
            "mrr",
            "-p",
            "2025-Q2",
            "-g",
            "month",
            "--lang",
            "id",
            "-w",
            ws,
        ],
        capsys,
    )
    assert code == 0, err
    assert REGISTRY["win_rate"].name.id in out and "Mei 2025" in out
    assert re.search(r"\d+,\d%", out)  # 32,1%
    assert re.search(r"US\$[\d.]+,\d{2}", out)  # US$3.136.022,71
    code, out, err = run(["waterfall", "-p", "2025-Q1", "--lang", "id", "-w", ws], capsys)
    assert code == 0, err
    assert "MRR awal" in out and "Feb 2025" in out


@pytest.mark.parametrize(
    "args",
    [
        ["metrics", "--help"],
        ["waterfall", "--help"],
        ["pipeline", "--help"],
        ["forecast", "--help"],
        ["glossary", "--help"],
        ["import", "--help"],
        ["rejects", "--help"],
        ["init", "--help"],
        ["export", "--help"],
        ["restore", "--help"],
        ["report", "--help"],
    ],
)
def test_every_command_takes_workspace(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(args, capsys)
    assert code == 0 and "--workspace" in out and "-w" in out


def test_glossary_takes_workspace_and_init_is_quiet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["init", str(tmp_path / "ws"), "-q"], capsys)
    assert code == 0 and out == "" and err == ""
    code, out, _ = run(["glossary", "win_rate", "-w", str(tmp_path / "ws")], capsys)
    assert code == 0 and "Win rate" in out
    code, _, err = run(["glossary", "-w", str(tmp_path / "nowhere")], capsys)
    assert code == 1 and err.startswith("error: --workspace")


# -- exit codes --------------------------------------------------------------------------------


@pytest.fixture
def root(tmp_path: Path) -> str:
    init_workspace(tmp_path / "ws").close()
    return str(tmp_path / "ws")


def test_import_exit_codes(root: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("opportunity_id,stage,amount\no1,Closed Won,abc\no2,Closed Won,xyz\n")
    code, out, err = run(["import", "opportunities", str(bad), "-w", root, "-q"], capsys)
    assert code == 3, (out, err)
    assert "loaded 0, rejected 2" in out and "every row was rejected" in err
    partial = tmp_path / "partial.csv"
    partial.write_text("opportunity_id,stage,amount\no1,Closed Won,100\no2,Closed Won,xyz\n")
    code, out, err = run(["import", "opportunities", str(partial), "-w", root, "-q"], capsys)
    assert code == 0, err
    assert "loaded 1, rejected 1" in out
    code, _, _ = run(["import", "opportunities", "-w", root], capsys)
    assert code == 2  # usage: the file is missing


def test_an_internal_error_exits_70_with_one_line_and_a_traceback_file(
    root: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom \x1b[2J")

    monkeypatch.setattr(Workspace, "metrics", broken)
    monkeypatch.delenv("SALESMETRICS_DEBUG", raising=False)
    code, _, err = run(["metrics", "-m", "win_rate", "-p", "2025", "-w", root], capsys)
    assert code == 70
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("internal error: RuntimeError: boom \\x1b[2J")
    where = re.search(r"traceback in (\S+);", lines[0])
    assert where is not None
    written = Path(where.group(1))
    assert "Traceback" in written.read_text() and "RuntimeError" in written.read_text()
    written.unlink()
    monkeypatch.setenv("SALESMETRICS_DEBUG", "1")
    with pytest.raises(RuntimeError):
        main(["metrics", "-m", "win_rate", "-p", "2025", "-w", root])


def test_a_user_error_exits_1(root: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["metrics", "-m", "no_such_metric", "-w", root], capsys)
    assert code == 1 and err.startswith("error: ") and len(err.strip().splitlines()) == 1


# -- text from files cannot drive the terminal -------------------------------------------------


def test_printable_escapes_controls_and_reordering_marks() -> None:
    assert printable("\x1b[31mred\x1b[0m") == "\\x1b[31mred\\x1b[0m"
    assert printable("a\rb\nc\td\x07\x9b\u202eevil") == "a\\rb\\nc\\td\\x07\\x9b\\u202eevil"
    assert printable("Ayu Lestari, Rp1.234,56 · ✓ é") == "Ayu Lestari, Rp1.234,56 · ✓ é"
    assert json_printable('{"a": "x\x9by\u202e"}') == '{"a": "x\\u009by\\u202e"}'


def test_escape_sequences_from_a_file_are_shown_escaped(
    root: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = tmp_path / "hostile.csv"
    hostile.write_text(
        "opportunity_id,stage,amount,\x1b[31mnotes\n"
        "o1,Closed Won,100,\x1b]0;pwned\x07\n"
        "o2,Closed Won,\x1b[2Jbad,x\n",
        encoding="utf-8",
    )
    code, out, err = run(["import", "opportunities", str(hostile), "-w", root, "-q"], capsys)
    assert code == 0, err
    assert "\x1b" not in out + err and "\\x1b[31mnotes" in out
    code, out, err = run(["rejects", "-w", root], capsys)
    assert code == 0, err
    assert "\x1b" not in out + err and "\\x1b[2Jbad" in out


def test_group_values_and_notes_from_data_are_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = init_workspace(tmp_path / "ws")
    insert(ws, "reps", [{"rep_id": "R1", "name": "\x1b[31mEvil", "team": "T\x1b[2J"}])
    insert(
        ws,
        "opportunities",
        [
            {
                "opportunity_id": "o1",
                "owner_id": "R1",
                "stage": "Closed Won",
                "status": "won",
                "amount": 100.0,
                "currency": "USD",
                "created_at": dt.datetime(2025, 1, 2),
                "close_date": dt.date(2025, 1, 20),
            },
        ],
    )
    ws.close()
    root = str(tmp_path / "ws")
    for by in ("team", "rep"):
        code, out, err = run(
            ["metrics", "-m", "win_rate", "-p", "2025-01", "--by", by, "-w", root], capsys
        )
        assert code == 0, err
        assert "\x1b" not in out + err
    assert "\\x1b[31mEvil" in out
    code, out, err = run(
        ["metrics", "-m", "win_rate", "-p", "2025-01", "--drill", "-w", root], capsys
    )
    assert code == 0, err
    assert "\x1b" not in out and "\\x1b[31mEvil" in out


# -- snapshots a person reads in review --------------------------------------------------------

SNAPSHOTS = Path(__file__).parent / "data"
#: Set to rewrite the snapshots (then read the diff before committing it).
ENV_RECORD = "SALESMETRICS_RECORD_SNAPSHOTS"


@pytest.mark.parametrize(
    ("name", "args"),
    [
        (
            "metrics_by_segment_80.txt",
            [
                "metrics",
                "-m",
                "win_rate",
                "-m",
                "mrr",
                "-m",
                "customer_churn_rate",
                "-p",
                "2025-Q1",
                "-g",
                "month",
                "--by",
                "segment",
                "-c",
                "previous",
            ],
        ),
        ("waterfall_80.txt", ["waterfall", "-p", "2025-Q1"]),
        (
            "metrics_id_80.txt",
            ["metrics", "-m", "win_rate", "-m", "arr", "-p", "2025-Q2", "--lang", "id"],
        ),
    ],
)
def test_snapshots_at_80_columns(
    shared_demo: Workspace,
    name: str,
    args: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import os

    monkeypatch.setattr(cli_options.out, "_width", 80)
    code, out, err = run([*args, "-w", str(shared_demo.root)], capsys)
    assert code == 0, err
    assert_fits(out, 80)
    path = SNAPSHOTS / name
    if os.environ.get(ENV_RECORD):
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8")


def test_alerts_fit_with_every_figure_whole_and_names(
    shared_demo: Workspace,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws = str(shared_demo.root)
    code, out, err = run(["alerts", "-p", "2025-12", "-f", "json", "-w", ws], capsys)
    assert code == 0, err
    alerts = json.loads(out)["alerts"]
    assert alerts
    names = rep_names(shared_demo)
    for width in (80, 120):  # the JSON above and the Indonesian table below do not depend on it
        monkeypatch.setattr(cli_options.out, "_width", width)
        code, out, err = run(["alerts", "-p", "2025-12", "-w", ws], capsys)
        assert code == 0, err
        table = "\n".join(line for line in out.splitlines() if line[:1] in "┏┃┡│└")
        assert_fits(table, width)
        cells = re.sub(r"\s+", " ", table.replace("│", " "))
        for a in alerts:  # each value whole (money to the cent, as in JSON), with what it was
            if a["unit"] == "money" and a["value"] is not None:
                assert money(a["value"]) in cells, (width, a)
        for a in alerts:
            rep = a["group"].get("rep")
            if rep in names:
                assert names[rep] in cells, (width, a)
    code, out, err = run(["alerts", "-p", "2025-12", "--lang", "id", "-w", ws], capsys)
    assert code == 0, err
    assert out.startswith("Peringatan") and "alasan" in out
    assert REGISTRY[alerts[0]["metric"]].name.id.split()[0] in out
