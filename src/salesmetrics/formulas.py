"""The scalar formulas of metrics.md: pure functions, the same for the calculators and the engine.

Every formula takes keyword parameters named as in metrics.md and works element-wise on Python
numbers, ``Decimal``, numpy arrays and pandas Series (numpy ufuncs underneath), so the engine
applies the very function a calculator uses to whole columns of aggregated components.

numpy is imported by the functions that compute, not by this module: the registry below (names,
expressions, units, parameters) is all the glossary reads, and it starts without numpy.

Rules shared by all of them:

* **Undefined is NaN.** A zero denominator or a missing input (``None``, NaN, ``pd.NA``) gives
  NaN, never infinity and never an exception (:func:`divide`). The engine turns NaN into a
  ``null`` value with a note; :mod:`salesmetrics.calc` turns it into a one-line error.
* **Return type follows the inputs**: all scalars → ``float``; any Series → a float Series with
  the index of the first Series argument (Series are combined by position, not aligned by index,
  so pass columns of one frame); otherwise a float ndarray.
* **Ratios are fractions** (0.25), money is in the base currency, durations are days.

Each formula is registered in :data:`FORMULAS` with its expression, result unit, parameters
(name, meaning, unit) and the seed's worked example; the calculators (CLI, Python, web) and the
glossary are generated from that registry.

Counts and sums that are aggregations of rows rather than formulas (``qualified_leads``,
``new_customers``, ``mrr``, ``weighted_pipeline``, ``recognized_revenue``, ``time_in_stage``)
have no formula and no calculator: a calculator returning its own input would be pointless.
"""

from __future__ import annotations

import functools
import inspect
import math
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ParamSpec, TypeAlias

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

#: What a formula accepts: a number, ``Decimal``, ``None``, numpy array or pandas Series. Typed
#: ``Any`` because numpy's stubs cover neither ``Decimal`` nor ``None``; the registering
#: decorator converts every argument to a float or a float ndarray before the body runs.
Value: TypeAlias = Any
#: What a formula returns: a float for scalar inputs, else an array or Series of floats.
Result: TypeAlias = "float | npt.NDArray[np.float64] | pd.Series[float]"

P = ParamSpec("P")


class Unit(StrEnum):
    """The unit of a parameter or a result (how it is parsed, shown and checked)."""

    RATIO = "ratio"  # a fraction, 0.25 = 25%; calculators accept 0.25 or 25%
    MONEY = "money"  # base currency
    MONEY_PER_DAY = "money_per_day"
    COUNT = "count"
    DAYS = "days"
    MONTHS = "months"
    YEARS = "years"
    MINUTES = "minutes"
    SCORE = "score"  # a score on a fixed scale (0-100, -100..100, or a survey's own scale)
    NUMBER = "number"  # a plain multiple, e.g. LTV:CAC 3.0


@dataclass(frozen=True)
class Param:
    """One parameter of a formula: its name, meaning and unit, and the range it may take."""

    name: str
    doc: str
    unit: Unit
    default: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    is_list: bool = False  # engagement_score takes one value per event type

    @property
    def option(self) -> str:
        """The CLI option, e.g. ``--win-rate``."""
        return "--" + self.name.replace("_", "-")


@dataclass(frozen=True)
class Formula:
    """A registered formula: the function and everything needed to show and explain it."""

    name: str
    func: Callable[..., Result]
    expression: str  # in parameter names, e.g. "won / (won + lost)"
    unit: Unit
    params: tuple[Param, ...]
    undefined_when: str  # why the result can be undefined, e.g. "won + lost = 0"
    example: Mapping[str, Any] = field(default_factory=dict)
    example_value: float | None = None

    @property
    def summary(self) -> str:
        """The first line of the function's docstring."""
        return (self.func.__doc__ or "").strip().splitlines()[0]

    def param(self, name: str) -> Param:
        """The parameter called ``name``."""
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)


#: Every formula, by name (the metric id where the formula is a metric's).
FORMULAS: dict[str, Formula] = {}


def _money(name: str, doc: str) -> Param:
    return Param(name, doc, Unit.MONEY)


def _count(name: str, doc: str) -> Param:
    return Param(name, doc, Unit.COUNT, minimum=0.0)


def _ratio(name: str, doc: str) -> Param:
    return Param(name, doc, Unit.RATIO, minimum=0.0, maximum=1.0)


#: The parameters, by name: one meaning per name, shared by every formula that uses it.
PARAMS: dict[str, Param] = {
    p.name: p
    for p in (
        _money("average_price", "average price per unit sold"),
        _count("units", "units sold"),
        _money("revenue", "revenue won in the period"),
        _money("previous_revenue", "revenue won in the previous period"),
        _count("deals_won", "number of deals won"),
        _count("converted", "leads that converted"),
        _count("created", "leads or opportunities created in the period"),
        _count("won_leads", "leads whose opportunity was won"),
        _count("won", "deals won"),
        _count("lost", "deals or customers lost"),
        _money("won_amount", "value of the deals won"),
        _money("lost_amount", "value of the deals lost"),
        Param(
            "total_days",
            "days from opening to winning, summed over the deals",
            Unit.DAYS,
            minimum=0.0,
        ),
        _count("deals", "number of deals"),
        _count("reached", "opportunities that reached the stage"),
        _count("reached_next", "of those, the ones that reached the next stage"),
        _count("qualified_leads", "leads qualified in the period"),
        _ratio("win_rate", "share of closed deals won"),
        _money("average_deal_size", "mean value of a won deal"),
        Param("sales_cycle_length", "mean days from opening to winning", Unit.DAYS, minimum=0.0),
        _money("open_pipeline", "value of the open opportunities expected to close"),
        _money("quota", "quota for the period"),
        _count("slipped", "expected deals that slipped to a later date"),
        _count("expected", "open deals expected to close in the period"),
        _money("forecast", "forecast revenue"),
        _money("actual", "actual revenue"),
        _money("sales_and_marketing_cost", "sales and marketing costs in the period"),
        _count("new_customers", "customers acquired in the period"),
        _money("annual_revenue_per_customer", "average revenue per customer per year"),
        Param("lifetime_years", "expected customer lifetime", Unit.YEARS, minimum=0.0),
        Param("gross_margin", "gross margin", Unit.RATIO, default=1.0, minimum=0.0, maximum=1.0),
        _ratio("annual_churn_rate", "share of customers lost per year"),
        Param("max_years", "cap on the lifetime", Unit.YEARS, default=10.0, minimum=0.0),
        _money("customer_lifetime_value", "revenue a customer brings over its life"),
        _money("customer_acquisition_cost", "cost of winning one customer"),
        _money("arpa", "average MRR per customer (per month)"),
        _count("customers_at_start", "customers at the start of the period"),
        _count("customers_at_end", "customers at the end of the period"),
        _count("new", "new customers, or new MRR"),
        _money("mrr", "monthly recurring revenue"),
        _money("mrr_end", "MRR at the end of the period (its last month)"),
        _money("marketing_spend", "marketing costs in the period"),
        _count("leads_created", "leads created in the period"),
        _money("mrr_start", "MRR of the customers at start, at start"),
        _money("mrr_end_of_start_customers", "MRR at end of the customers at start"),
        _money(
            "retained_mrr_capped", "Σ min(MRR at end, MRR at start) over the customers at start"
        ),
        _money("churn", "MRR lost to churned customers"),
        _money("contraction", "MRR lost to downgrades"),
        _money("reactivation", "MRR from returning customers"),
        _money("expansion", "MRR added by upgrades"),
        _count("customers", "customers active at the end"),
        _count("reps_reached", "sellers whose won amount reached their quota"),
        _count("reps_with_quota", "sellers with a quota above zero"),
        _count("sellers", "sellers in the period"),
        Param("selling_minutes", "minutes spent on selling activities", Unit.MINUTES, minimum=0.0),
        Param("working_minutes", "minutes worked", Unit.MINUTES, minimum=0.0),
        _count("activities", "selling activities"),
        Param("counts", "events per type, for one customer", Unit.COUNT, minimum=0.0, is_list=True),
        Param("targets", "target count per event type", Unit.COUNT, minimum=0.0, is_list=True),
        Param("weights", "weight per event type", Unit.NUMBER, minimum=0.0, is_list=True),
        _count("promoters", "respondents answering 9-10"),
        _count("detractors", "respondents answering 0-6"),
        _count("respondents", "respondents"),
        Param("total_score", "sum of the answers", Unit.NUMBER),
        _count("responses", "number of answers"),
        _money("amount", "amount covering the whole window"),
        Param("overlap_days", "days of the window inside the period", Unit.DAYS, minimum=0.0),
        Param("window_days", "days in the window", Unit.DAYS, minimum=0.0),
    )
}

# Parameters whose meaning differs by formula (same name, other words).
_OVERRIDES: dict[tuple[str, str], str] = {
    ("opportunity_conversion_rate", "created"): "opportunities created in the period",
    ("opportunity_conversion_rate", "won"): "of those, the ones won",
    ("lead_conversion_rate", "created"): "leads created in the period",
    ("lead_to_customer_rate", "created"): "leads created in the period",
    ("customer_churn_rate", "lost"): "customers at start not customers at end",
    ("net_customer_churn_rate", "lost"): "customers at start not customers at end",
    ("net_customer_churn_rate", "new"): "customers at end not customers at start",
    ("customer_retention_rate", "new"): "customers at end not customers at start",
    ("quick_ratio", "new"): "MRR from new customers",
    ("quota_attainment", "won_amount"): "value of the deals the seller won in the period",
    ("sales_rep_productivity", "revenue"): "total revenue won in the period",
    ("mrr_growth_rate", "mrr_start"): "MRR at the start of the period (the month before it)",
}


def _loaded_pandas() -> Any:
    """The pandas module if something loaded it, else None: a value can only be a Series or
    ``pd.NA`` once pandas is loaded, and the calculators run without loading it."""
    return sys.modules.get("pandas")


def _is_series(x: Any) -> bool:
    pd = _loaded_pandas()
    return pd is not None and isinstance(x, pd.Series)


def _to_float(x: Any) -> Any:
    """A float (scalar) or float ndarray; missing values (None, NaN, pd.NA) become NaN.

    A plain number (or ``Decimal``, ``None``) becomes a float without numpy: a calculator
    computes on floats and need not load it."""
    if not (_is_series(x) or isinstance(x, list | tuple) or hasattr(x, "__array__")):
        return _scalar(x)
    import numpy as np

    if _is_series(x):
        return x.to_numpy(dtype="float64", na_value=np.nan)
    if isinstance(x, list | tuple):
        x = np.array(x, dtype=object)
    if not np.isscalar(x):  # ndarray, pyarrow, polars, ...
        arr = np.asarray(x)
        if arr.dtype == object:
            return np.array([_scalar(v) for v in arr.ravel()], dtype="float64").reshape(arr.shape)
        return arr.astype("float64", copy=False)
    return _scalar(x)


def _scalar(x: Any) -> float:
    pd = _loaded_pandas()
    if x is None or (pd is not None and x is pd.NA):
        return math.nan
    try:
        return float(x)
    except (TypeError, ValueError):
        raise TypeError(f"not a number: {x!r}") from None


def _finish(result: Any, like: pd.Series[Any] | None) -> Result:
    """Return a float for 0-d results, a Series shaped like ``like``, or a float ndarray."""
    if isinstance(result, float | int):  # np.float64 is a float too
        return float(result)
    import numpy as np

    arr = np.asarray(result, dtype="float64")
    if like is not None and arr.ndim == 1 and len(arr) == len(like):
        import pandas as pd

        return pd.Series(arr, index=like.index, dtype="float64")
    if arr.ndim == 0:
        return float(arr)
    return arr


def divide(numerator: Any, denominator: Any) -> Result:
    """``numerator / denominator`` element-wise; NaN where the denominator is 0 or an input is
    missing (never infinity, never an exception)."""
    like = _first_series(numerator, denominator)
    return _finish(_div(_to_float(numerator), _to_float(denominator)), like)


def _div(n: Any, d: Any) -> Any:
    if isinstance(n, float) and isinstance(d, float):
        return math.nan if d == 0 else n / d  # NaN in, NaN out
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.equal(d, 0), np.nan, np.divide(n, d))


def _first_series(*values: Any) -> pd.Series[Any] | None:
    for v in values:
        if _is_series(v):
            return v  # type: ignore[no-any-return]
    return None


def formula(
    expression: str,
    unit: Unit,
    *,
    undefined_when: str,
    example: Mapping[str, Any] | None = None,
    value: float | None = None,
) -> Callable[[Callable[P, Any]], Callable[P, Result]]:
    """Register a formula. The wrapped function receives every argument as a float or a float
    ndarray (missing → NaN) and may use numpy, imported in its body; its result is returned as
    a float, ndarray or Series to match the inputs (see the module docstring). Given only
    scalars it runs on plain floats, so a body written with operators and :func:`_div` computes
    a calculator's value without loading numpy."""

    def register(func: Callable[P, Any]) -> Callable[P, Result]:
        name = func.__name__
        sig = inspect.signature(func)

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> Result:
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            like = _first_series(*bound.arguments.values())
            converted = {k: _to_float(v) for k, v in bound.arguments.items()}
            if all(isinstance(v, float) for v in converted.values()):
                # plain floats overflow to inf and divide through _div: nothing to silence
                value = float(func(**converted))  # type: ignore[call-arg]
                return value if math.isfinite(value) else math.nan
            import numpy as np

            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                result = func(**converted)  # type: ignore[call-arg]
            return _finish(np.where(np.isfinite(result), result, np.nan), like)

        params = []
        for p in sig.parameters.values():
            base = PARAMS[p.name]
            doc = _OVERRIDES.get((name, p.name), base.doc)
            default = None if p.default is inspect.Parameter.empty else float(p.default)
            params.append(
                Param(p.name, doc, base.unit, default, base.minimum, base.maximum, base.is_list)
            )
        FORMULAS[name] = Formula(
            name,
            wrapper,
            expression,
            unit,
            tuple(params),
            undefined_when,
            dict(example or {}),
            value,
        )
        return wrapper

    return register


# -- revenue -------------------------------------------------------------------------------------


@formula(
    "average_price × units",
    Unit.MONEY,
    undefined_when="an input is missing",
    example={"average_price": 10_000, "units": 100},
    value=1_000_000,
)
def total_revenue(average_price: Value, units: Value) -> Any:
    """Total revenue, calculator form: average price per unit × units sold.

    Seed: 100 packages at $10,000 → $1,000,000. (The engine sums the won deals instead.)
    """
    return average_price * units


@formula(
    "(revenue − previous_revenue) / previous_revenue",
    Unit.RATIO,
    undefined_when="previous_revenue = 0",
    example={"revenue": 1_000_000, "previous_revenue": 800_000},
    value=0.25,
)
def revenue_growth(revenue: Value, previous_revenue: Value) -> Any:
    """Revenue growth: change of revenue against the previous period.

    Seed: $800,000 in Q1 → $1,000,000 in Q2: 0.25 (25%).
    """
    return _div(revenue - previous_revenue, previous_revenue)


@formula(
    "revenue / deals_won",
    Unit.MONEY,
    undefined_when="deals_won = 0",
    example={"revenue": 500_000, "deals_won": 50},
    value=10_000,
)
def average_deal_size(revenue: Value, deals_won: Value) -> Any:
    """Average deal size: mean value of a won deal.

    Seed: 50 deals worth $500,000 → $10,000.
    """
    return _div(revenue, deals_won)


# -- conversion ----------------------------------------------------------------------------------


@formula(
    "converted / created",
    Unit.RATIO,
    undefined_when="no leads created (created = 0)",
    example={"converted": 200, "created": 1_000},
    value=0.2,
)
def lead_conversion_rate(converted: Value, created: Value) -> Any:
    """Lead conversion rate: share of the leads created that converted.

    Seed: 1,000 leads, 200 converted → 0.2 (20%).
    """
    return _div(converted, created)


@formula(
    "won_leads / created",
    Unit.RATIO,
    undefined_when="no leads created (created = 0)",
    example={"won_leads": 50, "created": 1_000},
    value=0.05,
)
def lead_to_customer_rate(won_leads: Value, created: Value) -> Any:
    """Lead-to-customer rate: share of the leads created whose opportunity was won.

    Example: 1,000 leads, 50 became customers → 0.05 (5%).
    """
    return _div(won_leads, created)


@formula(
    "won / created",
    Unit.RATIO,
    undefined_when="no opportunities created (created = 0)",
    example={"won": 25, "created": 100},
    value=0.25,
)
def opportunity_conversion_rate(won: Value, created: Value) -> Any:
    """Opportunity conversion rate: share of the opportunities created that were won.

    Seed: 100 opportunities, 25 won → 0.25 (25%).
    """
    return _div(won, created)


@formula(
    "won / (won + lost)",
    Unit.RATIO,
    undefined_when="no closed deals (won + lost = 0)",
    example={"won": 25, "lost": 75},
    value=0.25,
)
def win_rate(won: Value, lost: Value) -> Any:
    """Win rate: share of the closed deals that were won, by count.

    Example: 25 won, 75 lost → 0.25 (25%).
    """
    return _div(won, won + lost)


@formula(
    "won_amount / (won_amount + lost_amount)",
    Unit.RATIO,
    undefined_when="no closed value (won_amount + lost_amount = 0)",
    example={"won_amount": 300_000, "lost_amount": 700_000},
    value=0.3,
)
def win_rate_by_value(won_amount: Value, lost_amount: Value) -> Any:
    """Win rate by value: share of the closed value that was won.

    Example: $300,000 won, $700,000 lost → 0.3 (30%).
    """
    return _div(won_amount, won_amount + lost_amount)


@formula(
    "total_days / deals",
    Unit.DAYS,
    undefined_when="no won deals with both dates (deals = 0)",
    example={"total_days": 200, "deals": 10},
    value=20,
)
def sales_cycle_length(total_days: Value, deals: Value) -> Any:
    """Sales cycle length: mean days from opening to winning a deal.

    Seed: 10 deals, 200 days in total → 20 days.
    """
    return _div(total_days, deals)


@formula(
    "reached_next / reached",
    Unit.RATIO,
    undefined_when="nothing reached the stage (reached = 0)",
    example={"reached_next": 30, "reached": 120},
    value=0.25,
)
def stage_conversion(reached_next: Value, reached: Value) -> Any:
    """Stage conversion: share of the opportunities that reached a stage that reached the next.

    Example: 120 reached "proposal", 30 of them reached "negotiation" → 0.25 (25%).
    """
    return _div(reached_next, reached)


# -- pipeline ------------------------------------------------------------------------------------


@formula(
    "qualified_leads × win_rate × average_deal_size / sales_cycle_length",
    Unit.MONEY_PER_DAY,
    undefined_when="sales_cycle_length = 0",
    example={
        "qualified_leads": 200,
        "win_rate": 0.25,
        "average_deal_size": 10_000,
        "sales_cycle_length": 25,
    },
    value=20_000,
)
def pipeline_velocity(
    qualified_leads: Value, win_rate: Value, average_deal_size: Value, sales_cycle_length: Value
) -> Any:
    """Pipeline velocity: value the pipeline turns into revenue per day.

    Seed: 200 × 0.25 × $10,000 / 25 days → $20,000 per day (the seed's "200" is a slip).
    """
    return _div(qualified_leads * win_rate * average_deal_size, sales_cycle_length)


@formula(
    "open_pipeline / quota",
    Unit.NUMBER,
    undefined_when="no quota (quota = 0)",
    example={"open_pipeline": 3_000_000, "quota": 1_000_000},
    value=3,
)
def pipeline_coverage(open_pipeline: Value, quota: Value) -> Any:
    """Pipeline coverage: open pipeline against quota (target ≥ 3).

    Example: $3,000,000 open against a $1,000,000 quota → 3.0×.
    """
    return _div(open_pipeline, quota)


@formula(
    "slipped / expected",
    Unit.RATIO,
    undefined_when="no deals expected to close (expected = 0)",
    example={"slipped": 12, "expected": 60},
    value=0.2,
)
def deal_slippage_rate(slipped: Value, expected: Value) -> Any:
    """Deal slippage rate: share of the deals expected to close that slipped to a later date.

    Example: 60 expected, 12 slipped → 0.2 (20%).
    """
    return _div(slipped, expected)


@formula(
    "max(0, 1 − |actual − forecast| / actual)",
    Unit.RATIO,
    undefined_when="actual = 0",
    example={"forecast": 900_000, "actual": 1_000_000},
    value=0.9,
)
def sales_forecast_accuracy(forecast: Value, actual: Value) -> Any:
    """Sales forecast accuracy: how close the forecast was to the actual, floored at 0.

    Seed: forecast $900,000, actual $1,000,000 → 0.9 (90%).
    """
    import numpy as np

    return np.maximum(0.0, 1.0 - _div(abs(actual - forecast), actual))


@formula(
    "(forecast − actual) / actual",
    Unit.RATIO,
    undefined_when="actual = 0",
    example={"forecast": 900_000, "actual": 1_000_000},
    value=-0.1,
)
def forecast_bias(forecast: Value, actual: Value) -> Any:
    """Forecast bias: direction and size of the forecast error (negative = under-forecast).

    Seed: forecast $900,000, actual $1,000,000 → −0.1 (−10%).
    """
    return _div(forecast - actual, actual)


# -- customers -----------------------------------------------------------------------------------


@formula(
    "sales_and_marketing_cost / new_customers",
    Unit.MONEY,
    undefined_when="no new customers (new_customers = 0)",
    example={"sales_and_marketing_cost": 100_000, "new_customers": 50},
    value=2_000,
)
def customer_acquisition_cost(sales_and_marketing_cost: Value, new_customers: Value) -> Any:
    """Customer acquisition cost (CAC): cost of winning one new customer.

    Seed: $100,000 of sales and marketing, 50 new customers → $2,000.
    """
    return _div(sales_and_marketing_cost, new_customers)


@formula(
    "annual_revenue_per_customer × lifetime_years × gross_margin",
    Unit.MONEY,
    undefined_when="an input is missing",
    example={"annual_revenue_per_customer": 5_000, "lifetime_years": 3},
    value=15_000,
)
def customer_lifetime_value(
    annual_revenue_per_customer: Value, lifetime_years: Value, gross_margin: Value = 1.0
) -> Any:
    """Customer lifetime value (CLV): revenue a customer is expected to bring over its life.

    Seed: $5,000 a year × 3 years (gross margin 1) → $15,000.
    """
    return annual_revenue_per_customer * lifetime_years * gross_margin


@formula(
    "min(1 / annual_churn_rate, max_years)",
    Unit.YEARS,
    undefined_when="an input is missing",
    example={"annual_churn_rate": 0.25},
    value=4,
)
def expected_lifetime_years(annual_churn_rate: Value, max_years: Value = 10.0) -> Any:
    """Expected customer lifetime in years: 1 / annual churn rate, capped at ``max_years``.

    A churn rate of 0 gives the cap. Example: 25% annual churn → 4 years.
    """
    import numpy as np

    with np.errstate(divide="ignore"):
        inverse = np.divide(1.0, annual_churn_rate)
    capped = np.where(np.less_equal(annual_churn_rate, 0), max_years, inverse)
    return np.where(np.isnan(annual_churn_rate), np.nan, np.minimum(capped, max_years))


@formula(
    "customer_lifetime_value / customer_acquisition_cost",
    Unit.NUMBER,
    undefined_when="customer_acquisition_cost = 0",
    example={"customer_lifetime_value": 15_000, "customer_acquisition_cost": 2_000},
    value=7.5,
)
def ltv_to_cac(customer_lifetime_value: Value, customer_acquisition_cost: Value) -> Any:
    """LTV:CAC: lifetime value against acquisition cost (target ≥ 3).

    Example: CLV $15,000, CAC $2,000 → 7.5.
    """
    return _div(customer_lifetime_value, customer_acquisition_cost)


@formula(
    "customer_acquisition_cost / (arpa × gross_margin)",
    Unit.MONTHS,
    undefined_when="arpa × gross_margin = 0",
    example={"customer_acquisition_cost": 2_000, "arpa": 250},
    value=8,
)
def cac_payback_months(
    customer_acquisition_cost: Value, arpa: Value, gross_margin: Value = 1.0
) -> Any:
    """CAC payback: months of margin needed to earn back the acquisition cost (target ≤ 12).

    Example: CAC $2,000, ARPA $250 a month, gross margin 1 → 8 months.
    """
    return _div(customer_acquisition_cost, arpa * gross_margin)


@formula(
    "lost / customers_at_start",
    Unit.RATIO,
    undefined_when="no customers at start (customers_at_start = 0)",
    example={"lost": 30, "customers_at_start": 500},
    value=0.06,
)
def customer_churn_rate(lost: Value, customers_at_start: Value) -> Any:
    """Customer churn rate (gross logo churn): share of the customers at start lost.

    Seed: 500 customers at start, 30 lost → 0.06 (6%).
    """
    return _div(lost, customers_at_start)


@formula(
    "(lost − new) / customers_at_start",
    Unit.RATIO,
    undefined_when="no customers at start (customers_at_start = 0)",
    example={"lost": 30, "new": 20, "customers_at_start": 500},
    value=0.02,
)
def net_customer_churn_rate(lost: Value, new: Value, customers_at_start: Value) -> Any:
    """Net customer churn rate: churn net of new customers (negative when the base grew).

    Seed: 500 at start, 30 lost, 20 new → 0.02 (2%), the seed's "churn rate".
    """
    return _div(lost - new, customers_at_start)


@formula(
    "(customers_at_end − new) / customers_at_start",
    Unit.RATIO,
    undefined_when="no customers at start (customers_at_start = 0)",
    example={"customers_at_end": 490, "new": 20, "customers_at_start": 500},
    value=0.94,
)
def customer_retention_rate(customers_at_end: Value, new: Value, customers_at_start: Value) -> Any:
    """Customer retention rate: share of the customers at start still customers at end.

    Seed: 500 at start, 30 lost, 20 new → 490 at end → (490 − 20) / 500 = 0.94 (94%).
    """
    return _div(customers_at_end - new, customers_at_start)


# -- marketing -----------------------------------------------------------------------------------


@formula(
    "marketing_spend / leads_created",
    Unit.MONEY,
    undefined_when="no leads created (leads_created = 0)",
    example={"marketing_spend": 100_000, "leads_created": 1_000},
    value=100,
)
def cost_per_lead(marketing_spend: Value, leads_created: Value) -> Any:
    """Cost per lead: marketing spend per lead created.

    Seed: $100,000 of marketing, 1,000 leads → $100.
    """
    return _div(marketing_spend, leads_created)


@formula(
    "marketing_spend / qualified_leads",
    Unit.MONEY,
    undefined_when="no qualified leads (qualified_leads = 0)",
    example={"marketing_spend": 100_000, "qualified_leads": 250},
    value=400,
)
def cost_per_qualified_lead(marketing_spend: Value, qualified_leads: Value) -> Any:
    """Cost per qualified lead: marketing spend per lead qualified.

    Example: $100,000 of marketing, 250 qualified leads → $400.
    """
    return _div(marketing_spend, qualified_leads)


@formula(
    "(mrr_end − mrr_start) / mrr_start",
    Unit.RATIO,
    undefined_when="no MRR at the start (mrr_start = 0)",
    example={"mrr_end": 55_000, "mrr_start": 50_000},
    value=0.1,
)
def mrr_growth_rate(mrr_end: Value, mrr_start: Value) -> Any:
    """MRR growth rate: growth of MRR over the period.

    Example: MRR $50,000 at the start, $55,000 at the end → 0.1 (10%).
    """
    return _div(mrr_end - mrr_start, mrr_start)


# -- recurring revenue ---------------------------------------------------------------------------


@formula(
    "12 × mrr",
    Unit.MONEY,
    undefined_when="an input is missing",
    example={"mrr": 50_000},
    value=600_000,
)
def arr(mrr: Value) -> Any:
    """ARR: annual recurring revenue, 12 × MRR.

    Example: MRR $50,000 → ARR $600,000.
    """
    return 12.0 * mrr


@formula(
    "mrr_end_of_start_customers / mrr_start",
    Unit.RATIO,
    undefined_when="mrr_start = 0",
    example={"mrr_end_of_start_customers": 110_000, "mrr_start": 100_000},
    value=1.1,
)
def net_revenue_retention(mrr_end_of_start_customers: Value, mrr_start: Value) -> Any:
    """Net revenue retention (NRR): MRR kept and grown from the customers at start.

    Example: customers with $100,000 MRR at start have $110,000 at end → 1.1 (110%).
    """
    return _div(mrr_end_of_start_customers, mrr_start)


@formula(
    "retained_mrr_capped / mrr_start",
    Unit.RATIO,
    undefined_when="mrr_start = 0",
    example={"retained_mrr_capped": 92_000, "mrr_start": 100_000},
    value=0.92,
)
def gross_revenue_retention(retained_mrr_capped: Value, mrr_start: Value) -> Any:
    """Gross revenue retention (GRR): MRR kept from the customers at start, without expansion.

    Example: Σ min(end, start) = $92,000 of $100,000 → 0.92 (92%).
    """
    return _div(retained_mrr_capped, mrr_start)


@formula(
    "(churn + contraction) / mrr_start",
    Unit.RATIO,
    undefined_when="mrr_start = 0",
    example={"churn": 5_000, "contraction": 3_000, "mrr_start": 100_000},
    value=0.08,
)
def revenue_churn_rate(churn: Value, contraction: Value, mrr_start: Value) -> Any:
    """Revenue churn rate: MRR lost to churn and contraction, against MRR at start.

    Example: $5,000 churned + $3,000 contracted of $100,000 → 0.08 (8%).
    """
    return _div(churn + contraction, mrr_start)


@formula(
    "(new + reactivation + expansion) / (churn + contraction)",
    Unit.NUMBER,
    undefined_when="no MRR lost (churn + contraction = 0)",
    example={
        "new": 20_000,
        "reactivation": 2_000,
        "expansion": 10_000,
        "churn": 5_000,
        "contraction": 3_000,
    },
    value=4,
)
def quick_ratio(
    new: Value, reactivation: Value, expansion: Value, churn: Value, contraction: Value
) -> Any:
    """SaaS quick ratio: MRR gained against MRR lost (target ≥ 4).

    Example: ($20,000 + $2,000 + $10,000) / ($5,000 + $3,000) → 4.0.
    """
    return _div(new + reactivation + expansion, churn + contraction)


@formula(
    "mrr / customers",
    Unit.MONEY,
    undefined_when="no active customers (customers = 0)",
    example={"mrr": 50_000, "customers": 200},
    value=250,
)
def arpa(mrr: Value, customers: Value) -> Any:
    """ARPA: average MRR per active customer.

    Example: MRR $50,000 over 200 customers → $250.
    """
    return _div(mrr, customers)


# -- team ----------------------------------------------------------------------------------------


@formula(
    "won_amount / quota",
    Unit.RATIO,
    undefined_when="no quota (quota = 0)",
    example={"won_amount": 120_000, "quota": 100_000},
    value=1.2,
)
def quota_attainment(won_amount: Value, quota: Value) -> Any:
    """Quota attainment: a seller's won revenue against their quota (may exceed 1).

    Example: $120,000 won against a $100,000 quota → 1.2 (120%).
    """
    return _div(won_amount, quota)


@formula(
    "reps_reached / reps_with_quota",
    Unit.RATIO,
    undefined_when="no sellers with a quota (reps_with_quota = 0)",
    example={"reps_reached": 15, "reps_with_quota": 20},
    value=0.75,
)
def quota_attainment_rate(reps_reached: Value, reps_with_quota: Value) -> Any:
    """Quota attainment rate: share of the sellers with a quota who reached it.

    Seed: 20 reps, 15 reached quota → 0.75 (75%).
    """
    return _div(reps_reached, reps_with_quota)


@formula(
    "revenue / sellers",
    Unit.MONEY,
    undefined_when="no sellers (sellers = 0)",
    example={"revenue": 1_000_000, "sellers": 20},
    value=50_000,
)
def sales_rep_productivity(revenue: Value, sellers: Value) -> Any:
    """Sales rep productivity: revenue per seller.

    Seed: $1,000,000 over 20 reps → $50,000.
    """
    return _div(revenue, sellers)


@formula(
    "selling_minutes / working_minutes",
    Unit.RATIO,
    undefined_when="no working time (working_minutes = 0)",
    example={"selling_minutes": 1_800, "working_minutes": 2_400},
    value=0.75,
)
def time_spent_selling(selling_minutes: Value, working_minutes: Value) -> Any:
    """Time spent selling: share of working time spent on selling activities.

    Seed: 30 of 40 hours (1,800 of 2,400 minutes) → 0.75 (75%).
    """
    return _div(selling_minutes, working_minutes)


@formula(
    "activities / sellers",
    Unit.NUMBER,
    undefined_when="no sellers (sellers = 0)",
    example={"activities": 600, "sellers": 20},
    value=30,
)
def activities_per_rep(activities: Value, sellers: Value) -> Any:
    """Activities per rep: selling activities per seller.

    Example: 600 activities, 20 sellers → 30.
    """
    return _div(activities, sellers)


@formula(
    "amount × overlap_days / window_days",
    Unit.MONEY,
    undefined_when="window_days = 0",
    example={"amount": 90_000, "overlap_days": 30, "window_days": 90},
    value=30_000,
)
def prorate(amount: Value, overlap_days: Value, window_days: Value) -> Any:
    """Pro-rated amount: the share of an amount (a quota) for the days its window overlaps P.

    Example: a $90,000 quarterly quota, 30 of its 90 days in the period → $30,000.
    """
    return _div(amount * overlap_days, window_days)


# -- engagement and people -----------------------------------------------------------------------


@formula(
    "100 × Σ weights·min(counts / targets, 1) / Σ weights",
    Unit.SCORE,
    undefined_when="no event type with a target and a weight above 0",
    example={"counts": [10, 2, 0], "targets": [10, 4, 5], "weights": [2, 1, 1]},
    value=62.5,
)
def engagement_score(counts: Value, targets: Value, weights: Value) -> Any:
    """Customer engagement score, 0-100: weighted share of each event type's target reached.

    ``counts`` holds one value per event type (last axis); a 2-D array of customers × event types
    gives one score per customer. Event types whose target is 0 (or missing) are left out of
    both sums, since a target nobody needs to reach says nothing about engagement.
    Example: counts (10, 2, 0), targets (10, 4, 5), weights (2, 1, 1) → 100 × (2 + 0.5 + 0) / 4
    = 62.5.
    """
    import numpy as np

    counts_, targets_, weights_ = np.broadcast_arrays(
        np.atleast_1d(counts), np.atleast_1d(targets), np.atleast_1d(weights)
    )
    usable = np.greater(targets_, 0)
    share = np.minimum(_div(counts_, np.where(usable, targets_, np.nan)), 1.0)
    w = np.where(usable, weights_, 0.0)
    return _div(100.0 * np.sum(np.where(usable, w * share, 0.0), axis=-1), np.sum(w, axis=-1))


@formula(
    "100 × (promoters − detractors) / respondents",
    Unit.SCORE,
    undefined_when="no respondents (respondents = 0)",
    example={"promoters": 12, "detractors": 4, "respondents": 20},
    value=40,
)
def enps(promoters: Value, detractors: Value, respondents: Value) -> Any:
    """Employee Net Promoter Score, −100 to 100: promoters (9-10) minus detractors (0-6).

    Example: 20 respondents, 12 promoters, 4 detractors → 40.
    """
    return 100.0 * _div(promoters - detractors, respondents)


@formula(
    "total_score / responses",
    Unit.SCORE,
    undefined_when="no responses (responses = 0)",
    example={"total_score": 84, "responses": 20},
    value=4.2,
)
def pulse_score(total_score: Value, responses: Value) -> Any:
    """Pulse score: mean answer to a pulse-survey question.

    Example: 20 answers summing to 84 → 4.2.
    """
    return _div(total_score, responses)
