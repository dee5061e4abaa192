"""The forecast methods and categories and the column names of the ``forecasts`` component
family (:mod:`salesmetrics.metrics.families.forecast`), without Ibis, so the metric catalog can
name them while the registry stays light."""

from __future__ import annotations

from salesmetrics.conventions import FORECAST_CATEGORIES as CATEGORIES
from salesmetrics.conventions import FORECAST_METHODS as METHODS

#: What a forecast row without a method or category is (data-model.md: most_likely).
DEFAULT_METHOD, DEFAULT_CATEGORY = METHODS[0], CATEGORIES[0]
__all__ = ["CATEGORIES", "COLUMNS", "DEFAULT_CATEGORY", "DEFAULT_METHOD", "METHODS", "column"]
FIELDS = ("", "_late", "_at", "_id")


def column(method: str, category: str, suffix: str = "") -> str:
    """The family column of a (method, category) forecast; ``suffix`` one of :data:`FIELDS`
    (amount, 1.0 when submitted after the period's start, submitted_at, forecast_id)."""
    return f"fc_{method}_{category}{suffix}"


#: Every column of the family besides ``period`` and the group dimensions.
COLUMNS = tuple(column(m, c, f) for m in METHODS for c in CATEGORIES for f in FIELDS)
