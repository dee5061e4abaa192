"""Opportunities: plans for new-business deals (forward: stage by stage, with drop-off) and for
deals whose outcome the customer simulation already knows (renewals, expansions, returns), and
the ``opportunities`` and ``opportunity_history`` batches built from their trajectories.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from salesmetrics.demo import vocab
from salesmetrics.demo.arrays import Arr
from salesmetrics.demo.arrow import ids, pick, record_batch
from salesmetrics.demo.calendar import DAY, month_of, month_start, quarter_start, work_seconds
from salesmetrics.demo.deals import (
    LOST,
    NOT_SET,
    WON,
    DealPlan,
    History,
    stage_entries_between,
    stage_entries_forward,
)
from salesmetrics.demo.money import Fx, nice_amount

#: Median days spent in each open stage, by segment (SMB, Mid-market, Enterprise).
STAGE_DAYS = np.array(
    [[5, 6, 7, 6, 5], [8, 10, 14, 12, 10], [15, 20, 30, 25, 20]], dtype=np.float64
)
#: Chance of moving on from each open stage; the last is the chance of winning from Negotiation.
NEW_BUSINESS_PASS = np.array([0.74, 0.70, 0.68, 0.66, 0.70])
#: Share of won deals that a rep pulls into the last two weeks of the quarter.
QUARTER_END_PUSH = 0.35
#: Where a deal with a known outcome enters the pipeline (stage index); new business here is a
#: returning customer (first-time new business starts at the first stage).
START_STAGE = {vocab.NEW_BUSINESS: 2, vocab.EXPANSION: 1, vocab.RENEWAL: 3}
#: Opportunity sources: the lead sources, then deals with existing customers.
SOURCES = (*(s[0] for s in vocab.LEAD_SOURCES), "existing_customer")
OUTBOUND = SOURCES.index("outbound")
EXISTING_CUSTOMER = SOURCES.index("existing_customer")
#: Product of a deal: the plan tiers (new business, renewals), then the expansion products.
PRODUCTS = (*(f"Platform {t}" for t in vocab.TIERS), *vocab.EXPANSION_PRODUCTS)


def _last_amount(plan_a0: Arr, revised: Arr, revised2: Arr) -> Arr:
    return np.where(revised2 != NOT_SET, revised2, np.where(revised != NOT_SET, revised, plan_a0))


def _second_revision(rng: np.random.Generator, revised: Arr, currency: Arr, chance: float) -> Arr:
    n = len(revised)
    again = (revised != NOT_SET) & (rng.random(n) < chance)
    amount = nice_amount(np.maximum(revised, 0) / 100 * np.exp(rng.normal(0.0, 0.1, n)), currency)
    return np.where(again, amount, NOT_SET)


def plan_new_business(
    rng: np.random.Generator, fx: Fx, created: Arr, segment: Arr, currency: Arr, skill: Arr
) -> DealPlan:
    """Plans of new-business deals: stages reached with drop-off, won or lost, sizes by segment."""
    n = len(created)
    start = np.zeros(n, dtype=np.int64)
    p = np.broadcast_to(NEW_BUSINESS_PASS, (n, 5)).copy()
    p[:, 4] = np.clip(p[:, 4] * np.sqrt(skill), 0.3, 0.95)
    success = rng.random((n, 5)) < p
    top = np.cumprod(success[:, :4], axis=1).sum(axis=1).astype(np.int64)
    won = (top == 4) & success[:, 4]
    medians = STAGE_DAYS[segment]
    entries, leave = stage_entries_forward(rng, created, start, medians)
    entered_top = np.where(top == 0, created, entries[np.arange(n), np.maximum(top - 1, 0)])
    left_top = leave[np.arange(n), top]
    lost_at = entered_top + ((left_top - entered_top) * rng.uniform(0.5, 1.8, n)).astype(np.int64)
    close_at = np.where(won, leave[:, 4], np.maximum(lost_at, entered_top + 3600))

    # The quarter-end rush: some won deals are pulled into the quarter's last two weeks.
    close_day = close_at // DAY
    q_end = month_start(month_of(quarter_start(close_day)) + 3) - 1
    rush = won & (rng.random(n) < QUARTER_END_PUSH) & (q_end - close_day <= 45)
    rush_day = np.maximum(close_day, q_end - rng.integers(0, 15, n))
    moved = rush & (rush_day > close_day)
    close_at = np.where(moved, rush_day * DAY + work_seconds(rng, n), close_at)

    created_day = created // DAY
    expected = created_day + np.round(medians.sum(axis=1) * rng.uniform(0.5, 1.0, n)).astype(
        np.int64
    )
    expected = np.maximum(expected, created_day + 7)
    sigma = np.array(vocab.DEAL_SIGMA)[segment]
    usd = np.array(vocab.DEAL_MEDIAN_USD)[segment] * np.exp(rng.normal(0.0, 1.0, n) * sigma)
    amount0 = nice_amount(fx.from_usd(usd, currency, created_day), currency)
    revised = np.where(
        rng.random(n) < 0.6,
        nice_amount(amount0 / 100 * np.exp(rng.normal(0.0, 0.18, n)), currency),
        NOT_SET,
    )
    revised2 = _second_revision(rng, revised, currency, 0.45)
    discount = won & (rng.random(n) < 0.3)
    last = _last_amount(amount0, revised, revised2)
    final = np.where(
        discount, nice_amount(last / 100 * rng.uniform(0.88, 0.97, n), currency), NOT_SET
    )
    return DealPlan(
        created=created,
        start=start,
        top=top,
        outcome=np.where(won, WON, LOST),
        entries=entries,
        close_at=close_at,
        expected=expected,
        amount0=amount0,
        revised=revised,
        revised2=revised2,
        final=final,
        post_close=np.full(n, NOT_SET, dtype=np.int64),
        regress=np.zeros(n, dtype=bool),
    )


def plan_known(
    rng: np.random.Generator,
    kind: Arr,
    created_day: Arr,
    close_day: Arr,
    won: Arr,
    amount: Arr,
    currency: Arr,
) -> DealPlan:
    """Plans of deals whose outcome, close date and won amount are already decided."""
    n = len(kind)
    start = np.array([START_STAGE[k] for k in range(3)], dtype=np.int64)[kind]
    top = np.where(won, 4, start + (rng.random(n) * (5 - start)).astype(np.int64))
    created = created_day * DAY + work_seconds(rng, n)
    close_at = close_day * DAY + work_seconds(rng, n)
    entries = stage_entries_between(rng, created, start, top, close_at)
    guess = created_day + np.round((close_day - created_day) * rng.uniform(0.6, 1.1, n))
    expected = np.where(
        kind == vocab.RENEWAL, close_day + rng.integers(0, 15, n), guess.astype(np.int64)
    )
    expected = np.maximum(expected, created_day + 7)
    amount0 = nice_amount(amount / 100 * np.exp(rng.normal(0.0, 0.12, n)), currency)
    revised = np.where(
        rng.random(n) < 0.5,
        nice_amount(amount / 100 * np.exp(rng.normal(0.0, 0.06, n)), currency),
        NOT_SET,
    )
    return DealPlan(
        created=created,
        start=start,
        top=top,
        outcome=np.where(won, WON, LOST),
        entries=entries,
        close_at=close_at,
        expected=expected,
        amount0=amount0,
        revised=revised,
        revised2=_second_revision(rng, revised, currency, 0.3),
        final=np.where(won, np.maximum(amount, 1), NOT_SET),
        post_close=np.full(n, NOT_SET, dtype=np.int64),
        regress=np.zeros(n, dtype=bool),
    )


def closing_amount(plan: DealPlan) -> Arr:
    """The amount each deal has when it closes (before any later correction)."""
    last = _last_amount(plan.amount0, plan.revised, plan.revised2)
    return np.where(plan.final != NOT_SET, plan.final, last)


def concat_plans(*plans: DealPlan) -> DealPlan:
    """One plan of all the given plans' deals, in order."""
    fields = DealPlan.__dataclass_fields__
    return DealPlan(**{f: np.concatenate([getattr(p, f) for p in plans]) for f in fields})


def opportunity_ids(numbers: Arr) -> pa.Array:
    """Opportunity ids (``OPP-00000042``)."""
    return ids("OPP-", np.asarray(numbers) + 1)


def _stage_columns(stage: Arr) -> dict[str, pa.Array]:
    return {
        "stage": pick(vocab.STAGES, stage),
        "status": pick(vocab.STAGE_STATUS, stage),
        "probability": np.array(vocab.STAGE_PROBABILITY)[stage],
        "forecast_category": pick(vocab.STAGE_FORECAST, stage),
    }


def history_batch(hist: History, deal_id: pa.Array) -> pa.RecordBatch:
    """``opportunity_history`` rows; ``deal_id`` gives each deal's id."""
    return record_batch(
        "opportunity_history",
        {
            "opportunity_id": deal_id.take(pa.array(hist.deal)),
            "changed_at": hist.changed_at,
            **_stage_columns(hist.stage),
            "amount": np.ma.masked_equal(hist.amount, NOT_SET),
            "close_date": np.ma.masked_equal(hist.close, NOT_SET),
        },
    )


def opportunities_batch(
    rng: np.random.Generator,
    hist: History,
    deal_id: pa.Array,
    *,
    account_id: pa.Array,
    owner_id: pa.Array,
    lead_id: pa.Array,
    account_name: pa.Array,
    kind: Arr,
    source: Arr,
    product: Arr,
    created: Arr,
    currency: pa.Array,
) -> pa.RecordBatch:
    """``opportunities`` rows: static fields, and the current state from each last history row."""
    last = hist.last_rows()
    stage = hist.stage[last]
    n = len(last)
    year = pa.array(1970 + month_of(hist.close[last].clip(0)) // 12).cast(pa.string())
    label = pick(PRODUCTS, product)
    label = pa.compute.if_else(
        pa.array(kind == vocab.RENEWAL),
        pa.compute.binary_join_element_wise("Renewal ", year, ""),
        label,
    )
    lost = stage == vocab.LOST_STAGE
    reason = rng.choice(len(vocab.LOST_REASONS), n, p=_weights(vocab.LOST_REASON_WEIGHTS))
    return record_batch(
        "opportunities",
        {
            "opportunity_id": deal_id,
            "account_id": account_id,
            "owner_id": owner_id,
            "lead_id": lead_id,
            "name": pa.compute.binary_join_element_wise(account_name, label, " - "),
            "type": pick(vocab.OPPORTUNITY_TYPES, kind),
            "source": pick(SOURCES, source),
            "product": pick(PRODUCTS, product),
            "created_at": created,
            "close_date": np.ma.masked_equal(hist.close[last], NOT_SET),
            **_stage_columns(stage),
            "amount": np.ma.masked_equal(hist.amount[last], NOT_SET),
            "currency": currency,
            "lost_reason": pick(vocab.LOST_REASONS, np.ma.masked_array(reason, mask=~lost)),
        },
    )


def _weights(w: tuple[int, ...]) -> Arr:
    a = np.array(w, dtype=np.float64)
    return np.asarray(a / a.sum())
