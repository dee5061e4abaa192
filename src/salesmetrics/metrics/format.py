"""Human formatting of metric values by unit (tables, notebooks): 25.0%, USD 1,000,000.00."""

from __future__ import annotations

import math
from typing import Any

from salesmetrics.formulas import Unit

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "IDR": "Rp"}


def money_text(value: float, currency: str) -> str:
    """``$1,234.50`` / ``Rp1,234.50`` / ``CHF 1,234.50``."""
    symbol = _SYMBOLS.get(currency.upper())
    sign = "-" if value < 0 else ""
    amount = f"{abs(value):,.2f}"
    return f"{sign}{symbol}{amount}" if symbol else f"{sign}{currency.upper()} {amount}"


def format_value(value: Any, unit: str | None, currency: str) -> str:
    """``value`` for display in ``unit``; an em dash where it is missing."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    v = float(value)
    match unit:
        case Unit.RATIO:
            return f"{v * 100:.1f}%"
        case Unit.MONEY:
            return money_text(v, currency)
        case Unit.MONEY_PER_DAY:
            return money_text(v, currency) + "/day"
        case Unit.COUNT:
            return f"{v:,.0f}"
        case Unit.DAYS:
            return f"{v:,.1f} d"
        case Unit.MONTHS:
            return f"{v:,.1f} mo"
        case Unit.YEARS:
            return f"{v:,.1f} y"
        case Unit.NUMBER:
            return f"{v:,.2f}"
        case Unit.SCORE:
            return f"{v:,.1f}"
    return f"{v:,.4g}"


def format_change(change: Any, change_rate: Any, unit: str | None, currency: str) -> str:
    """A comparison for display: ▲/▼ and the change (points for ratios, % for the rest)."""
    if change is None or (isinstance(change, float) and not math.isfinite(change)):
        return ""
    c = float(change)
    arrow = "▲" if c > 0 else "▼" if c < 0 else "="
    if unit == Unit.RATIO:
        return f"{arrow}{abs(c) * 100:.1f} pp"
    if change_rate is None or (isinstance(change_rate, float) and not math.isfinite(change_rate)):
        return f"{arrow}{format_value(abs(c), unit, currency)}"
    return f"{arrow}{abs(float(change_rate)) * 100:.1f}%"
