"""``salesmetrics pipeline`` (open pipeline as of a date) and ``salesmetrics forecast``
(the product's forecasts, saving them, and the backtest)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from salesmetrics.cli import app
from salesmetrics.cli.options import Lang, LangOpt, SegmentOpt, WhereOpt, WorkspaceOpt, out
from salesmetrics.errors import UserError

if TYPE_CHECKING:
    import pandas as pd

    from salesmetrics.cli.tables import Style
    from salesmetrics.workspace import Workspace

#: Frame columns holding rep ids, shown by name.
REP_COLUMNS = {"rep": "rep", "manager": "rep"}


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"--as-of {text!r} is not a date (YYYY-MM-DD)") from None


def _style(ws: Workspace, lang: Lang, by: list[str] | str | None) -> Style:
    """The view's formats, with the reps' names when grouped by rep or manager."""
    from salesmetrics.cli import tables as view

    dims = [by] if isinstance(by, str) else list(by or [])
    return view.make_style(lang.value, ws.config.base_currency, view.names_for(ws, dims))


def _print(
    frame: pd.DataFrame, title: str, style: Style, names: dict[str, str] | None = None
) -> None:
    """``frame`` as tables that fit the terminal (money, percentages, names)."""
    from salesmetrics.cli import tables as view

    for table in view.frame_tables(frame, title, style, out.width, names or REP_COLUMNS):
        out.print(table, soft_wrap=False)


@app.command("pipeline")
def pipeline_cmd(
    as_of: Annotated[
        str, typer.Option("--as-of", help="Date (YYYY-MM-DD): the pipeline open at its start.")
    ],
    by: Annotated[
        list[str] | None,
        typer.Option("--by", "-b", help="Group by a dimension (repeatable).", show_default=False),
    ] = None,
    grain: Annotated[str, typer.Option("--grain", help="Close period grain.")] = "quarter",
    where: WhereOpt = None,
    segment: SegmentOpt = None,
    workspace: WorkspaceOpt = None,
    lang: LangOpt = Lang.EN,
) -> None:
    """Open pipeline as of a date, by stage and close period (state from opportunity history)."""
    from salesmetrics.workspace import open_workspace

    day = _date(as_of)
    with open_workspace(workspace) as ws:
        frame = ws.pipeline(as_of=day, by=by or (), grain=grain, where=where, segment=segment)
        style = _style(ws, lang, by)
    if frame.empty:
        out.print(f"no open deals at the start of {day.isoformat()}")
        return
    _print(
        frame, f"Open pipeline at the start of {day.isoformat()} ({ws.config.base_currency})", style
    )
    fmt = style.fmt
    out.print(
        f"total: {fmt.fixed(frame['deals'].sum(), 0)} deals, {fmt.money(frame['amount'].sum())}"
        f" (weighted {fmt.money(frame['weighted'].sum())})",
        markup=False,
    )


@app.command("forecast")
def forecast_cmd(
    period: Annotated[
        str | None, typer.Option("--period", "-p", help="Period to forecast, e.g. 2024-Q3.")
    ] = None,
    method: Annotated[
        list[str] | None,
        typer.Option(
            "--method", "-m", help="weighted_pipeline or statistical (default: both; repeatable)."
        ),
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", "-b", help="rep or team (the forecast scope).")
    ] = None,
    save: Annotated[
        bool, typer.Option("--save", help="Store the forecasts in the forecasts table.")
    ] = False,
    backtest: Annotated[
        bool, typer.Option("--backtest", help="Replay past periods (--from, --to).")
    ] = False,
    from_period: Annotated[str | None, typer.Option("--from", help="First period.")] = None,
    to_period: Annotated[str | None, typer.Option("--to", help="Last period.")] = None,
    grain: Annotated[str, typer.Option("--grain", help="Grain of the backtest.")] = "quarter",
    accuracy: Annotated[
        bool,
        typer.Option("--accuracy", help="Accuracy and bias of the stored forecasts for --period."),
    ] = False,
    where: WhereOpt = None,
    segment: SegmentOpt = None,
    workspace: WorkspaceOpt = None,
    lang: LangOpt = Lang.EN,
) -> None:
    """Forecast a period's won revenue (weighted pipeline, statistical), measure stored
    forecasts' accuracy, or backtest the methods over past periods."""
    from salesmetrics.metrics import forecasting as fc
    from salesmetrics.workspace import open_workspace

    with open_workspace(workspace) as ws:
        by, keep = _forecast_scope(ws.filters(where, segment), by)
        style = _style(ws, lang, by if by in REP_COLUMNS else None)
        groups = {"group": "rep"} if by in REP_COLUMNS else {}
        if backtest:
            if not from_period or not to_period:
                raise UserError("--backtest needs --from and --to")
            rows, summary = fc.backtest(ws, from_period, to_period, by, grain, keep)
            shown = rows[["period", "group", "method", "amount", "actual", "accuracy", "bias"]]
            title = "Backtest: forecasts made with the data known at each period's start"
            _print(shown, title, style, groups)
            _print(summary, "Methods compared (mape = mean |forecast − actual| / actual)", style)
            return
        if not period:
            raise UserError("give --period (or --backtest --from P --to P)")
        target = ws.period(period)
        if accuracy:
            judged = _kept(fc.accuracy(ws, [target], by), keep)
            _print(judged, f"Forecast accuracy for {target.label}", style, groups)
            return
        made = _kept(fc.make(ws, [target], method or list(fc.METHODS), by), keep)
        title = f"Forecast of won revenue for {target.label} ({ws.config.base_currency})"
        _print(made, title, style, groups)
        if save:
            now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            n = fc.save(ws, made, now)
            out.print(f"saved {n} forecasts (submitted at {now:%Y-%m-%d %H:%M} UTC)")


def _forecast_scope(filters: dict[str, str], by: str | None) -> tuple[str | None, str | None]:
    """The forecast scope (``--by``) and the group to keep of it, for ``--where``: a forecast is
    made per company, team or rep, so a filter names one team or rep, whose forecast is that
    group's row of the forecasts by team or rep."""
    if not filters:
        return by, None
    if len(filters) > 1 or next(iter(filters)) not in ("rep", "team"):
        raise UserError("forecasts are made per team or rep: filter by one team or one rep")
    ((dim, value),) = filters.items()
    if by is not None and by != dim:
        raise UserError(f"--by {by} and a filter on {dim}: give one scope")
    return dim, value


def _kept(frame: pd.DataFrame, group: str | None) -> pd.DataFrame:
    """The rows of ``frame`` of ``group`` (all when None)."""
    if group is None:
        return frame
    return frame[frame["group"] == group].reset_index(drop=True)
