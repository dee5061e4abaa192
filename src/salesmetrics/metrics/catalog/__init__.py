"""The metric declarations, one module per section of metrics.md."""

from __future__ import annotations

from salesmetrics.metrics.catalog import (
    conversion,
    customers,
    marketing,
    people,
    pipeline,
    recurring,
    revenue,
    stages,
    team,
)
from salesmetrics.metrics.registry import Metric

#: Every metric, in the order of metrics.md.
ALL_METRICS: tuple[Metric, ...] = (
    *revenue.METRICS,
    *recurring.REVENUE_METRICS,
    *conversion.METRICS,
    *stages.METRICS,
    *pipeline.METRICS,
    *customers.METRICS,
    *marketing.METRICS,
    *recurring.METRICS,
    *team.METRICS,
    *people.METRICS,
)
