"""The forecast methods and categories and the column names of the ``forecasts`` component
family (:mod:`salesmetrics.metrics.families.forecast`), without Ibis, so the metric catalog can
name them while the registry stays light."""

from __future__ import annotations

METHODS = ("manager", "weighted_pipeline", "statistical")
CATEGORIES = ("most_likely", "commit", "best_case")
DEFAULT_METHOD, DEFAULT_CATEGORY = "manager", "most_likely"
FIELDS = ("", "_late", "_at", "_id")


def column(method: str, category: str, suffix: str = "") -> str:
    """The family column of a (method, category) forecast; ``suffix`` one of :data:`FIELDS`
    (amount, 1.0 when submitted after the period's start, submitted_at, forecast_id)."""
    return f"fc_{method}_{category}{suffix}"


#: Every column of the family besides ``period`` and the group dimensions.
COLUMNS = tuple(column(m, c, f) for m in METHODS for c in CATEGORIES for f in FIELDS)
