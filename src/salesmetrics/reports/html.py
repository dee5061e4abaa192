"""A pack as one standalone HTML file: a Jinja2 template with the CSS inline, the charts as
inline SVG, and no external URL at all (it works offline and prints with ``@page`` rules, which
the PDF uses too)."""

from __future__ import annotations

import datetime as dt
import functools
import json
from typing import TYPE_CHECKING, Any

from salesmetrics.reports import charts, svgtidy
from salesmetrics.reports.model import Chart, Column, Paragraph, Table

if TYPE_CHECKING:
    from salesmetrics.progress import Progress
    from salesmetrics.reports.locale import Formats
    from salesmetrics.reports.model import ReviewPack

NUMERIC = ("value", "change", "money", "ratio", "count", "number")


def cell_text(row: dict[str, Any], column: Column, fmt: Formats) -> str:
    """The text of ``row``'s cell in ``column``, formatted by the pack's locale."""
    value = row.get(column.key)
    match column.kind:
        case "value":
            return fmt.value(value, row.get("unit"))
        case "change":
            return fmt.change(value, row.get(f"{column.key}_rate"), row.get("unit"))
        case "money" | "ratio" | "count" | "number":
            return fmt.value(value, column.kind)
        case "status":
            return fmt.status(value)
        case "period":
            return fmt.period(str(value)) if value else ""
    return "" if value is None else str(value)


def _table(table: Table, fmt: Formats, paged: bool) -> dict[str, Any]:
    shown, caption = table.rows, table.caption
    if paged and table.printed is not None:
        shown = table.printed.rows
        caption = " ".join(t for t in (caption, table.printed.note) if t)
    rows = []
    for row in shown:
        cells = []
        for c in table.columns:
            cls = "num" if c.kind in NUMERIC else ""
            if c.kind == "status" and row.get(c.key):
                cls = f"status-{row[c.key]}"
            cells.append({"text": cell_text(row, c, fmt), "cls": cls})
        rows.append(cells)
    return {
        "kind": "table",
        "id": table.id,
        "title": table.title,
        "columns": table.columns,
        "rows": rows,
        "caption": caption,
    }


def render_html(pack: ReviewPack, *, progress: Progress | None = None, paged: bool = False) -> str:
    """The pack as HTML text; ``paged``, the document the PDF lays out (long tables cut to
    their :attr:`Table.printed` rows)."""
    import jinja2

    fmt = pack.formats
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("salesmetrics.reports", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    total = sum(len(s.charts()) for s in pack.sections)
    done = 0
    sections = []
    for s in pack.sections:
        blocks: list[dict[str, Any]] = []
        for b in s.blocks:
            if isinstance(b, Chart):
                blocks.append(
                    {
                        "kind": "chart",
                        "id": b.id,
                        "svg": _svg(b.spec, pack.lang),
                        "description": b.description,
                    }
                )
                done += 1
                if progress is not None:
                    progress("drawing the charts", done, total)
            elif isinstance(b, Paragraph):
                blocks.append({"kind": "paragraph", "text": b.text})
            else:
                blocks.append(_table(b, fmt, paged))
        sections.append({"id": s.id, "title": s.title, "blocks": blocks})
    words = {
        k: fmt.word(k)
        for k in (
            "period",
            "last_event",
            "last_import",
            "imports",
            "base_currency",
            "prepared",
            "contents",
            "page",
            "of",
        )
    }
    return env.get_template("pack.html.j2").render(
        pack=pack,
        fmt=fmt,
        words=words,
        sections=sections,
        period_text=fmt.period(pack.period, pack.period_start),
        period_last=pack.period_end - dt.timedelta(days=1),
    )


def _svg(spec: dict[str, Any], lang: str) -> str:
    """A chart as compact inline SVG (:mod:`~salesmetrics.reports.svgtidy`), without the XML
    prolog (drawn once per process: writing the HTML and then the PDF of one pack draws each
    chart once)."""
    return _drawn(json.dumps(spec, sort_keys=True), lang)


@functools.lru_cache(maxsize=512)
def _drawn(spec: str, lang: str) -> str:
    return svgtidy.tidy(charts.to_svg(json.loads(spec), lang))
