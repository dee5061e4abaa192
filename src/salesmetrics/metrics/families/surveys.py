"""Surveys: eNPS and pulse-survey answers submitted in each period.

An answer counts in the period of its submission (workspace timezone); per period only the
latest answer of each respondent to each survey and question counts (an answer without a
respondent counts as its own respondent). Respondent ids never leave the query.

* ``enps`` — question ``enps``: ``enps_respondents``, ``enps_promoters`` (9-10),
  ``enps_passives`` (7-8), ``enps_detractors`` (0-6);
* ``pulse`` — every other question, by question (``question``): ``pulse_responses``,
  ``pulse_total`` (Σ scores).

The only group dimension is the respondent's team, as stored on the answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

from salesmetrics import dims as gdims
from salesmetrics.metrics.families import Family, in_period, regroup

if TYPE_CHECKING:
    from salesmetrics.metrics.context import Context

ENPS_QUESTION = "enps"
DIMS = frozenset({"team"})
ENPS_COMPONENTS = ("enps_respondents", "enps_promoters", "enps_passives", "enps_detractors")
PULSE_COMPONENTS = ("pulse_responses", "pulse_total")


def latest_answers(ctx: Context, dims: Sequence[str], *, enps: bool) -> ir.Table:
    """Per period: the latest answer of each respondent to each survey and question."""
    answers = ctx.table("survey_responses")
    question = answers.question_id.lower().strip()
    answers = answers.mutate(
        question=question,
        day=ctx.local_date(answers.submitted_at),
        respondent=answers.respondent_id.fill_null("~" + answers.response_id),
    )
    answers = answers.filter(
        (answers.question == ENPS_QUESTION) if enps else (answers.question != ENPS_QUESTION),
        answers.day >= ctx.first_day,
        answers.day < ctx.end_day,
    )
    if "team" in dims:
        answers = answers.mutate(dim_team=answers.team)
    rows = in_period(ctx.spine, answers, answers.day)
    rank = ibis.row_number().over(
        group_by=[rows.period, rows.survey_id, rows.respondent, rows.question],
        order_by=[ibis.desc(rows.submitted_at), ibis.desc(rows.response_id)],
    )
    rows = rows.mutate(_rank=rank)
    return rows.filter(rows._rank == 0).drop("_rank")


def build_enps(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """eNPS components per (period, team)."""
    rows = latest_answers(ctx, dims, enps=True)
    agg = rows.group_by([rows.period, *gdims.keys(rows, dims)]).aggregate(
        enps_respondents=rows.count(),
        enps_promoters=rows.count(where=rows.score >= 9),
        enps_passives=rows.count(where=(rows.score >= 7) & (rows.score <= 8)),
        enps_detractors=rows.count(where=rows.score <= 6),
    )
    return regroup(["period", *dims], [agg], ENPS_COMPONENTS)


def build_pulse(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """Pulse components per (period, question, team)."""
    own = [d for d in dims if d != "question"]
    rows = latest_answers(ctx, own, enps=False)
    agg = rows.group_by(
        [rows.period, *gdims.keys(rows, own), rows.question.name("question")]
    ).aggregate(
        pulse_responses=rows.count(),
        pulse_total=rows.score.sum().cast("float64"),
    )
    return regroup(["period", *dims], [agg], PULSE_COMPONENTS)


ENPS = Family(
    name="enps",
    tables=("survey_responses",),
    dims_supported=DIMS,
    components=ENPS_COMPONENTS,
    build=build_enps,
)
PULSE = Family(
    name="pulse",
    tables=("survey_responses",),
    dims_supported=DIMS,
    components=PULSE_COMPONENTS,
    build=build_pulse,
    inherent=("question",),
)
