"""Sales forecast accuracy and forecast bias against the revenue won in the period.

The forecast of a scope for P (metrics.md): the latest ``most_likely`` forecast of the manager
method submitted before P starts, else the latest submitted before it ends (late). Company-wide
rows read ``scope = company`` forecasts, by team ``scope = team`` (scope_id = the team), by rep
``scope = rep`` (scope_id = the rep). actual = total revenue of the scope in P, to the cent.
accuracy = max(0, 1 − |actual − forecast| / actual), bias = (forecast − actual) / actual.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.pandas_ref.common import BYS, Review, instant, money, result
from bench.pandas_ref.deals import deal_components
from salesmetrics import formulas

METHOD, CATEGORY = "manager", "most_likely"
SCOPES = {"": "company", "team": "team", "rep": "rep"}


def used(review: Review, by: str) -> pd.DataFrame:
    """The forecast used per (period, group): ``forecast``."""
    f = review.tables["forecasts"]
    tz = review.config.timezone
    f = f[(f["scope"].astype(object) == SCOPES[by]).to_numpy()]
    method = f["method"].astype(object).fillna(METHOD)
    category = f["category"].astype(object).fillna(CATEGORY)
    f = f[((method == METHOD) & (category == CATEGORY)).to_numpy()]
    bounds = pd.DataFrame(
        {
            "period": [p.label for p in review.periods],
            "s_at": [instant(p.start, tz) for p in review.periods],
            "e_at": [instant(p.end, tz) for p in review.periods],
        }
    )
    rows = pd.DataFrame(
        {
            "period": f["period"].astype(object).str.strip().str.upper().to_numpy(),
            "group": f["scope_id"].astype(object).to_numpy() if by else "",
            "forecast_id": f["forecast_id"].astype(object).to_numpy(),
            "submitted_at": f["submitted_at"].to_numpy(),
            "forecast": f["amount"].astype("float64").to_numpy(),
        }
    ).merge(bounds, on="period")
    rows = rows[(rows["submitted_at"] < rows["e_at"]).to_numpy()]
    rows = rows.assign(late=rows["submitted_at"] >= rows["s_at"])
    rows = rows.sort_values(
        ["late", "submitted_at", "forecast_id"], ascending=[True, False, False], kind="stable"
    )
    return rows.drop_duplicates(["period", "group"])[["period", "group", "forecast"]]


def metrics(review: Review) -> list[pd.DataFrame]:
    """sales_forecast_accuracy and forecast_bias, company-wide, by team and by rep."""
    if not len(review.tables["forecasts"]):
        return []
    out = []
    for by in BYS:
        actual = deal_components(review, by)[["period", "group", "won_amount"]]
        rows = used(review, by).merge(actual, on=["period", "group"], how="outer")
        won = money(rows["won_amount"].fillna(0.0))
        forecast = rows["forecast"].to_numpy(dtype="float64")
        out += [
            result(
                "sales_forecast_accuracy", rows, by, formulas.sales_forecast_accuracy(forecast, won)
            ),
            result("forecast_bias", rows, by, np.asarray(formulas.forecast_bias(forecast, won))),
        ]
    return out
