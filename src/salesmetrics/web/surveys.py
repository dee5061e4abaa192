"""Pulse / eNPS surveys: an admin creates one and gets a link per employee; an employee answers
from the link, without logging in and without seeing any answer; the results are the engine's
``enps`` and ``pulse_score``, with the survey minimum group size enforced by the engine.

The answer page (``/s/TOKEN``) shows the questions only; once answered, the link answers 410.
The results page and ``/api/surveys/{id}/results`` show the metrics for the survey's period
(the quarter it was created in, or ``period``), company-wide and by team, within the user's
scope, as every other view does: a group under ``min_survey_group`` respondents, and any group
that could be derived from the shown ones, has no value.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from salesmetrics.errors import UserError
from salesmetrics.web import desk as writes
from salesmetrics.web import survey_book as book
from salesmetrics.web.access import scoped
from salesmetrics.web.api import ERRORS, MetricRow, PeriodQuery
from salesmetrics.web.auth import api_user, csrf_protect, page_user
from salesmetrics.web.desk import allow, desk
from salesmetrics.web.form_posts import answered
from salesmetrics.web.render import render
from salesmetrics.web.service import Service
from salesmetrics.web.users import Role, User

router = APIRouter(include_in_schema=False)
api_router = APIRouter(tags=["surveys"], responses=ERRORS)

PageUser = Annotated[User, Depends(page_user)]
ApiUser = Annotated[User, Depends(api_user)]
CSRF = [Depends(csrf_protect)]
METRICS = ("enps", "pulse_score")
_RESULT_ROLES = (Role.ADMIN, Role.EXECUTIVE, Role.MANAGER)


def _root(request: Request) -> Any:
    return desk(request).root


def _link(request: Request, token: str) -> str:
    return str(request.base_url).rstrip("/") + f"/s/{token}"


def _period(survey: book.Survey, period: str | None) -> str:
    if period:
        return period
    created = dt.datetime.fromisoformat(survey.created)
    return f"{created.year}-Q{(created.month - 1) // 3 + 1}"


def _results(
    request: Request, user: User, survey: book.Survey, period: str | None
) -> dict[str, Any]:
    service: Service = request.app.state.service
    where = scoped(user, {})
    chosen = _period(survey, period)
    company = service.metrics(METRICS, period=chosen, where=where)
    by_team = service.metrics(METRICS, period=chosen, by=["team"], where=where)
    return {"period": chosen, "company": company["results"], "by_team": by_team["results"]}


# -- pages -------------------------------------------------------------------------------------


@router.get("/surveys", response_class=HTMLResponse)
def surveys_page(request: Request, user: PageUser) -> Response:
    """The surveys and a form to create one (admins)."""
    allow(user, Role.ADMIN)
    return render(request, "surveys.html.j2", surveys=book.surveys(_root(request)), values={})


class SurveyForm(BaseModel):
    """The new survey form's fields, as typed (checked by :mod:`survey_book`)."""

    title: str
    people: str
    questions: str = ""
    enps: bool = False


@router.post("/surveys", response_class=HTMLResponse, dependencies=CSRF)
def survey_create(
    request: Request, user: PageUser, entry: Annotated[SurveyForm, Form()]
) -> Response:
    """Create a survey; its links are shown once."""
    allow(user, Role.ADMIN)
    root = _root(request)

    def create() -> dict[str, Any]:
        survey, invitations = book.create(
            root,
            entry.title,
            book.parse_questions(entry.questions, enps=entry.enps),
            book.parse_people(entry.people),
        )
        links = [(i.label, i.team, _link(request, i.token)) for i in invitations]
        return {"survey": survey, "links": links}

    def show(**shown: Any) -> Response:  # only a bad entry shows the form again
        return render(request, "surveys.html.j2", 400, surveys=book.surveys(root), **shown)

    def done(values: dict[str, Any], **created: Any) -> Response:
        return render(request, "survey_links.html.j2", **created)

    return answered(entry, create, show, done)


@router.get("/surveys/{survey_id}", response_class=HTMLResponse)
def survey_results(
    request: Request, survey_id: str, user: PageUser, period: str | None = None
) -> Response:
    """A survey's results: eNPS and pulse scores for its period, company-wide and by team."""
    allow(user, *_RESULT_ROLES)
    survey = book.find(_root(request), survey_id)
    results = _results(request, user, survey, period)
    return render(request, "survey_results.html.j2", survey=survey, **results)


@router.get("/s/{token}", response_class=HTMLResponse)
def answer_form(request: Request, token: str) -> Response:
    """The questions of a survey link (no login; no answer of anyone is shown)."""
    try:
        survey, link = book.opened(_root(request), token)
    except UserError as error:
        return render(request, "survey_answer.html.j2", 404, error=str(error), survey=None)
    if link.answered:
        return render(request, "survey_answer.html.j2", 410, done=True, survey=None)
    return render(request, "survey_answer.html.j2", survey=survey, token=token, values={})


@router.post("/s/{token}", response_class=HTMLResponse, dependencies=CSRF)
async def answer_save(request: Request, token: str) -> Response:
    """Save a link's answers, once."""
    form = await request.form()
    root = _root(request)
    try:
        survey, _ = book.opened(root, token)
    except UserError as error:
        return render(request, "survey_answer.html.j2", 404, error=str(error), survey=None)
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    try:
        scores = _scores(survey, values)
        book.answer(root, token, lambda s, link: _write(request, s, link, scores, values))
    except book.AnsweredError:
        return render(request, "survey_answer.html.j2", 410, done=True, survey=None)
    except UserError as error:
        return render(
            request,
            "survey_answer.html.j2",
            400,
            survey=survey,
            token=token,
            values=values,
            error=str(error),
        )
    return render(request, "survey_answer.html.j2", survey=None, thanks=True)


def _scores(survey: book.Survey, values: dict[str, str]) -> dict[str, int]:
    scores = {}
    for q in survey.questions:
        text = values.get("q:" + q.id, "").strip()
        if not text:
            raise UserError(f"answer every question (0 to 10): {q.text}")
        if not text.isdigit() or not 0 <= int(text) <= 10:
            raise UserError(f"{q.text}: answer with a number from 0 to 10")
        scores[q.id] = int(text)
    return scores


def _write(
    request: Request,
    survey: book.Survey,
    link: book.Link,
    scores: dict[str, int],
    values: dict[str, str],
) -> None:
    respondent = secrets.token_hex(8)  # drawn now, kept nowhere else: the answers are nobody's
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    comment = values.get("comment", "").strip()[:2000] or None
    rows = [
        {
            "response_id": f"{survey.id}:{respondent}:{qid}",
            "survey_id": survey.id,
            "submitted_at": stamp,
            "question_id": qid,
            "score": str(score),
            "respondent_id": respondent,
            "team": link.team,
            "comment": comment if i == 0 else None,
        }
        for i, (qid, score) in enumerate(scores.items())
    ]
    desk(request).write(writes.enter_rows, "survey_responses", rows, f"survey {survey.id}")


# -- API ---------------------------------------------------------------------------------------


class NewSurvey(BaseModel):
    """A survey to create: title, questions ``ID: text`` (besides eNPS), employees."""

    title: str
    questions: list[str] = Field(default_factory=list, description="'ID: text' per question")
    enps: bool = Field(True, description="ask the eNPS question first")
    people: list[str] = Field(description="'name or email, team' per employee")


class SurveyLink(BaseModel):
    """One employee's link (shown once)."""

    label: str
    team: str | None
    url: str


class CreatedSurvey(BaseModel):
    """The survey created and its links."""

    id: str
    title: str
    questions: list[dict[str, str]]
    links: list[SurveyLink]


class SurveyInfo(BaseModel):
    """A survey: id, title, questions, links made and answered."""

    id: str
    title: str
    created: str
    questions: list[dict[str, str]]
    links: int
    answered: int


def _info(survey: book.Survey) -> dict[str, Any]:
    return {
        "id": survey.id,
        "title": survey.title,
        "created": survey.created,
        "questions": [{"id": q.id, "text": q.text} for q in survey.questions],
        "links": len(survey.links),
        "answered": survey.answered,
    }


@api_router.post("/api/surveys", response_model=CreatedSurvey, dependencies=CSRF)
def api_create(request: Request, user: ApiUser, body: NewSurvey) -> Response:
    """Create a survey (admins); the employees' links are in the answer, and only there."""
    allow(user, Role.ADMIN)
    survey, invitations = book.create(
        _root(request),
        body.title,
        book.parse_questions("\n".join(body.questions), enps=body.enps),
        book.parse_people("\n".join(body.people)),
    )
    return JSONResponse(
        {
            "id": survey.id,
            "title": survey.title,
            "questions": [{"id": q.id, "text": q.text} for q in survey.questions],
            "links": [
                {"label": i.label, "team": i.team, "url": _link(request, i.token)}
                for i in invitations
            ],
        }
    )


@api_router.get("/api/surveys", response_model=list[SurveyInfo])
def api_list(request: Request, user: ApiUser) -> Response:
    """The surveys, newest first (admins)."""
    allow(user, Role.ADMIN)
    return JSONResponse([_info(s) for s in book.surveys(_root(request))])


class SurveyResults(BaseModel):
    """A survey's eNPS and pulse scores for its period, company-wide and by team."""

    survey: SurveyInfo
    period: str
    company: list[MetricRow]
    by_team: list[MetricRow]


@api_router.get("/api/surveys/{survey_id}/results", responses={200: {"model": SurveyResults}})
def api_results(
    request: Request, survey_id: str, user: ApiUser, period: PeriodQuery = None
) -> Response:
    """The survey's eNPS and pulse scores (the JSON rows of ``/api/metrics``), company-wide and
    by team, for its period, within the caller's scope; small groups have no value."""
    allow(user, *_RESULT_ROLES)
    survey = book.find(_root(request), survey_id)
    return JSONResponse({"survey": _info(survey), **_results(request, user, survey, period)})
