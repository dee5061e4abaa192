"""The REST API of the data-entry forms: quotas, time logs, forecasts and their roll-up,
targets. The same checks and writes as the pages (:mod:`salesmetrics.web.entries`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from salesmetrics.metrics.submissions import Level
from salesmetrics.web import entries
from salesmetrics.web.api import ERRORS
from salesmetrics.web.auth import api_user, csrf_protect
from salesmetrics.web.desk import desk
from salesmetrics.web.service import Service
from salesmetrics.web.users import User

router = APIRouter(tags=["data entry"], responses=ERRORS)

ApiUser = Annotated[User, Depends(api_user)]
CSRF = [Depends(csrf_protect)]


class Saved(BaseModel):
    """What was written: the import batch holding the rows."""

    batch_id: str


class QuotaIn(BaseModel):
    """A rep's quota for a period (its first to last day)."""

    rep_id: str = Field(examples=["R-00001"])
    period: str = Field(description="2026-Q1, 2026-03, FY2026, ...", examples=["2026-Q1"])
    amount: float = Field(ge=0)
    currency: str = ""


class TimeLogIn(BaseModel):
    """Time a rep spent on an activity."""

    rep_id: str = Field(examples=["R-00001"])
    started_at: str = Field(
        description="local date and time, e.g. 2026-03-02 09:30", examples=["2026-03-02 09:30"]
    )
    duration_minutes: float = Field(gt=0)
    type: str = Field(description="call, email, meeting, demo, ...", examples=["call"])
    account_id: str = ""
    opportunity_id: str = ""


class ForecastIn(BaseModel):
    """A forecast submission: any of commit, most likely and best case for a period. Reps,
    managers and executives submit for their own level; an admin names it."""

    period: str = Field(examples=["2026-Q1"])
    commit: float | None = Field(None, ge=0)
    most_likely: float | None = Field(None, ge=0)
    best_case: float | None = Field(None, ge=0)
    scope: str | None = Field(
        None, description="company, team or rep (admins)", examples=["company"]
    )
    scope_id: str | None = None


class ForecastSaved(BaseModel):
    """The forecast submitted."""

    period: str
    scope: str
    scope_id: str | None
    amounts: dict[str, float]
    batch_id: str


class TargetIn(BaseModel):
    """A target of ``salesmetrics.toml``: a metric's default, or its value for one group."""

    metric: str = Field(examples=["win_rate"])
    value: float | None = Field(description="null removes the target", examples=[0.3])
    dim: str | None = Field(None, examples=["region"])
    group: str | None = Field(None, examples=["EMEA"])


class RollupNode(BaseModel):
    """A level of the roll-up: what it submitted per category, the sum of what the level
    below submitted, and the levels below."""

    scope: str
    scope_id: str | None
    submitted: dict[str, dict[str, Any]]
    below: dict[str, float]
    children: list[RollupNode]


class Rollup(BaseModel):
    """The roll-up of a period."""

    period: str
    level: RollupNode


def _node(level: Level) -> dict[str, Any]:
    return {
        "scope": level.scope,
        "scope_id": level.scope_id,
        "submitted": {
            c: {"amount": float(s.amount), "submitted_at": s.submitted_at.isoformat() + "Z"}
            for c, s in level.submitted.items()
        },
        "below": {c: float(v) for c, v in level.below.items()},
        "children": [_node(child) for child in level.children],
    }


@router.post("/api/quotas", response_model=Saved, dependencies=CSRF)
def api_quota(request: Request, user: ApiUser, body: QuotaIn) -> Response:
    """Save a quota (admins and executives for any rep, a manager for their team's reps)."""
    batch = entries.save_quota(
        desk(request), user, body.rep_id, body.period, body.amount, body.currency
    )
    return JSONResponse({"batch_id": batch})


@router.post("/api/timelogs", response_model=Saved, dependencies=CSRF)
def api_time_log(request: Request, user: ApiUser, body: TimeLogIn) -> Response:
    """Save a time log (a rep for themself, a manager for their team's reps)."""
    batch = entries.save_time_log(
        desk(request),
        user,
        body.rep_id,
        body.started_at,
        body.duration_minutes,
        body.type,
        body.account_id,
        body.opportunity_id,
    )
    return JSONResponse({"batch_id": batch})


@router.post("/api/forecasts", response_model=ForecastSaved, dependencies=CSRF)
def api_forecast(request: Request, user: ApiUser, body: ForecastIn) -> Response:
    """Submit a forecast for the caller's level."""
    amounts = {"commit": body.commit, "most_likely": body.most_likely, "best_case": body.best_case}
    done = entries.save_forecast(
        desk(request), user, body.period, dict(amounts), body.scope, body.scope_id
    )
    return JSONResponse(
        {
            "period": done.period,
            "scope": done.scope,
            "scope_id": done.scope_id,
            "amounts": {c: float(v) for c, v in done.amounts.items()},
            "batch_id": done.batch_id,
        }
    )


@router.get("/api/forecasts/rollup", response_model=Rollup)
def api_rollup(
    request: Request,
    user: ApiUser,
    period: Annotated[str, Query(description="2026-Q1, FY2026, ...", examples=["2026-Q1"])],
) -> Response:
    """What each level submitted for ``period``, within the caller's scope."""
    label, level = entries.forecast_rollup(desk(request), user, period)
    return JSONResponse({"period": label, "level": _node(level)})


@router.post("/api/targets", status_code=204, dependencies=CSRF)
def api_target(request: Request, user: ApiUser, body: TargetIn) -> Response:
    """Set or remove a target in ``salesmetrics.toml`` (admins)."""
    entries.save_target(
        desk(request), user, body.metric, body.value, body.dim or "", body.group or ""
    )
    service: Service = request.app.state.service
    service.reload()
    return Response(status_code=204)
