"""CRM hygiene problems the demo injects on purpose, at documented rates.

Real CRMs are untidy, and the data-quality report (metrics.md, "Data-quality checks") must have
something to find. Every problem below passes import validation. ``PROBLEMS`` says what each is,
at what rate it is injected, and gives a DuckDB query that measures it on a workspace as
``(affected, out_of)``; the rate is ``affected / out_of`` (close to ``rate``: the count injected
per block is ``rate`` times the block's denominator, rounded at random).

Not injected, on purpose: won deals without amount (validation rejects them), negative amounts
other than credits, duplicate ids across batches (an import upserts by key), and amounts in a
currency without a rate (metrics must fail on those, so the demo would be unusable).

Dates are judged as of the demo's "today", DATA_END (2025-12-31), not the real clock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesmetrics.demo import vocab
from salesmetrics.demo.arrays import Arr, pick_exact
from salesmetrics.demo.calendar import DATA_END, to_date

#: Rep ids that own some deals, leads and activities but are not in ``reps`` (deleted CRM users).
UNKNOWN_REPS = ("R-X0001", "R-X0002", "R-X0003")

_END = f"DATE '{to_date(DATA_END).isoformat()}'"
_STAGE_ORDER = (
    "CASE stage "
    + " ".join(f"WHEN '{name}' THEN {i}" for i, (name, _p, _f) in enumerate(vocab.OPEN_STAGES))
    + " END"
)


@dataclass(frozen=True)
class Problem:
    """One injected problem: its id, rate, what it is, and a query measuring it."""

    id: str
    table: str
    rate: float
    description: str
    sql: str


PROBLEMS: dict[str, Problem] = {
    p.id: p
    for p in (
        Problem(
            "stale_open_deal",
            "opportunities",
            0.12,
            "open deals whose close date has passed: abandoned by their rep, never updated again"
            " (share of open deals)",
            f"SELECT count(*) FILTER (WHERE close_date < {_END}), count(*) FROM opportunities"
            " WHERE status = 'open'",
        ),
        Problem(
            "open_deal_missing_amount",
            "opportunities",
            0.05,
            "open deals without an amount, in every history row too (share of open deals)",
            "SELECT count(*) FILTER (WHERE amount IS NULL), count(*) FROM opportunities"
            " WHERE status = 'open'",
        ),
        Problem(
            "deal_unknown_owner",
            "opportunities",
            0.01,
            "deals owned by a rep id that is not in reps (share of deals)",
            "SELECT count(*) FILTER (WHERE owner_id NOT IN (SELECT rep_id FROM reps)), count(*)"
            " FROM opportunities",
        ),
        Problem(
            "lead_unknown_owner",
            "leads",
            0.01,
            "leads owned by a rep id that is not in reps (share of leads)",
            "SELECT count(*) FILTER (WHERE owner_id NOT IN (SELECT rep_id FROM reps)), count(*)"
            " FROM leads",
        ),
        Problem(
            "lead_missing_owner",
            "leads",
            0.02,
            "leads without an owner (share of leads)",
            "SELECT count(*) FILTER (WHERE owner_id IS NULL), count(*) FROM leads",
        ),
        Problem(
            "activity_unknown_rep",
            "activities",
            0.01,
            "activities logged by a rep id that is not in reps (share of activities)",
            "SELECT count(*) FILTER (WHERE rep_id NOT IN (SELECT rep_id FROM reps)), count(*)"
            " FROM activities",
        ),
        Problem(
            "lead_converted_without_opportunity",
            "leads",
            0.03,
            "leads with status converted but no opportunity_id (share of converted leads)",
            "SELECT count(*) FILTER (WHERE opportunity_id IS NULL), count(*) FROM leads"
            " WHERE status = 'converted'",
        ),
        Problem(
            "stage_regression",
            "opportunity_history",
            0.03,
            "deals whose stage moved back to an earlier open stage (then forward again), in the"
            " pipeline order of the open stages (share of deals)",
            f"WITH h AS (SELECT opportunity_id, {_STAGE_ORDER} AS k, LAG({_STAGE_ORDER}) OVER"
            " (PARTITION BY opportunity_id ORDER BY changed_at) AS prev FROM opportunity_history)"
            " SELECT count(DISTINCT opportunity_id) FILTER (WHERE k < prev),"
            " (SELECT count(*) FROM opportunities) FROM h",
        ),
        Problem(
            "history_after_close",
            "opportunity_history",
            0.02,
            "closed deals with a history row (a late amount correction) after the row that closed"
            " them; the deal's current amount is the corrected one (share of closed deals)",
            "WITH f AS (SELECT opportunity_id, min(changed_at) AS closed_at FROM"
            " opportunity_history WHERE status IN ('won', 'lost') GROUP BY 1)"
            " SELECT count(DISTINCT h.opportunity_id) FILTER (WHERE h.changed_at > f.closed_at),"
            " count(DISTINCT f.opportunity_id) FROM f JOIN opportunity_history h"
            " USING (opportunity_id)",
        ),
        Problem(
            "close_before_created",
            "opportunities",
            0.005,
            "lost deals whose close date is before the day they were created (share of lost deals)",
            "SELECT count(*) FILTER (WHERE close_date < CAST(created_at AS DATE)), count(*)"
            " FROM opportunities WHERE status = 'lost'",
        ),
        Problem(
            "won_missing_close_date",
            "opportunities",
            0.005,
            "won deals without a close date (share of won deals)",
            "SELECT count(*) FILTER (WHERE close_date IS NULL), count(*) FROM opportunities"
            " WHERE status = 'won'",
        ),
        Problem(
            "overlapping_subscriptions",
            "subscriptions",
            0.02,
            "accounts with two overlapping subscriptions of the same plan (a duplicated row"
            " starting a few days later; share of accounts with subscriptions)",
            "SELECT count(DISTINCT a.account_id), (SELECT count(DISTINCT account_id) FROM"
            " subscriptions) FROM subscriptions a JOIN subscriptions b ON a.account_id ="
            " b.account_id AND a.plan = b.plan AND a.subscription_id < b.subscription_id AND"
            " a.start_date < coalesce(b.end_date, DATE '9999-12-31') AND b.start_date <"
            " coalesce(a.end_date, DATE '9999-12-31')",
        ),
        Problem(
            "overlapping_quotas",
            "quotas",
            0.05,
            "reps with two quota rows whose windows overlap (a quarter entered twice with"
            " different end dates, or a quarter inside an annual quota; share of reps with"
            " quotas)",
            "SELECT count(DISTINCT a.rep_id), (SELECT count(DISTINCT rep_id) FROM quotas)"
            " FROM quotas a JOIN quotas b ON a.rep_id = b.rep_id AND (a.period_start <"
            " b.period_start OR (a.period_start = b.period_start AND a.period_end <"
            " b.period_end)) AND a.period_start <= b.period_end AND b.period_start <="
            " a.period_end",
        ),
    )
}


def rate(problem: str) -> float:
    """The injection rate of ``problem``."""
    return PROBLEMS[problem].rate


def how_many(rng: np.random.Generator, problem: str, out_of: int, odds: bool = False) -> int:
    """How many of ``out_of`` items get ``problem``, rounded at random so rates hold in sum.

    With ``odds``, the count is added to ``out_of`` (the problem rows join the denominator).
    """
    r = rate(problem)
    x = out_of * (r / (1 - r) if odds else r)
    return int(np.floor(x) + (rng.random() < x - np.floor(x)))


def choose(
    rng: np.random.Generator, problem: str, eligible: Arr, out_of: int, odds: bool = False
) -> Arr:
    """A mask of the eligible items that get ``problem`` (see :func:`how_many`)."""
    return pick_exact(rng, eligible, how_many(rng, problem, out_of, odds))


def unknown_reps(rng: np.random.Generator, n: int) -> Arr:
    """``n`` rep ids that are not in the reps table."""
    return np.array(UNKNOWN_REPS)[rng.integers(0, len(UNKNOWN_REPS), n)]
