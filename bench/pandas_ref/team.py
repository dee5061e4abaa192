"""Team metrics: quota attainment, sellers, productivity, selling time and activities.

Sellers of P (metrics.md "Who is a seller"): reps with a quota overlapping P; without quotas,
reps whose [hired_on, left_on] overlaps P; without either, the owners of deals closed in P. A
quota for another window is pro-rated by the days it shares with P (both inclusive), converted
at the rate of its period_start. Activities count in the period of their start (workspace
timezone); selling when ``is_selling`` says so, else when the type is a selling type.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.pandas_ref.common import (
    BYS,
    Review,
    bucket,
    local_days,
    memo,
    money,
    result,
    sums,
    to_base,
    with_rep_groups,
)
from bench.pandas_ref.deals import deal_components, opportunities
from salesmetrics import formulas

SELLER_COLUMNS = ("sellers", "quota", "quota_won", "reps_with_quota", "reps_reached")


def seller_basis(review: Review) -> str:
    """Which rule defines the sellers: ``quota``, ``employment`` or ``deal_owners``."""
    if len(review.tables["quotas"]):
        return "quota"
    reps = review.tables["reps"]
    if (reps["hired_on"].notna() | reps["left_on"].notna()).any():
        return "employment"
    return "deal_owners"


def seller_rows(review: Review) -> pd.DataFrame:
    """One row per (period, seller): ``quota`` (pro-rated) and ``won`` (deals won in P)."""
    cached = review.tables.cache.get("sellers")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    basis = seller_basis(review)
    parts = []
    if basis == "quota":
        q = review.tables["quotas"]
        first = pd.to_datetime(q["period_start"])
        last = pd.to_datetime(q["period_end"])
        base = to_base(review, q["amount"], q["currency"], first)
        window = (last - first).dt.days + 1
        for p in review.periods:
            overlap = (
                last.where(last <= p.last, p.last) - first.where(first >= p.start, p.start)
            ).dt.days + 1
            hit = (first <= p.last) & (last >= p.start)
            part = pd.DataFrame(
                {
                    "rep_id": q.loc[hit, "rep_id"].astype(object),
                    "quota": (base * overlap / window)[hit],
                }
            )
            parts.append(
                part.groupby("rep_id", sort=False)["quota"]
                .sum()
                .reset_index()
                .assign(period=p.label)
            )
    elif basis == "employment":
        reps = review.tables["reps"]
        hired, left = pd.to_datetime(reps["hired_on"]), pd.to_datetime(reps["left_on"])
        for p in review.periods:
            active = (hired.isna() | (hired < p.end)) & (left.isna() | (left >= p.start))
            parts.append(
                pd.DataFrame(
                    {"rep_id": reps.loc[active, "rep_id"], "quota": 0.0, "period": p.label}
                )
            )
    else:
        opps = opportunities(review)
        closed = opps[opps["status"].isin(["won", "lost"]) & opps["rep"].notna()]
        rows = bucket(closed, closed["close_day"], review.periods)
        parts.append(
            rows[["period", "rep"]]
            .drop_duplicates()
            .rename(columns={"rep": "rep_id"})
            .assign(quota=0.0)
        )
    sellers = pd.concat(parts, ignore_index=True)
    if basis == "quota":
        opps = opportunities(review)
        won = opps[(opps["status"] == "won") & opps["rep"].notna() & opps["close_day"].notna()]
        won = bucket(won, won["close_day"], review.periods)
        by_rep = won.groupby(["period", "rep"], sort=False)["amount_base"].sum().rename("won")
        sellers = sellers.merge(
            by_rep.reset_index().rename(columns={"rep": "rep_id"}),
            on=["period", "rep_id"],
            how="left",
        )
        sellers["won"] = sellers["won"].fillna(0.0)
    else:
        sellers["won"] = 0.0
    sellers = with_rep_groups(review, sellers, sellers["rep_id"])
    review.tables.cache["sellers"] = sellers
    return sellers


def seller_components(review: Review, by: str) -> pd.DataFrame:
    """Per (period, group): sellers, quota, won by sellers, sellers with quota > 0, reached."""
    rows = seller_rows(review)
    has_quota = rows["quota"] > 0
    rows = rows.assign(
        sellers=1,
        quota_won=rows["won"],
        reps_with_quota=has_quota.astype(int),
        reps_reached=(has_quota & (rows["won"] >= rows["quota"])).astype(int),
    )
    return sums(rows, by, SELLER_COLUMNS)


def activity_components(review: Review, by: str) -> pd.DataFrame:
    """Per (period, group): selling activities, selling minutes, logged minutes."""
    rows = memo(review, "activity_rows", lambda: _activity_rows(review))
    return sums(rows, by, ("selling_activities", "selling_minutes", "logged_minutes"))


def _activity_rows(review: Review) -> pd.DataFrame:
    """Activities per period of their start, with the selling flag and minutes."""
    acts = review.tables["activities"]
    types = {t.strip().lower() for t in review.config.selling_activity_types}
    by_type = acts["type"].astype(object).str.lower().str.strip().isin(types)
    flag = acts["is_selling"].astype(object)
    selling = flag.where(flag.notna(), by_type).astype(bool)
    minutes = acts["duration_minutes"].astype("float64")
    frame = pd.DataFrame(
        {
            "day": local_days(acts["started_at"], review.config.timezone),
            "selling_activities": selling.astype(int).to_numpy(),
            "selling_minutes": minutes.where(selling, 0.0).fillna(0.0).to_numpy(),
            "logged_minutes": minutes.fillna(0.0).to_numpy(),
        }
    )
    frame = with_rep_groups(review, frame, acts["rep_id"])
    return bucket(frame, frame["day"], review.periods)


def metrics(review: Review) -> list[pd.DataFrame]:
    """Quota attainment (and rate), sales rep productivity, time spent selling, activities per
    rep, for every period of the review and group of BYS."""
    out: list[pd.DataFrame] = []
    with_quotas = len(review.tables["quotas"]) > 0
    for by in BYS:
        s = seller_components(review, by)
        if with_quotas:
            out += [
                result(
                    "quota_attainment", s, by, formulas.quota_attainment(s["quota_won"], s["quota"])
                ),
                result(
                    "quota_attainment_rate",
                    s,
                    by,
                    formulas.quota_attainment_rate(s["reps_reached"], s["reps_with_quota"]),
                ),
            ]
        d = deal_components(review, by)[["period", "group", "won_amount"]]
        prod = d.merge(s, on=["period", "group"], how="outer")
        prod = prod.fillna({"won_amount": 0, "sellers": 0})
        out.append(
            result(
                "sales_rep_productivity",
                prod,
                by,
                money(formulas.sales_rep_productivity(prod["won_amount"], prod["sellers"])),
            )
        )
        a = activity_components(review, by)
        out.append(
            result(
                "time_spent_selling",
                a,
                by,
                formulas.time_spent_selling(a["selling_minutes"], a["logged_minutes"]),
            )
        )
        per = a.merge(s[["period", "group", "sellers"]], on=["period", "group"], how="left")
        per["sellers"] = per["sellers"].fillna(0)
        out.append(
            result(
                "activities_per_rep",
                per,
                by,
                np.asarray(formulas.activities_per_rep(per["selling_activities"], per["sellers"])),
            )
        )
    return out
