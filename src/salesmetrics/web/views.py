"""What the pages show, laid out from the engine's answers (through :class:`Service`).

Each function asks the facade for a few results and formats them with the reports' locale
layer: values, changes, targets and statuses are the engine's; nothing here computes a metric.
The date arithmetic of the sparkline's window (the 12 months ending with the period) is
layout: the engine computes each month.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from salesmetrics import glossary
from salesmetrics.errors import UserError
from salesmetrics.metrics import registry as reg
from salesmetrics.reports import charts
from salesmetrics.reports.locale import Formats
from salesmetrics.web.service import Service
from salesmetrics.web.sparkline import sparkline
from salesmetrics.web.words import word

#: The dashboard: the seed's starter checklist (registry.DASHBOARD).
DASHBOARD = reg.DASHBOARD


@dataclass(frozen=True)
class Figure:
    """One metric's figure on a page, formatted."""

    metric: str
    name: str
    value: str
    target: str
    status: str
    change: str
    compare_period: str
    note: str
    spark: str = ""
    compare_value: str = ""
    #: the sparkline's numbers: (period, value) formatted, its table view
    spark_rows: tuple[tuple[str, str], ...] = ()

    @property
    def drillable(self) -> bool:
        """Whether the figure has rows behind it to drill into (every metric's but the
        anonymous surveys')."""
        metric = reg.get(self.metric)
        return bool(metric.drill) and not metric.respondents


@dataclass
class MetricPage:
    """The metric page's sections."""

    metric: str
    entry: glossary.Entry
    trend_svg: str = ""
    trend_rows: list[tuple[str, str]] = field(default_factory=list)
    trend_error: str = ""
    breakdown_dim: str = "team"
    breakdown_rows: list[tuple[str, str, str]] = field(default_factory=list)
    #: each breakdown row's group as ``DIM=VALUE`` for its drill-down ("" for none)
    breakdown_groups: list[str] = field(default_factory=list)
    #: each trend row's period label (for its drill-down)
    trend_periods: list[str] = field(default_factory=list)

    @property
    def drillable(self) -> bool:
        """Whether the metric's figures have rows behind them to drill into."""
        metric = reg.get(self.metric)
        return bool(metric.drill) and not metric.respondents

    breakdown_error: str = ""
    comparisons: list[tuple[str, Figure]] = field(default_factory=list)
    comparison_error: str = ""


def _first_by_metric(rows: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    found: dict[str, Mapping[str, Any]] = {}
    for row in rows:
        found.setdefault(row["metric"], row)
    return found


def _figure(metric: str, row: Mapping[str, Any] | None, fmt: Formats, lang: str) -> Figure:
    name = reg.get(metric).name.get(lang)
    if row is None:
        return Figure(metric, name, "—", "", "", "", "", word("no_value", lang))
    unit = row.get("unit")
    target = row.get("target")
    compare = row.get("compare_period")
    return Figure(
        metric=metric,
        name=name,
        value=fmt.value(row.get("value"), unit),
        target="" if target is None else fmt.value(target, unit),
        status=fmt.status(row.get("status")),
        change=fmt.change(row.get("change"), row.get("change_rate"), unit),
        compare_period="" if compare is None else fmt.period(str(compare)),
        note=str(row.get("note") or ""),
        compare_value="" if compare is None else fmt.value(row.get("compare_value"), unit),
    )


def twelve_months(start: str, end: str) -> str:
    """The custom period of the 12 calendar months ending with the month of the day before
    ``end`` (ISO dates; ``end`` exclusive), clipped to start no later than ``start``'s month."""
    last = dt.date.fromisoformat(end) - dt.timedelta(days=1)
    months = last.year * 12 + last.month - 1 - 11
    first = dt.date(months // 12, months % 12 + 1, 1)
    first = min(first, dt.date.fromisoformat(start).replace(day=1))
    return f"{first.isoformat()}..{last.isoformat()}"


def dashboard(
    service: Service,
    period: str,
    where: Mapping[str, str],
    lang: str,
    metrics: Sequence[str] = DASHBOARD,
) -> list[Figure]:
    """``metrics`` (default: the starter checklist) for ``period``: value, target and status,
    change against the previous period, and a sparkline of the 12 months ending with the
    period. Remembered for the data as they are now (:meth:`Service.memo`) by period, filters
    (the user's scope among them), language and metrics: users of one scope share it, and a
    user of another scope never gets it; the caller must not change it."""
    key = ("dashboard", period, tuple(sorted(where.items())), lang, tuple(metrics))
    return service.memo(key, lambda: _dashboard(service, period, where, lang, metrics))


def _dashboard(
    service: Service,
    period: str,
    where: Mapping[str, str],
    lang: str,
    metrics: Sequence[str],
) -> list[Figure]:
    fmt = Formats(lang, service.base_currency)
    now = service.metrics(metrics, period=period, compare="previous", where=where)
    first = _first_by_metric(now["results"])
    start, end = service.period_bounds(period)
    trend = service.metrics(metrics, period=twelve_months(start, end), grain="month", where=where)
    series: dict[str, list[float | None]] = {}
    tables: dict[str, list[tuple[str, str]]] = {}
    for row in trend["results"]:
        series.setdefault(row["metric"], []).append(row["value"])
        label = fmt.period(row["period"], _day(row["start"]))
        tables.setdefault(row["metric"], []).append((label, fmt.value(row["value"], row["unit"])))
    figures = []
    for metric in metrics:
        fig = _figure(metric, first.get(metric), fmt, lang)
        title = f"{fig.name}: {word('trend_12', lang)}"
        spark = sparkline(series.get(metric, []), title)
        figures.append(_with_spark(fig, spark, tuple(tables.get(metric, []))))
    return figures


def year_changes(
    service: Service, period: str, where: Mapping[str, str], lang: str, metrics: Sequence[str]
) -> dict[str, Figure]:
    """``metrics`` for ``period`` compared with the same period last year, by metric id."""
    fmt = Formats(lang, service.base_currency)
    answer = service.metrics(metrics, period=period, compare="year", where=where)
    first = _first_by_metric(answer["results"])
    return {m: _figure(m, first.get(m), fmt, lang) for m in metrics}


def _with_spark(fig: Figure, spark: str, rows: tuple[tuple[str, str], ...]) -> Figure:
    return Figure(**{**fig.__dict__, "spark": spark, "spark_rows": rows})


@lru_cache(maxsize=256)
def _svg(spec_json: str, lang: str) -> str:
    return charts.to_svg(json.loads(spec_json), lang)


def metric_page(
    service: Service,
    metric_id: str,
    period: str,
    grain: str | None,
    dim: str,
    where: Mapping[str, str],
    lang: str,
) -> MetricPage:
    """The metric page: trend (chart and table), breakdown by ``dim``, comparison with the
    previous period and the same period last year, definition. A section the engine refuses
    (a dimension the metric is not computed by, say) shows the engine's message instead."""
    metric = reg.get(metric_id)
    fmt = Formats(lang, service.base_currency)
    page = MetricPage(metric_id, glossary.entry(metric, lang), breakdown_dim=dim)
    try:
        trend = service.metrics([metric_id], period=period, grain=grain or "month", where=where)[
            "results"
        ]
        points = [(fmt.period(r["period"], _day(r["start"])), r["value"]) for r in trend]
        target = next((r["target"] for r in trend if r.get("target") is not None), None)
        spec = charts.trend(metric.name.get(lang), points, metric.unit, fmt, target=target)
        page.trend_svg = _svg(json.dumps(spec, sort_keys=True), lang)
        page.trend_rows = [(p, fmt.value(v, metric.unit)) for p, v in points]
        page.trend_periods = [str(r["period"]) for r in trend]
    except UserError as error:
        page.trend_error = str(error)
    try:
        rows = service.metrics([metric_id], period=period, by=[dim], where=where)["results"]
        page.breakdown_rows = [
            (_group(r["group"], dim, lang), fmt.value(r["value"], r["unit"]), r["note"] or "")
            for r in rows
        ]
        page.breakdown_groups = [_drill_group(r["group"], dim) for r in rows]
    except UserError as error:
        page.breakdown_error = str(error)
    try:
        for compare, label in (("previous", "previous_period"), ("year", "same_period_last_year")):
            answer = service.metrics([metric_id], period=period, compare=compare, where=where)
            row = _first_by_metric(answer["results"]).get(metric_id)
            page.comparisons.append((word(label, lang), _figure(metric_id, row, fmt, lang)))
    except UserError as error:
        page.comparison_error = str(error)
    return page


def _drill_group(group: Mapping[str, Any], dim: str) -> str:
    """``DIM=VALUE`` of a breakdown row's group ("" for the company's row or a group without
    a value, which cannot be named as a filter)."""
    value = group.get(dim) if group else None
    return "" if value is None else f"{dim}={value}"


def _day(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def _group(group: Mapping[str, Any], dim: str, lang: str) -> str:
    if not group:
        return word("all_groups", lang)
    value = group.get(dim)
    return "—" if value is None else str(value)


def glossary_entries(lang: str) -> list[tuple[str, list[glossary.Entry]]]:
    """Every metric's glossary entry, by section."""
    sections: list[tuple[str, list[glossary.Entry]]] = []
    for section in reg.Section:
        entries = [glossary.entry(m, lang) for m in reg.REGISTRY.values() if m.section is section]
        if entries:
            sections.append((reg.SECTION_TITLES[section].get(lang), entries))
    return sections
