"""The metric declarations, one module per section of metrics.md."""

from __future__ import annotations

from salesmetrics.metrics.catalog import conversion, customers, people, pipeline, revenue, team
from salesmetrics.metrics.registry import Metric

#: Every metric, in the order of metrics.md.
ALL_METRICS: tuple[Metric, ...] = (
    *revenue.METRICS,
    *conversion.METRICS,
    *pipeline.METRICS,
    *customers.METRICS,
    *team.METRICS,
    *people.METRICS,
)
