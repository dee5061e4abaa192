"""Calculators: every formula of :mod:`salesmetrics.formulas` on numbers you type in.

>>> import salesmetrics as sm
>>> sm.calc.pipeline_velocity(
...     qualified_leads=200, win_rate=0.25, average_deal_size=10_000, sales_cycle_length=25
... )
20000.0

Each calculator has the formula's name and keyword parameters and returns a ``float``. Unlike the
formulas (which return NaN so that the engine can turn it into ``null`` with a note), a calculator
raises :class:`~salesmetrics.errors.UserError` with a one-line message when the result is
undefined ("win_rate is undefined: no closed deals (won + lost = 0)"), when an input is missing
or is not a number, or when a ratio is out of range. Inputs may be numbers or strings; ratio
parameters also take percentages (``"25%"``).

:func:`evaluate` gives the whole calculation (inputs, value, formula with the numbers substituted)
for the CLI (``salesmetrics calc``) and the web calculators.
"""

from __future__ import annotations

import functools
import inspect
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ParamSpec

from salesmetrics import formulas
from salesmetrics.errors import UserError, suggest
from salesmetrics.formulas import FORMULAS, Formula, Param, Unit

P = ParamSpec("P")

#: An input after parsing: a number, or one number per event type for list parameters.
Number = float | list[float]


@dataclass(frozen=True)
class Calculation:
    """One evaluated formula: its inputs, its value, and how the value was obtained."""

    formula: Formula
    inputs: dict[str, Number]
    value: float

    @property
    def substituted(self) -> str:
        """The formula's expression with each parameter replaced by its value."""
        return substitute(self.formula, self.inputs)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``salesmetrics calc --format json``."""
        return {
            "metric": self.formula.name,
            "value": self.value,
            "unit": self.formula.unit.value,
            "formula": self.formula.expression,
            "substituted": self.substituted,
            "components": dict(self.inputs),
            "note": None,
        }

    def describe(self, lang: str = "en") -> list[str]:
        """Human-readable lines: the value, the formula, and the formula with the numbers, the
        numbers and units written in ``lang`` (``en``: 20,000.5 per day; ``id``: 20.000,5 per
        hari)."""
        return [
            f"{self.formula.name} = {format_value(self.value, self.formula.unit, lang)}",
            f"  = {self.formula.expression}",
            f"  = {substitute(self.formula, self.inputs, lang)}",
        ]


def get(name: str) -> Formula:
    """The formula called ``name`` (``-`` and ``_`` alike); a UserError suggests close names."""
    key = name.strip().lower().replace("-", "_")
    try:
        return FORMULAS[key]
    except KeyError:
        raise UserError(
            f"no calculator named {name!r}{suggest(key, FORMULAS)}; 'salesmetrics calc' lists them"
        ) from None


_NUMBER = re.compile(r"[+-]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def parse_value(param: Param, raw: Any) -> Number:
    """``raw`` (a number or a string) as a value of ``param``, checked against its range.

    Ratios accept a fraction (``0.25``) or a percentage (``"25%"``). List parameters accept a
    sequence or a comma-separated string (``"10,2,0"``). Errors are one-line UserErrors.
    """
    if param.is_list:
        items = raw.split(",") if isinstance(raw, str) else raw
        if isinstance(items, int | float | Decimal):
            items = [items]
        values = [_one(param, item) for item in items]
        if not values:
            raise UserError(f"{param.name} needs at least one value, e.g. 10,2,0")
        return values
    return _one(param, raw)


def _one(param: Param, raw: Any) -> float:
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        raise UserError(f"missing input {param.name} ({param.doc})")
    if isinstance(raw, bool):
        raise UserError(f"{param.name} must be a number, not {raw!r}")
    percent = False
    if isinstance(raw, str):
        text = raw.strip()
        if text.endswith("%"):
            percent, text = True, text[:-1].strip()
        if not _NUMBER.fullmatch(text):
            hint = " (write 10000 or 10_000)" if "," in text else ""
            raise UserError(f"{param.name}: {raw!r} is not a number{hint}")
        value = float(text)
    else:
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise UserError(f"{param.name} must be a number, not {raw!r}") from None
    if percent:
        if param.unit is not Unit.RATIO:
            raise UserError(f"{param.name}: a percentage ({raw!r}) only fits ratio inputs")
        value /= 100
    if math.isinf(value):
        raise UserError(f"{param.name} must be a finite number, not {raw!r}")
    _check_range(param, value, raw)
    return value


def _check_range(param: Param, value: float, raw: Any) -> None:
    low, high = param.minimum, param.maximum
    if param.unit is Unit.RATIO and low is not None and high is not None:
        if not low <= value <= high:
            raise UserError(
                f"{param.name} is a ratio between {low:g} and {high:g}: write 0.25 or 25%"
                f" (got {raw!r})"
            )
    elif low is not None and value < low:
        raise UserError(f"{param.name} cannot be below {low:g} (got {raw!r})")
    elif high is not None and value > high:
        raise UserError(f"{param.name} cannot be above {high:g} (got {raw!r})")


def evaluate(name: str, values: Mapping[str, Any]) -> Calculation:
    """Evaluate the formula ``name`` on ``values`` (parameter name → number or string).

    Parameters with a default may be left out. Unknown, missing or invalid inputs and undefined
    results are one-line UserErrors.
    """
    formula = get(name)
    known = {p.name for p in formula.params}
    for key in values:
        if key not in known:
            raise UserError(
                f"{formula.name} has no input {key!r}{suggest(key, known)};"
                f" its inputs are {', '.join(sorted(known))}"
            )
    inputs: dict[str, Number] = {}
    for p in formula.params:
        if p.name in values:
            inputs[p.name] = parse_value(p, values[p.name])
        elif p.default is not None:
            inputs[p.name] = p.default
        else:
            raise UserError(f"missing input {p.name} ({p.doc}) for {formula.name}")
    result = formula.func(**inputs)
    if not isinstance(result, float) or math.isnan(result):
        raise UserError(_undefined(formula))
    return Calculation(formula, inputs, result)


def _undefined(formula: Formula) -> str:
    if "missing" in formula.undefined_when:
        return f"{formula.name} is undefined: the result is too large to compute"
    return f"{formula.name} is undefined: {formula.undefined_when}"


def calculator(func: Callable[P, Any]) -> Callable[P, float]:
    """The calculator of a formula: same parameters, a float result, UserErrors for undefined
    results and bad inputs."""
    formula = FORMULAS[func.__name__]
    sig = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> float:
        try:
            bound = sig.bind(*args, **kwargs)
        except TypeError as err:
            raise UserError(f"{formula.name}: {err}") from None
        return evaluate(formula.name, bound.arguments).value

    return wrapper


# -- formatting ----------------------------------------------------------------------------------


def format_number(value: float, lang: str = "en") -> str:
    """A number for people: thousands separated, at most 4 decimals, no trailing zeros; in
    Indonesian (``lang="id"``) with a decimal comma and thousands dots."""
    if value == int(value) and abs(value) < 1e15:
        text = f"{int(value):,}"
    else:
        text = f"{value:,.4f}".rstrip("0").rstrip(".")
        text = text if text not in ("0", "-0") else f"{value:.4g}"
    return text.translate(_INDONESIAN) if lang == "id" else text


#: English separators to Indonesian ones (1,234.5 -> 1.234,5).
_INDONESIAN = str.maketrans({",": ".", ".": ","})


_UNIT_SUFFIX: dict[str, dict[Unit, str]] = {
    "en": {
        Unit.MONEY_PER_DAY: " per day",
        Unit.DAYS: " days",
        Unit.MONTHS: " months",
        Unit.YEARS: " years",
        Unit.MINUTES: " minutes",
    },
    "id": {
        Unit.MONEY_PER_DAY: " per hari",
        Unit.DAYS: " hari",
        Unit.MONTHS: " bulan",
        Unit.YEARS: " tahun",
        Unit.MINUTES: " menit",
    },
}


def format_value(value: float, unit: Unit, lang: str = "en") -> str:
    """A result with its unit: ``25% (0.25)``, ``20,000 per day``, ``20 days``, ``7.5`` (in
    Indonesian ``25% (0,25)``, ``20.000 per hari``, ...)."""
    if unit is Unit.RATIO:
        return f"{format_number(value * 100, lang)}% ({format_number(value, lang)})"
    return format_number(value, lang) + _UNIT_SUFFIX["id" if lang == "id" else "en"].get(unit, "")


def substitute(formula: Formula, inputs: Mapping[str, Number], lang: str = "en") -> str:
    """``formula.expression`` with every parameter name replaced by its value (numbers written
    in ``lang``; a list's values separated by ``;`` in Indonesian, whose decimal mark is a
    comma)."""

    def repl(match: re.Match[str]) -> str:
        name = match[0]
        if name not in inputs:
            return name
        value = inputs[name]
        if isinstance(value, list):
            joiner = "; " if lang == "id" else ", "
            return "(" + joiner.join(format_number(v, lang) for v in value) + ")"
        return format_number(value, lang)

    return re.sub(r"\b[a-z_]+\b", repl, formula.expression)


# -- one calculator per formula (a test checks that none is missing) ----------------------------

total_revenue = calculator(formulas.total_revenue)
revenue_growth = calculator(formulas.revenue_growth)
average_deal_size = calculator(formulas.average_deal_size)
lead_conversion_rate = calculator(formulas.lead_conversion_rate)
lead_to_customer_rate = calculator(formulas.lead_to_customer_rate)
opportunity_conversion_rate = calculator(formulas.opportunity_conversion_rate)
win_rate = calculator(formulas.win_rate)
win_rate_by_value = calculator(formulas.win_rate_by_value)
sales_cycle_length = calculator(formulas.sales_cycle_length)
stage_conversion = calculator(formulas.stage_conversion)
pipeline_velocity = calculator(formulas.pipeline_velocity)
pipeline_coverage = calculator(formulas.pipeline_coverage)
deal_slippage_rate = calculator(formulas.deal_slippage_rate)
sales_forecast_accuracy = calculator(formulas.sales_forecast_accuracy)
forecast_bias = calculator(formulas.forecast_bias)
customer_acquisition_cost = calculator(formulas.customer_acquisition_cost)
customer_lifetime_value = calculator(formulas.customer_lifetime_value)
expected_lifetime_years = calculator(formulas.expected_lifetime_years)
ltv_to_cac = calculator(formulas.ltv_to_cac)
cac_payback_months = calculator(formulas.cac_payback_months)
customer_churn_rate = calculator(formulas.customer_churn_rate)
net_customer_churn_rate = calculator(formulas.net_customer_churn_rate)
customer_retention_rate = calculator(formulas.customer_retention_rate)
cost_per_lead = calculator(formulas.cost_per_lead)
cost_per_qualified_lead = calculator(formulas.cost_per_qualified_lead)
mrr_growth_rate = calculator(formulas.mrr_growth_rate)
arr = calculator(formulas.arr)
net_revenue_retention = calculator(formulas.net_revenue_retention)
gross_revenue_retention = calculator(formulas.gross_revenue_retention)
revenue_churn_rate = calculator(formulas.revenue_churn_rate)
quick_ratio = calculator(formulas.quick_ratio)
arpa = calculator(formulas.arpa)
quota_attainment = calculator(formulas.quota_attainment)
quota_attainment_rate = calculator(formulas.quota_attainment_rate)
sales_rep_productivity = calculator(formulas.sales_rep_productivity)
time_spent_selling = calculator(formulas.time_spent_selling)
activities_per_rep = calculator(formulas.activities_per_rep)
prorate = calculator(formulas.prorate)
engagement_score = calculator(formulas.engagement_score)
enps = calculator(formulas.enps)
pulse_score = calculator(formulas.pulse_score)
