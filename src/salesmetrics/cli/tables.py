"""Terminal and file views of a :class:`MetricResult`: Rich tables, CSV, drill-down listings.

Views only format: every number comes from the result. The table view puts periods in columns
and (metric, group) in rows, marks the status against target (✓ on track, ! at risk, ✗ off
track, readable without colour) and lists the notes under each table.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from salesmetrics.metrics import registry as reg
from salesmetrics.metrics.format import format_change, format_value

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


def _group_label(group: dict[str, Any]) -> str:
    return ", ".join(f"{k} {'(none)' if v is None else v}" for k, v in group.items())


def _own_note(row: dict[str, Any], period_notes: dict[str, str]) -> str | None:
    """``row``'s note without its period's note (shown once under the table)."""
    note: str | None = row.get("note")
    shared = period_notes.get(row["period"])
    if note and shared:
        if note == shared:
            return None
        note = note.removesuffix(f"; {shared}")
    return note


def _cell(row: dict[str, Any], currency: str, note: str | None) -> Text:
    text = Text(format_value(row["value"], row["unit"], currency))
    if row.get("status") in STATUS_MARKS:
        mark, colour = STATUS_MARKS[row["status"]]
        text.append(f" {mark}", style=colour)
    if row["value"] is not None and note:
        text.append("*", style="dim")
    if "change" in row:
        change = format_change(row["change"], row.get("change_rate"), row["unit"], currency)
        if change:
            text.append(f" {change}", style="dim")
    return text


def metric_table(
    result: Answer, every_row: Sequence[dict[str, Any]], metric_ids: Sequence[str], title: str
) -> Group | None:
    """One Rich table for ``metric_ids``: rows (metric, group), columns periods, then the rows'
    notes (without their period's note, which :func:`print_tables` shows once).

    ``every_row`` is ``result.rows()``, made once for all the tables of a view (it is most of
    their Python work)."""
    wanted = set(metric_ids)
    rows = [r for r in every_row if r["metric"] in wanted]
    missing = [m for m in metric_ids if m not in reg.REGISTRY]
    if not rows and not missing:
        return None
    periods = list(dict.fromkeys(r["period"] for r in every_row))
    table = Table(title=title, title_justify="left", show_lines=False, pad_edge=False)
    table.add_column("metric")
    if result.by or any(r["group"] for r in rows):
        table.add_column("group")
    grouped = table.columns[-1].header == "group"
    for p in periods:
        table.add_column(p, justify="right", no_wrap=True)
    if result.compare:
        against = "the previous period" if result.compare == "previous" else "a year earlier"
        table.caption = f"▲/▼ change against {against} (pp = percentage points)"
    period_notes = result.period_notes
    notes: list[str] = []
    own: dict[int, str | None] = {}
    by_key: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for r in rows:
        by_key.setdefault((r["metric"], _group_label(r["group"])), {})[r["period"]] = r
        note = own[id(r)] = _own_note(r, period_notes)
        if note:
            where = " ".join(x for x in (r["period"], _group_label(r["group"])) if x)
            notes.append(f"{r['metric']} {where}: {note}")
    for metric_id in metric_ids:
        if metric_id in missing:
            label = [metric_id, *([""] if grouped else [])]
            table.add_row(*label, *[Text("n/a*", style="dim") for _ in periods])
            notes.append(f"{metric_id}: not in the registry")
            continue
        name = reg.REGISTRY[metric_id].name.en
        first = True
        for (mid, group), cells in by_key.items():
            if mid != metric_id:
                continue
            label = [name if first else "", *([group] if grouped else [])]
            first = False
            table.add_row(
                *label,
                *[
                    _cell(cells[p], result.base_currency, own[id(cells[p])]) if p in cells else ""
                    for p in periods
                ],
            )
    shown = notes[:MAX_NOTES]
    if len(notes) > MAX_NOTES:
        shown.append(f"… and {len(notes) - MAX_NOTES} more notes (--format json shows them all)")
    parts: list[Any] = [table]
    if shown:
        parts.append(Text("\n".join(shown), style="dim"))
    return Group(*parts)


def print_tables(result: Answer, console: Console, *, explicit: bool) -> None:
    """The table view: the requested metrics, or the dashboard then every section."""
    rows = result.rows()
    present = list(dict.fromkeys(r["metric"] for r in rows))
    legend = "✓ on track  ! at risk  ✗ off track  * see note"
    periods = dict.fromkeys(r["period"] for r in rows)
    shared = [f"{p}: {n}" for p, n in result.period_notes.items() if p in periods]
    if shared:  # a period after the data: said once for every table
        legend = "\n".join([*shared, legend])
    if explicit:
        view = metric_table(result, rows, present, f"Metrics ({result.base_currency})")
        if view is not None:
            console.print(view)
        console.print(Text(legend, style="dim"))
        return
    dashboard = [m for m in reg.DASHBOARD if m in present or m not in reg.REGISTRY]
    view = metric_table(result, rows, dashboard, f"Dashboard ({result.base_currency})")
    if view is not None:
        console.print(view)
    for section in reg.Section:
        ids = [m for m in present if reg.REGISTRY[m].section is section and m not in reg.DASHBOARD]
        if ids:
            console.print()
            view = metric_table(result, rows, ids, reg.SECTION_TITLES[section].en)
            if view is not None:
                console.print(view)
    console.print(Text(legend, style="dim"))


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


def print_drill(ws: Workspace, result: MetricResult, output: str, console: Console) -> None:
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
        console.file.write(text + "\n")
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
    for row, frame in pairs:
        title = " · ".join(
            x
            for x in (
                row["metric"],
                row["period"],
                _group_label(row["group"]),
                format_value(row["value"], row["unit"], result.base_currency),
            )
            if x
        )
        if frame is None:
            console.print(
                Text(f"{title}: no drill-down, survey answers are anonymous", style="dim")
            )
            continue
        table = Table(title=f"{title} ({len(frame)} rows)", title_justify="left")
        for column in frame.columns:
            table.add_column(str(column))
        for record in frame.head(MAX_DRILL_ROWS).itertuples(index=False):
            table.add_row(*("" if plain(v) is None else str(plain(v)) for v in record))
        console.print(table)
        if len(frame) > MAX_DRILL_ROWS:
            console.print(
                Text(
                    f"… {len(frame) - MAX_DRILL_ROWS} more rows (--format csv shows them all)",
                    style="dim",
                )
            )


#: The columns of the MRR waterfall view: (component, header).
WATERFALL_COLUMNS = (
    ("mrr_start", "start"),
    ("new", "+ new"),
    ("reactivation", "+ react."),
    ("expansion", "+ expansion"),
    ("contraction", "− contraction"),
    ("churn", "− churn"),
    ("mrr_end", "end"),
)
#: The waterfall is printed at least this wide (columns of money do not fit in 80).
WATERFALL_WIDTH = 132


def _whole_money(value: Any, currency: str) -> str:
    """Money without cents for the waterfall table (the JSON keeps the cents)."""
    if value is None:
        return "—"
    text = format_value(round(float(value)), "money", currency)
    return text[:-3] if text.endswith(".00") else text


def waterfall_table(result: MetricResult) -> Table:
    """The MRR bridge of an ``mrr`` result: one row per period (and group), from MRR at start
    through the movements to MRR at end; the last column says whether the identity holds."""
    rows = [r for r in result.rows() if r["metric"] == "mrr"]
    table = Table(
        title=f"MRR waterfall ({result.base_currency})", title_justify="left", pad_edge=False
    )
    table.add_column("period", no_wrap=True)
    grouped = bool(result.by)
    if grouped:
        table.add_column("group")
    for _, header in WATERFALL_COLUMNS:
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("customers", justify="right")
    table.add_column("check", justify="center")
    table.caption = (
        "MRR: end = start + new + reactivation + expansion − contraction − churn (✓ exact to"
        " the cent; --format json for cents)"
    )
    for r in rows:
        c = r["components"]
        cells = [_whole_money(c.get(name), result.base_currency) for name, _ in WATERFALL_COLUMNS]
        customers = f"{c.get('customers_at_start', 0)} → {c.get('customers_at_end', 0)}"
        ok = c.get("identity_ok")
        check = Text("✓", style="green") if ok else Text("✗", style="red")
        label = [r["period"], *([_group_label(r["group"])] if grouped else [])]
        table.add_row(*label, *cells, customers, check)
    return table
