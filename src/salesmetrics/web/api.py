"""The REST API under ``/api``, and its OpenAPI document at ``/openapi.json``.

``GET /api/metrics`` answers the JSON object of ``salesmetrics metrics --format json`` (the
spec's contract, README §3) for the same options, with the caller's scope applied to the
filters; ``GET /api/glossary`` the registry's definitions. Every route but ``/health`` needs a
session cookie or ``Authorization: Bearer TOKEN`` (``salesmetrics token create``).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from salesmetrics import glossary
from salesmetrics.dims import DIMENSIONS
from salesmetrics.metrics import registry as reg
from salesmetrics.metrics.request import parse_where
from salesmetrics.web.access import scoped
from salesmetrics.web.auth import api_user
from salesmetrics.web.service import Service
from salesmetrics.web.users import User

router = APIRouter()

ApiUser = Annotated[User, Depends(api_user)]

Dimension = StrEnum("Dimension", {d.upper(): d for d in DIMENSIONS})  # type: ignore[misc]


class Grain(StrEnum):
    """``grain`` values."""

    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class Compare(StrEnum):
    """``compare`` values."""

    PREVIOUS = "previous"
    YEAR = "year"


class Lang(StrEnum):
    """``lang`` values."""

    EN = "en"
    ID = "id"


class MetricRow(BaseModel):
    """One result row (the CLI's JSON contract); the ``compare_*`` and ``change*`` keys are
    present only when a comparison was asked for."""

    metric: str
    period: str
    start: str = Field(description="first day, inclusive (ISO date)")
    end: str = Field(description="day after the last, exclusive (ISO date)")
    group: dict[str, str | None]
    value: float | None = Field(description="null where undefined, with note saying why")
    unit: str
    components: dict[str, Any]
    note: str | None
    target: float | None
    status: str | None
    compare_period: str | None = None
    compare_value: float | None = None
    change: float | None = None
    change_rate: float | None = None


class MetricsAnswer(BaseModel):
    """The answer of ``/api/metrics`` (= ``salesmetrics metrics --format json``)."""

    base_currency: str
    results: list[MetricRow]


class GlossaryEntry(BaseModel):
    """One metric's glossary entry."""

    id: str
    name: str
    section: str
    definition: str
    why: str
    formula: str
    example: str
    unit: str
    direction: str
    owner: str
    cadence: str
    target: str
    bases: str


class Problem(BaseModel):
    """An error: one line saying what, where and how to fix it."""

    detail: str


#: The errors every authenticated API route may answer (FastAPI adds 422 where a route has
#: parameters or a body).
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        "model": Problem,
        "description": "a bad value (period, metric, filter, grouping, id, ...): what is wrong"
        " and how to fix it",
    },
    401: {"model": Problem, "description": "not logged in, or an unknown token"},
    403: {
        "model": Problem,
        "description": "outside the user's role or scope, or a browser's call without its CSRF"
        " token",
    },
}


#: The period, filter and metric parameters the API's routes share, with example values (the
#: OpenAPI document shows them; the fuzz tests try them besides generated ones).
PeriodQuery = Annotated[
    str | None,
    Query(description="2025, 2025-Q2, FY2025, ytd, all", examples=["2025", "2025-Q2", "ytd"]),
]
WhereQuery = Annotated[
    list[str] | None,
    Query(description="a filter, DIM=VALUE (repeatable)", examples=[["region=EMEA"]]),
]
MetricPath = Annotated[str, Path(description="metric id", examples=["win_rate"])]


def _json(data: Any) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), media_type="application/json")


@router.get("/health", tags=["health"])
def health() -> dict[str, str]:
    """Whether the server answers (no login needed)."""
    return {"status": "ok"}


@router.get(
    "/api/metrics",
    tags=["metrics"],
    responses={200: {"model": MetricsAnswer}, **ERRORS},
)
def api_metrics(
    request: Request,
    user: ApiUser,
    metric: Annotated[
        list[str] | None,
        Query(description="metric id (repeatable)", examples=[["win_rate", "mrr"]]),
    ] = None,
    period: PeriodQuery = None,
    from_period: Annotated[
        str | None, Query(alias="from", description="first period of a range", examples=["2025-01"])
    ] = None,
    to_period: Annotated[
        str | None, Query(alias="to", description="last period of a range", examples=["2025-06"])
    ] = None,
    grain: Grain | None = None,
    by: Annotated[list[Dimension] | None, Query()] = None,
    compare: Compare | None = None,
    where: WhereQuery = None,
) -> Response:
    """Metrics as ``salesmetrics metrics --format json`` gives them, within the caller's
    scope (a manager's team, a rep's own numbers)."""
    service: Service = request.app.state.service
    answer = service.metrics(
        metric or (),
        period=period,
        from_period=from_period,
        to_period=to_period,
        grain=grain.value if grain else None,
        by=[d.value for d in by or []],
        compare=compare.value if compare else None,
        where=scoped(user, parse_where(where or [])),
    )
    return _json(answer)


@router.get(
    "/api/glossary",
    tags=["glossary"],
    responses={200: {"model": list[GlossaryEntry]}, **ERRORS},
)
def api_glossary(user: ApiUser, lang: Lang = Lang.EN) -> Response:
    """Every metric's definition, in English or Indonesian."""
    return _json([asdict(glossary.entry(m, lang.value)) for m in reg.REGISTRY.values()])


@router.get(
    "/api/glossary/{metric_id}",
    tags=["glossary"],
    responses={200: {"model": GlossaryEntry}, 404: {"model": Problem}, **ERRORS},
)
def api_glossary_entry(metric_id: MetricPath, user: ApiUser, lang: Lang = Lang.EN) -> Response:
    """One metric's definition."""
    if metric_id not in reg.REGISTRY:
        return JSONResponse({"detail": f"unknown metric {metric_id!r}"}, status_code=404)
    return _json(asdict(glossary.entry(reg.REGISTRY[metric_id], lang.value)))


@router.get("/openapi.json", include_in_schema=False)
def openapi_document(request: Request, user: ApiUser) -> JSONResponse:
    """The OpenAPI document of the API (behind login, like every route but /health)."""
    app = request.app
    if app.openapi_schema is None:
        app.openapi_schema = get_openapi(
            title=app.title, version=app.version, summary=app.summary, routes=app.routes
        )
    return JSONResponse(app.openapi_schema)
