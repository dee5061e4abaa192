"""Terminal and file views of a :class:`MetricResult`: Rich tables, CSV, drill-down listings.

Views only format: every number comes from the result, every name from the workspace's name
lookup (:meth:`Workspace.names`). The table view puts periods in columns and (metric, group)
in rows, marks the status against target (✓ on track, ! at risk, ✗ off track, readable
without colour, with the target beside the mark), colours a change by whether it is good for
that metric (its registry direction), and lists the notes under each table.

Nothing is ever shrunk or cut: every column is as wide as its widest cell. When the periods do
not fit the console's width, the table is split into pages of periods, each repeating the row
labels (:func:`paged_tables`); when the labels and one period do not fit, each metric gets a
table of its own, titled by its name. Units are written by the reports' Babel formats
(:class:`~salesmetrics.reports.locale.Formats`) in English or Indonesian. Text from the data
(group values, names, notes, drill-down cells) goes through
:func:`~salesmetrics.cli.safe.printable`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from salesmetrics.cli.safe import json_printable, printable
from salesmetrics.metrics import registry as reg
from salesmetrics.reports.locale import Formats

if TYPE_CHECKING:
    import pandas as pd

    from salesmetrics.answers import KeptAnswer
    from salesmetrics.metrics.result import MetricResult
    from salesmetrics.workspace import Workspace

    #: What the views print: a result just computed, or one kept by an earlier session.
    Answer = MetricResult | KeptAnswer

STATUS_MARKS = {"on_track": ("✓", "green"), "at_risk": ("!", "yellow"), "off_track": ("✗", "red")}
MAX_NOTES = 12
MAX_DRILL_ROWS = 50
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: The words the terminal views print, in English and Indonesian.
WORDS: dict[str, reg.Text] = {
    "metric": reg.Text("metric", "metrik"),
    "metrics": reg.Text("Metrics", "Metrik"),
    "dashboard": reg.Text("Dashboard", "Dasbor"),
    "none": reg.Text("(none)", "(tidak ada)"),
    "legend": reg.Text(
        "✓ on track  ! at risk  ✗ off track (≥/≤ target)  * see note",
        "✓ sesuai target  ! berisiko  ✗ di luar target (≥/≤ target)  * lihat catatan",
    ),
    "compare_previous": reg.Text(
        "▲/▼ change against the previous period (pp = percentage points; green = better)",
        "▲/▼ perubahan terhadap periode sebelumnya (pp = poin persentase; hijau = lebih baik)",
    ),
    "compare_year": reg.Text(
        "▲/▼ change against a year earlier (pp = percentage points; green = better)",
        "▲/▼ perubahan terhadap setahun sebelumnya (pp = poin persentase; hijau = lebih baik)",
    ),
    "not_registered": reg.Text("not in the registry", "tidak ada di registri"),
    "more_notes": reg.Text(
        "and {n} more notes (--format json shows them all)",
        "dan {n} catatan lain (--format json menampilkan semuanya)",
    ),
    "page": reg.Text("part {i} of {n}", "bagian {i} dari {n}"),
    "no_drill": reg.Text(
        "no drill-down, survey answers are anonymous",
        "tanpa rincian, jawaban survei anonim",
    ),
    "rows": reg.Text("{n} rows", "{n} baris"),
    "more_rows": reg.Text(
        "and {n} more rows (--format csv shows them all)",
        "dan {n} baris lain (--format csv menampilkan semuanya)",
    ),
    "more_columns": reg.Text(
        "--format csv or json also gives: {columns}",
        "--format csv atau json juga memberi: {columns}",
    ),
    "waterfall_caption": reg.Text(
        "MRR: end = start + new + reactivation + expansion − contraction − churn (✓ exact to"
        " the cent; --format json for cents)",
        "MRR: akhir = awal + baru + reaktivasi + ekspansi − kontraksi − churn (✓ tepat sampai"
        " sen; --format json untuk sen)",
    ),
    "customers": reg.Text("customers", "pelanggan"),
    "check": reg.Text("check", "cek"),
    "period": reg.Text("period", "periode"),
    "owner": reg.Text("owner", "pemilik"),
    # alerts
    "alerts_title": reg.Text(
        "Alerts for {period} against {against}", "Peringatan {period} dibandingkan {against}"
    ),
    "no_alerts": reg.Text(
        "no alerts for {period} (against {against})",
        "tidak ada peringatan untuk {period} (dibandingkan {against})",
    ),
    "period_before": reg.Text("the period before", "periode sebelumnya"),
    "group": reg.Text("group", "grup"),
    "value": reg.Text("value", "nilai"),
    "target": reg.Text("target", "target"),
    "why": reg.Text("why", "alasan"),
    "deals": reg.Text("deals", "transaksi"),
    "in_brackets": reg.Text("(in brackets: {period})", "(dalam kurung: {period})"),
    "company": reg.Text("company", "perusahaan"),
    "off_track_was": reg.Text("off track (was {status})", "di luar target (sebelumnya {status})"),
    "no_status": reg.Text("no status", "tanpa status"),
    "moved": reg.Text("moved {change}", "bergerak {change}"),
    "left_out": reg.Text(
        "and {n} weaker alerts not listed ([alerts] limit); --all lists them",
        "dan {n} peringatan yang lebih lemah tidak ditampilkan ([alerts] limit); --all"
        " menampilkannya",
    ),
    "largest_of": reg.Text(
        "{metric} ({group}), {period}: the largest of {n}",
        "{metric} ({group}), {period}: yang terbesar dari {n}",
    ),
    # check
    "check_title": reg.Text(
        "Data quality: {n} of {of} checks found problems (data to {as_of})",
        "Kualitas data: {n} dari {of} pemeriksaan menemukan masalah (data sampai {as_of})",
    ),
    "no_problems": reg.Text(
        "no data-quality problems found ({n} checks, data to {as_of})",
        "tidak ada masalah kualitas data ({n} pemeriksaan, data sampai {as_of})",
    ),
    "no_data_yet": reg.Text("no data yet", "belum ada data"),
    "problem": reg.Text("problem", "masalah"),
    "found": reg.Text("found", "ditemukan"),
    "share": reg.Text("share", "porsi"),
    "examples": reg.Text("e.g.", "contoh"),
    "n_of": reg.Text("{n} of {of}", "{n} dari {of}"),
    "affects": reg.Text("affects", "memengaruhi"),
    "fix_in_crm": reg.Text("fix in the CRM", "perbaiki di CRM"),
    "all_examples": reg.Text(
        "all example ids: salesmetrics check --format json",
        "semua contoh id: salesmetrics check --format json",
    ),
    # cohorts
    "cohort_title": reg.Text(
        "Cohort retention of {what}, by {unit} of acquisition (age in {unit}s)",
        "Retensi kohort {what}, menurut {unit} akuisisi (usia dalam {unit})",
    ),
    "cohort": reg.Text("cohort", "kohort"),
    "start_mrr": reg.Text("start MRR", "MRR awal"),
    "month": reg.Text("month", "bulan"),
    "quarter": reg.Text("quarter", "kuartal"),
    "ages_hidden": reg.Text(
        "ages beyond {age}: --ages N or --format csv",
        "usia setelah {age}: --ages N atau --format csv",
    ),
}


def word(key: str, lang: str, **values: Any) -> str:
    """The view's word ``key`` in ``lang``, with ``values`` filled in."""
    text = WORDS[key].get(lang)
    return text.format(**values) if values else text


@dataclass(frozen=True)
class Style:
    """How a view writes: the language and currency formats, and the names of ids (``{kind:
    {id: name}}``, kinds ``rep`` and ``account``, from :meth:`Workspace.names`)."""

    fmt: Formats
    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def lang(self) -> str:
        """``en`` or ``id``."""
        return self.fmt.lang

    def word(self, key: str, **values: Any) -> str:
        """The view's word ``key`` in this language."""
        return word(key, self.lang, **values)

    def group_value(self, dim: str, value: Any) -> str:
        """A group dimension's value for people: the name of a rep (or manager), the value
        itself otherwise, the placeholder when missing; escaped."""
        from salesmetrics.metrics.names import DIMENSION_KIND

        if value is None or value == "":
            return self.word("none")
        kind = DIMENSION_KIND.get(dim)
        named = self.names.get(kind, {}).get(str(value)) if kind else None
        return printable(named if named is not None else value)

    def group_label(self, group: Mapping[str, Any]) -> str:
        """``team APAC, rep Ayu Lestari``: a group in one line (notes, titles)."""
        return ", ".join(f"{self.fmt.dim(k)} {self.group_value(k, v)}" for k, v in group.items())


def make_style(
    lang: str, currency: str, names: Mapping[str, Mapping[str, str]] | None = None
) -> Style:
    """The :class:`Style` of ``lang`` and base ``currency``."""
    return Style(Formats(lang, currency), names or {})


def names_for(
    ws: Workspace, dims: Sequence[str], rows: Sequence[Mapping[str, Any]] = ()
) -> dict[str, dict[str, str]]:
    """The names a view of a result grouped by ``dims`` shows (reps for ``rep``/``manager``),
    and for the dimensions of the ``rows``' groups (a ``--where rep=...`` column too)."""
    from salesmetrics.metrics.names import DIMENSION_KIND

    dims = [*dims, *{d for r in rows for d in (r.get("group") or {})}]
    kinds = {DIMENSION_KIND[d] for d in dims if d in DIMENSION_KIND}
    return {kind: ws.names(kind) for kind in sorted(kinds)}


# -- layout: columns as wide as their widest cell, pages when they do not fit ----------------


@dataclass
class Column:
    """A column of a view: its header, its cells (one per row) and its alignment."""

    header: str
    cells: list[Text]
    justify: str = "left"
    style: str | None = None

    @property
    def width(self) -> int:
        """The width the column needs so that nothing in it is cut or wrapped."""
        return max([cell_len(self.header), *(c.cell_len for c in self.cells)])


def table_width(widths: Sequence[int]) -> int:
    """The width of a boxed table (no edge padding) with columns of ``widths``: the cells, one
    space either side of each inner border, and the ``n + 1`` borders."""
    n = len(widths)
    return sum(widths) + 3 * n - 1 if n else 0


def fits(fixed: Sequence[Column], paged: Sequence[Column], width: int) -> bool:
    """True when the ``fixed`` columns and the widest ``paged`` one fit ``width``."""
    widest = max((c.width for c in paged), default=0)
    return table_width([*(c.width for c in fixed), *([widest] if paged else [])]) <= width


def pages(fixed: Sequence[Column], paged: Sequence[Column], width: int) -> list[list[Column]]:
    """``paged`` split, in order, into the fewest runs that fit ``width`` beside ``fixed``
    (a run holds at least one column)."""
    fixed_widths = [c.width for c in fixed]
    runs: list[list[Column]] = [[]]
    for column in paged:
        run = runs[-1]
        trial = [*fixed_widths, *(c.width for c in run), column.width]
        if run and table_width(trial) > width:
            runs.append([column])
        else:
            run.append(column)
    return runs


def paged_tables(
    title: str,
    fixed: Sequence[Column],
    paged: Sequence[Column],
    width: int,
    *,
    lang: str = "en",
    caption: str | None = None,
) -> list[Table]:
    """One Rich table, or several with the ``fixed`` (label) columns repeated, so that the
    ``paged`` columns fit ``width`` without a column shrunk, cut or wrapped."""
    runs = pages(fixed, paged, width) if paged else [[]]
    tables = []
    for i, run in enumerate(runs, start=1):
        part = f" ({word('page', lang, i=i, n=len(runs))})" if len(runs) > 1 else ""
        table = Table(
            title=title + part, title_justify="left", caption_justify="left", pad_edge=False
        )
        columns = [*fixed, *run]
        for column in columns:
            table.add_column(
                column.header,
                justify=column.justify,  # type: ignore[arg-type]
                no_wrap=True,
                min_width=column.width,
                style=column.style,
            )
        for r in range(len(columns[0].cells) if columns else 0):
            table.add_row(*(c.cells[r] for c in columns))
        if caption and i == len(runs):
            table.caption = caption
        tables.append(table)
    return tables


# -- the metrics table -------------------------------------------------------------------------


def _own_note(row: dict[str, Any], period_notes: dict[str, str]) -> str | None:
    """``row``'s note without its period's note (shown once under the table)."""
    note: str | None = row.get("note")
    shared = period_notes.get(row["period"])
    if note and shared:
        if note == shared:
            return None
        note = note.removesuffix(f"; {shared}")
    return note


#: A group dimension a row is not grouped by (a blank cell, unlike a missing value).
_ABSENT = "\x00absent"


def _good(change: float, metric_id: str) -> bool | None:
    """Whether a change is good for the metric (its registry direction); None when flat."""
    if change == 0 or metric_id not in reg.REGISTRY:
        return None
    higher = reg.REGISTRY[metric_id].direction is reg.Direction.HIGHER
    return (change > 0) == higher


def cell(row: dict[str, Any], style: Style, note: str | None) -> Text:
    """A value with its status mark and target, a note mark and its change, coloured by
    whether the change is good for the metric."""
    fmt = style.fmt
    text = Text(fmt.value(row["value"], row["unit"]))
    if row.get("status") in STATUS_MARKS:
        mark, colour = STATUS_MARKS[row["status"]]
        target = row.get("target")
        if target is not None and row["metric"] in reg.REGISTRY:
            higher = reg.REGISTRY[row["metric"]].direction is reg.Direction.HIGHER
            mark += f" {'≥' if higher else '≤'}{fmt.value(target, row['unit'])}"
        text.append(f" {mark}", style=colour)
    if row["value"] is not None and note:
        text.append("*", style="dim")
    if row.get("change") is not None:
        change = fmt.change(row["change"], row.get("change_rate"), row["unit"])
        if change:
            good = _good(float(row["change"]), row["metric"])
            colour = "dim" if good is None else "green" if good else "red"
            text.append(f" {change}", style=colour)
    return text


def _period_header(row: dict[str, Any], fmt: Formats) -> str:
    start = row.get("start")
    day = dt.date.fromisoformat(start) if isinstance(start, str) else start
    return fmt.period(row["period"], day)


def metric_table(
    result: Answer,
    every_row: Sequence[dict[str, Any]],
    metric_ids: Sequence[str],
    title: str,
    style: Style,
    width: int,
) -> Group | None:
    """The tables of ``metric_ids`` at ``width``: rows (metric, group), columns periods (paged
    when they do not fit, or one table per metric titled by its name when even one period does
    not fit beside the labels), then the rows' notes (without their period's note, which
    :func:`print_tables` shows once).

    ``every_row`` is ``result.rows()``, made once for all the tables of a view (it is most of
    their Python work)."""
    wanted = set(metric_ids)
    rows = [r for r in every_row if r["metric"] in wanted]
    missing = [m for m in metric_ids if m not in reg.REGISTRY]
    if not rows and not missing:
        return None
    fmt = style.fmt
    first_of = {r["period"]: r for r in reversed(every_row)}
    periods = list(dict.fromkeys(r["period"] for r in every_row))
    dims = list(dict.fromkeys([*result.by, *(k for r in rows for k in r["group"])]))
    period_notes = result.period_notes
    notes: list[str] = []
    # (metric, group values) -> period -> cell
    table_rows: dict[tuple[str, tuple[Any, ...]], dict[str, Text]] = {}
    for r in rows:
        note = _own_note(r, period_notes)
        if note:
            where = " ".join(x for x in (r["period"], style.group_label(r["group"])) if x)
            notes.append(f"{r['metric']} {where}: {printable(note)}")
        key = (r["metric"], tuple(r["group"].get(d, _ABSENT) for d in dims))
        table_rows.setdefault(key, {})[r["period"]] = cell(r, style, note)
    for metric_id in missing:
        table_rows[(metric_id, tuple(_ABSENT for _ in dims))] = {
            p: Text("n/a*", style="dim") for p in periods
        }
        notes.append(f"{metric_id}: {style.word('not_registered')}")
    order = {m: i for i, m in enumerate(metric_ids)}
    keys = sorted(table_rows, key=lambda k: order[k[0]])  # stable: the groups keep their order

    def label(metric_id: str) -> str:
        return (
            reg.REGISTRY[metric_id].name.get(style.lang) if metric_id in reg.REGISTRY else metric_id
        )

    def group_columns(keys: Sequence[tuple[str, tuple[Any, ...]]]) -> list[Column]:
        return [
            Column(
                fmt.dim(d),
                [Text("" if k[1][i] is _ABSENT else style.group_value(d, k[1][i])) for k in keys],
            )
            for i, d in enumerate(dims)
        ]

    def period_columns(keys: Sequence[tuple[str, tuple[Any, ...]]]) -> list[Column]:
        return [
            Column(
                _period_header(first_of[p], fmt),
                [table_rows[k].get(p, Text("")) for k in keys],
                justify="right",
            )
            for p in periods
        ]

    caption = None
    if result.compare:
        caption = style.word("compare_previous" if result.compare == "previous" else "compare_year")
    shown_labels = []
    seen: set[str] = set()
    for k in keys:
        shown_labels.append(Text("" if k[0] in seen else label(k[0])))
        seen.add(k[0])
    fixed = [Column(style.word("metric"), shown_labels), *group_columns(keys)]
    paged = period_columns(keys)
    parts: list[RenderableType] = []
    single = len({k[0] for k in keys}) == 1 and bool(dims)
    if fits(fixed, paged, width) and not single:
        parts.extend(paged_tables(title, fixed, paged, width, lang=style.lang, caption=caption))
    else:  # one grouped metric, or labels and one period too wide: a table per metric, titled
        parts.append(Text(title, style="italic"))
        for metric_id in dict.fromkeys(k[0] for k in keys):
            mine = [k for k in keys if k[0] == metric_id]
            parts.extend(
                paged_tables(
                    label(metric_id),
                    group_columns(mine),
                    period_columns(mine),
                    width,
                    lang=style.lang,
                    caption=caption if metric_id == keys[-1][0] else None,
                )
            )
    shown = notes[:MAX_NOTES]
    if len(notes) > MAX_NOTES:
        shown.append(style.word("more_notes", n=len(notes) - MAX_NOTES))
    if shown:
        parts.append(Text("\n".join(shown), style="dim"))
    return Group(*parts)


def print_tables(
    result: Answer, console: Console, *, explicit: bool, style: Style | None = None
) -> None:
    """The table view: the requested metrics, or the dashboard then every section."""
    style = style or make_style("en", result.base_currency)
    width = console.width
    rows = result.rows()
    present = list(dict.fromkeys(r["metric"] for r in rows))
    legend = style.word("legend")
    periods = dict.fromkeys(r["period"] for r in rows)
    shared = [f"{p}: {printable(n)}" for p, n in result.period_notes.items() if p in periods]
    if shared:  # a period after the data: said once for every table
        legend = "\n".join([*shared, legend])
    currency = f" ({result.base_currency})"
    if explicit:
        view = metric_table(result, rows, present, style.word("metrics") + currency, style, width)
        if view is not None:
            console.print(view, soft_wrap=False)
        console.print(Text(legend, style="dim"))
        return
    dashboard = [m for m in reg.DASHBOARD if m in present or m not in reg.REGISTRY]
    view = metric_table(result, rows, dashboard, style.word("dashboard") + currency, style, width)
    if view is not None:
        console.print(view, soft_wrap=False)
    for section in reg.Section:
        ids = [m for m in present if reg.REGISTRY[m].section is section and m not in reg.DASHBOARD]
        if ids:
            console.print()
            title = reg.SECTION_TITLES[section].get(style.lang)
            view = metric_table(result, rows, ids, title, style, width)
            if view is not None:
                console.print(view, soft_wrap=False)
    console.print(Text(legend, style="dim"))


def print_json(text: str, console: Console) -> None:
    """JSON text on stdout, C1 controls and reordering marks escaped (the same JSON value)."""
    console.file.write(json_printable(text) + "\n")


def _safe(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text with formula injection neutralised."""
    from salesmetrics.metrics.result import plain

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(frame.columns)
    for record in frame.itertuples(index=False):
        writer.writerow(_safe(plain(v)) if v is not None else "" for v in record)
    return buffer.getvalue()


def result_frame(result: Answer) -> pd.DataFrame:
    """The CSV view of a result: group dimensions as columns, components as JSON."""
    import pandas as pd

    rows = result.rows()
    dims = list(dict.fromkeys(k for r in rows for k in r["group"]))
    records = []
    for r in rows:
        record: dict[str, Any] = {k: r[k] for k in ("metric", "period", "start", "end")}
        record.update({d: r["group"].get(d) for d in dims})
        record.update({k: r[k] for k in result.keys if k not in record and k != "group"})
        record["components"] = json.dumps(r["components"], ensure_ascii=False)
        records.append(record)
    columns = ["metric", "period", "start", "end", *dims] + [
        k for k in result.keys if k not in ("metric", "period", "start", "end", "group")
    ]
    return pd.DataFrame(records, columns=columns)


def print_csv(result: Answer, console: Console) -> None:
    """The CSV view, on stdout."""
    console.file.write(csv_text(result_frame(result)))


# -- drill-downs -------------------------------------------------------------------------------

#: The id a drill-down row is listed by: the first of these its rows have.
DRILL_IDS = (
    "opportunity_id",
    "lead_id",
    "line_id",
    "forecast_id",
    "cost_id",
    "account_id",
    "rep_id",
)
#: Dates a person reads first, in this order (at most :data:`DRILL_DATES` of them).
DRILL_DATE_COLUMNS = (
    "created_at",
    "close_date",
    "close_date_e",
    "acquired_on",
    "qualified_at",
    "converted_at",
    "entered_at",
    "left_at",
    "date",
    "submitted_at",
)
DRILL_DATES = 3
#: Columns in the base currency, shown to the cent.
DRILL_MONEY = (
    "amount_base",
    "mrr_start",
    "new",
    "reactivation",
    "expansion",
    "contraction",
    "churn",
    "mrr_end",
    "won_amount",
    "quota",
)


@dataclass(frozen=True)
class DrillColumn:
    """A column of the drill-down table: its header, the frame column it reads, and how."""

    header: str
    source: str
    kind: str  # text, name (an id shown by name), date, money, ratio


def drill_columns(columns: Sequence[str], style: Style) -> list[DrillColumn]:
    """The columns a person reads first, in order: id, name, owner's name, stage and status,
    dates, amounts in the base currency (the rest is for ``--format csv/json``)."""
    chosen: list[DrillColumn] = []
    key = next((c for c in DRILL_IDS if c in columns), None)
    if key is not None:
        chosen.append(DrillColumn(key, key, "text"))
    if "name" in columns:
        chosen.append(DrillColumn("name", "name", "text"))
    elif key in ("account_id", "rep_id"):
        chosen.append(DrillColumn("name", key, "name"))
    if "owner_id" in columns:
        chosen.append(DrillColumn(style.word("owner"), "owner_id", "name"))
    for stage in ("stage", "stage_e", "status", "status_e"):
        if stage in columns and not (stage.endswith("_e") and stage[:-2] in columns):
            chosen.append(DrillColumn(stage, stage, "text"))
    dates = [c for c in DRILL_DATE_COLUMNS if c in columns][:DRILL_DATES]
    chosen.extend(DrillColumn(c, c, "date") for c in dates)
    chosen.extend(DrillColumn(c, c, "money") for c in DRILL_MONEY if c in columns)
    if "attainment" in columns:
        chosen.append(DrillColumn("attainment", "attainment", "ratio"))
    return chosen


def _date_text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return printable(value)


def _drill_cell(value: Any, column: DrillColumn, style: Style) -> Text:
    from salesmetrics.metrics.names import COLUMN_KIND
    from salesmetrics.metrics.result import plain

    value = plain(value)
    if value is None:
        return Text("—")
    match column.kind:
        case "name":
            kind = COLUMN_KIND.get(column.source, "")
            return Text(printable(style.names.get(kind, {}).get(str(value), value)))
        case "date":
            if hasattr(value, "to_pydatetime"):
                value = value.to_pydatetime()
            return Text(_date_text(value))
        case "money":
            return Text(style.fmt.money(value))
        case "ratio":
            return Text(style.fmt.percent(value))
    return Text(printable(value))


def drill_names(
    ws: Workspace, pairs: Sequence[tuple[dict[str, Any], pd.DataFrame | None]]
) -> dict[str, dict[str, str]]:
    """The names the drill-down tables of ``pairs`` show: the owners and the listed reps and
    accounts (only the rows shown), and the reps of the groups."""
    from salesmetrics.metrics.names import COLUMN_KIND, DIMENSION_KIND

    wanted: dict[str, set[str]] = {}
    for row, frame in pairs:
        for dim, value in row["group"].items():
            if dim in DIMENSION_KIND and value is not None:
                wanted.setdefault(DIMENSION_KIND[dim], set()).add(str(value))
        if frame is None:
            continue
        head = frame.head(MAX_DRILL_ROWS)
        for column, kind in COLUMN_KIND.items():
            if column in head.columns:
                wanted.setdefault(kind, set()).update(str(v) for v in head[column].dropna())
    return {kind: ws.names(kind, ids) for kind, ids in wanted.items()}


def print_drill(
    ws: Workspace, result: MetricResult, output: str, console: Console, style: Style | None = None
) -> None:
    """The rows behind every result row, as tables, JSON or CSV."""
    import pandas as pd

    from salesmetrics.metrics.drill import drill_result
    from salesmetrics.metrics.result import plain

    pairs = drill_result(ws, result)
    if output == "json":
        results = []
        for row, frame in pairs:
            entry = dict(row)
            entry["rows"] = (
                None
                if frame is None
                else [{k: plain(v) for k, v in rec.items()} for rec in frame.to_dict("records")]
            )
            results.append(entry)
        text = json.dumps(
            {"base_currency": result.base_currency, "results": results},
            indent=2,
            ensure_ascii=False,
        )
        print_json(text, console)
        return
    if output == "csv":
        parts = []
        for row, frame in pairs:
            if frame is None:
                continue
            head = pd.DataFrame(
                {"metric": row["metric"], "period_label": row["period"]}, index=frame.index
            )
            for name, value in row["group"].items():
                head[f"group_{name}"] = value
            parts.append(pd.concat([head, frame], axis=1))
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        console.file.write(csv_text(frame))
        return
    base = style or make_style("en", result.base_currency)
    style = Style(base.fmt, drill_names(ws, pairs))
    for row, frame in pairs:
        name = reg.REGISTRY[row["metric"]].name.get(style.lang)
        title = " · ".join(
            x
            for x in (
                name,
                row["period"],
                style.group_label(row["group"]),
                style.fmt.value(row["value"], row["unit"]),
            )
            if x
        )
        if frame is None:
            console.print(Text(f"{title}: {style.word('no_drill')}", style="dim"))
            continue
        chosen = drill_columns(list(frame.columns), style)
        head = frame.head(MAX_DRILL_ROWS)
        columns = [
            Column(
                c.header,
                [_drill_cell(v, c, style) for v in head[c.source]],
                justify="right" if c.kind in ("money", "ratio") else "left",
            )
            for c in chosen
        ]
        used = {c.source for c in chosen} | {"period"}
        rest = [str(c) for c in frame.columns if c not in used]
        title = f"{title} ({style.word('rows', n=len(frame))})"
        fixed, paged = columns[:1], columns[1:]
        for table in paged_tables(title, fixed, paged, console.width, lang=style.lang):
            console.print(table, soft_wrap=False)
        if len(frame) > MAX_DRILL_ROWS:
            console.print(Text(style.word("more_rows", n=len(frame) - MAX_DRILL_ROWS), style="dim"))
        if rest:
            console.print(Text(style.word("more_columns", columns=", ".join(rest)), style="dim"))


# -- the MRR waterfall -------------------------------------------------------------------------

#: The columns of the MRR waterfall view: (component, its word in the reports' locale, sign).
WATERFALL_COLUMNS = (
    ("mrr_start", "start", ""),
    ("new", "new", "+ "),
    ("reactivation", "reactivation", "+ "),
    ("expansion", "expansion", "+ "),
    ("contraction", "contraction", "− "),
    ("churn", "churn", "− "),
    ("mrr_end", "end", ""),
)


def _whole_money(value: Any, fmt: Formats) -> str:
    """Money rounded to whole units for the waterfall table (the JSON keeps the cents)."""
    if value is None:
        return "—"
    text = fmt.money(round(float(value)))
    return text.removesuffix(".00").removesuffix(",00")  # the decimals only, en or id


def waterfall_tables(result: MetricResult, style: Style, width: int) -> list[RenderableType]:
    """The MRR bridge of an ``mrr`` result: a row per period (and group), from MRR at start
    through the movements to MRR at end, the last column saying whether the identity holds.
    Narrower than that, it is transposed: the movements in rows, the periods in columns (paged),
    a table per group."""
    fmt = style.fmt
    rows = [r for r in result.rows() if r["metric"] == "mrr"]
    dims = list(result.by)
    title = f"{fmt.word('waterfall')} ({result.base_currency})"
    caption = style.word("waterfall_caption")

    def money(r: dict[str, Any], name: str) -> Text:
        return Text(_whole_money(r["components"].get(name), fmt))

    def customers(r: dict[str, Any]) -> Text:
        c = r["components"]
        return Text(f"{c.get('customers_at_start', 0)} → {c.get('customers_at_end', 0)}")

    def check(r: dict[str, Any]) -> Text:
        return (
            Text("✓", style="green")
            if r["components"].get("identity_ok")
            else Text("✗", style="red")
        )

    headers = [f"{sign}{fmt.word(w)}" for _, w, sign in WATERFALL_COLUMNS]
    fixed = [
        Column(style.word("period"), [Text(_period_header(r, fmt)) for r in rows]),
        *(
            Column(fmt.dim(d), [Text(style.group_value(d, r["group"].get(d))) for r in rows])
            for d in dims
        ),
    ]
    values = [
        *(
            Column(h, [money(r, name) for r in rows], justify="right")
            for (name, _, _), h in zip(WATERFALL_COLUMNS, headers, strict=True)
        ),
        Column(style.word("customers"), [customers(r) for r in rows], justify="right"),
        Column(style.word("check"), [check(r) for r in rows], justify="center"),
    ]
    if table_width([c.width for c in [*fixed, *values]]) <= width:
        return list(paged_tables(title, fixed, values, width, lang=style.lang, caption=caption))
    parts: list[RenderableType] = []
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(tuple(r["group"].get(d) for d in dims), []).append(r)
    for key, mine in groups.items():
        label = ", ".join(
            f"{fmt.dim(d)} {style.group_value(d, v)}" for d, v in zip(dims, key, strict=True)
        )
        labels = Column(
            "", [Text(h) for h in [*headers, style.word("customers"), style.word("check")]]
        )
        periods = [
            Column(
                _period_header(r, fmt),
                [*(money(r, name) for name, _, _ in WATERFALL_COLUMNS), customers(r), check(r)],
                justify="right",
            )
            for r in mine
        ]
        heading = f"{title} · {label}" if label else title
        parts.extend(
            paged_tables(heading, [labels], periods, width, lang=style.lang, caption=caption)
        )
    return parts


# -- frames (pipeline, forecasts) --------------------------------------------------------------

#: Frame columns in the base currency, as ratios, as counts.
FRAME_MONEY = frozenset({"amount", "weighted", "low", "high", "actual", "forecast", "won"})
FRAME_RATIO = frozenset({"accuracy", "bias", "mape", "probability"})
FRAME_COUNT = frozenset({"deals", "periods", "without_amount", "reps"})


def frame_tables(
    frame: pd.DataFrame,
    title: str,
    style: Style,
    width: int,
    name_columns: Mapping[str, str] | None = None,
) -> list[Table]:
    """A pandas frame as tables at ``width``: money with its currency symbol, ratios as
    percentages with one decimal, counts whole, the text columns (repeated on every page)
    escaped, ids of ``name_columns`` (``{column: kind}``) shown by name, one placeholder for a
    missing group. An all-empty column (a forecast without groups) is left out."""
    import pandas as pd

    fmt = style.fmt
    name_columns = name_columns or {}
    fixed: list[Column] = []
    paged: list[Column] = []

    def missing(v: Any) -> bool:
        return v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NaT

    for col in frame.columns:
        name = str(col)
        values = list(frame[col])
        if all(missing(v) or v == "" for v in values) and name in ("group", "scope_id"):
            continue
        if name in FRAME_MONEY:
            cells = [Text(fmt.money(v)) for v in values]
        elif name in FRAME_RATIO:
            cells = [Text(fmt.percent(v)) for v in values]
        elif name in FRAME_COUNT:
            cells = [Text("—" if missing(v) else fmt.fixed(v, 0)) for v in values]
        elif frame[col].dtype.kind in "fi":
            cells = [Text(fmt.number(v)) for v in values]
        else:
            kind = name_columns.get(name)
            names = style.names.get(kind, {}) if kind else {}
            cells = [
                Text(
                    style.word("none") if missing(v) or v == "" else printable(names.get(str(v), v))
                )
                for v in values
            ]
            fixed.append(Column(name, cells))
            continue
        paged.append(Column(name, cells, justify="right"))
    return paged_tables(title, fixed, paged, width, lang=style.lang)
