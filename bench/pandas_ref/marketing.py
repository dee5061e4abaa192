"""Marketing metrics (metrics.md "Marketing"): marketing and sales spend, cost per lead and per
qualified lead, company-wide only (costs carry no team or rep); MRR growth for every group of
BYS (from the MRR waterfall). The review does not group by channel (tests/metrics/reference.py
cross-checks ``--by channel``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.pandas_ref.common import BYS, Review, money, result, to_base
from bench.pandas_ref.deals import lead_components
from bench.pandas_ref.recurring import waterfall
from salesmetrics import formulas


def spend(review: Review) -> pd.DataFrame:
    """Marketing and sales cost per period (spread by day over a cost's window, else on its
    date), converted at the rate of the cost's date: ``period``, ``marketing``, ``sales``."""
    c = review.tables["costs"]
    category = c["category"].astype(object).str.lower().str.strip().to_numpy()
    day = pd.to_datetime(c["date"])
    first, last = pd.to_datetime(c["period_start"]), pd.to_datetime(c["period_end"])
    base = to_base(review, c["amount"], c["currency"], day)
    spread = first.notna() & last.notna()
    window = (last - first).dt.days + 1
    totals = []
    for p in review.periods:
        span = last.where(last <= p.last, p.last) - first.where(first >= p.start, p.start)
        overlap = (span.dt.days + 1).clip(lower=0)
        on_day = (day >= p.start) & (day < p.end)
        part = np.where(spread, base * overlap / window, np.where(on_day, base, 0.0))
        totals.append(
            {
                "period": p.label,
                "marketing": float(np.nansum(part[category == "marketing"])),
                "sales": float(np.nansum(part[category == "sales"])),
            }
        )
    return pd.DataFrame(totals)


def metrics(review: Review) -> list[pd.DataFrame]:
    """The marketing metrics for every period of the review."""
    leads = lead_components(review, "")
    s = spend(review).assign(group="")
    s = s.merge(leads, on=["period", "group"], how="left").fillna(0.0)
    out = [
        result("marketing_spend", s, "", money(s["marketing"])),
        result("sales_spend", s, "", money(s["sales"])),
        result(
            "cost_per_lead",
            s,
            "",
            money(formulas.cost_per_lead(s["marketing"], s["leads_created"])),
        ),
        result(
            "cost_per_qualified_lead",
            s,
            "",
            money(formulas.cost_per_qualified_lead(s["marketing"], s["qualified_leads"])),
        ),
    ]
    for by in BYS:
        w = waterfall(review, by)
        out.append(
            result("mrr_growth_rate", w, by, formulas.mrr_growth_rate(w["mrr_end"], w["mrr_start"]))
        )
    return out
