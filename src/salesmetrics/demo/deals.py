"""Deal trajectories: from a deal's plan (created, stages reached, outcome, close, amounts) to its
``opportunity_history`` rows (one per change) and its current state as of the demo's end.

Every history row holds the full state from its ``changed_at`` on; a deal's current state is its
last row, so the opportunities table and the history agree by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesmetrics.demo import vocab
from salesmetrics.demo.arrays import Arr, ffill_index, last_in_group, rank_in_group
from salesmetrics.demo.calendar import AS_OF_END_SEC, DATA_END, DAY, work_seconds

WON, LOST, ABANDONED = 0, 1, 2
NOT_SET = np.iinfo(np.int64).min
N_MOVES = len(vocab.OPEN_STAGES) - 1  # stage entries after the first stage, at most
MAX_PUSHES = 3


@dataclass
class DealPlan:
    """What happens to each deal (arrays of one length; times in seconds, dates in days).

    ``entries[:, j]`` is when the deal enters stage ``start + j + 1`` (ignored beyond ``top``);
    ``close_at`` is when it is won or lost (for abandoned deals: unused); ``expected`` is the
    close date the rep first enters. Amounts are cents in the deal's currency.
    """

    created: Arr
    start: Arr
    top: Arr
    outcome: Arr
    entries: Arr
    close_at: Arr
    expected: Arr
    amount0: Arr
    revised: Arr  # amount after the mid-deal revision, NOT_SET for none
    revised2: Arr  # amount after a second revision (later than the first), NOT_SET for none
    final: Arr  # amount when won (NOT_SET: keep the last amount)
    post_close: Arr  # hygiene: amount of an edit made after closing, NOT_SET for none
    regress: Arr  # hygiene: bool, the deal moves back a stage and forward again

    def __len__(self) -> int:
        return len(self.created)


@dataclass
class History:
    """Flat history rows, sorted by deal then time; ``amount``/``close`` use NOT_SET for null."""

    deal: Arr
    changed_at: Arr
    stage: Arr
    amount: Arr
    close: Arr

    def last_rows(self) -> Arr:
        """Index of each deal's last row (its current state), in deal order."""
        return np.flatnonzero(last_in_group(self.deal))


def push_dates(
    rng: np.random.Generator, expected: Arr, close_day: Arr, created: Arr
) -> tuple[Arr, Arr]:
    """Close-date pushes of deals that close later than first expected.

    Returns (times, new dates), each (n, MAX_PUSHES) with NOT_SET where there is no push: a rep
    pushes a few days before the expected date passes, towards the real close date.
    """
    n = len(expected)
    slip = close_day - expected
    count = np.where(slip > 0, np.clip(np.ceil(slip / 30.0), 1, MAX_PUSHES), 0).astype(np.int64)
    j = np.arange(MAX_PUSHES)[None, :]
    denom = np.maximum(count, 1)[:, None]
    target = expected[:, None] + (slip[:, None] * (j + 1)) // denom
    jitter = rng.integers(-5, 6, (n, MAX_PUSHES))
    last = j == (count[:, None] - 1)
    target = np.where(last, close_day[:, None] + rng.integers(0, 11, (n, 1)), target + jitter)
    previous = np.concatenate([expected[:, None], target[:, :-1]], axis=1)
    times = (previous - rng.integers(1, 6, (n, MAX_PUSHES))) * DAY + work_seconds(
        rng, n * MAX_PUSHES
    ).reshape(n, MAX_PUSHES)
    valid = (j < count[:, None]) & (times > created[:, None])
    return np.where(valid, times, NOT_SET), np.where(valid, target, NOT_SET)


def build_history(rng: np.random.Generator, plan: DealPlan) -> History:
    """The history rows of every deal of ``plan``, truncated at the end of DATA_END."""
    n = len(plan)
    created = plan.created
    closes = plan.outcome != ABANDONED
    close_day = plan.close_at // DAY
    push_t, push_to = push_dates(rng, plan.expected, close_day, created)
    push_t[~closes] = NOT_SET

    cols_t: list[Arr] = []
    cols_stage: list[Arr] = []
    cols_amount: list[Arr] = []
    cols_close: list[Arr] = []

    def add(t: Arr, stage: Arr | int, amount: Arr | int, close: Arr | int) -> None:
        cols_t.append(t)
        cols_stage.append(np.broadcast_to(stage, (n,)))
        cols_amount.append(np.broadcast_to(amount, (n,)))
        cols_close.append(np.broadcast_to(close, (n,)))

    add(created, plan.start, plan.amount0, plan.expected)
    for j in range(N_MOVES):
        reached = plan.start + j + 1 <= plan.top
        add(np.where(reached, plan.entries[:, j], NOT_SET), plan.start + j + 1, NOT_SET, NOT_SET)
    has_revision = plan.revised != NOT_SET
    span = np.maximum(np.where(closes, plan.close_at, plan.entries.max(axis=1)) - created, 2)
    revise_t = created + 1 + (rng.random(n) * (span - 1)).astype(np.int64)
    add(np.where(has_revision, revise_t, NOT_SET), NOT_SET, plan.revised, NOT_SET)
    end = np.where(closes, plan.close_at, revise_t + 30 * DAY)
    revise2_t = revise_t + 1 + (rng.random(n) * np.maximum(end - revise_t - 1, 1)).astype(np.int64)
    has_second = has_revision & (plan.revised2 != NOT_SET)
    add(np.where(has_second, revise2_t, NOT_SET), NOT_SET, plan.revised2, NOT_SET)
    for j in range(MAX_PUSHES):
        add(push_t[:, j], NOT_SET, NOT_SET, push_to[:, j])
    final_stage = np.where(plan.outcome == WON, vocab.WON_STAGE, vocab.LOST_STAGE)
    add(np.where(closes, plan.close_at, NOT_SET), final_stage, plan.final, close_day)
    post_t = plan.close_at + rng.integers(3, 45, n) * DAY
    has_post = (plan.post_close != NOT_SET) & closes
    add(np.where(has_post, post_t, NOT_SET), NOT_SET, plan.post_close, NOT_SET)
    # Stage regression: back one stage shortly after entering the top stage, then forward again.
    top_entry = plan.entries[np.arange(n), np.clip(plan.top - plan.start - 1, 0, N_MOVES - 1)]
    gap = np.maximum(np.where(closes, plan.close_at, top_entry + 20 * DAY) - top_entry, 10)
    regress = plan.regress & (plan.top >= plan.start + 2)
    add(np.where(regress, top_entry + gap // 3, NOT_SET), plan.top - 1, NOT_SET, NOT_SET)
    add(np.where(regress, top_entry + 2 * gap // 3, NOT_SET), plan.top, NOT_SET, NOT_SET)

    t = np.stack(cols_t, axis=1)
    valid = t != NOT_SET
    deal = np.broadcast_to(np.arange(n)[:, None], t.shape)[valid]
    t = t[valid]
    stage = np.stack(cols_stage, axis=1)[valid]
    amount = np.stack(cols_amount, axis=1)[valid]
    close = np.stack(cols_close, axis=1)[valid]
    order = np.lexsort((t, deal))
    deal, t, stage, amount, close = deal[order], t[order], stage[order], amount[order], close[order]
    t = t + rank_in_group(deal)  # distinct changed_at per deal (the table's key)
    for field in (stage, amount, close):
        field[:] = field[ffill_index(field != NOT_SET)]
    keep = t < AS_OF_END_SEC
    return History(deal[keep], t[keep], stage[keep], amount[keep], close[keep])


def stage_entries_forward(
    rng: np.random.Generator, created: Arr, start: Arr, medians: Arr, sigma: float = 0.6
) -> tuple[Arr, Arr]:
    """Stage entry times from lognormal time-in-stage (``medians`` (n, stages), days).

    Returns (entries (n, N_MOVES), leave (n, stages)): when each later stage is entered, and when
    the deal would leave each stage (entry plus its time in stage).
    """
    n, stages = medians.shape
    dur = medians * np.exp(rng.normal(0.0, sigma, (n, stages))) * DAY
    idx = np.arange(stages)[None, :]
    dur = np.where(idx >= start[:, None], dur, 0.0)
    leave = created[:, None] + np.cumsum(dur, axis=1).astype(np.int64)
    entries = np.full((n, N_MOVES), NOT_SET, dtype=np.int64)
    for j in range(N_MOVES):
        stage = start + j + 1
        ok = stage < stages
        entries[ok, j] = leave[ok, np.clip(stage[ok] - 1, 0, stages - 1)]
    return entries, leave


def stage_entries_between(
    rng: np.random.Generator, created: Arr, start: Arr, top: Arr, end: Arr
) -> Arr:
    """Stage entry times for deals moving from ``start`` to ``top`` within (created, end)."""
    n = len(created)
    w = rng.exponential(1.0, (n, N_MOVES + 1))
    moves = (top - start)[:, None]
    j = np.arange(N_MOVES + 1)[None, :]
    w = np.where(j <= moves, w, 0.0)
    frac = np.cumsum(w, axis=1) / w.sum(axis=1, keepdims=True)
    span = np.maximum(end - created, N_MOVES + 2)
    entries = created[:, None] + 1 + (frac[:, :N_MOVES] * (span[:, None] - 2)).astype(np.int64)
    return np.where(j[:, :N_MOVES] < moves, entries, NOT_SET)


def closed_by_end(plan: DealPlan) -> Arr:
    """Deals that are won or lost on or before DATA_END."""
    return np.asarray((plan.outcome != ABANDONED) & (plan.close_at // DAY <= DATA_END))
