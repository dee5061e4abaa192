"""Product usage (``engagement_events``): monthly event counts per paying customer, lower in the
months before a customer leaves, and a ``seat_added`` event on every seat expansion."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from salesmetrics.demo import vocab
from salesmetrics.demo.arrays import Arr, group_ids, rank_in_group
from salesmetrics.demo.arrow import pick, record_batch
from salesmetrics.demo.calendar import DATA_END, DATA_START, month_of, month_start

#: Usage drops to this share in the 90 days before a customer leaves.
AT_RISK_USAGE = 0.35


def engagement_batch(
    rng: np.random.Generator,
    subs: dict[str, Arr],
    seats_added: dict[str, Arr],
    churned: Arr,
    account_id: pa.Array,
) -> pa.RecordBatch:
    """``engagement_events`` of a block's paying customers since DATA_START.

    ``subs`` are the block's subscription rows, ``churned`` the day each (block-local) account was
    lost for good (-1: still a customer), ``account_id`` the ids of the block's accounts.
    """
    paid = ~subs["trial"].astype(bool) & (subs["mrr"] > 0)
    start = np.maximum(subs["start"][paid], DATA_START)
    end = np.where(subs["end"][paid] >= 0, subs["end"][paid] - 1, DATA_END)
    end = np.minimum(end, DATA_END)
    ok = end >= start
    acct, seats = subs["account"][paid][ok], subs["seats"][paid][ok]
    start, end = start[ok], end[ok]
    m0, m1 = month_of(start), month_of(end)
    row = group_ids(m1 - m0 + 1)
    month = m0[row] + rank_in_group(row)
    lo = np.maximum(month_start(month), start[row])
    hi = np.minimum(month_start(month + 1) - 1, end[row])
    acct, seats = acct[row], seats[row]
    leaving = churned[acct]
    health = np.where((leaving >= lo) & (leaving - hi <= 90), AT_RISK_USAGE, 1.0)

    n_events = len(vocab.ENGAGEMENT_EVENTS)
    pair = np.repeat(np.arange(len(acct)), n_events)
    event = np.tile(np.arange(n_events), len(acct))
    chance = np.array([e[1] for e in vocab.ENGAGEMENT_EVENTS])[event] * np.sqrt(health[pair])
    happens = rng.random(len(pair)) < chance
    pair, event = pair[happens], event[happens]
    typical = np.array([e[2] for e in vocab.ENGAGEMENT_EVENTS])[event]
    count = typical * (seats[pair] / 10.0) ** 0.2 * health[pair]
    count = np.maximum(np.round(count * np.exp(rng.normal(0.0, 0.3, len(pair)))), 1)
    day = lo[pair] + (rng.random(len(pair)) * (hi[pair] - lo[pair] + 1)).astype(np.int64)

    names = (*(e[0] for e in vocab.ENGAGEMENT_EVENTS), vocab.SEAT_ADDED)
    added = seats_added["day"] >= DATA_START
    acct_all = np.concatenate([acct[pair], seats_added["account"][added]])
    day_all = np.concatenate([day, seats_added["day"][added]])
    event_all = np.concatenate([event, np.full(int(added.sum()), n_events)])
    count_all = np.concatenate([count.astype(np.int64), seats_added["seats"][added]])
    # The key is (account, day, event): keep one row per key.
    key = (acct_all * 100_000 + day_all) * 8 + event_all
    _, first = np.unique(key, return_index=True)
    return record_batch(
        "engagement_events",
        {
            "account_id": account_id.take(pa.array(acct_all[first])),
            "occurred_on": day_all[first],
            "event": pick(names, event_all[first]),
            "count": count_all[first],
        },
    )
