"""The Python calculators: ``sm.calc.<formula>(...)`` and ``calc.evaluate``."""

from __future__ import annotations

import inspect
import math
from decimal import Decimal
from typing import Any

import pytest

import salesmetrics as sm
from salesmetrics import calc
from salesmetrics.errors import UserError
from salesmetrics.formulas import FORMULAS, PARAMS, Unit
from tests.test_formulas import SEED_EXAMPLES, ZERO_DENOMINATORS


def test_readme_example() -> None:
    value = sm.calc.pipeline_velocity(
        qualified_leads=200, win_rate=0.25, average_deal_size=10_000, sales_cycle_length=25
    )
    assert value == 20_000.0
    assert type(value) is float


@pytest.mark.parametrize(
    ("name", "args", "value"), SEED_EXAMPLES, ids=[e[0] for e in SEED_EXAMPLES]
)
def test_seed_examples(name: str, args: dict[str, float], value: float) -> None:
    assert getattr(sm.calc, name)(**args) == pytest.approx(value, rel=1e-12)


def test_every_formula_has_a_calculator() -> None:
    for name, formula in FORMULAS.items():
        calculator = getattr(calc, name)
        assert calculator is not formula.func
        assert calculator.__doc__ == formula.func.__doc__
        assert (
            inspect.signature(calculator).parameters.keys()
            == {p.name: p for p in formula.params}.keys()
        )
        assert calculator(**formula.example) == pytest.approx(formula.example_value)


@pytest.mark.parametrize(("name", "args"), ZERO_DENOMINATORS)
def test_zero_denominators_are_a_clear_error(name: str, args: dict[str, Any]) -> None:
    with pytest.raises(UserError, match=f"^{name} is undefined: ") as info:
        getattr(sm.calc, name)(**args)
    assert "\n" not in str(info.value)


def test_undefined_messages_say_why() -> None:
    with pytest.raises(UserError, match=r"^win_rate is undefined: no closed deals \(won \+ lost"):
        sm.calc.win_rate(won=0, lost=0)
    with pytest.raises(UserError, match="sales_cycle_length = 0"):
        sm.calc.pipeline_velocity(
            qualified_leads=200, win_rate=0.25, average_deal_size=10_000, sales_cycle_length=0
        )
    with pytest.raises(UserError, match="too large"):
        sm.calc.total_revenue(average_price=1e300, units=1e300)


def test_percentages_and_strings() -> None:
    value = sm.calc.pipeline_velocity(
        qualified_leads="200", win_rate="25%", average_deal_size="10_000", sales_cycle_length=" 25 "
    )
    assert value == 20_000
    assert sm.calc.customer_lifetime_value(
        annual_revenue_per_customer=Decimal("5000"), lifetime_years=3, gross_margin="80 %"
    ) == pytest.approx(12_000)
    assert sm.calc.win_rate(won="1e2", lost=".5e2") == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"won": None, "lost": 1}, r"missing input won \(deals won\)"),
        ({"won": math.nan, "lost": 1}, "missing input won"),
        ({"won": "abc", "lost": 1}, "won: 'abc' is not a number"),
        ({"won": "10,000", "lost": 1}, r"not a number \(write 10000 or 10_000\)"),
        ({"won": "25%", "lost": 1}, "a percentage .* only fits ratio inputs"),
        ({"won": -1, "lost": 1}, r"won cannot be below 0 \(got -1\)"),
        ({"won": True, "lost": 1}, "won must be a number, not True"),
        ({"won": "inf", "lost": 1}, "is not a number"),
        ({"won": math.inf, "lost": 1}, "won must be a finite number"),
        ({"won": [1, 2], "lost": 1}, "won must be a number"),
        ({"won": 1}, "win_rate: missing a required argument: 'lost'"),
        ({"won": 1, "lost": 2, "tied": 3}, "unexpected keyword argument 'tied'"),
    ],
)
def test_bad_inputs(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(UserError, match=message):
        sm.calc.win_rate(**kwargs)


@pytest.mark.parametrize("bad", [25, 1.5, "125%", -0.1, "-5%"])
def test_ratios_must_be_fractions(bad: Any) -> None:
    with pytest.raises(UserError, match=r"win_rate is a ratio between 0 and 1: write 0.25 or 25%"):
        sm.calc.pipeline_velocity(
            qualified_leads=200, win_rate=bad, average_deal_size=10_000, sales_cycle_length=25
        )


def test_defaults() -> None:
    assert sm.calc.customer_lifetime_value(
        annual_revenue_per_customer=5_000, lifetime_years=3
    ) == pytest.approx(15_000)
    assert sm.calc.expected_lifetime_years(annual_churn_rate=0) == 10
    assert sm.calc.expected_lifetime_years(annual_churn_rate="2%", max_years=100) == 50


def test_list_inputs() -> None:
    assert sm.calc.engagement_score(counts="10,2,0", targets=[10, 4, 5], weights="2, 1, 1") == 62.5
    assert sm.calc.engagement_score(counts=7, targets=7, weights=1) == 100
    with pytest.raises(UserError, match="counts: 'x' is not a number"):
        sm.calc.engagement_score(counts="1,x", targets="1,1", weights="1,1")
    with pytest.raises(UserError, match="counts needs at least one value"):
        sm.calc.engagement_score(counts=[], targets=[], weights=[])


def test_evaluate() -> None:
    result = calc.evaluate(
        "pipeline-velocity",
        {"qualified_leads": 200, "win_rate": "25%", "average_deal_size": 10_000,
         "sales_cycle_length": 25},
    )  # fmt: skip
    assert result.value == 20_000
    assert result.substituted == "200 × 0.25 × 10,000 / 25"
    assert result.describe() == [
        "pipeline_velocity = 20,000 per day",
        "  = qualified_leads × win_rate × average_deal_size / sales_cycle_length",
        "  = 200 × 0.25 × 10,000 / 25",
    ]
    assert result.to_dict() == {
        "metric": "pipeline_velocity",
        "value": 20_000.0,
        "unit": "money_per_day",
        "formula": "qualified_leads × win_rate × average_deal_size / sales_cycle_length",
        "substituted": "200 × 0.25 × 10,000 / 25",
        "components": {
            "qualified_leads": 200.0,
            "win_rate": 0.25,
            "average_deal_size": 10_000.0,
            "sales_cycle_length": 25.0,
        },
        "note": None,
    }
    churn = calc.evaluate("customer_churn_rate", {"lost": 30, "customers_at_start": 500})
    assert churn.describe()[0] == "customer_churn_rate = 6% (0.06)"
    bias = calc.evaluate("forecast_bias", {"forecast": 900_000, "actual": 1_000_000})
    assert bias.describe()[0] == "forecast_bias = -10% (-0.1)"
    assert bias.substituted == "(900,000 − 1,000,000) / 1,000,000"


def test_evaluate_errors() -> None:
    with pytest.raises(UserError, match=r"no calculator named 'win_rte' \(did you mean 'win_rate'"):
        calc.evaluate("win_rte", {})
    no_input = r"no input 'wonn' \(did you mean 'won'\?\); its inputs are lost, won"
    with pytest.raises(UserError, match=no_input):
        calc.evaluate("win_rate", {"wonn": 1, "lost": 1})
    with pytest.raises(UserError, match=r"missing input lost \(deals or customers lost\) for win"):
        calc.evaluate("win_rate", {"won": 1})


def test_formatting() -> None:
    assert calc.format_number(20_000.0) == "20,000"
    assert calc.format_number(0.25) == "0.25"
    assert calc.format_number(1 / 3) == "0.3333"
    assert calc.format_number(0.00001234) == "1.234e-05"
    assert calc.format_number(-1_234_567.5) == "-1,234,567.5"
    assert calc.format_value(0.75, Unit.RATIO) == "75% (0.75)"
    assert calc.format_value(20, Unit.DAYS) == "20 days"
    assert calc.format_value(7.5, Unit.NUMBER) == "7.5"


def test_every_parameter_has_a_meaning() -> None:
    for p in PARAMS.values():
        assert p.doc and p.unit in Unit
        if p.unit is Unit.RATIO:
            assert (p.minimum, p.maximum) == (0.0, 1.0)
