"""``salesmetrics check``: the data-quality report (computed by
:mod:`salesmetrics.metrics.quality`, printed here)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from salesmetrics.cli import app
from salesmetrics.cli.options import WorkspaceOpt, out

if TYPE_CHECKING:
    from salesmetrics.metrics.quality import QualityReport


class CheckFormat(StrEnum):
    """--format values of ``check``."""

    TABLE = "table"
    JSON = "json"


@app.command("check")
def check_cmd(
    only: Annotated[
        list[str] | None,
        typer.Option("--only", help="Run only this check (repeatable), e.g. stale_open_deal."),
    ] = None,
    output: Annotated[
        CheckFormat, typer.Option("--format", "-f", help="table or json.")
    ] = CheckFormat.TABLE,
    workspace: WorkspaceOpt = None,
) -> None:
    """The data-quality report: stale open deals, missing amounts and owners, impossible dates,
    stage regressions, unknown currencies, duplicates — each with its count, share, example ids,
    the metrics it affects and how to fix it in the CRM."""
    from salesmetrics.workspace import open_workspace

    with open_workspace(workspace) as ws:
        report = ws.check(only or ())
    if output is CheckFormat.JSON:
        import json

        out.print(json.dumps(report.to_dict(), indent=2), markup=False, highlight=False)
    else:
        _print(report)


def _print(report: QualityReport) -> None:
    """The problems found as one table, then what each affects and how to fix it."""
    from rich.table import Table

    from salesmetrics.cli.safe import printable

    as_of = report.today.isoformat() if report.today else "no data yet"
    problems = report.problems
    if not problems:
        out.print(
            f"no data-quality problems found ({len(report.findings)} checks, data to {as_of})"
        )
        return
    table = Table(
        title=f"Data quality: {len(problems)} of {len(report.findings)} checks found problems"
        f" (data to {as_of})",
        title_justify="left",
    )
    table.add_column("problem", overflow="fold")
    table.add_column("found", justify="right", no_wrap=True)
    table.add_column("share", justify="right", no_wrap=True)
    table.add_column("e.g.", overflow="fold")
    for f in problems:
        share = "" if f.share is None else f"{f.share:.1%}"
        table.add_row(
            f.check.title,
            f"{f.count:,} of {f.out_of:,}",
            share,
            printable(", ".join(f.examples[:3])),
        )
    out.print(table, soft_wrap=False)
    for f in problems:
        out.print(f"\n{f.check.id}: {f.check.title}", markup=False)
        out.print(f"  affects: {', '.join(f.check.affects)}", markup=False)
        out.print(f"  fix in the CRM: {f.check.fix}", markup=False)
    out.print("\nall example ids: salesmetrics check --format json")
