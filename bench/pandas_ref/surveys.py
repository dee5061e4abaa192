"""eNPS and pulse scores from survey_responses, company-wide and by team (the row's team).

Answers count in the period of their submission (workspace timezone); per period the latest
answer of each respondent (else the response itself) to each survey and question is kept.
eNPS = 100 × (promoters 9-10 − detractors 0-6) / respondents; pulse = mean answer per question
(every question but ``enps``). A group with fewer than ``min_survey_group`` respondents is not
shown (null), nor, by complementary suppression, the next-smallest groups of the same period
(and question) while the groups not shown hold fewer than ``min_survey_group`` respondents
together. Responses carry no rep: by rep there is nothing to compute.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.pandas_ref.common import Review, bucket, local_days, result, sums

ENPS = "enps"


def latest_answers(review: Review) -> pd.DataFrame:
    """Per period, the latest answer per (survey, respondent, question)."""
    r = review.tables["survey_responses"]
    answers = pd.DataFrame(
        {
            "response_id": r["response_id"].astype(object),
            "survey_id": r["survey_id"].astype(object),
            "submitted_at": r["submitted_at"],
            "day": local_days(r["submitted_at"], review.config.timezone),
            "question": r["question_id"].astype(object).str.lower().str.strip(),
            "respondent": r["respondent_id"]
            .astype(object)
            .fillna("~" + r["response_id"].astype(object)),
            "score": r["score"].astype("float64"),
            "team": r["team"].astype(object),
        }
    )
    rows = bucket(answers, answers["day"], review.periods)
    rows = rows.sort_values(["submitted_at", "response_id"], ascending=False, kind="stable")
    return rows.drop_duplicates(["period", "survey_id", "respondent", "question"])


def metrics(review: Review) -> list[pd.DataFrame]:
    """enps and pulse_score for every period, company-wide and by team."""
    if not len(review.tables["survey_responses"]):
        return []
    minimum = review.config.min_survey_group
    answers = latest_answers(review)
    enps = answers[answers["question"] == ENPS]
    enps = enps.assign(
        respondents=1,
        promoters=(enps["score"] >= 9).astype(int),
        detractors=(enps["score"] <= 6).astype(int),
    )
    pulse = answers[answers["question"] != ENPS].assign(responses=1)
    out = []
    for by in ("", "team"):
        e = sums(enps, by, ("respondents", "promoters", "detractors"))
        value = 100.0 * (e["promoters"] - e["detractors"]) / e["respondents"]
        hidden = suppressed(e, "respondents", ("period",), minimum)
        out.append(result("enps", e, by, np.where(hidden, np.nan, value)))
        q = sums(pulse, by, ("responses", "score"), keys=("period", "question"))
        value = q["score"] / q["responses"]
        hidden = suppressed(q, "responses", ("period", "question"), minimum)
        out.append(
            result(
                "pulse_score",
                q,
                by,
                np.where(hidden, np.nan, value),
                question=q["question"].to_numpy(),
            )
        )
    return out


def suppressed(
    frame: pd.DataFrame, count: str, parent: tuple[str, ...], minimum: int
) -> np.ndarray:
    """Per row of ``frame`` (groups of the ``parent`` columns' parents), whether it is hidden:
    its ``count`` is under ``minimum``, or it is among the smallest rows of its parent (ties
    by group, a missing one first) that must join a small group with respondents until the
    hidden rows hold ``minimum`` together."""
    group = frame["group"].map(lambda g: "" if g is None or g != g else str(g))
    ranked = frame.assign(_group=group).sort_values([*parent, count, "_group"], kind="stable")
    small = ranked[count] < minimum
    exposed = (small & (ranked[count] > 0)).groupby([ranked[p] for p in parent]).transform("any")
    before = ranked.groupby(list(parent))[count].cumsum() - ranked[count]
    hidden = small | (exposed & (before < minimum))
    return hidden.reindex(frame.index).to_numpy(dtype=bool)
