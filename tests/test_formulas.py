"""The scalar formulas: seed examples, undefined results, and element-wise evaluation."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesmetrics import formulas as f
from salesmetrics.formulas import FORMULAS, PARAMS, Unit, divide
from tests.depth import examples

# The worked examples of metrics.md that come from the seeds: (formula, arguments, value).
SEED_EXAMPLES: list[tuple[str, dict[str, float], float]] = [
    (
        "pipeline_velocity",
        {
            "qualified_leads": 200,
            "win_rate": 0.25,
            "average_deal_size": 10_000,
            "sales_cycle_length": 25,
        },
        20_000,
    ),
    ("customer_churn_rate", {"lost": 30, "customers_at_start": 500}, 0.06),
    ("net_customer_churn_rate", {"lost": 30, "new": 20, "customers_at_start": 500}, 0.02),
    (
        "customer_retention_rate",
        {"customers_at_end": 490, "new": 20, "customers_at_start": 500},
        0.94,
    ),
    ("total_revenue", {"average_price": 10_000, "units": 100}, 1_000_000),
    ("revenue_growth", {"revenue": 1_000_000, "previous_revenue": 800_000}, 0.25),
    ("average_deal_size", {"revenue": 500_000, "deals_won": 50}, 10_000),
    ("lead_conversion_rate", {"converted": 200, "created": 1_000}, 0.2),
    ("opportunity_conversion_rate", {"won": 25, "created": 100}, 0.25),
    ("sales_cycle_length", {"total_days": 200, "deals": 10}, 20),
    (
        "customer_acquisition_cost",
        {"sales_and_marketing_cost": 100_000, "new_customers": 50},
        2_000,
    ),
    (
        "customer_lifetime_value",
        {"annual_revenue_per_customer": 5_000, "lifetime_years": 3},
        15_000,
    ),
    ("cost_per_lead", {"marketing_spend": 100_000, "leads_created": 1_000}, 100),
    ("quota_attainment_rate", {"reps_reached": 15, "reps_with_quota": 20}, 0.75),
    ("sales_rep_productivity", {"revenue": 1_000_000, "sellers": 20}, 50_000),
    ("time_spent_selling", {"selling_minutes": 30 * 60, "working_minutes": 40 * 60}, 0.75),
    ("sales_forecast_accuracy", {"forecast": 900_000, "actual": 1_000_000}, 0.9),
    ("forecast_bias", {"forecast": 900_000, "actual": 1_000_000}, -0.1),
]


@pytest.mark.parametrize(
    ("name", "args", "value"), SEED_EXAMPLES, ids=[e[0] for e in SEED_EXAMPLES]
)
def test_seed_examples(name: str, args: dict[str, float], value: float) -> None:
    result = getattr(f, name)(**args)
    assert isinstance(result, float)
    assert result == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_registered_example(name: str) -> None:
    formula = FORMULAS[name]
    assert formula.example, f"{name} has no worked example"
    assert formula.example_value is not None
    assert formula.func(**formula.example) == pytest.approx(formula.example_value, rel=1e-12)


def test_the_seed_pipeline_velocity_slip() -> None:
    # The seed prints "200"; the formula gives 20,000 per day.
    assert f.pipeline_velocity(
        qualified_leads=200, win_rate=0.25, average_deal_size=10_000, sales_cycle_length=25
    ) == pytest.approx(20_000)


def test_retention_churn_identity() -> None:
    start, lost, new = 500, 30, 20
    end = start - lost + new
    churn = f.customer_churn_rate(lost=lost, customers_at_start=start)
    retention = f.customer_retention_rate(customers_at_end=end, new=new, customers_at_start=start)
    assert retention == pytest.approx(1 - churn)


# -- undefined results ---------------------------------------------------------------------------

ZERO_DENOMINATORS: list[tuple[str, dict[str, Any]]] = [
    ("revenue_growth", {"revenue": 100, "previous_revenue": 0}),
    ("average_deal_size", {"revenue": 100, "deals_won": 0}),
    ("lead_conversion_rate", {"converted": 0, "created": 0}),
    ("lead_to_customer_rate", {"won_leads": 3, "created": 0}),
    ("opportunity_conversion_rate", {"won": 0, "created": 0}),
    ("win_rate", {"won": 0, "lost": 0}),
    ("win_rate_by_value", {"won_amount": 0, "lost_amount": 0}),
    ("sales_cycle_length", {"total_days": 0, "deals": 0}),
    ("stage_conversion", {"reached_next": 0, "reached": 0}),
    (
        "pipeline_velocity",
        {
            "qualified_leads": 200,
            "win_rate": 0.25,
            "average_deal_size": 10_000,
            "sales_cycle_length": 0,
        },
    ),
    ("pipeline_coverage", {"open_pipeline": 1, "quota": 0}),
    ("deal_slippage_rate", {"slipped": 0, "expected": 0}),
    ("sales_forecast_accuracy", {"forecast": 10, "actual": 0}),
    ("forecast_bias", {"forecast": 10, "actual": 0}),
    ("customer_acquisition_cost", {"sales_and_marketing_cost": 100_000, "new_customers": 0}),
    ("ltv_to_cac", {"customer_lifetime_value": 15_000, "customer_acquisition_cost": 0}),
    ("cac_payback_months", {"customer_acquisition_cost": 2_000, "arpa": 0}),
    ("cac_payback_months", {"customer_acquisition_cost": 2_000, "arpa": 100, "gross_margin": 0}),
    ("customer_churn_rate", {"lost": 0, "customers_at_start": 0}),
    ("net_customer_churn_rate", {"lost": 0, "new": 5, "customers_at_start": 0}),
    ("customer_retention_rate", {"customers_at_end": 5, "new": 5, "customers_at_start": 0}),
    ("cost_per_lead", {"marketing_spend": 100_000, "leads_created": 0}),
    ("cost_per_qualified_lead", {"marketing_spend": 100_000, "qualified_leads": 0}),
    ("mrr_growth_rate", {"mrr_end": 5_000, "mrr_start": 0}),
    ("net_revenue_retention", {"mrr_end_of_start_customers": 0, "mrr_start": 0}),
    ("gross_revenue_retention", {"retained_mrr_capped": 0, "mrr_start": 0}),
    ("revenue_churn_rate", {"churn": 0, "contraction": 0, "mrr_start": 0}),
    ("quick_ratio", {"new": 100, "reactivation": 0, "expansion": 0, "churn": 0, "contraction": 0}),
    ("arpa", {"mrr": 100, "customers": 0}),
    ("quota_attainment", {"won_amount": 100, "quota": 0}),
    ("quota_attainment_rate", {"reps_reached": 0, "reps_with_quota": 0}),
    ("sales_rep_productivity", {"revenue": 100, "sellers": 0}),
    ("time_spent_selling", {"selling_minutes": 0, "working_minutes": 0}),
    ("activities_per_rep", {"activities": 5, "sellers": 0}),
    ("prorate", {"amount": 100, "overlap_days": 0, "window_days": 0}),
    ("engagement_score", {"counts": [1, 2], "targets": [0, 0], "weights": [1, 1]}),
    ("engagement_score", {"counts": [1, 2], "targets": [3, 3], "weights": [0, 0]}),
    ("enps", {"promoters": 0, "detractors": 0, "respondents": 0}),
    ("pulse_score", {"total_score": 0, "responses": 0}),
]


@pytest.mark.parametrize(("name", "args"), ZERO_DENOMINATORS)
def test_zero_denominators_give_nan(name: str, args: dict[str, Any]) -> None:
    result = getattr(f, name)(**args)
    assert isinstance(result, float)
    assert math.isnan(result)


def test_every_formula_with_a_denominator_has_a_zero_case() -> None:
    always_defined = {"total_revenue", "customer_lifetime_value", "arr", "expected_lifetime_years"}
    covered = {name for name, _ in ZERO_DENOMINATORS}
    assert covered | always_defined == set(FORMULAS)


@pytest.mark.parametrize("missing", [None, math.nan, np.nan, pd.NA])
@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_missing_inputs_give_nan(name: str, missing: Any) -> None:
    formula = FORMULAS[name]
    for param in formula.params:
        args = dict(formula.example)
        args[param.name] = [missing] * len(args[param.name]) if param.is_list else missing
        if param.name not in formula.example:
            continue  # an optional parameter left at its default in the example
        assert math.isnan(formula.func(**args)), f"{name} with {param.name} missing"


def test_divide() -> None:
    assert divide(1, 4) == 0.25
    assert math.isnan(divide(1, 0))
    assert math.isnan(divide(0, 0))
    assert math.isnan(divide(-1, 0))
    assert math.isnan(divide(None, 2))
    assert math.isnan(divide(1, None))
    assert divide(Decimal("1"), Decimal("8")) == 0.125
    arr = divide(np.array([1, 1, 0]), np.array([2, 0, 0]))
    assert isinstance(arr, np.ndarray)
    np.testing.assert_array_equal(arr, [0.5, np.nan, np.nan])


def test_never_infinite_even_on_overflow() -> None:
    huge = f.pipeline_velocity(
        qualified_leads=1e308, win_rate=1, average_deal_size=1e308, sales_cycle_length=1
    )
    assert math.isnan(huge)
    assert math.isnan(f.average_deal_size(revenue=math.inf, deals_won=1))


def test_non_numbers_are_a_programming_error() -> None:
    with pytest.raises(TypeError, match="not a number: 'x'"):
        f.win_rate(won="x", lost=1)


# -- element-wise evaluation ---------------------------------------------------------------------


def test_series_keep_their_index_and_accept_nullable_and_decimal_columns() -> None:
    won = pd.Series([25, 0, 3, None], index=["a", "b", "c", "d"], dtype="Int64")
    lost = pd.Series([Decimal(75), Decimal(0), None, Decimal(1)], index=won.index, dtype=object)
    result = f.win_rate(won=won, lost=lost)
    assert isinstance(result, pd.Series)
    assert list(result.index) == ["a", "b", "c", "d"]
    assert result.dtype == np.float64
    assert result["a"] == 0.25
    assert result[["b", "c", "d"]].isna().all()


def test_mixing_series_arrays_and_scalars() -> None:
    qualified = pd.Series([200, 100], index=[10, 20])
    result = f.pipeline_velocity(
        qualified_leads=qualified,
        win_rate=np.array([0.25, 0.5]),
        average_deal_size=10_000,
        sales_cycle_length=Decimal(25),
    )
    assert isinstance(result, pd.Series)
    assert result.to_dict() == {10: 20_000, 20: 20_000}


def test_arrow_and_list_inputs() -> None:
    result = f.win_rate(won=pa.array([1, None, 3]), lost=pa.chunked_array([[1, 2, 0]]))
    np.testing.assert_array_equal(result, [0.5, np.nan, 1.0])
    np.testing.assert_array_equal(f.arr(mrr=[1, None]), [12.0, np.nan])


def test_scalar_inputs_give_python_floats() -> None:
    assert type(f.win_rate(won=np.int64(1), lost=np.float64(3))) is float
    assert type(f.arr(mrr=Decimal("10.5"))) is float
    assert f.arr(mrr=Decimal("10.5")) == 126.0


NON_NEGATIVE = st.one_of(
    st.just(0.0), st.floats(min_value=0, max_value=1e9, allow_nan=False), st.integers(0, 10**6)
)
SCALAR_FORMULAS = sorted(n for n, fo in FORMULAS.items() if not any(p.is_list for p in fo.params))


@settings(max_examples=examples(60))
@given(name=st.sampled_from(SCALAR_FORMULAS), data=st.data(), rows=st.integers(1, 6))
def test_arrays_equal_scalars_element_wise(name: str, data: st.DataObject, rows: int) -> None:
    formula = FORMULAS[name]
    columns: dict[str, list[float | None]] = {}
    for p in formula.params:
        values = st.one_of(NON_NEGATIVE, st.none()) if p.unit is not Unit.RATIO else st.floats(0, 1)
        columns[p.name] = data.draw(st.lists(values, min_size=rows, max_size=rows), label=p.name)
    scalars = [formula.func(**{k: v[i] for k, v in columns.items()}) for i in range(rows)]
    as_arrays = formula.func(**{k: np.array(v, dtype=float) for k, v in columns.items()})
    as_series = formula.func(**{k: pd.Series(v, dtype="Float64") for k, v in columns.items()})
    assert all(isinstance(s, float) and not math.isinf(s) for s in scalars)
    np.testing.assert_array_equal(as_arrays, np.array(scalars))
    np.testing.assert_array_equal(as_series.to_numpy(), np.array(scalars))


@settings(max_examples=examples(40))
@given(
    counts=st.lists(st.lists(st.integers(0, 50), min_size=3, max_size=3), min_size=1, max_size=5),
    targets=st.lists(st.integers(0, 20), min_size=3, max_size=3),
    weights=st.lists(st.integers(0, 5), min_size=3, max_size=3),
)
def test_engagement_score_per_customer_rows(
    counts: list[list[int]], targets: list[int], weights: list[int]
) -> None:
    many = f.engagement_score(counts=np.array(counts), targets=targets, weights=weights)
    one_by_one = [f.engagement_score(counts=c, targets=targets, weights=weights) for c in counts]
    np.testing.assert_array_equal(many, one_by_one)
    defined = [s for s in one_by_one if not math.isnan(s)]
    assert all(0 <= s <= 100 for s in defined)


def test_engagement_score() -> None:
    score = f.engagement_score(counts=[10, 2, 0], targets=[10, 4, 5], weights=[2, 1, 1])
    assert score == 62.5
    assert f.engagement_score(counts=[99, 99], targets=[1, 1], weights=[1, 1]) == 100
    # an event type without a target is left out of both sums
    assert f.engagement_score(counts=[5, 0], targets=[10, 0], weights=[1, 3]) == 50


# -- other behaviour -----------------------------------------------------------------------------


def test_expected_lifetime_is_capped() -> None:
    assert f.expected_lifetime_years(annual_churn_rate=0.25) == 4
    assert f.expected_lifetime_years(annual_churn_rate=0.05) == 10
    assert f.expected_lifetime_years(annual_churn_rate=0.05, max_years=30) == 20
    assert f.expected_lifetime_years(annual_churn_rate=0) == 10
    np.testing.assert_array_equal(
        f.expected_lifetime_years(annual_churn_rate=np.array([0.5, 0.0, np.nan])), [2, 10, np.nan]
    )


def test_forecast_accuracy_is_floored_and_bias_keeps_the_sign() -> None:
    assert f.sales_forecast_accuracy(forecast=3_000_000, actual=1_000_000) == 0
    assert f.sales_forecast_accuracy(forecast=1_100_000, actual=1_000_000) == pytest.approx(0.9)
    assert f.forecast_bias(forecast=3_000_000, actual=1_000_000) == 2
    assert f.forecast_bias(forecast=1_000_000, actual=1_000_000) == 0


def test_gross_margin_and_proration() -> None:
    clv = f.customer_lifetime_value(
        annual_revenue_per_customer=5_000, lifetime_years=3, gross_margin=0.8
    )
    assert clv == pytest.approx(12_000)
    assert f.cac_payback_months(customer_acquisition_cost=2_000, arpa=250, gross_margin=0.5) == 16
    assert f.prorate(amount=90_000, overlap_days=91, window_days=91) == 90_000
    assert f.net_customer_churn_rate(lost=10, new=30, customers_at_start=100) == pytest.approx(-0.2)
    assert f.enps(promoters=0, detractors=10, respondents=10) == -100


# -- the registry --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_registry_describes_every_formula(name: str) -> None:
    formula = FORMULAS[name]
    assert getattr(f, name) is formula.func
    assert formula.func.__name__ == name
    assert formula.summary and formula.summary.endswith(".")
    assert formula.undefined_when
    words = set(re.findall(r"[a-z_]+", formula.expression))
    for p in formula.params:
        assert p.name in words, f"{name}: {p.name} is not in {formula.expression!r}"
        assert p.doc and p.option.startswith("--")
        assert PARAMS[p.name].unit is p.unit
    assert set(formula.example) <= {p.name for p in formula.params}


def test_counts_have_no_formula() -> None:
    for name in ("qualified_leads", "new_customers", "mrr", "weighted_pipeline"):
        assert name not in FORMULAS
