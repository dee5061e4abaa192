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
from salesmetrics.cli.options import Lang, LangOpt, WorkspaceOpt, out
from salesmetrics.errors import UserError

if TYPE_CHECKING:
    import pandas as pd
    from rich.table import Table

    from salesmetrics.reports.locale import Formats


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
    lang: LangOpt = Lang.EN,
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
        currency = ws.config.base_currency
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
        from salesmetrics.reports.locale import Formats as Fmt

        fmt = Fmt(lang.value, currency)
        for part in cohort_table(
            frame, grain, measure, ages, fmt, fiscal_start_month=fiscal, width=out.width
        ):
            out.print(part)


def _day(value: Any) -> Any:
    """A cohort's first day as a date (the backend may give a timestamp)."""
    import pandas as pd

    return pd.Timestamp(value).date()


def cohort_table(
    frame: pd.DataFrame,
    grain: str,
    measure: Measure,
    ages: int,
    fmt: Formats | None = None,
    *,
    fiscal_start_month: int = 1,
    width: int = 120,
) -> list[Table]:
    """The triangle of ``frame`` (:meth:`Workspace.cohorts`) as Rich tables: one row per
    cohort (labelled as a period), its size, and its retention at the first ``ages`` ages, as
    percentages with one decimal, in ``fmt``'s language (default English); the ages split into
    parts that fit ``width``, the cohort and size columns repeated, nothing cut."""
    from rich.text import Text

    from salesmetrics.cli.tables import Column, paged_tables, word
    from salesmetrics.periods import Grain, label_of

    if fmt is None:
        from salesmetrics.reports.locale import Formats as Fmt

        fmt = Fmt("en", "USD")
    lang = fmt.lang
    unit = word("month" if grain == "month" else "quarter", lang)
    what = word("customers", lang) if measure is Measure.LOGOS else "MRR"
    size_label = word("customers", lang) if measure is Measure.LOGOS else word("start_mrr", lang)
    hidden = bool((frame["age"] >= ages).any())
    shown = sorted(a for a in frame["age"].unique() if a < ages)
    retention, size = _RETENTION[measure], _SIZE[measure]
    g = Grain.MONTH if grain == "month" else Grain.QUARTER
    fsm = fiscal_start_month if g is Grain.QUARTER else 1
    labels = Column(word("cohort", lang), [])
    sizes = Column(size_label, [], "right")
    by_age = {a: Column(str(a), [], "right") for a in shown}
    for cohort, rows in frame.groupby("cohort", sort=True):  # one per cohort, not per data row
        day = _day(cohort)
        labels.cells.append(Text(fmt.period(label_of(day, g, fiscal_start_month=fsm), day)))
        sizes.cells.append(Text(fmt.fixed(rows[size].iloc[0], 0)))
        values = dict(zip(rows["age"].tolist(), rows[retention].tolist(), strict=True))
        for a, column in by_age.items():
            v = values.get(a)
            column.cells.append(Text(fmt.percent(v) if v is not None and v == v else ""))
    return paged_tables(
        word("cohort_title", lang, what=what, unit=unit),
        [labels, sizes],
        list(by_age.values()),
        width,
        lang=lang,
        caption=word("ages_hidden", lang, age=ages - 1) if hidden else None,
    )
