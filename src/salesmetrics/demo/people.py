"""Quarterly pulse surveys with the eNPS question, answered by the reps employed at the time."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa

from salesmetrics.demo import vocab
from salesmetrics.demo.arrays import Arr
from salesmetrics.demo.arrow import ids, pick, record_batch
from salesmetrics.demo.calendar import DATA_START, DAY, add_months, to_date, work_seconds
from salesmetrics.demo.company import Org

QUARTERS = 12
#: Share of the employed reps who answer a survey.
PARTICIPATION = 0.75
#: Mean answer per question before team and personal effects (0-10 scale).
QUESTION_MEAN = np.array([7.9, 7.4, 5.9, 6.3, 6.6])


def respondent_ids(reps: Arr, seed: int) -> pa.Array:
    """Pseudonymous, stable respondent ids (not derivable from the rep id without the seed)."""
    mixed = ((reps.astype(np.uint64) + np.uint64(1)) * np.uint64(2654435761)) ^ np.uint64(
        (seed * 40503 + 12345) & 0xFFFFFFFF
    )
    hexes = [f"resp-{int(v) & 0xFFFFFFFF:08x}" for v in mixed]  # one per rep, not per row
    return pa.array(hexes, pa.string())


def surveys_batch(
    rng: np.random.Generator, org: Org, reps: Arr, numbers: Callable[[int], int], seed: int
) -> pa.RecordBatch:
    """Answers of ``reps`` (sorted) to the pulse survey of every quarter (five questions each).

    ``numbers(n)`` reserves ``n`` response numbers and returns the first.
    """
    q_start = add_months(np.full(QUARTERS, DATA_START), np.arange(QUARTERS) * 3)
    rep = np.repeat(reps, QUARTERS)
    quarter = np.tile(np.arange(QUARTERS), len(reps))
    day = q_start[quarter] + 42 + rng.integers(0, 15, len(rep))
    employed = (org.hired[rep] <= day) & ((org.left[rep] < 0) | (org.left[rep] > day))
    answers = employed & (rng.random(len(rep)) < PARTICIPATION)
    rep, quarter, day = rep[answers], quarter[answers], day[answers]
    position = np.searchsorted(reps, rep)

    n_teams = len(org.team_name) + 1
    mood = rng.normal(0.0, 0.45, (n_teams, QUARTERS))
    person = rng.normal(0.0, 0.6, len(reps))
    n_q = len(vocab.SURVEY_QUESTIONS)
    latent = mood[org.team[rep] + 1, quarter] + person[position]
    who = np.repeat(np.arange(len(rep)), n_q)
    question = np.tile(np.arange(n_q), len(rep))
    score = QUESTION_MEAN[question] + 1.9 * (latent[who] + rng.normal(0.0, 0.7, len(who)))
    score = np.clip(np.round(score), 0, 10).astype(np.int64)
    says = (question == 0) & (rng.random(len(who)) < 0.12)
    comment = np.ma.masked_array(rng.integers(0, len(vocab.SURVEY_COMMENTS), len(who)), ~says)
    labels = [
        f"pulse-{to_date(int(d)).year}-Q{(to_date(int(d)).month - 1) // 3 + 1}" for d in q_start
    ]
    team_names = ("Leadership", *org.team_name)
    submitted = day * DAY + work_seconds(rng, len(day))
    return record_batch(
        "survey_responses",
        {
            "response_id": ids("RSP-", numbers(len(who)) + np.arange(len(who)) + 1),
            "survey_id": pick(labels, quarter[who]),
            "submitted_at": submitted[who],
            "question_id": pick(vocab.SURVEY_QUESTIONS, question),
            "score": score,
            "respondent_id": respondent_ids(reps, seed).take(pa.array(position[who])),
            "team": pick(team_names, org.team[rep[who]] + 1),
            "comment": pick(vocab.SURVEY_COMMENTS, comment),
        },
    )
