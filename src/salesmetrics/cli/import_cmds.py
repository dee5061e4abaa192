"""``import`` (a file into a canonical table) and ``rejects`` (the quarantine of a batch)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from salesmetrics.cli import app
from salesmetrics.cli.options import QuietOpt, WorkspaceOpt, err, out
from salesmetrics.cli.safe import printable


@app.command("import")
def import_cmd(
    table: Annotated[str, typer.Argument(help="Canonical table, e.g. leads or opportunities.")],
    file: Annotated[Path, typer.Argument(help="A .csv, .tsv, .xlsx, .parquet or .jsonl file.")],
    preset: Annotated[
        str | None, typer.Option(help="Export format: hubspot, salesforce, pipedrive, capsule.")
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="FIELD=COLUMN: fill canonical FIELD from COLUMN (repeatable)."),
    ] = None,
    value_map: Annotated[
        list[str] | None,
        typer.Option(
            "--value-map", help="FIELD:FROM=TO, e.g. 'status:Closed Won=won' (repeatable)."
        ),
    ] = None,
    date_format: Annotated[
        str | None, typer.Option(help="strptime format of dates, e.g. %d/%m/%Y.")
    ] = None,
    decimal: Annotated[
        str, typer.Option(help="Decimal separator: '.' or ',' (then '.' groups thousands).")
    ] = ".",
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet name or number.")] = None,
    delimiter: Annotated[
        str | None, typer.Option(help="CSV delimiter (default: detected): , ; | or \\t.")
    ] = None,
    encoding: Annotated[
        str | None, typer.Option(help="Text encoding (default: detected), e.g. latin-1.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and report; write nothing.")
    ] = False,
    warm: Annotated[
        bool,
        typer.Option(
            "--warm/--no-warm",
            help="After the batch lands, compute what the recent requests need (default on).",
        ),
    ] = True,
    suggest: Annotated[
        bool,
        typer.Option(
            "--suggest",
            help="Propose --map options from the headers and a sample of values; load nothing.",
        ),
    ] = False,
    save_mapping: Annotated[
        str | None,
        typer.Option(
            "--save-mapping",
            metavar="NAME",
            help="Store this import's mapping (or, with --suggest, the proposal) as NAME.",
        ),
    ] = None,
    mapping_name: Annotated[
        str | None,
        typer.Option(
            "--mapping", metavar="NAME", help="Use the mapping saved as NAME (--map items win)."
        ),
    ] = None,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Load FILE into canonical TABLE: map, validate, quarantine rejects, write atomically.

    Exit status 0 when rows were loaded (the summary counts any rejected), 3 when the file had
    rows and every one was rejected (nothing loaded; ``salesmetrics rejects`` lists why)."""
    from salesmetrics.cli import EXIT_ALL_REJECTED
    from salesmetrics.cli.mapping_cmds import run_suggest
    from salesmetrics.cli.progress import progress_bars
    from salesmetrics.ingest.options import (
        ImportOptions,
        SavedMapping,
        parse_map,
        parse_value_maps,
    )
    from salesmetrics.ingest.saved import load_mapping
    from salesmetrics.ingest.saved import save_mapping as save
    from salesmetrics.workspace import open_workspace

    options = ImportOptions(
        mapping=parse_map(map_ or []),
        value_map=parse_value_maps(value_map or []),
        preset=preset,
        date_format=date_format,
        decimal=decimal,
        sheet=sheet,
        delimiter=delimiter,
        encoding=encoding,
        dry_run=dry_run,
    )
    if suggest:
        run_suggest(table, file, workspace, save_mapping, options)
        return
    warmed = None
    with open_workspace(workspace) as ws, progress_bars(err, quiet=quiet) as progress:
        if mapping_name is not None:
            options = options.with_saved(load_mapping(ws.root, mapping_name, table))
        result = ws.import_file(table, file, options, progress=progress)
        if warm and result.written:
            warmed = ws.warm(progress=progress)
        if save_mapping is not None:
            saved_at = save(ws.root, save_mapping, SavedMapping.of(table, options))
    for line in result.summary_lines():
        out.print(printable(line), markup=False)
    if save_mapping is not None:
        out.print(
            printable(
                f"mapping saved as {save_mapping!r} ({saved_at}); reuse it with"
                f" --mapping {save_mapping}"
            ),
            markup=False,
        )
    if warmed is not None and warmed.requests:
        out.print(
            f"computed ahead for the new data: {len(warmed.requests)} recent requests"
            f" in {warmed.seconds:.1f} s",
            markup=False,
        )
    if result.rows_read > 0 and result.rows_loaded == 0 and result.rows_rejected > 0:
        err.print(
            f"every row was rejected ({result.rows_rejected:,}): nothing loaded",
            markup=False,
        )
        raise typer.Exit(EXIT_ALL_REJECTED)


@app.command()
def rejects(
    batch: Annotated[
        str | None, typer.Argument(help="Batch id (or its start); default: the latest batch.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many rows.")] = 50,
    workspace: WorkspaceOpt = None,
) -> None:
    """Show the rejected rows of an import batch: row, column, value and reason."""
    from salesmetrics.ingest.quarantine import find_batch, rejected_rows
    from salesmetrics.workspace import open_workspace

    with open_workspace(workspace) as ws:
        found = find_batch(ws, batch)
        rows, total = rejected_rows(ws, found, limit)
    head = (
        f"batch {found.batch_id}: {found.file} -> {found.table}: {found.rows_read:,} rows read,"
        f" {found.rows_loaded:,} loaded, {found.rows_rejected:,} rejected"
    )
    out.print(printable(head), markup=False)
    if not rows:
        out.print("no rejected rows")
        return
    grid = Table("row", "column", "value", "reason", show_lines=False)
    for row, column, value, reason in rows:
        grid.add_row(
            str(row), Text(printable(column)), Text(printable(value or "")), Text(printable(reason))
        )
    out.print(grid)
    if total > len(rows):
        err.print(f"showing {len(rows)} of {total:,} problems; use --limit to see more")
