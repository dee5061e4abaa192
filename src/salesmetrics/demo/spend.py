"""Sales and marketing costs (for CAC): monthly lines per region and item, quarterly event and
partner budgets and yearly tool licences spread over their periods, in each region's currency.
Each line is booked to the channels of ``vocab.COST_CHANNELS`` (the lead sources' names; sales
overhead without a channel), split to the cent so that a line's parts add up to it exactly."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from salesmetrics.demo import vocab
from salesmetrics.demo.arrays import Arr
from salesmetrics.demo.arrow import ids, record_batch
from salesmetrics.demo.calendar import DATA_START, MONTH_SEASONALITY, add_months
from salesmetrics.demo.company import SELLER, Org
from salesmetrics.demo.money import CODES, Fx
from salesmetrics.demo.scales import Scale

MONTHS = 36
#: Marketing spend per lead (USD), and each item's share of it.
COST_PER_LEAD = 550.0
MARKETING_SHARE = {
    "paid_search": 0.35,
    "paid_social": 0.2,
    "content": 0.1,
    "events": 0.2,
    "partner": 0.1,
    "web": 0.05,
}
#: Monthly cost per employed seller (USD, before the regional cost level); salaries include the
#: seller's share of SDRs, sales engineers, managers and sales operations.
PER_SELLER = {
    ("sales", "salaries"): 19_000.0,
    ("sales", "commissions"): 4_000.0,
    ("sales", "travel"): 700.0,
    ("sales", "tools"): 150.0,
    ("customer_success", "salaries"): 3_200.0,
}
REGION_COST_LEVEL = np.array([1.0, 0.9, 0.6, 0.5])


def costs_batch(rng: np.random.Generator, org: Org, fx: Fx, scale: Scale) -> pa.RecordBatch:
    """The ``costs`` table."""
    m_start = add_months(np.full(MONTHS + 1, DATA_START), np.arange(MONTHS + 1))
    n_regions = len(vocab.REGIONS)
    sellers = np.flatnonzero(org.role == SELLER)
    employed = np.zeros((n_regions, MONTHS))
    for m in range(MONTHS):  # a loop over months, vectorised over reps
        lo = np.maximum(org.hired[sellers], m_start[m])
        hi = np.where(
            org.left[sellers] >= 0,
            np.minimum(org.left[sellers], m_start[m + 1] - 1),
            m_start[m + 1] - 1,
        )
        days = np.maximum(hi - lo + 1, 0) / (m_start[m + 1] - m_start[m])
        np.add.at(employed[:, m], org.region[sellers], days)
    season = MONTH_SEASONALITY[np.arange(MONTHS) % 12]
    growth = 1.22 ** (np.arange(MONTHS) / 12)
    leads_per_month = scale.leads * season * growth / (season * growth).sum()
    share = np.array([r.share for r in vocab.REGIONS])

    rows_date, rows_start, rows_end, rows_line, rows_usd, rows_region = ([] for _ in range(6))
    for line, (category, item, cadence) in enumerate(vocab.COST_LINES):
        if category == "marketing":
            usd = share[:, None] * leads_per_month[None, :] * COST_PER_LEAD
            usd = usd * MARKETING_SHARE[item]
        else:
            usd = employed * PER_SELLER[category, item] * REGION_COST_LEVEL[:, None]
        usd = usd * np.exp(rng.normal(0.0, 0.08, usd.shape))
        step = {"month": 1, "quarter": 3, "year": 12}[cadence]
        usd = usd.reshape(n_regions, MONTHS // step, step).sum(axis=2)
        for r in range(n_regions):
            k = np.arange(MONTHS // step)
            rows_date.append(m_start[k * step])
            rows_start.append(m_start[k * step] if step > 1 else np.full(len(k), -1))
            rows_end.append(m_start[(k + 1) * step] - 1 if step > 1 else np.full(len(k), -1))
            rows_line.append(np.full(len(k), line))
            rows_usd.append(usd[r])
            rows_region.append(np.full(len(k), r))
    date = np.concatenate(rows_date)
    region = np.concatenate(rows_region)
    line_of = np.concatenate(rows_line)
    currency = np.array([CODES.index(vocab.REGIONS[r].quota_currency) for r in range(n_regions)])
    cur = currency[region]
    cents = np.round(fx.from_usd(np.concatenate(rows_usd), cur, date) * 100).astype(np.int64)
    start, end = np.concatenate(rows_start), np.concatenate(rows_end)
    row, channel, cents = _by_channel(line_of, cents)
    date, region, cur, start, end, line_of = (
        a[row] for a in (date, region, cur, start, end, line_of)
    )
    order = np.lexsort((region, date))
    n = len(date)
    categories = np.array([category for category, _item, _cadence in vocab.COST_LINES])
    cols: dict[str, Arr | pa.Array] = {
        "cost_id": ids("COST-", np.arange(1, n + 1), 6),
        "date": date[order],
        "period_start": np.ma.masked_less(start[order], 0),
        "period_end": np.ma.masked_less(end[order], 0),
        "category": categories[line_of[order]],
        "channel": pa.array(channel[order].tolist(), pa.string()),
        "amount": cents[order],
        "currency": np.array(CODES)[cur[order]],
    }
    return record_batch("costs", cols)


def _by_channel(line: Arr, cents: Arr) -> tuple[Arr, Arr, Arr]:
    """Each cost row (of cost line ``line``, ``cents``) split into its line's channels
    (``vocab.COST_CHANNELS``): the source row of each part, its channel (None: no channel) and
    its cents, every part but the last rounded and the last the remainder (exact sums)."""
    rows, channels, parts = [], [], []
    for index, (category, item, _cadence) in enumerate(vocab.COST_LINES):
        mine = np.flatnonzero(line == index)
        left = cents[mine]
        split = vocab.COST_CHANNELS[category, item]
        for position, (channel, share) in enumerate(split):
            last = position == len(split) - 1
            part = left if last else np.round(cents[mine] * share).astype(np.int64)
            left = left - part
            rows.append(mine)
            channels.append(np.full(len(mine), channel, dtype=object))
            parts.append(part)
    return np.concatenate(rows), np.concatenate(channels), np.concatenate(parts)
