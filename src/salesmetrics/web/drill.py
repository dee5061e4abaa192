"""Drill-down: the page of the rows behind a figure, its CSV and XLSX exports, and
``GET /api/drill``.

A figure is ``metric``, ``period`` and ``group`` (``DIM=VALUE``, repeatable) within the page's
filters (``where``). The user's scope is applied to the group and the filters alike
(:func:`salesmetrics.web.access.scoped`): asking for another team or rep is 403, and whatever
else is asked, a manager's rows are their team's and a rep's their own, on the page, in the
exports and through the API.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from salesmetrics.errors import UserError
from salesmetrics.metrics import registry as reg
from salesmetrics.metrics.request import parse_where
from salesmetrics.metrics.result import plain
from salesmetrics.reports.locale import Formats
from salesmetrics.web import drilling, export
from salesmetrics.web.access import scoped
from salesmetrics.web.api import ERRORS, ApiUser, PeriodQuery, WhereQuery
from salesmetrics.web.auth import page_user
from salesmetrics.web.render import render
from salesmetrics.web.service import Service
from salesmetrics.web.state import ViewState
from salesmetrics.web.users import User

router = APIRouter()

#: Drilled columns holding a rep's id, shown with the rep's name.
REP_COLUMNS = frozenset({"owner_id", "rep", "manager_id"})

PageUser = Annotated[User, Depends(page_user)]
GroupQuery = Annotated[
    list[str] | None,
    Query(description="the figure's group, DIM=VALUE (repeatable)", examples=[["region=EMEA"]]),
]


def _service(request: Request) -> Service:
    found: Service = request.app.state.service
    return found


def figure(
    service: Service,
    user: User,
    metric: str,
    period: str | None,
    group: list[str] | None,
    where: dict[str, str],
) -> drilling.Figure:
    """The figure asked for, within the filters and ``user``'s scope (a group naming another
    value of a filtered dimension is a UserError: the figure is not on the page)."""
    chosen = parse_where(group or [])
    for dim, value in chosen.items():
        if where.get(dim, value) != value:
            raise UserError(f"group {dim}={value} is outside the filter {dim}={where[dim]}")
    wanted = scoped(user, {**scoped(user, where), **chosen})
    return drilling.Figure(metric, period or service.default_period(), wanted)


def _figure_of(
    request: Request, user: User, metric: str, group: list[str] | None
) -> drilling.Figure:
    state = ViewState.of(request)
    return figure(_service(request), user, metric, state.period, group, state.filters())


def _filename(fig: drilling.Figure, suffix: str) -> str:
    parts = [fig.metric, fig.period, *(f"{k}-{v}" for k, v in fig.group.items())]
    name = "_".join(parts)
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in name) + suffix


@router.get("/drill", response_class=HTMLResponse, include_in_schema=False)
def drill_page(
    request: Request,
    user: PageUser,
    metric: str,
    group: GroupQuery = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """The rows behind a figure, a page at a time, with links to export them."""
    state = ViewState.of(request)
    service = _service(request)
    fig = _figure_of(request, user, metric, group)
    found = drilling.rows(service, fig, (page - 1) * drilling.PAGE_SIZE)
    fmt = Formats(state.lang, service.base_currency)
    names = service.names("rep")
    reps = [c in REP_COLUMNS for c in found.frame.columns]
    cells = [
        [_cell(fmt, v, names if rep else None) for v, rep in zip(record, reps, strict=True)]
        for record in found.frame.itertuples(index=False)
    ]
    groups = [f"{k}={v}" for k, v in parse_where(group or []).items()]
    return render(
        request,
        "drill.html.j2",
        state=state,
        period=fig.period,
        name=reg.get(metric).name.get(state.lang),
        found=found,
        cells=cells,
        page=page,
        pages=max(1, -(-found.total // drilling.PAGE_SIZE)),
        size=drilling.PAGE_SIZE,
        metric=metric,
        groups=groups,
    )


def _cell(fmt: Formats, value: object, names: dict[str, str] | None = None) -> str:
    """A drilled row's cell for the page: numbers in the page's language, a rep as
    ``name (id)`` (the exports keep the ids alone)."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return fmt.number(value)
    if names is not None and str(value) in names:
        return f"{names[str(value)]} ({value})"
    return str(value)


@router.get("/drill.csv", include_in_schema=False)
def drill_csv(request: Request, user: PageUser, metric: str, group: GroupQuery = None) -> Response:
    """Every row behind a figure as CSV."""
    fig = _figure_of(request, user, metric, group)
    frame = drilling.all_rows(_service(request), fig)
    return Response(
        export.to_csv(frame),
        media_type=export.CSV_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{_filename(fig, ".csv")}"'},
    )


@router.get("/drill.xlsx", include_in_schema=False)
def drill_xlsx(request: Request, user: PageUser, metric: str, group: GroupQuery = None) -> Response:
    """Every row behind a figure as an XLSX workbook."""
    fig = _figure_of(request, user, metric, group)
    frame = drilling.all_rows(_service(request), fig)
    return Response(
        export.to_xlsx(frame, fig.metric),
        media_type=export.XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{_filename(fig, ".xlsx")}"'},
    )


class DrillAnswer(BaseModel):
    """The rows behind a figure (``/api/drill``)."""

    metric: str
    period: str
    start: str = Field(description="first day, inclusive (ISO date)")
    end: str = Field(description="day after the last, exclusive (ISO date)")
    group: dict[str, str] = Field(description="the figure's group, with the caller's scope")
    total: int = Field(description="how many rows there are")
    offset: int
    columns: list[str]
    rows: list[dict[str, object]]


@router.get("/api/drill", tags=["drill"], responses={200: {"model": DrillAnswer}, **ERRORS})
def api_drill(
    request: Request,
    user: ApiUser,
    metric: Annotated[str, Query(description="metric id", examples=["win_rate"])],
    period: PeriodQuery = None,
    group: GroupQuery = None,
    where: WhereQuery = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=drilling.MAX_PAGE_SIZE)] = drilling.PAGE_SIZE,
) -> Response:
    """The deals, leads, customers or reps behind a figure (as ``salesmetrics metrics
    --drill``), ``limit`` rows from ``offset``, within the caller's scope."""
    service = _service(request)
    fig = figure(service, user, metric, period, group, parse_where(where or []))
    found = drilling.rows(service, fig, offset, limit)
    return Response(json.dumps(found.to_dict(), ensure_ascii=False), media_type="application/json")
