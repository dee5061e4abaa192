"""``salesmetrics cohorts``: the retention triangle of recurring-revenue customers.

One row per cohort (customers acquired in a month or a quarter: their first month with MRR),
one column per age (months or quarters since), each cell the share of the cohort's logos
(``--measure logos``) or of its starting MRR (``--measure mrr``) still there; computed by
:meth:`salesmetrics.workspace.Workspace.cohorts`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from salesmetrics.cli import app
from salesmetrics.cli.options import WorkspaceOpt, out
from salesmetrics.errors import UserError

if TYPE_CHECKING:
    import pandas as pd
    from rich.table import Table


class CohortBy(StrEnum):
    """--by values."""

    MONTH = "acquisition-month"
    QUARTER = "acquisition-quarter"


class Measure(StrEnum):
    """--measure values."""

    LOGOS = "logos"
    MRR = "mrr"


class CohortFormat(StrEnum):
    """--format values."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"


#: The column of the triangle each measure shows, and the size shown beside each cohort.
_RETENTION = {Measure.LOGOS: "logo_retention", Measure.MRR: "mrr_retention"}
_SIZE = {Measure.LOGOS: "customers", Measure.MRR: "cohort_mrr"}


@app.command("cohorts")
def cohorts_cmd(
    by: Annotated[
        CohortBy,
        typer.Option(
            "--by",
            "-b",
            help="Cohorts of the month (default) or the quarter the customers were acquired in.",
            case_sensitive=False,
        ),
    ] = CohortBy.MONTH,
    measure: Annotated[
        Measure,
        typer.Option(
            "--measure",
            "-m",
            help="logos: the share of customers still active; mrr: the share of the cohort's"
            " starting MRR (above 100% when expansion outweighs churn).",
            case_sensitive=False,
        ),
    ] = Measure.LOGOS,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            "-p",
            help="The cohorts acquired in this period (2025, 2025-Q1, ytd, last-12-months, ...;"
            " default: every cohort); ages run to the data's end.",
            show_default=False,
        ),
    ] = None,
    ages: Annotated[
        int,
        typer.Option("--ages", help="Ages shown in the table (the first ones).", min=1),
    ] = 12,
    output: Annotated[
        CohortFormat,
        typer.Option("--format", "-f", help="table, json or csv.", case_sensitive=False),
    ] = CohortFormat.TABLE,
    workspace: WorkspaceOpt = None,
) -> None:
    """The retention triangle: each cohort's customers (or MRR) still there, age by age."""
    from salesmetrics.workspace import open_workspace

    grain = "quarter" if by is CohortBy.QUARTER else "month"
    with open_workspace(workspace) as ws:
        frame = ws.cohorts(grain=grain)
        if frame.empty:
            raise UserError("no cohorts: the workspace has no subscriptions or invoice lines")
        chosen = None if period is None else ws.period(period)
        fiscal = ws.config.fiscal_year_start_month
    if chosen is not None:
        days = frame["cohort"].map(_day)
        frame = frame[(days >= chosen.start) & (days < chosen.end)]
        if frame.empty:
            raise UserError(f"no customers were acquired in {chosen.label}")
    if output is CohortFormat.CSV:
        out.print(frame.to_csv(index=False), markup=False, highlight=False, end="")
    elif output is CohortFormat.JSON:
        out.print(frame.to_json(orient="records", indent=2), markup=False, highlight=False)
    else:
        out.print(cohort_table(frame, grain, measure, ages, fiscal_start_month=fiscal))


def _day(value: Any) -> Any:
    """A cohort's first day as a date (the backend may give a timestamp)."""
    import pandas as pd

    return pd.Timestamp(value).date()


def cohort_table(
    frame: pd.DataFrame, grain: str, measure: Measure, ages: int, *, fiscal_start_month: int = 1
) -> Table:
    """The triangle of ``frame`` (:meth:`Workspace.cohorts`) as a Rich table: one row per
    cohort (labelled as a period), its size, and its retention at the first ``ages`` ages,
    as percentages with one decimal."""
    from rich.table import Table

    from salesmetrics.periods import Grain, label_of

    unit = "month" if grain == "month" else "quarter"
    what = "customers" if measure is Measure.LOGOS else "MRR"
    hidden = int((frame["age"] >= ages).any())
    table = Table(
        title=f"Cohort retention of {what}, by {unit} of acquisition (age in {unit}s)",
        caption=f"ages beyond {ages - 1}: --ages N or --format csv" if hidden else None,
    )
    table.add_column("cohort", no_wrap=True)
    table.add_column("customers" if measure is Measure.LOGOS else "start MRR", justify="right")
    shown = sorted(a for a in frame["age"].unique() if a < ages)
    for age in shown:
        table.add_column(str(age), justify="right", no_wrap=True)
    retention, size = _RETENTION[measure], _SIZE[measure]
    g = Grain.MONTH if grain == "month" else Grain.QUARTER
    fsm = fiscal_start_month if g is Grain.QUARTER else 1
    for cohort, rows in frame.groupby("cohort", sort=True):  # one per cohort, not per data row
        label = label_of(_day(cohort), g, fiscal_start_month=fsm)
        values = dict(zip(rows["age"].tolist(), rows[retention].tolist(), strict=True))
        first = rows[size].iloc[0]
        cells = [f"{v:.1%}" if (v := values.get(a)) is not None and v == v else "" for a in shown]
        start = f"{int(first):,}" if measure is Measure.LOGOS else f"{float(first):,.0f}"
        table.add_row(label, start, *cells)
    return table
