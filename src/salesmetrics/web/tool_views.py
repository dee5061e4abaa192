"""What the pipeline, forecast, calculators, cohorts and data-quality pages show, laid out from
the facade's answers (:meth:`Workspace.pipeline`, :func:`forecasting.make`,
:func:`calc.evaluate`, :meth:`Workspace.cohorts`, :meth:`Workspace.check`); nothing here
computes a figure. Each chart comes with its numbers as a table."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from salesmetrics import calc
from salesmetrics.errors import UserError
from salesmetrics.formulas import FORMULAS, Formula
from salesmetrics.metrics import forecasting as fc
from salesmetrics.metrics import registry as reg
from salesmetrics.metrics.result import plain
from salesmetrics.periods import Grain, label_of
from salesmetrics.reports import charts
from salesmetrics.reports.locale import Formats
from salesmetrics.web.service import Service
from salesmetrics.web.words import WORDS, word

if TYPE_CHECKING:
    import pandas as pd

    from salesmetrics.workspace import Workspace

#: Frame columns shown as money, and as whole counts.
MONEY = frozenset({"amount", "weighted", "low", "high", "actual", "cohort_mrr"})
COUNTS = frozenset({"deals", "customers"})
#: Workspace settings that give a calculator input its default (as ``salesmetrics calc``).
CONFIG_DEFAULTS = {"gross_margin": "gross_margin", "max_years": "max_customer_lifetime_years"}


@dataclass
class Table:
    """A table of formatted cells, its column names and, when it has one, its chart (SVG)."""

    columns: list[str]
    rows: list[list[str]]
    chart: str = ""
    notes: list[str] = field(default_factory=list)


def frame_table(frame: pd.DataFrame, fmt: Formats, names: Mapping[str, str] | None = None) -> Table:
    """``frame``'s cells formatted (money, counts, numbers, dates); rep ids shown by name."""
    names = names or {}
    rows = []
    for record in frame.itertuples(index=False):
        cells = []
        for column, raw in zip(frame.columns, record, strict=True):
            value = plain(raw)
            if value is None:
                cells.append("")
            elif column in MONEY:
                cells.append(fmt.money(value))
            elif column in COUNTS:
                cells.append(fmt.fixed(value, 0))
            elif isinstance(value, float):
                cells.append(fmt.number(value))
            elif column in ("rep", "manager", "group"):
                cells.append(names.get(str(value), str(value)))
            else:
                cells.append(str(value))
        rows.append(cells)
    return Table([_header(str(c), fmt) for c in frame.columns], rows)


def _header(column: str, fmt: Formats) -> str:
    """A frame column's header in ``fmt``'s language (a dimension's name, else the page's)."""
    key = f"col_{column}"
    return word(key, fmt.lang) if key in WORDS else fmt.dim(column)


def _svg(spec: dict[str, Any], lang: str) -> str:
    return _drawn(json.dumps(spec, default=str, sort_keys=True), lang)


@lru_cache(maxsize=64)
def _drawn(spec_json: str, lang: str) -> str:
    """A chart drawn once per specification (vl-convert takes a tenth of a second or more)."""
    return charts.to_svg(json.loads(spec_json), lang)


# -- pipeline -----------------------------------------------------------------------------------


@dataclass
class Pipeline:
    """The open pipeline at a date: the engine's table, totals and a chart by stage."""

    day: dt.date
    table: Table
    deals: str = ""
    amount: str = ""
    weighted: str = ""


def pipeline(
    service: Service,
    day: dt.date,
    by: Sequence[str],
    grain: str,
    where: Mapping[str, str],
    lang: str,
) -> Pipeline:
    """The deals open at the start of ``day`` by stage and close period (``grain``), grouped
    ``by`` dimensions, within ``where``."""
    fmt = Formats(lang, service.base_currency)

    def work(ws: Workspace) -> tuple[pd.DataFrame, dict[str, str]]:
        frame = ws.pipeline(as_of=day, by=list(by), grain=grain, where=dict(where))
        return frame, ws.names("rep") if {"rep", "manager"} & set(by) else {}

    key = ("pipeline", day, tuple(by), grain, tuple(sorted(where.items())))
    frame, names = service.cached(key, work)
    found = Pipeline(day, frame_table(frame, fmt, names))
    if frame.empty:
        return found
    found.deals = fmt.fixed(frame["deals"].sum(), 0)
    found.amount = fmt.money(frame["amount"].sum())
    found.weighted = fmt.money(frame["weighted"].sum())
    by_stage = frame.groupby("stage", sort=False)["amount"].sum()
    stages = [(str(s), float(v), None) for s, v in by_stage.items()]
    spec = charts.funnel(f"{service.base_currency} · {fmt.word('stage')}", stages, fmt)
    found.table.chart = _svg(spec, lang)
    return found


# -- forecast -----------------------------------------------------------------------------------


def forecast_scope(where: Mapping[str, str], by: str | None) -> tuple[str | None, str | None]:
    """The forecast scope (company, ``team`` or ``rep``) and the group of it to keep: a
    forecast is made per company, team or rep, so a filter (a manager's team, a rep) names
    one team or rep, whose forecast is that group's row."""
    if not where:
        return by, None
    if len(where) > 1 or next(iter(where)) not in fc.SCOPE_DIMS:
        raise UserError("forecasts are made per team or rep: filter by one team or one rep")
    ((dim, value),) = where.items()
    if by is not None and by != dim:
        raise UserError(f"forecast by {by} and a filter on {dim}: give one scope")
    return dim, value


def forecast(
    service: Service, period: str, by: str | None, where: Mapping[str, str], lang: str
) -> tuple[str, Table]:
    """The period's label and the forecasts of won revenue for it by both methods, of the
    company, each team or each rep (``by``), within ``where``."""
    fmt = Formats(lang, service.base_currency)
    scope, keep = forecast_scope(where, by)

    def work(ws: Workspace) -> tuple[str, pd.DataFrame, dict[str, str]]:
        target = ws.period(period)
        made = fc.make(ws, [target], list(fc.METHODS), scope)
        if keep is not None:
            made = made[made["group"] == ws.filters({scope or "": keep})[scope or ""]]
        return target.label, made.reset_index(drop=True), ws.names("rep") if scope == "rep" else {}

    label, made, names = service.cached(("forecast", period, scope, keep), work)
    return label, frame_table(made, fmt, names)


# -- calculators --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Calculator:
    """A calculator's form: name, title, formula, parameters with their defaults."""

    id: str
    title: str
    summary: str
    expression: str
    unit: str
    params: list[dict[str, Any]]


def calculators(defaults: Mapping[str, float], lang: str) -> list[Calculator]:
    """Every calculator (the registry's formulas), its title in ``lang`` where it is a
    metric's, with the workspace's ``defaults``."""
    return [_calculator(f, defaults, lang) for f in FORMULAS.values()]


def _calculator(f: Formula, defaults: Mapping[str, float], lang: str) -> Calculator:
    title = reg.REGISTRY[f.name].name.get(lang) if f.name in reg.REGISTRY else f.name
    params = [
        {
            "name": p.name,
            "doc": p.doc,
            "unit": p.unit.value,
            "default": defaults.get(p.name, p.default),
            "list": p.is_list,
            "example": f.example.get(p.name),
        }
        for p in f.params
    ]
    return Calculator(f.name, title, f.summary, f.expression, f.unit.value, params)


def calculator(name: str, defaults: Mapping[str, float], lang: str) -> Calculator:
    """One calculator's form (a UserError names close matches for an unknown one)."""
    return _calculator(calc.get(name), defaults, lang)


def calc_defaults(service: Service) -> dict[str, float]:
    """The inputs whose default the workspace sets (gross margin, maximum customer lifetime)."""
    config = service.read(lambda ws: ws.config)
    return {param: float(getattr(config, key)) for param, key in CONFIG_DEFAULTS.items()}


def evaluate(
    name: str, values: Mapping[str, str], defaults: Mapping[str, float]
) -> calc.Calculation:
    """The calculation of ``name`` on the inputs given (blank ones left out), the workspace's
    defaults filling the inputs it sets."""
    formula = calc.get(name)
    given = {k: v for k, v in values.items() if str(v).strip()}
    for p in formula.params:
        if p.name not in given and p.name in defaults:
            given[p.name] = str(defaults[p.name])
    return calc.evaluate(formula.name, given)


# -- cohorts ------------------------------------------------------------------------------------

#: The measures of the triangle: the retention column and the cohort size column.
MEASURES = {"logos": ("logo_retention", "customers"), "mrr": ("mrr_retention", "cohort_mrr")}
COHORT_ROWS = 24
COHORT_AGES = 13


def cohorts(
    service: Service, grain: str, measure: str, lang: str, period: str | None = None
) -> Table:
    """The retention triangle of the latest cohorts (of a month or a quarter; those acquired in
    ``period`` when given, as ``salesmetrics cohorts --period``) as a shaded chart printing
    each cell's percentage and as a table."""
    if measure not in MEASURES:
        raise UserError(f"measure={measure!r}: use logos or mrr")
    fmt = Formats(lang, service.base_currency)
    bounds = None if period is None else service.period_bounds(period)
    frame, fiscal = service.cached(
        ("cohorts", grain), lambda ws: (ws.cohorts(grain=grain), ws.config.fiscal_year_start_month)
    )
    if frame.empty:
        return Table([], [])
    retention, size = MEASURES[measure]
    g = Grain.MONTH if grain == "month" else Grain.QUARTER
    fsm = fiscal if g is Grain.QUARTER else 1
    if bounds is not None:
        first, end = (dt.date.fromisoformat(b) for b in bounds)
        days = frame["cohort"].map(_day)
        frame = frame[(days >= first) & (days < end)]
        if frame.empty:
            return Table([], [])
    chosen = sorted(frame["cohort"].unique())[-COHORT_ROWS:]
    ages = list(range(COHORT_AGES))
    rows, cells = [], []
    for cohort in chosen:
        mine = frame[frame["cohort"] == cohort]
        day = _day(cohort)
        name = fmt.period(label_of(day, g, fiscal_start_month=fsm), day)
        values = dict(zip(mine["age"].tolist(), mine[retention].tolist(), strict=True))
        row = [
            name,
            fmt.money(mine[size].iloc[0]) if size in MONEY else fmt.fixed(mine[size].iloc[0], 0),
        ]
        for age in ages:
            v = plain(values.get(age))
            row.append("" if v is None else fmt.percent(v))
            if v is not None:
                cells.append((name, str(age), v))
        rows.append(row)
    title = f"{fmt.word('cohorts')} ({measure})"
    table = Table(
        [
            fmt.word("cohort"),
            fmt.word("customers") if size == "customers" else "MRR",
            *map(str, ages),
        ],
        rows,
    )
    table.chart = _svg(charts.heatmap(title, cells, fmt), lang)
    return table


def _day(value: Any) -> dt.date:
    import pandas as pd

    day: dt.date = pd.Timestamp(value).date()
    return day


# -- data quality -------------------------------------------------------------------------------


def quality(service: Service, lang: str) -> tuple[str, list[dict[str, Any]]]:
    """The data-quality report's date and findings (as ``salesmetrics check --format json``),
    the problems first, each with its share formatted and its fix."""
    fmt = Formats(lang, service.base_currency)
    report = service.cached(("check",), lambda ws: ws.check())
    found = []
    for finding in sorted(report.findings, key=lambda f: (f.count == 0, f.check.id)):
        entry = finding.to_dict(lang)
        entry["share_text"] = "" if finding.share is None else fmt.percent(finding.share)
        entry["fix"] = finding.check.fix.get(lang)
        found.append(entry)
    return fmt.date(report.today), found
