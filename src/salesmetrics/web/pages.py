"""The server-rendered pages: login and logout, the home dashboard, a metric's page, the
glossary. Each is a thin view: it reads its state from the URL, applies the user's scope to
the filters (:func:`salesmetrics.web.access.scoped`) and lays out the engine's answers
(:mod:`salesmetrics.web.views`)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from salesmetrics.dims import DIMENSIONS
from salesmetrics.errors import UserError
from salesmetrics.metrics import registry as reg
from salesmetrics.web import users, views
from salesmetrics.web.access import scoped
from salesmetrics.web.auth import csrf_protect, page_user
from salesmetrics.web.render import render
from salesmetrics.web.service import Service
from salesmetrics.web.sessions import CSRF_COOKIE, MAX_AGE, SESSION_COOKIE, new_nonce
from salesmetrics.web.state import GRAINS, ViewState
from salesmetrics.web.throttle import Throttle
from salesmetrics.web.users import User

router = APIRouter(include_in_schema=False)

PageUser = Annotated[User, Depends(page_user)]


def login_link(target: str = "/") -> str:
    """The login page, coming back to ``target`` afterwards."""
    return "/login?" + urlencode({"next": target}) if target != "/" else "/login"


def _safe_next(target: str | None) -> str:
    """``target`` when it is a path of this site, else ``/`` (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def _service(request: Request) -> Service:
    found: Service = request.app.state.service
    return found


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    """The login form."""
    return render(request, "login.html.j2", next=_safe_next(next), failed=False)


@router.post("/login", dependencies=[Depends(csrf_protect)])
def login(
    request: Request,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the email and password; on success set the session cookie (and a new CSRF
    cookie) and go on to ``next``; else the form again, 401; after too many failures from
    this address for this email, 429 until the pause is over (:mod:`salesmetrics.web.throttle`)."""
    throttle: Throttle = request.app.state.throttle
    key = f"{request.client.host if request.client else '?'} {email.strip().lower()}"
    wait = throttle.wait(key)
    if wait:
        return render(
            request,
            "login.html.j2",
            429,
            {"Retry-After": str(wait)},
            next=_safe_next(next),
            failed=False,
            wait=wait,
        )
    user = users.authenticate(request.app.state.accounts.root, email, password)
    if user is None:
        throttle.failed(key)
        return render(request, "login.html.j2", 401, next=_safe_next(next), failed=True)
    throttle.succeeded(key)
    response = RedirectResponse(_safe_next(next), status_code=303)
    secure = request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE,
        request.app.state.signer.session(user.email),
        max_age=MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=secure,
    )
    response.set_cookie(CSRF_COOKIE, new_nonce(), httponly=True, samesite="lax", secure=secure)
    return response


@router.post("/logout", dependencies=[Depends(csrf_protect)])
def logout(request: Request) -> Response:
    """End the session: the cookie is deleted, and the browser gets a new CSRF cookie."""
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    response.set_cookie(CSRF_COOKIE, new_nonce(), httponly=True, samesite="lax")
    return response


def _period(service: Service, state: ViewState) -> str:
    return state.period or service.default_period()


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: PageUser) -> Response:
    """The home dashboard: the starter checklist for the period, with sparklines."""
    state = ViewState.of(request)
    service = _service(request)
    period = _period(service, state)
    where = scoped(user, state.filters())
    figures = views.dashboard(service, period, where, state.lang)
    return render(request, "home.html.j2", state=state, period=period, figures=figures)


@router.get("/metrics/{metric_id}", response_class=HTMLResponse)
def metric(request: Request, metric_id: str, user: PageUser, by: str = "team") -> Response:
    """A metric's page: trend, breakdown, comparisons, definition."""
    state = ViewState.of(request)
    if metric_id not in reg.REGISTRY:
        raise UserError(f"unknown metric {metric_id!r}; see the glossary for the metric ids")
    if by not in DIMENSIONS:
        raise UserError(f"by={by!r}: use {', '.join(DIMENSIONS)}")
    service = _service(request)
    period = _period(service, state)
    service.period_bounds(period)  # a bad period is the page's error (400), not each section's
    where = scoped(user, state.filters())
    page = views.metric_page(service, metric_id, period, state.grain, by, where, state.lang)
    return render(
        request,
        "metric.html.j2",
        state=state,
        period=period,
        page=page,
        dims=DIMENSIONS,
        grains=GRAINS,
    )


@router.get("/glossary", response_class=HTMLResponse)
def glossary_page(request: Request, user: PageUser) -> Response:
    """Every metric's definition, by section."""
    state = ViewState.of(request)
    return render(
        request, "glossary.html.j2", state=state, sections=views.glossary_entries(state.lang)
    )
