"""``salesmetrics metrics`` and ``salesmetrics glossary``.

``metrics`` computes metrics and prints them as a Rich table (default), the JSON object of the
spec (``--format json``) or CSV; ``--drill`` prints the rows each result was computed from.
``glossary`` prints the registry's definitions in English or Indonesian.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from salesmetrics.cli import app
from salesmetrics.cli.options import (
    Lang,
    LangOpt,
    QuietOpt,
    SegmentOpt,
    WhereOpt,
    WorkspaceOpt,
    err,
    out,
)
from salesmetrics.cli.safe import printable
from salesmetrics.dims import DIMENSIONS
from salesmetrics.errors import UserError

if TYPE_CHECKING:
    from salesmetrics.cli.tables import Answer
    from salesmetrics.workspace import Workspace

Dimension = StrEnum("Dimension", {d.upper(): d for d in DIMENSIONS})  # type: ignore[misc]


class GrainChoice(StrEnum):
    """--grain values."""

    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class CompareChoice(StrEnum):
    """--compare values."""

    PREVIOUS = "previous"
    YEAR = "year"


class OutputFormat(StrEnum):
    """--format values."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def _bases(pairs: list[str] | None) -> dict[str, str]:
    bases: dict[str, str] = {}
    for pair in pairs or []:
        metric, sep, basis = pair.partition("=")
        if not sep or not metric.strip() or not basis.strip():
            raise typer.BadParameter(f"{pair!r}: use METRIC=BASIS", param_hint="--basis")
        bases[metric.strip()] = basis.strip()
    return bases


@app.command("metrics")
def metrics_cmd(
    metric: Annotated[
        list[str] | None,
        typer.Option(
            "--metric",
            "-m",
            help="Metric id (repeatable). Default: every metric the workspace has data for.",
            show_default=False,
        ),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            "-p",
            help="2024, 2024-Q2, 2024-05, 2024-W19, FY2025, FY2025-Q1, 2024-04-01..2024-06-30"
            " or all (default); with a 4-4-5, 4-5-4 or 5-4-4 fiscal calendar also FY2025-M03"
            " and FY2025-W05; or this-month, last-month, this-quarter, last-quarter, ytd,"
            " last-12-months (against the data's last date).",
            show_default=False,
        ),
    ] = None,
    from_period: Annotated[
        str | None,
        typer.Option("--from", help="First period of the grain (with --to).", show_default=False),
    ] = None,
    to_period: Annotated[
        str | None,
        typer.Option("--to", help="Last period of the grain, inclusive.", show_default=False),
    ] = None,
    grain: Annotated[
        GrainChoice | None,
        typer.Option(
            "--grain",
            "-g",
            help="Split the period into weeks, months, quarters or years (fiscal ones with a"
            " 4-4-5, 4-5-4 or 5-4-4 fiscal calendar).",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    by: Annotated[
        list[Dimension] | None,
        typer.Option(
            "--by",
            "-b",
            help="Group by a dimension (repeatable).",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    compare: Annotated[
        CompareChoice | None,
        typer.Option(
            "--compare",
            "-c",
            help="Compare with the previous period or last year.",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        OutputFormat,
        typer.Option("--format", "-f", help="table, json or csv.", case_sensitive=False),
    ] = OutputFormat.TABLE,
    drill: Annotated[
        bool, typer.Option("--drill", help="Print the rows each result was computed from.")
    ] = False,
    basis: Annotated[
        list[str] | None,
        typer.Option(
            "--basis",
            help="METRIC=BASIS, e.g. time_spent_selling=standard (repeatable).",
            show_default=False,
        ),
    ] = None,
    where: WhereOpt = None,
    segment: SegmentOpt = None,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
    lang: LangOpt = Lang.EN,
) -> None:
    """Compute metrics for a period, split by a grain, grouped by dimensions."""
    from salesmetrics.cli import tables as view
    from salesmetrics.metrics.request import Request
    from salesmetrics.workspace import open_workspace

    # built (and checked) before the workspace is opened
    request = Request.of(
        metric or None,
        period=period,
        from_period=from_period,
        to_period=to_period,
        grain=grain.value if grain else None,
        by=[d.value for d in by or []],
        compare=compare.value if compare else None,
        basis=_bases(basis),
        where=where,
    )
    with open_workspace(workspace) as ws:
        if segment is not None:
            request = replace(request, where=tuple(ws.filters(where, segment).items()))
        # A command repeated on unchanged data prints the answer an earlier one kept (see
        # salesmetrics.answers); CSV and drill-downs are always computed.
        kept = None if drill or output is OutputFormat.CSV else ws.kept_answer(request)
        if kept is not None:
            _print(ws, kept, output, explicit=bool(metric), lang=lang)
            notes = kept.notes
        else:
            result = ws.metrics(request)
            if drill:
                style = view.make_style(lang.value, result.base_currency)
                view.print_drill(ws, result, output.value, out, style)
                return
            _print(ws, result, output, explicit=bool(metric), lang=lang)
            ws.keep_answer(request, result)
            notes = result.notes
    if not quiet:
        for note in notes:
            err.print(f"note: {printable(note)}", markup=False)


def _print(
    ws: Workspace, result: Answer, output: OutputFormat, *, explicit: bool, lang: Lang
) -> None:
    """``result`` on stdout as ``output`` (a table names the reps of its groups)."""
    from salesmetrics.cli import tables as view

    if output is OutputFormat.JSON:
        view.print_json(result.to_json(indent=2), out)
    elif output is OutputFormat.CSV:
        view.print_csv(result, out)
    else:
        names = view.names_for(ws, result.by, result.rows())
        style = view.make_style(lang.value, result.base_currency, names)
        view.print_tables(result, out, explicit=explicit, style=style)


@app.command("waterfall")
def waterfall_cmd(
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            "-p",
            help="2025, 2025-Q1, FY2025, ytd, last-12-months, ... or all (default).",
            show_default=False,
        ),
    ] = None,
    grain: Annotated[
        GrainChoice,
        typer.Option(
            "--grain", "-g", help="One row per month (default), quarter, ...", case_sensitive=False
        ),
    ] = GrainChoice.MONTH,
    by: Annotated[
        list[Dimension] | None,
        typer.Option(
            "--by",
            "-b",
            help="Group by plan, first_plan, segment, region, industry, rep, team, manager.",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        OutputFormat,
        typer.Option("--format", "-f", help="table, json or csv.", case_sensitive=False),
    ] = OutputFormat.TABLE,
    where: WhereOpt = None,
    segment: SegmentOpt = None,
    workspace: WorkspaceOpt = None,
    lang: LangOpt = Lang.EN,
) -> None:
    """The MRR waterfall: MRR at start, new, reactivation, expansion, contraction, churn, MRR at
    end, per period (and group)."""
    from salesmetrics.cli import tables as view
    from salesmetrics.workspace import open_workspace

    with open_workspace(workspace) as ws:
        result = ws.metrics(
            ["mrr"],
            period=period,
            grain=grain.value,
            by=[d.value for d in by or []],
            where=where,
            segment=segment,
        )
        names = view.names_for(ws, result.by) if output is OutputFormat.TABLE else {}
    rows = result.rows()
    if rows and all(r["value"] is None and r["note"] and not r["components"] for r in rows):
        raise UserError(f"no MRR waterfall: {rows[0]['note']}")
    if output is OutputFormat.JSON:
        view.print_json(result.to_json(indent=2), out)
    elif output is OutputFormat.CSV:
        view.print_csv(result, out)
    else:
        style = view.make_style(lang.value, result.base_currency, names)
        for part in view.waterfall_tables(result, style, out.width):
            out.print(part, soft_wrap=False)


@app.command("glossary")
def glossary_cmd(
    metric: Annotated[
        str | None, typer.Argument(help="Metric id (default: every metric).", show_default=False)
    ] = None,
    lang: LangOpt = Lang.EN,
    workspace: WorkspaceOpt = None,
) -> None:
    """Definitions of the metrics: what, why, formula, example, owner, cadence, target.

    The definitions are the registry's, the same in every workspace: ``--workspace`` is
    accepted (every command takes it) and checked to be a folder, nothing is read from it."""
    from salesmetrics import glossary

    if workspace is not None and not workspace.is_dir():
        raise UserError(f"--workspace {printable(workspace)}: no such folder")

    if metric is None:
        out.print(glossary.overview(lang.value), markup=False, highlight=False)
        return
    out.print(glossary.entry_text(metric, lang.value), markup=False, highlight=False)
