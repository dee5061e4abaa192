"""The open pipeline as of a date, by stage and close period (``salesmetrics pipeline``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import ibis
import pandas as pd

from salesmetrics import dims as gdims
from salesmetrics import fx
from salesmetrics.errors import UserError
from salesmetrics.periods import Grain, label_of
from salesmetrics.pipeline.asof import instant, probes_table, states

if TYPE_CHECKING:
    from salesmetrics.connection import Connection


def open_pipeline(
    ws: Connection,
    as_of: dt.date,
    by: Sequence[str] = (),
    grain: Grain | str = Grain.QUARTER,
    *,
    where: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The deals open at the start of ``as_of`` (workspace timezone), summed by the ``by``
    dimensions, stage and close period (of ``grain``): ``deals``, ``amount`` (base currency),
    ``weighted`` (Σ amount × probability) and ``without_amount``. One query. ``where`` keeps
    the deals whose dimension has the value given (dimension → value, e.g. a deal's region is
    its owner's), before they are summed: every column is a sum over deals, so the rows equal
    that group's rows when grouped by the dimension."""
    dims = gdims.validate(by)
    where = dict(where or {})
    for dim in gdims.validate(list(where)):
        if dim not in gdims.DEAL_DIMS:
            raise UserError(
                f"the pipeline cannot be filtered by {dim}: deals carry"
                f" {', '.join(d for d in gdims.DIMENSIONS if d in gdims.DEAL_DIMS)}"
            )
    probes = probes_table(
        pd.DataFrame({"day": [as_of], "as_of": [instant(as_of, ws.config.timezone)]})
    )
    rows = states(ws, probes, ["day"])
    rows = rows.filter(rows.status == "open")
    rows = fx.to_base(
        rows,
        ws.table("fx_rates"),
        amount="amount",
        currency="currency",
        day=ibis.coalesce(rows.close_date, rows.day),
        base_currency=ws.config.base_currency,
        out="amount_base",
    )
    needed = [*dims, *(d for d in where if d not in dims)]
    rows = gdims.with_deal_dims(rows, ws.table("reps"), ws.table("accounts"), needed)
    rows = gdims.group_filter(rows, dict(where))  # Ibis literals: no text reaches the SQL
    weighted = rows.amount_base * rows.probability.cast(fx.AMOUNT_WIDE)
    agg = rows.group_by([*gdims.keys(rows, dims), "stage", "close_date"]).aggregate(
        deals=rows.count(),
        amount=fx.money_sum(rows.amount_base),
        weighted=weighted.sum().cast("float64"),
        without_amount=rows.count(where=rows.amount.isnull()),
        **fx.missing_aggregates(rows),
    )
    frame: pd.DataFrame = ws.backend.to_pyarrow(agg).to_pandas()
    fx.raise_missing(frame, "opportunities.amount")
    fy = ws.config.calendar
    frame["close_period"] = [
        "(no close date)" if pd.isna(d) else label_of(d, grain, fiscal_start_month=fy)
        for d in frame["close_date"].tolist()
    ]
    keys = [*dims, "stage", "close_period"]
    out = (
        frame.groupby(keys, dropna=False, sort=False)[
            ["deals", "amount", "weighted", "without_amount"]
        ]
        .sum(min_count=1)
        .reset_index()
    )
    out["deals"] = out["deals"].fillna(0).astype("int64")
    out["without_amount"] = out["without_amount"].fillna(0).astype("int64")
    out["amount"] = out["amount"].fillna(0.0).round(2)
    out["weighted"] = out["weighted"].round(2)
    from salesmetrics.pipeline.funnel import stage_order

    order = {s: i for i, s in enumerate(stage_order(ws))}
    out["_stage_rank"] = out["stage"].map(lambda s: order.get(s, len(order)))
    out = out.sort_values([*dims, "_stage_rank", "close_period"], kind="stable")
    return out.drop(columns="_stage_rank").reset_index(drop=True)
