"""The data-entry pages: quotas, targets, time logs, forecasts and the forecast roll-up.

Each form posts to itself; a saved entry shows the form again with a line saying what was
saved, a bad one the form again (400) with the one-line error. What each role may enter is
decided by :mod:`salesmetrics.web.entries`, on the server, whatever the form offered.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from salesmetrics.config import MetricTargets
from salesmetrics.metrics import registry as reg
from salesmetrics.metrics.submissions import CATEGORIES, Member
from salesmetrics.web import entries
from salesmetrics.web.auth import csrf_protect, page_user
from salesmetrics.web.desk import allow, desk
from salesmetrics.web.form_posts import answered
from salesmetrics.web.render import render
from salesmetrics.web.service import Service
from salesmetrics.web.users import Role, User
from salesmetrics.workspace import Workspace

router = APIRouter(include_in_schema=False)

PageUser = Annotated[User, Depends(page_user)]
CSRF = [Depends(csrf_protect)]
TARGET_DIMS = tuple(d for d in MetricTargets.model_fields if d != "default")


def this_quarter() -> str:
    """The calendar quarter of today, the forms' default period."""
    today = dt.date.today()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def _members(request: Request, user: User) -> list[Member]:
    return entries.members_for(user, desk(request).read(lambda ws: ws.roster()))


def _form(
    request: Request,
    template: str,
    user: User,
    *,
    saved: str = "",
    error: str = "",
    values: dict[str, Any] | None = None,
    **context: Any,
) -> Response:
    return render(
        request,
        template,
        400 if error else 200,
        saved=saved,
        error=error,
        values=values or {},
        default_period=this_quarter(),
        **context,
    )


@router.get("/forms", response_class=HTMLResponse)
def forms_page(request: Request, user: PageUser) -> Response:
    """The forms this user may fill in."""
    return render(request, "forms.html.j2")


# -- quotas ------------------------------------------------------------------------------------


@router.get("/forms/quotas", response_class=HTMLResponse)
def quota_form(request: Request, user: PageUser) -> Response:
    """A rep's quota for a period."""
    allow(user, Role.ADMIN, Role.EXECUTIVE, Role.MANAGER)
    return _quota_form(request, user)


def _quota_form(request: Request, user: User, **context: Any) -> Response:
    return _form(request, "form_quota.html.j2", user, members=_members(request, user), **context)


class QuotaForm(BaseModel):
    """The quota form's fields, as typed (checked by :func:`entries.save_quota`)."""

    rep_id: str
    period: str
    amount: str
    currency: str = ""


@router.post("/forms/quotas", response_class=HTMLResponse, dependencies=CSRF)
def quota_save(request: Request, user: PageUser, entry: Annotated[QuotaForm, Form()]) -> Response:
    """Save a quota."""
    allow(user, Role.ADMIN, Role.EXECUTIVE, Role.MANAGER)
    return answered(
        entry,
        lambda: {
            "saved": entries.save_quota(
                desk(request), user, entry.rep_id, entry.period, entry.amount, entry.currency
            )
        },
        partial(_quota_form, request, user),
    )


# -- time logs ---------------------------------------------------------------------------------


@router.get("/forms/timelogs", response_class=HTMLResponse)
def time_log_form(request: Request, user: PageUser) -> Response:
    """Time spent on an activity."""
    return _time_log_form(request, user)


def _time_log_form(request: Request, user: User, **context: Any) -> Response:
    return _form(
        request,
        "form_timelog.html.j2",
        user,
        members=_members(request, user),
        types=entries.ACTIVITY_TYPES,
        **context,
    )


class TimeLogForm(BaseModel):
    """The time log form's fields, as typed (checked by :func:`entries.save_time_log`)."""

    rep_id: str
    started_at: str
    duration_minutes: str
    type: str
    account_id: str = ""
    opportunity_id: str = ""


@router.post("/forms/timelogs", response_class=HTMLResponse, dependencies=CSRF)
def time_log_save(
    request: Request, user: PageUser, entry: Annotated[TimeLogForm, Form()]
) -> Response:
    """Save a time log (an activity)."""
    return answered(
        entry,
        lambda: {
            "saved": entries.save_time_log(
                desk(request),
                user,
                entry.rep_id,
                entry.started_at,
                entry.duration_minutes,
                entry.type,
                entry.account_id,
                entry.opportunity_id,
            )
        },
        partial(_time_log_form, request, user),
    )


# -- forecasts ---------------------------------------------------------------------------------


@router.get("/forms/forecasts", response_class=HTMLResponse)
def forecast_form(request: Request, user: PageUser) -> Response:
    """Commit, most likely and best case for the user's level."""
    return _forecast(request, user)


def _forecast(request: Request, user: User, **context: Any) -> Response:
    own = None if user.role is Role.ADMIN else entries.forecast_scope(user, None, None)
    return _form(
        request,
        "form_forecast.html.j2",
        user,
        own=own,
        categories=CATEGORIES,
        scopes=entries.SCOPES,
        **context,
    )


class ForecastForm(BaseModel):
    """The forecast form's fields, as typed (checked by :func:`entries.save_forecast`)."""

    period: str
    commit: str = ""
    most_likely: str = ""
    best_case: str = ""
    scope: str = ""
    scope_id: str = ""


@router.post("/forms/forecasts", response_class=HTMLResponse, dependencies=CSRF)
def forecast_save(
    request: Request, user: PageUser, entry: Annotated[ForecastForm, Form()]
) -> Response:
    """Save a forecast submission."""

    def save() -> dict[str, Any]:
        amounts: dict[str, str | float | None] = entry.model_dump(include=set(CATEGORIES))
        done = entries.save_forecast(
            desk(request), user, entry.period, amounts, entry.scope or None, entry.scope_id or None
        )
        return {"saved": done.batch_id, "submitted": done}

    return answered(entry, save, partial(_forecast, request, user))


@router.get("/forecasts/rollup", response_class=HTMLResponse)
def rollup_page(request: Request, user: PageUser, period: str | None = None) -> Response:
    """What each level submitted for a period: the company, its teams, their reps."""
    chosen = period or this_quarter()
    label, level = entries.forecast_rollup(desk(request), user, chosen)
    names = desk(request).read(lambda ws: ws.names("rep"))
    return render(
        request,
        "forecast_rollup.html.j2",
        period=label,
        level=level,
        categories=CATEGORIES,
        names=names,
    )


# -- targets -----------------------------------------------------------------------------------


def _targets(ws: Workspace) -> list[tuple[str, str, str, float]]:
    rows = []
    for metric, t in sorted(ws.config.targets.items()):
        if t.default is not None:
            rows.append((metric, "", "", t.default))
        for dim in TARGET_DIMS:
            for group, value in sorted(getattr(t, dim).items()):
                rows.append((metric, dim, group, value))
    return rows


def _target_form(request: Request, user: User, **context: Any) -> Response:
    return _form(
        request,
        "form_target.html.j2",
        user,
        targets=desk(request).read(_targets),
        metrics=sorted(reg.REGISTRY),
        dims=TARGET_DIMS,
        **context,
    )


@router.get("/forms/targets", response_class=HTMLResponse)
def target_form(request: Request, user: PageUser) -> Response:
    """The targets of ``salesmetrics.toml``, and a form to set one."""
    allow(user, Role.ADMIN)
    return _target_form(request, user)


class TargetForm(BaseModel):
    """The target form's fields, as typed (checked by :func:`entries.save_target`)."""

    metric: str
    value: str = ""
    dim: str = ""
    group: str = ""


@router.post("/forms/targets", response_class=HTMLResponse, dependencies=CSRF)
def target_save(request: Request, user: PageUser, entry: Annotated[TargetForm, Form()]) -> Response:
    """Set or remove a target."""
    allow(user, Role.ADMIN)

    def save() -> dict[str, Any]:
        entries.save_target(desk(request), user, entry.metric, entry.value, entry.dim, entry.group)
        service: Service = request.app.state.service
        service.reload()
        return {"saved": entry.metric}

    return answered(entry, save, partial(_target_form, request, user))
