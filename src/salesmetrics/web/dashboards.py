"""The role dashboards (``/role/{finance|operations|customer-success|marketing|sales|people}``)
and the rep leaderboard (``/leaderboard``): thin views over :mod:`salesmetrics.web.boards`,
each within the user's scope (a manager's team, a rep's own numbers)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from salesmetrics.errors import UserError
from salesmetrics.metrics import registry as reg
from salesmetrics.web import boards
from salesmetrics.web.access import scoped
from salesmetrics.web.auth import page_user
from salesmetrics.web.render import render
from salesmetrics.web.service import Service
from salesmetrics.web.state import ViewState
from salesmetrics.web.users import User

router = APIRouter(include_in_schema=False)

PageUser = Annotated[User, Depends(page_user)]


def _service(request: Request) -> Service:
    found: Service = request.app.state.service
    return found


@router.get("/role/{name}", response_class=HTMLResponse)
def role_page(request: Request, name: str, user: PageUser, cadence: str | None = None) -> Response:
    """The metrics role ``name`` owns, of the period's review cadence (``cadence``: another,
    or ``all``)."""
    role = boards.role_of(name)
    state = ViewState.of(request)
    service = _service(request)
    period = state.period or service.default_period()
    start, end = service.period_bounds(period)
    if cadence is not None and cadence not in (*boards.CADENCES, "all"):
        raise UserError(f"cadence={cadence!r}: use {', '.join(boards.CADENCES)} or all")
    chosen = cadence or boards.cadence_of(start, end)
    metrics = boards.role_metrics(role, None if chosen == "all" else chosen)
    where = scoped(user, state.filters())
    figures = boards.role_dashboard(service, metrics, period, where, state.lang)
    return render(
        request,
        "role.html.j2",
        state=state,
        period=period,
        role=name,
        role_name=reg.ROLE_NAMES[role].get(state.lang),
        cadence=chosen,
        cadences=[(c, reg.CADENCE_NAMES[reg.Cadence(c)].get(state.lang)) for c in boards.CADENCES],
        figures=figures,
    )


@router.get("/leaderboard", response_class=HTMLResponse)
def leaderboard_page(request: Request, user: PageUser) -> Response:
    """The reps ranked by quota attainment, with productivity, win rate and revenue."""
    state = ViewState.of(request)
    service = _service(request)
    period = state.period or service.default_period()
    service.period_bounds(period)  # a bad period is the page's error (400)
    where = scoped(user, state.filters())
    return render(
        request,
        "leaderboard.html.j2",
        state=state,
        period=period,
        leaders=boards.leaderboard(service, period, where, state.lang),
        columns=boards.leaderboard_columns(state.lang),
    )
