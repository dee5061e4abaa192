"""Leads: created with seasonality by the reps of a block, scored, qualified and converted."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from salesmetrics.demo import vocab
from salesmetrics.demo.arrays import Arr, choice, group_ids, lognormal
from salesmetrics.demo.arrow import ids, pick, record_batch
from salesmetrics.demo.calendar import (
    AS_OF_END_SEC,
    DATA_END,
    DATA_START,
    DAY,
    sample_days,
    seasonal_weights,
    work_seconds,
)
from salesmetrics.demo.company import Org
from salesmetrics.demo.deals import NOT_SET
from salesmetrics.schema import LEAD_STATUSES

#: Chance that a qualified lead converts into an opportunity (times the rep's skill).
CONVERSION = 0.47
NEW, WORKING, QUALIFIED, DISQUALIFIED, CONVERTED = (
    LEAD_STATUSES.index(s) for s in ("new", "working", "qualified", "disqualified", "converted")
)


@dataclass
class Leads:
    """The leads of one block (times in seconds; NOT_SET when the step did not happen)."""

    rep: Arr
    slot: Arr
    created: Arr
    source: Arr
    score: Arr  # NaN for none
    qualified: Arr
    converted: Arr
    status: Arr
    account: Arr  # block-local account index, -1 for none
    segment: Arr  # -1 for none
    region: Arr
    deal: Arr  # block-local deal index, -1 for none

    def __len__(self) -> int:
        return len(self.created)


def make_leads(
    rng: np.random.Generator, org: Org, reps: Arr, slots_of_reps: Arr, per_day: float
) -> Leads:
    """Leads owned by ``reps`` (in their territories ``slots_of_reps``), ``per_day`` per rep-day."""
    lo, hi = org.active_window(reps)
    counts = rng.poisson(per_day * org.seller_days(reps))
    owner = group_ids(counts)
    weights = seasonal_weights(DATA_START, DATA_END)
    days = sample_days(rng, weights, DATA_START, lo[owner], hi[owner])
    created = days * DAY + work_seconds(rng, len(days))
    n = len(created)
    source = choice(rng, [s[1] for s in vocab.LEAD_SOURCES], n)
    mean_score = np.array([s[2] for s in vocab.LEAD_SOURCES])[source]
    score = np.round(np.clip(rng.normal(mean_score, 16.0), 0, 100), 1)
    score[mean_score == 0] = np.nan  # outbound leads are not scored
    p_qualify = np.array([s[3] for s in vocab.LEAD_SOURCES])[source]
    p_qualify = p_qualify * np.where(np.isnan(score), 1.0, 0.7 + 0.6 * np.nan_to_num(score) / 100)
    qualified = created + (lognormal(rng, 4.0, 1.0, n) * DAY).astype(np.int64)
    qualified = np.where(rng.random(n) < p_qualify, qualified, NOT_SET)
    rep = reps[owner]
    p_convert = np.clip(CONVERSION * np.sqrt(org.skill[rep]), 0.05, 0.9)
    converted = qualified + (lognormal(rng, 6.0, 0.9, n) * DAY).astype(np.int64)
    converted = np.where((qualified != NOT_SET) & (rng.random(n) < p_convert), converted, NOT_SET)
    # Nothing happens after the demo's end.
    qualified = np.where(qualified < AS_OF_END_SEC, qualified, NOT_SET)
    converted = np.where((converted < AS_OF_END_SEC) & (qualified != NOT_SET), converted, NOT_SET)
    age = DATA_END - days
    status = np.where(age < 14, NEW, np.where(age < 60, WORKING, DISQUALIFIED))
    recent_q = (qualified != NOT_SET) & (DATA_END - qualified // DAY < 45)
    status = np.where(recent_q, QUALIFIED, status)
    status = np.where(converted != NOT_SET, CONVERTED, status)
    return Leads(
        rep=rep,
        slot=slots_of_reps[owner],
        created=created,
        source=source,
        score=score,
        qualified=qualified,
        converted=converted,
        status=status,
        account=np.full(n, -1, dtype=np.int64),
        segment=np.full(n, -1, dtype=np.int64),
        region=org.team_region[org.slot_team[slots_of_reps[owner]]],
        deal=np.full(n, -1, dtype=np.int64),
    )


def lead_ids(numbers: Arr) -> pa.Array:
    """Lead ids (``L-00000042``)."""
    return ids("L-", np.asarray(numbers) + 1)


def leads_batch(
    leads: Leads, first_number: int, owner_id: pa.Array, account_id: pa.Array, deal_id: pa.Array
) -> pa.RecordBatch:
    """The ``leads`` rows of a block (ids numbered from ``first_number``)."""
    raw = [vocab.LEAD_STATUS_RAW[s] for s in LEAD_STATUSES]
    seg = np.ma.masked_array(np.maximum(leads.segment, 0), mask=leads.segment < 0)
    return record_batch(
        "leads",
        {
            "lead_id": lead_ids(first_number + np.arange(len(leads))),
            "created_at": leads.created,
            "source": pick([s[0] for s in vocab.LEAD_SOURCES], leads.source),
            "owner_id": owner_id,
            "account_id": account_id,
            "segment": pick(vocab.SEGMENTS, seg),
            "region": pick([r.name for r in vocab.REGIONS], leads.region),
            "status": pick(LEAD_STATUSES, leads.status),
            "status_raw": pick(raw, leads.status),
            "score": np.ma.masked_invalid(leads.score),
            "qualified_at": np.ma.masked_equal(leads.qualified, NOT_SET),
            "converted_at": np.ma.masked_equal(leads.converted, NOT_SET),
            "opportunity_id": deal_id,
        },
    )
