"""The stage funnel: stage order, stage visits, time in stage and stage-to-stage conversion.

**Stage order** (:func:`stage_order`): the ``stage_order`` setting when the configuration has
one; else the stages sorted by their median probability (history rows and deals), when every
open stage has one; else by the median position at which deals first enter them. Won stages
come last; lost stages are terminal and are not part of the funnel.

**Visits** (:func:`visits`): a deal's history rows in time order, each change of stage starting a
visit that ends at the next change of stage (rows that repeat the stage continue the visit). A
deal without history has one visit of its current stage from ``created_at``. A stage entered
again after a regression is a new visit.

**Time in stage**: mean(left_at − entered_at) in days over the visits of the stage that ended in
P (left_at in P, workspace timezone); each visit counts.

**Stage conversion** (choice: a cohort, like opportunity_conversion_rate): over the deals created
in P, for stage k: the deals that reached k (the furthest stage a deal ever reached is at or past
k; regressions are counted once) and of those the ones that reached the stage after k.

The ``stages`` family that computes the last two per period is
:mod:`salesmetrics.metrics.families.stages`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis
import ibis.expr.datatypes as idt
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from salesmetrics.periods import local_date
from salesmetrics.pipeline.asof import PER_DEAL
from salesmetrics.portable import as_int

if TYPE_CHECKING:
    from salesmetrics.connection import Connection

#: Visit durations in microseconds as exact decimals (their sums never overflow, on any backend).
MICROS_TYPE = idt.Decimal(38, 0)


def _kind(stage: str) -> str:
    low = stage.lower()
    return "won" if "won" in low else "lost" if "lost" in low else "open"


def _all_stage_rows(ws: Connection) -> ir.Table:
    """Every (deal, changed_at, stage, probability) of history, and each deal's current row
    (at created_at when it has no history)."""
    history = ws.table("opportunity_history")
    opps = ws.table("opportunities")
    hist = history.select(
        opportunity_id=history.opportunity_id,
        changed_at=history.changed_at,
        stage=history.stage,
        probability=history.probability,
    ).filter(history.stage.notnull())
    with_history = history.select(_hid=history.opportunity_id).distinct()
    bare = opps.anti_join(with_history, opps.opportunity_id == with_history._hid)
    current = bare.select(
        opportunity_id=bare.opportunity_id,
        changed_at=bare.created_at,
        stage=bare.stage,
        probability=bare.probability,
    )
    types = {
        "opportunity_id": idt.String(nullable=True),
        "changed_at": idt.Timestamp(scale=6, nullable=True),
        "stage": idt.String(nullable=True),
        "probability": idt.Float64(nullable=True),
    }
    return ibis.union(hist.cast(types), current.cast(types))


def order_table(ws: Connection) -> ir.Table:
    """The funnel's stages with ``_o_stage``, ``_o_idx`` (0-based position) and ``_o_next``
    (the next stage, null for the last); derived from the data (materialised once per data
    version) unless the configuration sets the order."""
    configured = ws.config.stage_order
    if configured:
        names = [str(x) for x in configured if _kind(str(x)) != "lost"]
        return ibis.memtable(
            pa.table(
                {
                    "_o_stage": pa.array(names, pa.string()),
                    "_o_idx": pa.array(list(range(len(names))), pa.int64()),
                    "_o_next": pa.array([*names[1:], None], pa.string()),
                }
            )
        )
    return ws.derived.get("stage_order", lambda: _derived_order(ws))


def _derived_order(ws: Connection) -> ir.Table:
    """The stage order from the data (see the module docstring)."""
    rows = _all_stage_rows(ws)
    low = rows.stage.lower()
    rows = rows.filter(~low.contains("lost"))
    first = rows.group_by(["opportunity_id", "stage"]).aggregate(first_at=rows.changed_at.min())
    ranked = first.mutate(
        pos=ibis.row_number().over(group_by=first.opportunity_id, order_by=first.first_at)
    )
    probs = rows.group_by("stage").aggregate(prob=rows.probability.median())
    pos = ranked.group_by("stage").aggregate(pos=ranked.pos.cast("float64").median())
    stats = probs.join(pos, "stage")
    won = stats.stage.lower().contains("won")
    stats = stats.mutate(won=as_int(won))
    # probabilities order the stages only when every open stage has one
    every = as_int((stats.won == 1) | stats.prob.notnull()).min().over()
    key = ibis.ifelse(every == 1, stats.prob.fill_null(0.0), ibis.literal(0.0))
    stats = stats.mutate(_key=key)
    ordered = stats.mutate(
        _o_idx=ibis.row_number().over(order_by=[stats.won, stats._key, stats.pos, stats.stage])
    )
    ordered = ordered.mutate(_o_next=ordered.stage.lead().over(order_by=ordered._o_idx))
    return ordered.select(_o_stage=ordered.stage, _o_idx=ordered._o_idx, _o_next=ordered._o_next)


def stage_order(ws: Connection) -> list[str]:
    """The funnel's stages in order (open stages, then won stages); one small query."""
    table = order_table(ws)
    frame: pd.DataFrame = ws.backend.to_pyarrow(table.order_by("_o_idx")).to_pandas()
    return [str(x) for x in frame["_o_stage"].tolist()]


def visits(ws: Connection) -> ir.Table:
    """``opportunity_id``, ``stage``, ``entered_at``, ``left_at`` (null while in it), the deal's
    ``owner_id``, ``account_id``, ``source``, ``product``, ``pipeline``, ``type`` and
    ``created_at``, and
    ``left_day`` (workspace timezone) and ``micros`` (duration) of the visits that ended:
    materialised once per data version."""
    return ws.derived.get("stage_visits", lambda: _visits(ws), grows=PER_DEAL)


def _visits(ws: Connection) -> ir.Table:
    rows = _all_stage_rows(ws)
    by_opp = ibis.window(group_by=rows.opportunity_id, order_by=[rows.changed_at])
    rows = rows.mutate(prev_stage=rows.stage.lag().over(by_opp))
    starts = rows.filter(rows.prev_stage.isnull() | (rows.prev_stage != rows.stage))
    by_opp2 = ibis.window(group_by=starts.opportunity_id, order_by=[starts.changed_at])
    v = starts.select(
        "opportunity_id",
        "stage",
        entered_at=starts.changed_at,
        left_at=starts.changed_at.lead().over(by_opp2),
    )
    opps = ws.table("opportunities")
    info = opps.select(
        _d_id=opps.opportunity_id,
        owner_id=opps.owner_id,
        account_id=opps.account_id,
        source=opps.source,
        product=opps.product,
        pipeline=opps.pipeline,
        type=opps.type,
        created_at=opps.created_at,
    )
    v = v.join(info, v.opportunity_id == info._d_id).drop("_d_id")
    tz, scheme = ws.config.timezone, ws.config.backend_scheme
    return v.mutate(
        left_day=local_date(v.left_at, tz, dialect=scheme),
        # exact microseconds on every backend (Spark's epoch seconds drop the fraction), summed
        # as exact decimals: a float sum depends on the order the backend adds in, and the
        # rounded days shown could then differ in the last digit between backends
        micros=v.left_at.delta(v.entered_at, unit="microsecond").cast(MICROS_TYPE),
    )


def furthest(ws: Connection) -> ir.Table:
    """Per deal: the position ``top`` of the furthest funnel stage it ever reached, its
    ``created_day`` (workspace timezone) and the deal fields groups read; materialised once per
    data version."""
    # per deal given the stage order: only grown or added to where that order is unchanged
    # (an intermediate it reads is never grown inside its growth; see salesmetrics.derived)
    return ws.derived.get("stage_furthest", lambda: _furthest(ws), grows=PER_DEAL)


def _furthest(ws: Connection) -> ir.Table:
    v = visits(ws)
    ordered = order_table(ws)
    vi = v.join(ordered, v.stage == ordered._o_stage)
    top = vi.group_by(
        [
            "opportunity_id",
            "created_at",
            "owner_id",
            "account_id",
            "source",
            "product",
            "pipeline",
            "type",
        ]
    ).aggregate(top=vi._o_idx.max())
    tz, scheme = ws.config.timezone, ws.config.backend_scheme
    return top.mutate(created_day=local_date(top.created_at, tz, dialect=scheme))
