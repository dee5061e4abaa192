"""``imports``: the import log, one line per batch (when, file, table, rows read, loaded,
rejected, derived key)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from salesmetrics.cli import app
from salesmetrics.cli.options import WorkspaceOpt, err, out
from salesmetrics.cli.safe import printable


class ImportsFormat(StrEnum):
    """--format values of ``imports``."""

    TABLE = "table"
    JSON = "json"


@app.command()
def imports(
    table: Annotated[
        str | None, typer.Option("--table", help="Only the batches of this canonical table.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many batches.")] = 50,
    format_: Annotated[
        ImportsFormat,
        typer.Option("--format", "-f", help="table (default) or json.", case_sensitive=False),
    ] = ImportsFormat.TABLE,
    workspace: WorkspaceOpt = None,
) -> None:
    """List the import batches, newest first: when, file, table, rows read, loaded, rejected,
    and the key derived from row content when the file had none."""
    from salesmetrics import schema
    from salesmetrics.ingest.batch_log import list_batches
    from salesmetrics.workspace import open_workspace

    if table is not None:
        schema.table(table)  # a one-line error naming the tables for an unknown one
    with open_workspace(workspace) as ws:
        batches, total = list_batches(ws, table=table, limit=limit)
    if format_ == ImportsFormat.JSON:
        payload = {"total": total, "batches": [b.to_dict() for b in batches]}
        out.print(json.dumps(payload, ensure_ascii=False, indent=2), markup=False)
        return
    if not batches:
        out.print("no imports yet; run 'salesmetrics import TABLE FILE'", markup=False)
        return
    grid = Table("when (UTC)", "batch", "file", "table")
    for name in ("read", "loaded", "rejected"):
        grid.add_column(name, justify="right")
    grid.add_column("derived key")
    for b in batches:
        when = b.started_at.strftime("%Y-%m-%d %H:%M:%S") if b.started_at else ""
        grid.add_row(
            when,
            b.batch_id,
            Text(printable(b.file or "")),
            b.table,
            f"{b.rows_read:,}",
            f"{b.rows_loaded:,}",
            f"{b.rows_rejected:,}",
            b.derived_key or "",
        )
    out.print(grid)
    if total > len(batches):
        err.print(f"showing {len(batches)} of {total:,} batches; use --limit to see more")
    if any(b.rows_rejected for b in batches):
        err.print("see a batch's rejected rows with: salesmetrics rejects BATCH")
