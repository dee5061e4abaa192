"""``salesmetrics check``: the data-quality report (computed by
:mod:`salesmetrics.metrics.quality`, printed here)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from salesmetrics.cli import app
from salesmetrics.cli.options import Lang, LangOpt, WorkspaceOpt, out

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
    lang: LangOpt = Lang.EN,
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

        out.print(
            json.dumps(report.to_dict(lang.value), indent=2, ensure_ascii=False),
            markup=False,
            highlight=False,
        )
    else:
        _print(report, lang.value)


def _print(report: QualityReport, lang: str) -> None:
    """The problems found as one table, then what each affects and how to fix it, in
    ``lang``."""
    from rich.table import Table

    from salesmetrics.cli.safe import printable
    from salesmetrics.cli.tables import word
    from salesmetrics.reports.locale import Formats

    fmt = Formats(lang, "USD")  # numbers only: no money in this report
    as_of = fmt.date(report.today) if report.today else word("no_data_yet", lang)
    problems = report.problems
    if not problems:
        out.print(word("no_problems", lang, n=len(report.findings), as_of=as_of), markup=False)
        return
    title = word("check_title", lang, n=len(problems), of=len(report.findings), as_of=as_of)
    table = Table(title=title, title_justify="left")
    table.add_column(word("problem", lang), overflow="fold")
    table.add_column(word("found", lang), justify="right", no_wrap=True)
    table.add_column(word("share", lang), justify="right", no_wrap=True)
    table.add_column(word("examples", lang), overflow="fold")
    for f in problems:
        table.add_row(
            f.check.title.get(lang),
            word("n_of", lang, n=fmt.fixed(f.count, 0), of=fmt.fixed(f.out_of, 0)),
            "" if f.share is None else fmt.percent(f.share),
            printable(", ".join(f.examples[:3])),
        )
    out.print(table, soft_wrap=False)
    for f in problems:
        out.print(f"\n{f.check.id}: {f.check.title.get(lang)}", markup=False)
        out.print(f"  {word('affects', lang)}: {', '.join(f.check.affects)}", markup=False)
        out.print(f"  {word('fix_in_crm', lang)}: {f.check.fix.get(lang)}", markup=False)
    out.print("\n" + word("all_examples", lang), markup=False)
