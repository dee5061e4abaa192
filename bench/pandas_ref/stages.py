"""The stage funnel: time in stage and stage-to-stage conversion, per stage.

Stage rows: every history row with a stage, and for a deal without history its current stage at
created_at. A *visit* starts at each change of stage (rows repeating the stage continue it) and
ends at the next change. Time in stage = mean days (left_at − entered_at) over the visits that
ended in P (left_at's date in the workspace timezone). Stage conversion (a cohort): over the
deals created in P, the deals whose furthest funnel stage is at or past stage k, and of those
the ones past it. Stage order: the ``stage_order`` setting; else by median probability when every
open stage has one; else by the median position at which deals first enter them; won stages
last, lost stages outside the funnel. Groups: the deal's owner and its team.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.pandas_ref.common import BYS, Review, bucket, local_days, result, sums, with_rep_groups


def stage_rows(review: Review) -> pd.DataFrame:
    """(opportunity_id, changed_at, stage, probability) of history and of deals without it."""
    h = review.tables["opportunity_history"]
    opps = review.tables["opportunities"]
    hist = pd.DataFrame(
        {
            "opportunity_id": h["opportunity_id"].astype(object),
            "changed_at": h["changed_at"],
            "stage": h["stage"].astype(object),
            "probability": h["probability"].astype("float64"),
        }
    )
    hist = hist[hist["stage"].notna().to_numpy()]
    bare = ~opps["opportunity_id"].astype(object).isin(set(h["opportunity_id"].astype(object)))
    current = pd.DataFrame(
        {
            "opportunity_id": opps.loc[bare, "opportunity_id"].astype(object),
            "changed_at": opps.loc[bare, "created_at"],
            "stage": opps.loc[bare, "stage"].astype(object),
            "probability": opps.loc[bare, "probability"].astype("float64"),
        }
    )
    return pd.concat([hist, current], ignore_index=True)


def stage_order(review: Review, rows: pd.DataFrame) -> list[str]:
    """The funnel's stages in order (see the module docstring)."""
    configured = [str(s) for s in review.config.stage_order]
    if configured:
        return [s for s in configured if "lost" not in s.lower()]
    rows = rows[~rows["stage"].str.lower().str.contains("lost", na=True).to_numpy()]
    first = rows.groupby(["opportunity_id", "stage"])["changed_at"].min().reset_index()
    first = first.sort_values(["opportunity_id", "changed_at"], kind="stable")
    first["pos"] = first.groupby("opportunity_id").cumcount() + 1
    stats = pd.DataFrame(
        {
            "prob": rows.groupby("stage")["probability"].median(),
            "pos": first.groupby("stage")["pos"].median(),
        }
    )
    stats["won"] = stats.index.str.lower().str.contains("won").astype(int)
    every = bool(((stats["won"] == 1) | stats["prob"].notna()).all())
    stats["key"] = stats["prob"].fillna(0.0) if every else 0.0
    stats = stats.reset_index(names="stage")
    ordered = stats.sort_values(["won", "key", "pos", "stage"], kind="stable")
    return ordered["stage"].tolist()


def visits(rows: pd.DataFrame) -> pd.DataFrame:
    """opportunity_id, stage, entered_at, left_at (NaT while in it)."""
    codes, _ = pd.factorize(rows["opportunity_id"])
    rows = rows.assign(code=codes).sort_values(["code", "changed_at"], kind="stable")
    code = rows["code"].to_numpy()
    stage = rows["stage"].to_numpy()
    same_deal = np.r_[False, code[1:] == code[:-1]]
    begins = ~same_deal | np.r_[True, stage[1:] != stage[:-1]]
    starts = rows[begins]
    start_code = code[begins]
    entered = starts["changed_at"].to_numpy()
    next_same = np.r_[start_code[1:] == start_code[:-1], False]
    left = np.where(next_same, np.r_[entered[1:], entered[:1]], np.datetime64("NaT"))
    return pd.DataFrame(
        {
            "opportunity_id": starts["opportunity_id"].to_numpy(),
            "stage": starts["stage"].to_numpy(),
            "entered_at": entered,
            "left_at": left,
        }
    )


def metrics(review: Review) -> list[pd.DataFrame]:
    """time_in_stage and stage_conversion for every period, group of BYS and stage."""
    rows = stage_rows(review)
    if not len(rows):
        return []
    tz = review.config.timezone
    opps = review.tables["opportunities"]
    deals = pd.DataFrame(
        {"created_day": local_days(opps["created_at"], tz).to_numpy()},
        index=opps["opportunity_id"].astype(object),
    )
    deals = with_rep_groups(review, deals, opps["owner_id"].set_axis(deals.index))
    v = visits(rows)
    v = v.join(deals, on="opportunity_id", how="inner")
    ended = v[v["left_at"].notna().to_numpy()]
    ended = ended.assign(
        left_day=local_days(ended["left_at"], tz),
        days=(ended["left_at"] - ended["entered_at"]).dt.total_seconds() / 86400.0,
        visits=1,
    )
    ended = bucket(ended, ended["left_day"], review.periods)

    order = stage_order(review, rows)
    index = {s: i for i, s in enumerate(order)}
    v = v.assign(idx=v["stage"].map(index))
    top = v.dropna(subset=["idx"]).groupby("opportunity_id")["idx"].max().rename("top")
    cohort = deals.join(top, how="inner")
    cohort = bucket(cohort, cohort["created_day"], review.periods)
    out = []
    for by in BYS:
        t = sums(ended, by, ("visits", "days"), keys=("period", "stage"))
        value = np.round(t["days"] / t["visits"], 4)
        out.append(result("time_in_stage", t, by, value, stage=t["stage"].to_numpy()))
        parts = []
        for k, stage in enumerate(order[:-1]):  # the funnel's stages (a handful)
            reached = cohort[cohort["top"] >= k]
            parts.append(
                reached.assign(
                    stage=stage, reached=1, reached_next=(reached["top"] > k).astype(int)
                )
            )
        grid = pd.concat(parts, ignore_index=True)
        c = sums(grid, by, ("reached", "reached_next"), keys=("period", "stage"))
        out.append(
            result(
                "stage_conversion",
                c,
                by,
                c["reached_next"] / c["reached"],
                stage=c["stage"].to_numpy(),
            )
        )
    return out
