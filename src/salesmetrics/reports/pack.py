"""Building a review pack from the engine: a few requests, each answering many metrics ×
periods × groups at once, turned into the pack's sections.

The calls (each timed, see :attr:`ReviewPack.engine_calls`):

* ``trend``: the cadence's metrics over the trend periods (13 months, or 8 quarters), compared
  with the previous period: the summary (value, previous, change, last year), the trend charts,
  the MRR waterfall, the funnel and forecast accuracy;
* ``years`` (annual packs only): the metrics for the year and the year before;
* ``by DIM``: the metrics for the period by team and by segment (or ``--by DIM``), compared with
  the previous period: the breakdowns and the groups that moved most;
* ``by rep``: the rep leaderboard (when the sales leadership section is in the pack);
* ``cohorts`` (when finance or customer success is), ``drill`` for the biggest group movers, and
  ``data status`` for the cover and the data-quality notes.

Nothing here computes a metric: values, components, targets, statuses and changes are the
engine's; the change against last year is the difference of the two values the engine gave.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from salesmetrics import periods
from salesmetrics.errors import UserError
from salesmetrics.metrics import registry as reg
from salesmetrics.metrics.registry import CADENCE_NAMES, ROLE_NAMES, Cadence, Role
from salesmetrics.periods import Grain, Period
from salesmetrics.reports import charts, excerpts
from salesmetrics.reports.locale import Formats, check_lang
from salesmetrics.reports.model import (
    Block,
    Chart,
    Column,
    EngineCall,
    Paragraph,
    ReviewPack,
    Section,
    Table,
)

if TYPE_CHECKING:
    import pandas as pd

    from salesmetrics.metrics.result import MetricResult
    from salesmetrics.progress import Progress
    from salesmetrics.workspace import Workspace

T = TypeVar("T")

#: The grain of each cadence's period, the grain of its trend and how many trend periods.
CADENCES: dict[str, tuple[Grain, Grain, int]] = {
    "monthly": (Grain.MONTH, Grain.MONTH, 13),
    "quarterly": (Grain.QUARTER, Grain.QUARTER, 8),
    "annual": (Grain.YEAR, Grain.QUARTER, 8),
}
#: Trend periods back to the same period last year, by trend grain (months, quarters).
YEAR_BACK = {Grain.MONTH: 12, Grain.QUARTER: 4}
#: The breakdowns of a pack without ``--by``.
DEFAULT_BREAKDOWNS = ("team", "segment")
#: The rep leaderboard's metrics, ranked by the first.
LEADERBOARD = ("quota_attainment", "sales_rep_productivity", "win_rate", "total_revenue")
#: How many movers (metrics, groups) the pack lists, and how many group movers it drills into.
MOVERS = 8
DRILLED = 3
DRILL_ROWS = 10
#: Cohorts shown in the triangle (the latest), and ages (months) per cohort.
COHORT_ROWS = 12
COHORT_AGES = 10
#: The movements of the MRR waterfall (the mrr metric's components), in order.
MOVEMENTS = ("new", "reactivation", "expansion", "contraction", "churn")


def _finite(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and not math.isfinite(value))


class _Engine:
    """The workspace's engine calls, timed, with progress reported per call."""

    def __init__(self, ws: Workspace, progress: Progress | None, total: int) -> None:
        self.ws = ws
        self.progress = progress
        self.total = total
        self.calls: list[EngineCall] = []

    def call(self, name: str, work: Callable[[], T]) -> T:
        started = time.perf_counter()
        value = work()
        self.calls.append(EngineCall(name, time.perf_counter() - started))
        if self.progress is not None:
            self.progress(
                "computing the metrics", len(self.calls), max(self.total, len(self.calls))
            )
        return value

    def rows(self, name: str, request: Callable[[], MetricResult]) -> list[dict[str, Any]]:
        """The rows of a metrics request (building them is the engine's work too)."""
        return self.call(name, lambda: request().rows())


def parse_role(role: str | None) -> Role | None:
    """``role`` as a :class:`Role` (``sales`` and ``customer-success`` are accepted too)."""
    if role is None:
        return None
    text = role.strip().lower().replace("-", "_").replace(" ", "_")
    text = {"sales": "sales_leadership", "cs": "customer_success", "hr": "people"}.get(text, text)
    try:
        return Role(text)
    except ValueError:
        raise UserError(
            f"unknown role {role!r}; use one of {', '.join(r.value for r in Role)}"
        ) from None


def resolve_period(ws: Workspace, cadence: str, text: str) -> tuple[Period, Grain, Grain, int]:
    """The pack's period (a whole month, quarter or year of the cadence), its grain, the trend
    grain and the number of trend periods; one-line UserErrors otherwise."""
    if cadence not in CADENCES:
        raise UserError(f"unknown cadence {cadence!r}; use monthly, quarterly or annual")
    grain, trend_grain, count = CADENCES[cadence]
    calendar = ws.config.calendar
    period = periods.parse_period(text, fiscal_start_month=calendar)
    whole = periods.period_of(period.start, grain, fiscal_start_month=calendar)
    if (whole.start, whole.end) != (period.start, period.end):
        example = {"monthly": "2025-11", "quarterly": "2025-Q4", "annual": "2025"}[cadence]
        raise UserError(
            f"a {cadence} pack takes a whole {grain.value} such as {example}, not {text!r}"
        )
    return whole, grain, trend_grain, count


def _trend_first(period: Period, trend_grain: Grain, count: int, calendar: Any) -> Period:
    """The first of the ``count`` trend periods ending with the one holding ``period``'s end."""
    last = periods.period_of(period.last_day, trend_grain, fiscal_start_month=calendar)
    first = last
    for _ in range(count - 1):
        first = periods.previous(first, trend_grain, fiscal_start_month=calendar)
    return first


def _selected(cadence: str, role: Role | None) -> list[reg.Metric]:
    """The metrics of the cadence's review (of one role's, with a role), in registry order."""
    wanted = Cadence(cadence)
    return [
        m
        for m in reg.REGISTRY.values()
        if wanted in m.cadence and (role is None or role in m.owners)
    ]


def build_pack(
    ws: Workspace,
    cadence: str,
    period: str,
    *,
    role: str | None = None,
    by: str | None = None,
    lang: str = "en",
    progress: Progress | None = None,
) -> ReviewPack:
    """The review pack of ``cadence`` (monthly, quarterly, annual) for ``period`` (``2025-11``,
    ``2025-Q4``, ``2025``), for one ``role`` or all, broken down ``by`` one dimension (default:
    team and segment), in ``lang`` (en, id). Write it with :func:`write_pack`."""
    from salesmetrics import dims as gdims

    cadence = cadence.strip().lower()
    lang = check_lang(lang)
    chosen_role = parse_role(role)
    if by is not None:
        by = gdims.validate((by,))[0]
    the_period, grain, trend_grain, count = resolve_period(ws, cadence, period)
    fmt = Formats(lang, ws.config.base_currency)
    metrics = _selected(cadence, chosen_role)
    roles = [chosen_role] if chosen_role else list(Role)
    breakdowns = (by,) if by else DEFAULT_BREAKDOWNS
    with_reps = Role.SALES in roles
    with_cohorts = Role.FINANCE in roles or Role.CUSTOMER_SUCCESS in roles
    total = 3 + len(breakdowns) + int(with_reps) + int(with_cohorts) + DRILLED
    engine = _Engine(ws, progress, total)

    calendar = ws.config.calendar
    first = _trend_first(the_period, trend_grain, count, calendar)
    last = periods.period_of(the_period.last_day, trend_grain, fiscal_start_month=calendar)
    ids = [m.id for m in metrics]
    trend_rows = engine.rows(
        "trend",
        lambda: ws.metrics(
            ids,
            from_period=first.label,
            to_period=last.label,
            grain=str(trend_grain),
            compare="previous",
        ),
    )
    plain_ids = [m.id for m in metrics if not m.dims]
    if grain is Grain.YEAR:
        before = periods.previous(the_period, grain, fiscal_start_month=calendar)
        summary_source = engine.rows(
            "years",
            lambda: ws.metrics(
                plain_ids,
                from_period=before.label,
                to_period=the_period.label,
                grain=str(grain),
                compare="previous",
            ),
        )
        year_back = 1
    else:
        summary_source = trend_rows
        year_back = YEAR_BACK[grain]
    summary = _summary(summary_source, the_period.label, year_back, fmt)

    group_rows: dict[str, list[dict[str, Any]]] = {}
    for dim in breakdowns:
        group_rows[dim] = engine.rows(f"by {dim}", _request(ws, plain_ids, the_period.label, dim))
    rep_rows: list[dict[str, Any]] = []
    if with_reps:
        rep_rows = engine.rows(
            "by rep",
            lambda: ws.metrics(
                list(LEADERBOARD), period=the_period.label, by="rep", compare="previous"
            ),
        )
    cohort_frame = None
    if with_cohorts:
        cohort_frame = engine.call("cohorts", lambda: ws.cohorts(through=the_period.last_day))
    status = engine.call("data status", ws.data_status)
    hygiene = engine.call("data quality", ws.check)

    trend_periods = _ordered_periods(trend_rows)
    sections = [_summary_section(summary, fmt)]
    for r in roles:
        sections.append(
            _role_section(
                r,
                [m for m in metrics if r in m.owners],
                trend_rows,
                trend_periods,
                the_period.label,
                group_rows,
                rep_rows,
                cohort_frame,
                fmt,
            )
        )
    movers_rows = [r for dim in breakdowns for r in group_rows[dim]]
    if with_reps:
        movers_rows += rep_rows
    sections.append(_movers_section(ws, engine, summary, movers_rows, fmt))
    sections.append(_quality_section(status, hygiene, summary, trend_rows, the_period.label, fmt))
    sections.append(_glossary_section(metrics, fmt))

    title = fmt.word(
        "pack_title",
        cadence=CADENCE_NAMES[Cadence(cadence)].get(lang).capitalize()
        if lang == "en"
        else CADENCE_NAMES[Cadence(cadence)].get(lang),
        period=fmt.period(the_period.label, the_period.start),
    )
    if chosen_role is not None:
        title += f" — {ROLE_NAMES[chosen_role].get(lang)}"
    return ReviewPack(
        title=title,
        cadence=cadence,
        period=the_period.label,
        period_start=the_period.start,
        period_end=the_period.end,
        lang=lang,
        base_currency=ws.config.base_currency,
        role=chosen_role.value if chosen_role else None,
        by=by,
        status=status,
        summary=summary,
        sections=sections,
        generated=dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None),
        workspace=str(ws.root),
        engine_calls=engine.calls,
    )


def _request(ws: Workspace, ids: list[str], label: str, dim: str) -> Callable[[], MetricResult]:
    """The request of a breakdown: ``ids`` for period ``label`` by ``dim``, against the previous
    period."""
    return lambda: ws.metrics(ids, period=label, by=dim, compare="previous")


def _drill(ws: Workspace, row: dict[str, Any]) -> Callable[[], pd.DataFrame]:
    """The drill-down of result ``row``, as a frame."""
    return lambda: ws.drill(row).execute()


def _ordered_periods(rows: Iterable[dict[str, Any]]) -> list[tuple[str, dt.date]]:
    """The distinct (label, start) of ``rows``, in time order."""
    seen = {r["period"]: dt.date.fromisoformat(r["start"]) for r in rows}
    return sorted(seen.items(), key=lambda kv: kv[1])


def _summary(
    rows: Sequence[dict[str, Any]], label: str, year_back: int, fmt: Formats
) -> list[dict[str, Any]]:
    """One dict per company-wide metric of ``label``: the engine's value, previous value and
    change, and the value ``year_back`` periods earlier (same period last year)."""
    order = _ordered_periods(rows)
    labels = [p for p, _ in order]
    if label not in labels:
        return []
    at = labels.index(label)
    ly_label = labels[at - year_back] if at - year_back >= 0 else None
    by_key = {(r["metric"], r["period"]): r for r in rows if not r["group"]}
    out: list[dict[str, Any]] = []
    for metric in reg.REGISTRY.values():
        row = by_key.get((metric.id, label))
        if row is None:
            continue
        ly = by_key.get((metric.id, ly_label)) if ly_label else None
        last_year = ly["value"] if ly else None
        change_year = (
            row["value"] - last_year if _finite(row["value"]) and _finite(last_year) else None
        )
        out.append(
            {
                "metric": metric.id,
                "name": metric.name.get(fmt.lang),
                "unit": row["unit"],
                "period": label,
                "value": row["value"],
                "previous_period": row.get("compare_period"),
                "previous": row.get("compare_value"),
                "change": row.get("change"),
                "change_rate": row.get("change_rate"),
                "last_year_period": ly_label,
                "last_year": last_year,
                "change_year": change_year,
                "change_year_rate": change_year / abs(last_year)
                if change_year is not None and last_year
                else None,
                "target": row["target"],
                "status": row["status"],
                "note": row["note"],
                "components": row["components"],
                "owners": [o.value for o in metric.owners],
            }
        )
    return out


SUMMARY_COLUMNS = (
    ("name", "metric", "text"),
    ("value", "value", "value"),
    ("previous", "previous", "value"),
    ("change", "change", "change"),
    ("last_year", "last_year", "value"),
    ("change_year", "change_year", "change"),
    ("target", "target", "value"),
    ("status", "status", "status"),
)


def _summary_section(summary: list[dict[str, Any]], fmt: Formats) -> Section:
    columns = tuple(Column(key, fmt.word(word), kind) for key, word, kind in SUMMARY_COLUMNS)
    table = Table("summary", fmt.word("summary"), columns, summary, components=True)
    return Section("summary", fmt.word("summary"), (table,))


def _group_text(group: dict[str, Any], fmt: Formats) -> str:
    if not group:
        return fmt.word("company")
    return ", ".join(f"{fmt.dim(k)}: {v if v is not None else '—'}" for k, v in group.items())


def _role_section(
    role: Role,
    metrics: list[reg.Metric],
    trend_rows: list[dict[str, Any]],
    trend_periods: list[tuple[str, dt.date]],
    label: str,
    group_rows: dict[str, list[dict[str, Any]]],
    rep_rows: list[dict[str, Any]],
    cohort_frame: Any,
    fmt: Formats,
) -> Section:
    """A role's section: trend charts and table, breakdowns, and the role's special views."""
    ids = {m.id for m in metrics}
    blocks: list[Block] = []
    company = [r for r in trend_rows if r["metric"] in ids and not r["group"]]
    by_metric: dict[str, list[dict[str, Any]]] = {}
    for r in company:
        by_metric.setdefault(r["metric"], []).append(r)
    starts = dict(trend_periods)

    # trend charts (metrics with some value in the trend) and the values by period
    for metric in metrics:
        mine = sorted(by_metric.get(metric.id, []), key=lambda r: starts[r["period"]])
        if not any(_finite(r["value"]) for r in mine):
            continue
        points = [(fmt.period(r["period"], starts[r["period"]]), r["value"]) for r in mine]
        name = metric.name.get(fmt.lang)
        last_value = mine[-1]["value"]
        blocks.append(
            Chart(
                f"trend-{role.value}-{metric.id}",
                name,
                charts.trend(name, points, metric.unit, fmt, target=mine[-1]["target"]),
                f"{name}: {', '.join(f'{p} {fmt.value(v, metric.unit)}' for p, v in points)}",
            )
        )
        del last_value
    trend_table_rows = [
        {
            **r,
            "name": reg.get(r["metric"]).name.get(fmt.lang),
            "period_text": fmt.period(r["period"], starts[r["period"]]),
        }
        for r in sorted(
            company, key=lambda r: (list(reg.REGISTRY).index(r["metric"]), starts[r["period"]])
        )
    ]
    if trend_table_rows:
        blocks.append(
            Table(
                f"trend-{role.value}",
                fmt.word("trend_table"),
                (
                    Column("name", fmt.word("metric")),
                    Column("period_text", fmt.word("period")),
                    Column("value", fmt.word("value"), "value"),
                    Column("change", fmt.word("change"), "change"),
                    Column("target", fmt.word("target"), "value"),
                    Column("status", fmt.word("status"), "status"),
                    Column("note", fmt.word("note")),
                ),
                trend_table_rows,
                components=True,
            )
        )

    # breakdowns for the period
    for dim, rows in group_rows.items():
        mine_rows = [
            {
                **r,
                "name": reg.get(r["metric"]).name.get(fmt.lang),
                "group_text": _group_text(r["group"], fmt),
            }
            for r in rows
            if r["metric"] in ids and r["group"] and (_finite(r["value"]) or r["components"])
        ]
        if mine_rows:
            blocks.append(
                Table(
                    f"by-{dim}-{role.value}",
                    fmt.word("breakdown", dim=fmt.dim(dim)),
                    (
                        Column("name", fmt.word("metric")),
                        Column("group_text", _upper_first(fmt.dim(dim))),
                        Column("value", fmt.word("value"), "value"),
                        Column("change", fmt.word("change"), "change"),
                        Column("status", fmt.word("status"), "status"),
                    ),
                    mine_rows,
                    components=True,
                    printed=excerpts.breakdown(mine_rows, dim, fmt),
                )
            )

    if "mrr" in ids:
        blocks.extend(_waterfall_blocks(by_metric.get("mrr", []), starts, label, fmt))
    if role in (Role.FINANCE, Role.CUSTOMER_SUCCESS) and cohort_frame is not None:
        blocks.extend(_cohort_blocks(cohort_frame, fmt))
    if role is Role.SALES:
        funnel_rows = [
            r
            for r in trend_rows
            if r["metric"] == "stage_conversion" and r["period"] == label and r["group"]
        ]
        blocks.extend(_funnel_blocks(funnel_rows, fmt))
        blocks.extend(_forecast_blocks(by_metric.get("sales_forecast_accuracy", []), starts, fmt))
        blocks.extend(_leaderboard_blocks(rep_rows, fmt))
    if role is Role.PEOPLE:
        pulse = [
            {
                **r,
                "group_text": _group_text(r["group"], fmt),
                "name": reg.get(r["metric"]).name.get(fmt.lang),
            }
            for r in trend_rows
            if r["metric"] == "pulse_score" and r["period"] == label
        ]
        if pulse:
            blocks.append(
                Table(
                    f"pulse-{role.value}",
                    reg.get("pulse_score").name.get(fmt.lang),
                    (
                        Column("group_text", fmt.word("group")),
                        Column("value", fmt.word("value"), "value"),
                        Column("change", fmt.word("change"), "change"),
                        Column("note", fmt.word("note")),
                    ),
                    pulse,
                    components=True,
                )
            )
    if not blocks:
        blocks.append(Paragraph(fmt.word("no_data")))
    return Section(
        f"role-{role.value}",
        _upper_first(ROLE_NAMES[role].get(fmt.lang)),
        tuple(blocks),
        role.value,
    )


def _waterfall_blocks(
    mrr_rows: list[dict[str, Any]], starts: dict[str, dt.date], label: str, fmt: Formats
) -> list[Block]:
    """The MRR waterfall (the mrr metric's components) by trend period, and its chart for the
    pack's last trend period."""
    rows = [
        r
        for r in sorted(mrr_rows, key=lambda r: starts[r["period"]])
        if r["components"].get("mrr_start") is not None
    ]
    if not rows:
        return []
    table_rows = [
        {
            "period_text": fmt.period(r["period"], starts[r["period"]]),
            **{k: r["components"].get(k) for k in ("mrr_start", *MOVEMENTS, "mrr_end")},
        }
        for r in rows
    ]
    columns = (
        Column("period_text", fmt.word("period")),
        Column("mrr_start", fmt.word("start"), "money"),
        *(Column(k, fmt.word(k), "money") for k in MOVEMENTS),
        Column("mrr_end", fmt.word("end"), "money"),
    )
    latest = rows[-1]
    comp = latest["components"]
    steps = [
        (fmt.word(k), comp.get(k) if k not in ("contraction", "churn") else -(comp.get(k) or 0))
        for k in MOVEMENTS
    ]
    period_text = fmt.period(latest["period"], starts[latest["period"]])
    spec = charts.waterfall(
        f"{fmt.word('waterfall')} {period_text}",
        (fmt.word("start"), comp.get("mrr_start")),
        steps,
        (fmt.word("end"), comp.get("mrr_end")),
        fmt,
    )
    description = ", ".join(f"{name} {fmt.money(v)}" for name, v in steps)
    return [
        Chart("waterfall", f"{fmt.word('waterfall')} {period_text}", spec, description),
        Table("waterfall", fmt.word("waterfall"), columns, table_rows),
    ]


def _cohort_blocks(frame: Any, fmt: Formats) -> list[Block]:
    """The latest cohorts' logo retention by month of age (the engine's triangle)."""
    if frame is None or len(frame) == 0:
        return []
    cohorts = sorted(frame["cohort"].unique())[-COHORT_ROWS:]
    part = frame[frame["cohort"].isin(cohorts) & (frame["age"] < COHORT_AGES)]
    cells = []
    rows: list[dict[str, Any]] = []
    for cohort in cohorts:
        mine = part[part["cohort"] == cohort].sort_values("age")
        day = cohort if isinstance(cohort, dt.date) else dt.date.fromisoformat(str(cohort)[:10])
        name = fmt.period(day.strftime("%Y-%m"), day)
        row: dict[str, Any] = {
            "cohort": name,
            "customers": int(mine["customers"].iloc[0]) if len(mine) else 0,
        }
        for age, value in zip(mine["age"], mine["logo_retention"], strict=True):
            row[f"age{int(age)}"] = float(value)
            cells.append((name, str(int(age)), float(value)))
        rows.append(row)
    columns = (
        Column("cohort", fmt.word("cohort")),
        Column("customers", fmt.word("customers"), "count"),
        *(Column(f"age{a}", str(a), "ratio") for a in range(COHORT_AGES)),
    )
    title = fmt.word("cohorts")
    return [
        Chart("cohorts", title, charts.heatmap(title, cells, fmt), title),
        Table("cohorts", title, columns, rows),
    ]


def _funnel_blocks(rows: list[dict[str, Any]], fmt: Formats) -> list[Block]:
    """The funnel of the period: deals reaching each stage and their conversion to the next."""
    rows = sorted(rows, key=lambda r: -(r["components"].get("reached") or 0))
    if not rows:
        return []
    stages = [(r["group"].get("stage"), r["components"].get("reached"), r["value"]) for r in rows]
    table_rows = [
        {
            "stage": r["group"].get("stage"),
            "reached": r["components"].get("reached"),
            "next_stage": r["components"].get("next_stage"),
            "value": r["value"],
            "unit": r["unit"],
            "change": r.get("change"),
            "change_rate": r.get("change_rate"),
            "components": r["components"],
        }
        for r in rows
    ]
    title = fmt.word("funnel")
    return [
        Chart(
            "funnel",
            title,
            charts.funnel(title, stages, fmt),
            ", ".join(f"{s} {fmt.fixed(n, 0)}" for s, n, _ in stages),
        ),
        Table(
            "funnel",
            title,
            (
                Column("stage", fmt.word("stage")),
                Column("reached", fmt.word("reached"), "count"),
                Column("next_stage", fmt.word("next_stage")),
                Column("value", reg.get("stage_conversion").name.get(fmt.lang), "value"),
                Column("change", fmt.word("change"), "change"),
            ),
            table_rows,
            components=True,
        ),
    ]


def _forecast_blocks(
    rows: list[dict[str, Any]], starts: dict[str, dt.date], fmt: Formats
) -> list[Block]:
    """Forecast against actual by period (the accuracy metric's components)."""
    rows = [
        r
        for r in sorted(rows, key=lambda r: starts[r["period"]])
        if r["components"].get("forecast") is not None
    ]
    if not rows:
        return []
    table_rows = [
        {
            "period_text": fmt.period(r["period"], starts[r["period"]]),
            "forecast": r["components"].get("forecast"),
            "actual": r["components"].get("actual"),
            "value": r["value"],
            "unit": r["unit"],
            "components": r["components"],
        }
        for r in rows
    ]
    return [
        Table(
            "forecast",
            fmt.word("forecast_accuracy"),
            (
                Column("period_text", fmt.word("period")),
                Column("forecast", fmt.word("forecast"), "money"),
                Column("actual", fmt.word("actual"), "money"),
                Column("value", fmt.word("forecast_accuracy"), "value"),
            ),
            table_rows,
            components=True,
        )
    ]


def _leaderboard_blocks(rows: list[dict[str, Any]], fmt: Formats) -> list[Block]:
    """Reps ranked by quota attainment, with productivity, win rate and revenue."""
    ranked = rank_reps(rows)
    if not ranked:
        return []
    columns = (
        Column("rank", fmt.word("rank"), "count"),
        Column("rep", fmt.word("rep")),
        *(Column(m, reg.get(m).name.get(fmt.lang), str(reg.get(m).unit)) for m in LEADERBOARD),
    )
    return [
        Table(
            "leaderboard",
            fmt.word("leaderboard"),
            columns,
            ranked,
            components=True,
            printed=excerpts.leaders(ranked, fmt),
        )
    ]


def rank_reps(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The reps of the result ``rows`` of :data:`LEADERBOARD` by rep, one dict per rep (``rank``,
    ``rep``, each metric's value, ``components``), ranked by quota attainment (reps without
    it last, then by id); reps with none of the values are left out."""
    reps: dict[Any, dict[str, Any]] = {}
    for r in rows:
        rep = r["group"].get("rep")
        if rep is None:
            continue
        entry = reps.setdefault(rep, {"rep": rep, "components": {}})
        entry[r["metric"]] = r["value"]
        for k, v in (r["components"] or {}).items():
            entry["components"][f"{r['metric']}.{k}"] = v
    ranked = sorted(
        (e for e in reps.values() if any(_finite(e.get(m)) for m in LEADERBOARD)),
        key=lambda e: (
            -float(e[LEADERBOARD[0]]) if _finite(e.get(LEADERBOARD[0])) else math.inf,
            str(e["rep"]),
        ),
    )
    for i, e in enumerate(ranked, 1):
        e["rank"] = i
    return ranked


def _movers_section(
    ws: Workspace,
    engine: _Engine,
    summary: list[dict[str, Any]],
    group_rows: list[dict[str, Any]],
    fmt: Formats,
) -> Section:
    """The metrics and groups whose value changed most (relative to the previous period), and
    the rows behind the top group movers (the engine's drill-down)."""

    def moved(r: dict[str, Any]) -> bool:
        return (
            _finite(r.get("change_rate"))
            and _finite(r.get("value"))
            and bool(r.get("compare_value", r.get("previous")))
        )

    metric_movers = sorted((r for r in summary if moved(r)), key=lambda r: -abs(r["change_rate"]))[
        :MOVERS
    ]
    blocks: list[Block] = []
    blocks.append(
        Table(
            "metric-movers",
            fmt.word("metric_movers"),
            (
                Column("name", fmt.word("metric")),
                Column("value", fmt.word("value"), "value"),
                Column("previous", fmt.word("previous"), "value"),
                Column("change", fmt.word("change"), "change"),
            ),
            metric_movers,
            components=True,
        )
    )
    groups = sorted(
        (r for r in group_rows if r["group"] and moved(r)), key=lambda r: -abs(r["change_rate"])
    )[:MOVERS]
    group_table = [
        {
            **r,
            "name": reg.get(r["metric"]).name.get(fmt.lang),
            "group_text": _group_text(r["group"], fmt),
            "previous": r.get("compare_value"),
        }
        for r in groups
    ]
    blocks.append(
        Table(
            "group-movers",
            fmt.word("group_movers"),
            (
                Column("name", fmt.word("metric")),
                Column("group_text", fmt.word("group")),
                Column("value", fmt.word("value"), "value"),
                Column("previous", fmt.word("previous"), "value"),
                Column("change", fmt.word("change"), "change"),
            ),
            group_table,
            components=True,
        )
    )
    drilled = [r for r in groups if reg.get(r["metric"]).drill][:DRILLED]
    for i, r in enumerate(drilled):
        frame = engine.call(f"drill {r['metric']}", _drill(ws, r))
        blocks.append(_drill_table(i, r, frame, fmt))
    return Section("movers", fmt.word("movers"), tuple(blocks))


def _drill_table(i: int, row: dict[str, Any], frame: Any, fmt: Formats) -> Table:
    """The first rows behind a mover (largest amounts first where rows have amounts)."""
    total = len(frame)
    if "amount_base" in frame.columns:
        frame = frame.sort_values("amount_base", ascending=False, na_position="last")
    shown = frame.head(DRILL_ROWS)
    keep = [c for c in shown.columns if c not in ("period", "dim_period")][:8]
    records = [{k: _cell(v) for k, v in rec.items()} for rec in shown[keep].to_dict("records")]
    columns = tuple(
        Column(c, c.replace("_", " "), "money" if c == "amount_base" else "text") for c in keep
    )
    title = fmt.word(
        "behind",
        metric=reg.get(row["metric"]).name.get(fmt.lang),
        group=_group_text(row["group"], fmt),
        period=fmt.period(row["period"], dt.date.fromisoformat(row["start"])),
    )
    return Table(
        f"drill-{i}",
        title,
        columns,
        records,
        caption=fmt.word("rows_shown", shown=len(records), total=total),
    )


def _cell(value: Any) -> Any:
    """A drilled value as a plain Python value (dates as ISO text, NaN as None)."""
    from salesmetrics.metrics.result import plain

    value = plain(value)
    if isinstance(value, float):
        return value
    return value if value is None or isinstance(value, (int, str, bool)) else str(value)


def _quality_section(
    status: Any,
    hygiene: Any,
    summary: list[dict[str, Any]],
    trend_rows: list[dict[str, Any]],
    label: str,
    fmt: Formats,
) -> Section:
    """The data-quality checks that found problems (``salesmetrics check``), the rows the imports
    rejected, by table, and the engine's notes on this period's numbers."""
    blocks: list[Block] = []
    problems = [
        {
            "title": f.check.title.get(fmt.lang),
            "count": f.count,
            "share": f.share,
            "examples": ", ".join(f.examples[:3]),
            "fix": f.check.fix.get(fmt.lang),
        }
        for f in hygiene.problems
    ]
    if problems:
        blocks.append(
            Table(
                "checks",
                fmt.word("checks"),
                (
                    Column("title", fmt.word("problem")),
                    Column("count", fmt.word("found"), "count"),
                    Column("share", fmt.word("share"), "ratio"),
                    Column("examples", fmt.word("examples")),
                    Column("fix", fmt.word("fix")),
                ),
                problems,
            )
        )
    else:
        blocks.append(Paragraph(fmt.word("no_problems")))
    rejected = [{"table": t, "rows": n} for t, n in status.rejected.items()]
    if rejected:
        blocks.append(
            Table(
                "rejected",
                fmt.word("rejected"),
                (Column("table", fmt.word("table")), Column("rows", fmt.word("rows"), "count")),
                rejected,
            )
        )
    else:
        blocks.append(Paragraph(fmt.word("no_rejects")))
    notes = [
        {
            "name": reg.get(r["metric"]).name.get(fmt.lang),
            "group_text": _group_text(r["group"], fmt),
            "note": r["note"],
        }
        for r in trend_rows
        if r["period"] == label and r["note"]
    ]
    if notes:
        blocks.append(
            Table(
                "notes",
                fmt.word("metric_notes"),
                (
                    Column("name", fmt.word("metric")),
                    Column("group_text", fmt.word("group")),
                    Column("note", fmt.word("note")),
                ),
                notes,
            )
        )
    else:
        blocks.append(Paragraph(fmt.word("no_notes")))
    return Section("quality", fmt.word("quality"), tuple(blocks))


def _glossary_section(metrics: list[reg.Metric], fmt: Formats) -> Section:
    """Each metric of the pack: name, definition, formula, why it matters (registry texts)."""
    rows = [
        {
            "name": m.name.get(fmt.lang),
            "metric": m.id,
            "definition": m.definition.get(fmt.lang),
            "formula": m.formula.get(fmt.lang),
            "why": m.why.get(fmt.lang),
        }
        for m in metrics
    ]
    columns = (
        Column("name", fmt.word("metric")),
        Column("definition", fmt.word("definition")),
        Column("formula", fmt.word("formula")),
        Column("why", fmt.word("why")),
    )
    return Section(
        "glossary", fmt.word("glossary"), (Table("glossary", fmt.word("glossary"), columns, rows),)
    )


def _upper_first(text: str) -> str:
    """``text`` with its first letter upper case (the rest as it is: ``Finance (CFO)``)."""
    return text[:1].upper() + text[1:]
