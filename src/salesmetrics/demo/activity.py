"""Activities: what reps spend their time on, selling and not, linked to their deals."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa

from salesmetrics.config import SELLING_TYPES
from salesmetrics.demo import vocab
from salesmetrics.demo.arrays import Arr, choice, group_ids, offsets
from salesmetrics.demo.arrow import ids, pick, record_batch, take
from salesmetrics.demo.calendar import (
    DATA_END,
    DATA_START,
    DAY,
    MONTH_SEASONALITY,
    month_of,
    sample_days,
    weekday,
    work_seconds,
)
from salesmetrics.demo.company import Org, rep_ids

#: Chance that a selling activity is about one of the rep's deals (else maybe just the account).
DEAL_LINK = 0.65


def _weights() -> Arr:
    days = np.arange(DATA_START, DATA_END + 1, dtype=np.int64)
    w = np.sqrt(MONTH_SEASONALITY[month_of(days) % 12])
    return np.asarray(w * np.where(weekday(days) < 5, 1.0, 0.02))


def activities_batch(
    rng: np.random.Generator,
    org: Org,
    reps: Arr,
    rep_slot: Arr,
    per_day: float,
    numbers: Callable[[int], int],
    deals: tuple[Arr, Arr, Arr, Arr],
    deal_id: pa.Array,
    account_id: pa.Array,
) -> pa.RecordBatch:
    """Activities of ``reps`` (``rep_slot``: their block-local territory), ``per_day`` per weekday.

    ``deals`` is (block-local slot, created, closed or end of data (seconds), block-local account)
    of the block's deals, whose ids are ``deal_id`` and ``account_id``; ``numbers(n)`` reserves
    ``n`` activity numbers and returns the first.
    """
    lo, hi = org.active_window(reps)
    counts = rng.poisson(per_day * org.working_days(reps))
    who = group_ids(counts)
    day = sample_days(rng, _weights(), DATA_START, lo[who], hi[who])
    n = len(day)
    started = day * DAY + work_seconds(rng, n)
    kind = choice(rng, [a[1] for a in vocab.ACTIVITY_TYPES], n)
    median = np.array([a[2] for a in vocab.ACTIVITY_TYPES])[kind]
    minutes = np.maximum(np.round(median * np.exp(rng.normal(0.0, 0.5, n))), 1.0)
    names = [a[0] for a in vocab.ACTIVITY_TYPES]
    selling = np.isin(kind, [names.index(t) for t in SELLING_TYPES])

    # Selling activities point at a deal of the territory (when open then) or its account.
    d_slot, d_created, d_end, d_account = deals
    n_slots = int(rep_slot.max()) + 1 if len(rep_slot) else 0
    per_slot = np.bincount(d_slot, minlength=n_slots)
    slot = rep_slot[who]
    has = selling & (per_slot[slot] > 0)
    # A random deal of the rep's territory: deals sorted by slot, a random offset into the slot.
    order = np.argsort(d_slot, kind="stable")
    j = offsets(per_slot)[slot] + (rng.random(n) * per_slot[slot]).astype(np.int64)
    deal = np.where(has, order[np.minimum(j, len(order) - 1)] if len(order) else 0, 0)
    open_then = has & (d_created[deal] <= started) & (started <= d_end[deal])
    link_deal = open_then & (rng.random(n) < DEAL_LINK)
    link_account = link_deal | (has & (rng.random(n) < 0.4))
    account = d_account[deal] if len(order) else np.zeros(n, dtype=np.int64)
    return record_batch(
        "activities",
        {
            "activity_id": ids("ACT-", numbers(n) + np.arange(n) + 1, 9),
            "rep_id": rep_ids(reps[who]),
            "started_at": started,
            "duration_minutes": minutes,
            "type": pick(names, kind),
            "is_selling": selling,
            "account_id": take(account_id, account, link_account),
            "opportunity_id": take(deal_id, deal, link_deal),
        },
    )
