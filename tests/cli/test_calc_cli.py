"""``salesmetrics calc``: generated calculators with the exit-status contract (0 / 1 / 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from salesmetrics.cli import main
from salesmetrics.formulas import FORMULAS

VELOCITY = [
    "calc",
    "pipeline_velocity",
    "--qualified-leads",
    "200",
    "--win-rate",
    "0.25",
    "--average-deal-size",
    "10000",
    "--sales-cycle-length",
    "25",
]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the CLI; returns (exit status, stdout, stderr)."""
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(autouse=True)
def _outside_any_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SALESMETRICS_WORKSPACE", raising=False)


def test_readme_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(VELOCITY, capsys)
    assert code == 0, err
    assert out.splitlines() == [
        "pipeline_velocity = 20,000 per day",
        "  = qualified_leads × win_rate × average_deal_size / sales_cycle_length",
        "  = 200 × 0.25 × 10,000 / 25",
    ]


def test_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([*VELOCITY, "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["metric"] == "pipeline_velocity"
    assert data["value"] == 20_000
    assert data["unit"] == "money_per_day"
    assert data["components"]["win_rate"] == 0.25
    assert data["substituted"] == "200 × 0.25 × 10,000 / 25"
    assert data["note"] is None


def test_percent_and_hyphenated_name(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["calc", "pipeline-velocity", *VELOCITY[2:]]
    args[args.index("0.25")] = "25%"
    code, out, _ = run(args, capsys)
    assert code == 0 and out.startswith("pipeline_velocity = 20,000 per day")


@pytest.mark.parametrize(
    ("args", "first_line"),
    [
        (["customer_churn_rate", "--lost", "30", "--customers-at-start", "500"], "= 6% (0.06)"),
        (
            [
                "net_customer_churn_rate",
                "--lost",
                "30",
                "--new",
                "20",
                "--customers-at-start",
                "500",
            ],
            "= 2% (0.02)",
        ),
        (
            [
                "customer_retention_rate",
                "--customers-at-end",
                "490",
                "--new",
                "20",
                "--customers-at-start",
                "500",
            ],
            "= 94% (0.94)",
        ),
        (["total_revenue", "--average-price", "10000", "--units", "100"], "= 1,000,000"),
        (
            ["revenue_growth", "--revenue", "1000000", "--previous-revenue", "800000"],
            "= 25% (0.25)",
        ),
        (["average_deal_size", "--revenue", "500000", "--deals-won", "50"], "= 10,000"),
        (["lead_conversion_rate", "--converted", "200", "--created", "1000"], "= 20% (0.2)"),
        (["opportunity_conversion_rate", "--won", "25", "--created", "100"], "= 25% (0.25)"),
        (["sales_cycle_length", "--total-days", "200", "--deals", "10"], "= 20 days"),
        (
            [
                "customer_acquisition_cost",
                "--sales-and-marketing-cost",
                "100000",
                "--new-customers",
                "50",
            ],
            "= 2,000",
        ),
        (
            [
                "customer_lifetime_value",
                "--annual-revenue-per-customer",
                "5000",
                "--lifetime-years",
                "3",
            ],
            "= 15,000",
        ),
        (["quota_attainment_rate", "--reps-reached", "15", "--reps-with-quota", "20"], "= 75%"),
        (["sales_rep_productivity", "--revenue", "1000000", "--sellers", "20"], "= 50,000"),
        (
            ["time_spent_selling", "--selling-minutes", "1800", "--working-minutes", "2400"],
            "= 75% (0.75)",
        ),
        (["sales_forecast_accuracy", "--forecast", "900000", "--actual", "1000000"], "= 90%"),
        (["forecast_bias", "--forecast", "900000", "--actual", "1000000"], "= -10% (-0.1)"),
        (
            ["engagement_score", "--counts", "10,2,0", "--targets", "10,4,5", "--weights", "2,1,1"],
            "= 62.5",
        ),
    ],
)
def test_seed_examples(
    args: list[str], first_line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["calc", *args], capsys)
    assert code == 0, err
    assert out.splitlines()[0].startswith(f"{args[0]} {first_line}")


def test_every_example_in_help_runs(capsys: pytest.CaptureFixture[str]) -> None:
    for name, formula in FORMULAS.items():
        code, out, _ = run(["calc", name, "--help"], capsys)
        assert code == 0
        example = out.split("Example: salesmetrics ", 1)[1].split(" gives ", 1)[0].split()
        code, result, err = run([*example, "--format", "json"], capsys)
        assert code == 0, (name, err)
        assert json.loads(result)["value"] == pytest.approx(formula.example_value)


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["calc"], capsys)
    assert code == 0
    for name in FORMULAS:
        assert name in out
    assert "--qualified-leads N" in out
    assert "[--gross-margin N]" in out


def test_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["calc", "--format", "json"], capsys)
    assert code == 0
    calculators = json.loads(out)["calculators"]
    assert [c["name"] for c in calculators] == list(FORMULAS)
    velocity = next(c for c in calculators if c["name"] == "pipeline_velocity")
    assert [p["option"] for p in velocity["parameters"]] == [
        "--qualified-leads",
        "--win-rate",
        "--average-deal-size",
        "--sales-cycle-length",
    ]
    assert velocity["example"]["value"] == 20_000


def test_unknown_calculator_is_a_user_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["calc", "pipeline_velocty"], capsys)
    assert code == 1 and out == ""
    assert err == (
        "error: no calculator named 'pipeline_velocty' (did you mean 'pipeline_velocity' or"
        " 'pipeline_coverage'?); 'salesmetrics calc' lists them\n"
    )


def test_undefined_result_is_a_user_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["calc", "win_rate", "--won", "0", "--lost", "0"], capsys)
    assert code == 1 and out == ""
    assert err == "error: win_rate is undefined: no closed deals (won + lost = 0)\n"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--win-rate": None}, "Missing option '--win-rate'"),
        ({"--qualified-leads": "abc"}, "'abc' is not a number"),
        ({"--win-rate": "25"}, "win_rate is a ratio between 0 and 1"),
        ({"--sales-cycle-length": "-3"}, "cannot be below 0"),
    ],
)
def test_bad_options_are_usage_errors(
    change: dict[str, str | None], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = list(VELOCITY)
    for option, value in change.items():
        i = args.index(option)
        if value is None:
            del args[i : i + 2]
        else:
            args[i + 1] = value
    code, out, err = run(args, capsys)
    assert code == 2 and out == ""
    assert message in " ".join(err.replace("│", " ").split())  # click may box and wrap it
    assert "Traceback" not in err


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run([*VELOCITY, "--bogus", "1"], capsys)
    assert code == 2 and "No such option: --bogus" in err


def test_workspace_defaults(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "salesmetrics.toml").write_text("gross_margin = 0.8\n", encoding="utf-8")
    clv = ["calc", "customer_lifetime_value", "--annual-revenue-per-customer", "5000"]
    clv += ["--lifetime-years", "3"]
    code, out, _ = run([*clv, "--workspace", str(ws)], capsys)
    assert code == 0
    assert out.splitlines()[0] == "customer_lifetime_value = 12,000"
    assert out.splitlines()[2] == "  = 5,000 × 3 × 0.8"
    # an explicit option wins over the workspace
    code, out, _ = run([*clv, "--gross-margin", "100%", "-w", str(ws)], capsys)
    assert out.splitlines()[0] == "customer_lifetime_value = 15,000"
    # outside a workspace the built-in default applies
    code, out, _ = run(clv, capsys)
    assert out.splitlines()[0] == "customer_lifetime_value = 15,000"


def test_missing_workspace_is_a_user_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run([*VELOCITY, "--workspace", str(tmp_path / "nowhere")], capsys)
    assert code == 1 and "no workspace here" in err


def test_the_list_takes_a_workspace_as_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["calc", "-w", str(tmp_path)], capsys)
    assert code == 0 and "win_rate" in out
    code, _, err = run(["calc", "--workspace", str(tmp_path / "missing")], capsys)
    assert code == 1 and "no such folder" in err and err.count("\n") == 1


def test_lang_id_writes_indonesian_numbers_and_units(capsys: pytest.CaptureFixture[str]) -> None:
    args = [*VELOCITY[:6], "--average-deal-size", "10000.5", *VELOCITY[8:]]
    code, out, err = run(args, capsys)
    assert code == 0, err
    code, out_id, err = run([*args, "--lang", "id"], capsys)
    assert code == 0, err
    assert "20,001 per day" in out and "0.25 × 10,000.5" in out
    assert "20.001 per hari" in out_id and "0,25 × 10.000,5" in out_id
