"""Pipeline history and forecasting: opportunity state as of any date, pipeline measures
(coverage, weighted pipeline, slippage, flow), the stage funnel and forecasts.

Everything here is set-based: the state of every opportunity at many as-of instants is one as-of
join of a dates table with ``opportunity_history`` (see :mod:`salesmetrics.pipeline.asof`).
The component families of the metric engine built on these (``pipeline``, ``stages``,
``forecasts``) are in :mod:`salesmetrics.metrics.families`.
"""
