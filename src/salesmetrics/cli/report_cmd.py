"""``salesmetrics report``: a review pack as HTML, PDF or XLSX."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from salesmetrics.cli import app
from salesmetrics.cli.options import QuietOpt, WorkspaceOpt, err, out


class CadenceChoice(StrEnum):
    """The reviews a pack is made for."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"


class LangChoice(StrEnum):
    """The languages a pack is written in."""

    EN = "en"
    ID = "id"


@app.command("report")
def report_cmd(
    cadence: Annotated[
        CadenceChoice,
        typer.Option("--cadence", "-c", help="monthly, quarterly or annual.", case_sensitive=False),
    ],
    period: Annotated[
        str,
        typer.Option("--period", "-p", help="The month, quarter or year: 2025-11, 2025-Q4, 2025."),
    ],
    out_file: Annotated[
        Path, typer.Option("--out", "-o", help="FILE.html, FILE.pdf or FILE.xlsx.")
    ],
    role: Annotated[
        str | None,
        typer.Option(
            "--role",
            "-r",
            help="Only one role's sections: finance, operations, customer_success, marketing,"
            " sales_leadership, people.",
            show_default=False,
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            "-b",
            help="Break down by this dimension (default: team and segment).",
            show_default=False,
        ),
    ] = None,
    lang: Annotated[
        LangChoice, typer.Option("--lang", help="en or id.", case_sensitive=False)
    ] = LangChoice.EN,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """A review pack: cover, summary, a section per role, movers, data quality, glossary."""
    from salesmetrics.cli.progress import progress_bars
    from salesmetrics.errors import UserError
    from salesmetrics.reports import FORMATS, build_pack, write_pack
    from salesmetrics.workspace import open_workspace

    if out_file.suffix.lower() not in FORMATS:  # before any work
        raise UserError(
            f"cannot write a pack to {out_file.name!r}: name a .html, .pdf or .xlsx file"
        )
    with open_workspace(workspace) as ws, progress_bars(err, quiet=quiet) as progress:
        pack = build_pack(
            ws, cadence.value, period, role=role, by=by, lang=lang.value, progress=progress
        )
        written = write_pack(pack, out_file, progress=progress)
    if not quiet:
        out.print(f"wrote {written} ({pack.title})", markup=False, highlight=False)
