"""``init``, ``export`` and ``restore``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from salesmetrics.cli import app
from salesmetrics.cli.options import QuietOpt, WorkspaceOpt, err, out


@app.command()
def init(
    directory: Annotated[Path | None, typer.Argument(help="Folder (default: --workspace).")] = None,
    backend: Annotated[
        str | None,
        typer.Option(
            help="Backend URL: duckdb:///FILE (default, embedded), postgresql://USER@HOST:5432/DB"
            "?schema=NAME, or pyspark://MASTER."
        ),
    ] = None,
    base_currency: Annotated[str | None, typer.Option(help="ISO 4217 code, e.g. USD.")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing salesmetrics.toml.")] = False,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Create a workspace: salesmetrics.toml and its database (embedded DuckDB by default; or
    --backend postgresql://USER@HOST:5432/DB?schema=NAME)."""
    from salesmetrics.backends import display_url
    from salesmetrics.workspace import init_workspace

    ws = init_workspace(
        directory or workspace, backend=backend, base_currency=base_currency, force=force
    )
    if not quiet:
        out.print(
            f"created workspace {ws.root} (backend {display_url(ws.config.backend)})", markup=False
        )
        err.print(f"next: salesmetrics import TABLE FILE --workspace {ws.root}", markup=False)
    ws.close()


@app.command("export")
def export_cmd(
    directory: Annotated[Path, typer.Argument(help="Folder to write Parquet files into.")],
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Write every table to Parquet files in DIRECTORY."""
    from salesmetrics.workspace import open_workspace

    with open_workspace(workspace) as ws:
        files = ws.export(directory)
    if not quiet:
        err.print(f"wrote {len(files)} tables to {directory}")


@app.command()
def restore(
    directory: Annotated[Path, typer.Argument(help="Folder written by 'salesmetrics export'.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Read an export into an empty workspace."""
    from salesmetrics.workspace import open_workspace

    with open_workspace(workspace) as ws:
        counts = ws.restore(directory)
    out.print(f"restored {sum(counts.values())} rows into {len(counts)} tables")
