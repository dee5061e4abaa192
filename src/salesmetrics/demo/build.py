"""Orchestration: the demo company as a lazy stream of record batches, and loading it into a
workspace through the importer's validated bulk path."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from salesmetrics.demo.block import Counters, Rates, generate_block
from salesmetrics.demo.company import CRO, SELLER, VP, Org, make_org, reps_batch
from salesmetrics.demo.money import fx_rates_batch, make_fx
from salesmetrics.demo.people import surveys_batch
from salesmetrics.demo.scales import Scale, get_scale
from salesmetrics.demo.spend import costs_batch
from salesmetrics.demo.targets import Actuals, forecasts_batch, quotas_batch

#: Largest record batch the stream yields (a block's tables are sliced to this).
BATCH_ROWS = 65_536
#: Customers already paying when the data starts, per targeted subscription row.
LEGACY_PER_SUBSCRIPTION = 0.14
DEFAULT_SEED = 7


def rates_for(org: Org, scale: Scale) -> Rates:
    """Per-rep-day volumes that land the whole company near ``scale``'s targets."""
    sellers = np.flatnonzero(org.role == SELLER)
    days = float(org.seller_days(sellers).sum())
    workdays = float(org.working_days(sellers).sum())
    return Rates(
        leads_per_day=scale.leads / days,
        activities_per_workday=scale.activities / workdays,
        legacy_per_day=scale.subscriptions * LEGACY_PER_SUBSCRIPTION / days,
    )


def _sliced(pairs: Iterator[tuple[str, pa.RecordBatch]]) -> Iterator[tuple[str, pa.RecordBatch]]:
    for name, batch in pairs:
        for start in range(0, max(batch.num_rows, 1), BATCH_ROWS):
            yield name, batch.slice(start, BATCH_ROWS)


def generate(
    scale: str | Scale = "small", seed: int = DEFAULT_SEED, *, base_currency: str = "USD"
) -> Iterator[tuple[str, pa.RecordBatch]]:
    """The demo company as a lazy stream of ``(table, record batch)`` pairs.

    Every canonical table appears; batches have exactly the canonical columns and at most
    BATCH_ROWS rows. The same ``scale``, ``seed`` and ``base_currency`` give the same stream.
    Company-wide tables come first, then one block of teams after another, then the quotas and
    forecasts (which are set from what the blocks sold). Memory is bounded by one block.
    """
    size = get_scale(scale)
    rng = np.random.default_rng([seed, 0])
    org = make_org(rng, size.reps)
    fx = make_fx(rng, base_currency)
    rates = rates_for(org, size)
    counters = Counters()
    actuals = Actuals.empty(org.n_reps)
    leadership = np.flatnonzero((org.role == CRO) | (org.role == VP))
    yield from _sliced(
        iter(
            [
                ("reps", reps_batch(org)),
                ("fx_rates", fx_rates_batch(fx)),
                ("costs", costs_batch(rng, org, fx, size)),
                (
                    "survey_responses",
                    surveys_batch(
                        rng, org, leadership, lambda n: counters.take("survey_responses", n), seed
                    ),
                ),
            ]
        )
    )
    for block in range(org.n_blocks):
        yield from _sliced(generate_block(seed, block, org, fx, rates, counters, actuals))
    rng = np.random.default_rng([seed, 2])
    yield from _sliced(
        iter(
            [
                ("quotas", quotas_batch(rng, org, fx, actuals)),
                ("forecasts", forecasts_batch(rng, org, actuals)),
            ]
        )
    )
