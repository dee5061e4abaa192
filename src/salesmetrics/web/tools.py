"""The pipeline, forecast, calculators, cohorts and data-quality pages, and ``/api/calc``: thin
views over :mod:`salesmetrics.web.tool_views`.

Pipeline and forecast carry the user's scope (a manager's team, a rep's own deals). The
calculators use no data: every role has them. Cohorts and data quality are company-wide (the
engine's cohorts and checks take no filter), so they are for admins and executives only: a
manager or rep asking is answered 403.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from salesmetrics.dims import DIMENSIONS
from salesmetrics.errors import UserError
from salesmetrics.web import tool_views
from salesmetrics.web.access import ForbiddenError, scope, scoped
from salesmetrics.web.api import ERRORS, ApiUser, Lang
from salesmetrics.web.auth import page_user
from salesmetrics.web.render import render
from salesmetrics.web.service import Service
from salesmetrics.web.state import ViewState
from salesmetrics.web.users import User

router = APIRouter()

PageUser = Annotated[User, Depends(page_user)]
CLOSE_GRAINS = ("month", "quarter", "year")
#: Query keys of the page state, never a calculator's input.
_STATE_KEYS = frozenset({"period", "grain", "where", "lang"})


def _service(request: Request) -> Service:
    found: Service = request.app.state.service
    return found


def _company_wide(user: User) -> None:
    if scope(user):
        raise ForbiddenError(
            f"{user.role.value}s see their own scope only; this page is company-wide"
        )


@router.get("/pipeline", response_class=HTMLResponse, include_in_schema=False)
def pipeline_page(
    request: Request,
    user: PageUser,
    as_of: str | None = None,
    by: str | None = None,
    close: str = "quarter",
) -> Response:
    """The deals open at the start of a date (default: the data's last day), by stage and
    close period."""
    state = ViewState.of(request)
    service = _service(request)
    if by is not None and by not in DIMENSIONS:
        raise UserError(f"by={by!r}: use {', '.join(DIMENSIONS)}")
    if close not in CLOSE_GRAINS:
        raise UserError(f"close={close!r}: use {', '.join(CLOSE_GRAINS)}")
    day = _as_of(service, as_of)
    where = scoped(user, state.filters())
    found = tool_views.pipeline(service, day, [by] if by else [], close, where, state.lang)
    return render(
        request,
        "pipeline.html.j2",
        state=state,
        found=found,
        as_of=day.isoformat(),
        by=by or "",
        dims=DIMENSIONS,
        close=close,
        closes=CLOSE_GRAINS,
    )


def _as_of(service: Service, text: str | None) -> dt.date:
    if text:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise UserError(f"as_of={text!r} is not a date (YYYY-MM-DD)") from None
    today = service.cached(("today",), lambda ws: ws.data_today())
    return today or dt.date.today()


@router.get("/forecast", response_class=HTMLResponse, include_in_schema=False)
def forecast_page(request: Request, user: PageUser, by: str | None = None) -> Response:
    """The forecasts of won revenue for the picker's period (default: the quarter holding the
    data's last day), by both methods, of the company, each team or each rep."""
    state = ViewState.of(request)
    service = _service(request)
    if by is not None and by not in ("team", "rep"):
        raise UserError(f"by={by!r}: use team or rep")
    period = state.period or _current_quarter(service)
    where = scoped(user, state.filters())
    label, table = tool_views.forecast(service, period, by, where, state.lang)
    return render(
        request, "forecast.html.j2", state=state, period=period, label=label, table=table, by=by
    )


def _current_quarter(service: Service) -> str:
    """The quarter holding the data's last day (the one still being sold)."""
    today = service.cached(("today",), lambda ws: ws.data_today()) or dt.date.today()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


@router.get("/calculators", response_class=HTMLResponse, include_in_schema=False)
def calculators_page(request: Request, user: PageUser) -> Response:
    """Every calculator: name, formula, a link to its form."""
    state = ViewState.of(request)
    defaults = tool_views.calc_defaults(_service(request))
    return render(
        request,
        "calculators.html.j2",
        state=state,
        calculators=tool_views.calculators(defaults, state.lang),
    )


@router.get("/calculators/{name}", response_class=HTMLResponse, include_in_schema=False)
def calculator_page(request: Request, name: str, user: PageUser) -> Response:
    """A calculator's form; with inputs in the query, the result, the formula and the formula
    with the numbers (in the page's language)."""
    state = ViewState.of(request)
    defaults = tool_views.calc_defaults(_service(request))
    form = tool_views.calculator(name, defaults, state.lang)
    given = _inputs(request)
    lines: list[str] = []
    error = ""
    if given:
        try:
            lines = tool_views.evaluate(name, given, defaults).describe(state.lang)
        except UserError as problem:
            error = str(problem)
    return render(
        request,
        "calculator.html.j2",
        400 if error else 200,
        state=state,
        form=form,
        given=given,
        lines=lines,
        error=error,
    )


def _inputs(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items() if k not in _STATE_KEYS}


class Calculation(BaseModel):
    """A calculator's result (``salesmetrics calc NAME --format json``)."""

    metric: str
    value: float
    unit: str
    formula: str
    substituted: str = Field(description="the formula with the numbers")
    components: dict[str, Any] = Field(description="the inputs used, defaults included")
    note: None = None
    lines: list[str] = Field(description="the result explained, in the language asked for")


@router.get(
    "/api/calc/{name}",
    tags=["calculators"],
    responses={200: {"model": Calculation}, **ERRORS},
)
def api_calc(
    request: Request,
    user: ApiUser,
    name: Annotated[
        str, Path(description="calculator (see /calculators)", examples=["win_rate", "ltv"])
    ],
    lang: Lang = Lang.EN,
) -> Response:
    """One formula on the numbers given as query parameters named after its inputs
    (``/api/calc/win_rate?won=30&lost=70``; ratios take 0.25 or 25%; a list input takes
    10,2,0), as ``salesmetrics calc``; inputs the workspace sets (gross margin, maximum
    customer lifetime) default to its settings."""
    defaults = tool_views.calc_defaults(_service(request))
    given = {k: v for k, v in request.query_params.items() if k != "lang"}
    result = tool_views.evaluate(name, given, defaults)
    answer = {**result.to_dict(), "lines": result.describe(lang.value)}
    return Response(json.dumps(answer, ensure_ascii=False), media_type="application/json")


@router.get("/cohorts", response_class=HTMLResponse, include_in_schema=False)
def cohorts_page(
    request: Request,
    user: PageUser,
    measure: str = "logos",
    of: Annotated[str, Query(description="month or quarter")] = "month",
) -> Response:
    """The retention triangle: each cohort's customers (or MRR) still there, age by age."""
    _company_wide(user)
    state = ViewState.of(request)
    if of not in ("month", "quarter"):
        raise UserError(f"of={of!r}: use month or quarter")
    table = tool_views.cohorts(_service(request), of, measure, state.lang, state.period)
    return render(
        request,
        "cohorts.html.j2",
        state=state,
        table=table,
        measure=measure,
        of=of,
        period=state.period or "",
    )


@router.get("/quality", response_class=HTMLResponse, include_in_schema=False)
def quality_page(request: Request, user: PageUser) -> Response:
    """The data-quality checks: counts, shares, example ids and how to fix them."""
    _company_wide(user)
    state = ViewState.of(request)
    as_of, findings = tool_views.quality(_service(request), state.lang)
    return render(request, "quality.html.j2", state=state, as_of=as_of, findings=findings)
