"""Account attributes for the recurring-revenue group dimensions.

Recurring-revenue metrics take their groups from the account (metrics.md, "Groups"): segment,
industry and region of the account, ``rep`` = the account's owner, ``team`` and ``manager`` of
that rep, ``first_plan`` = the customer's plan in its first month with MRR (the plan with the
most MRR that month, ties by plan name) and ``channel`` = its first touch
(:func:`salesmetrics.dims.first_touch`). Attach them with :func:`with_account_attributes`; they
are constant per customer, so movements summed per group stay consistent with the totals.

With materialised data (:mod:`salesmetrics.recurring.mrr`) the first plans over the months of the
data are a table of :mod:`salesmetrics.derived` (``recurring_first_plans_<source>``), kept for the
customers whose first month is in the spine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

from salesmetrics import dims
from salesmetrics.dims import ACCOUNT, ACCOUNT_OWNER, CHANNEL, REP
from salesmetrics.recurring.mrr import RecurringData, item_months, plan_months

if TYPE_CHECKING:
    from salesmetrics.connection import Connection

#: The dimension naming the rep itself (for a customer, its account's owner).
REP_ITSELF = "rep"
#: What a customer takes from its owner (the rep itself, its team and manager), not its account.
_OWNER_ATTRIBUTES: tuple[str, ...] = tuple(d for d in REP.columns if d not in ACCOUNT.dims)
#: The account-level group dimensions, as columns of :func:`account_attributes`.
ACCOUNT_ATTRIBUTES: tuple[str, ...] = (*ACCOUNT.columns, *_OWNER_ATTRIBUTES, "first_plan", CHANNEL)


def first_touch(ws: Connection, *, materialised: bool = True) -> ir.Table:
    """``(account_id, channel)``: each account's first-touch channel
    (:func:`salesmetrics.dims.first_touch`), materialised once per data version unless
    ``materialised`` is False."""

    def build() -> ir.Table:
        return dims.first_touch(ws.table("leads"), ws.table("opportunities"), ws.config.channels)

    return ws.derived.get("first_touch", build) if materialised else build()


def first_plans(data: RecurringData) -> ir.Table:
    """``(account_id, first_plan)``: each customer's plan in its first month with MRR."""
    if not data.whole:
        months = item_months(data)
        plans = months.group_by(["account_id", "plan", "month_index"]).aggregate(
            mrr=months.mrr.sum()
        )
        return _first_plans(plans).drop("first_month")
    whole = data.derived("recurring_first_plans", lambda: _first_plans(plan_months(data)))
    # the first month of a customer is the same in the spine as in the data, when in the spine
    return whole.filter(whole.first_month <= data.last_month).drop("first_month")


def _first_plans(plans: ir.Table) -> ir.Table:
    """``(account_id, first_plan, first_month)`` from the MRR per customer, plan and month."""
    totals = plans.group_by(["account_id", "month_index"]).aggregate(mrr=plans.mrr.sum())
    totals = totals.filter(totals.mrr > 0)
    first = totals.group_by("account_id").aggregate(first_month=totals.month_index.min())
    first = first.rename(f_account_id="account_id")
    candidates = plans.join(
        first,
        [plans.account_id == first.f_account_id, plans.month_index == first.first_month],
    )
    order = ibis.window(
        group_by="account_id",
        order_by=[ibis.desc(candidates.mrr), ibis.asc(candidates.plan, nulls_first=False)],
    )
    ranked = candidates.mutate(_rank=ibis.row_number().over(order))
    ranked = ranked.filter(ranked._rank == 0)
    return ranked.select("account_id", first_plan=ranked.plan, first_month=ranked.first_month)


def account_attributes(
    data: RecurringData, attributes: Sequence[str] = ACCOUNT_ATTRIBUTES
) -> ir.Table:
    """One row per account with MRR items: ``account_id`` and the ``attributes`` asked for.

    Accounts missing from ``accounts`` (or owners missing from ``reps``) get nulls. Only the
    joins the attributes need are made.
    """
    unknown = [a for a in attributes if a not in ACCOUNT_ATTRIBUTES]
    if unknown:
        raise ValueError(f"unknown account attributes {unknown}; known: {ACCOUNT_ATTRIBUTES}")
    ids = data.items.select("account_id").distinct()
    joined = ids
    values: dict[str, ir.Value] = {"account_id": ids.account_id}
    if set(attributes) - {"first_plan", CHANNEL}:
        accounts = data.ws.table(ACCOUNT.table)
        owner = accounts[ACCOUNT_OWNER]
        joined = joined.left_join(accounts, ids.account_id == accounts[ACCOUNT.key])
        values |= {d: accounts[c] for d, c in ACCOUNT.columns.items()}
        values[REP_ITSELF] = owner
        from_rep = [a for a in attributes if a in _OWNER_ATTRIBUTES and a != REP_ITSELF]
        if from_rep:
            reps = data.ws.table(REP.table)
            joined = joined.left_join(reps, owner == reps[REP.key])
            values |= {d: reps[REP.columns[d]] for d in from_rep}
    if "first_plan" in attributes:
        plans = first_plans(data).rename(p_account_id="account_id")
        joined = joined.left_join(plans, ids.account_id == plans.p_account_id)
        values["first_plan"] = plans.first_plan
    if CHANNEL in attributes:
        touch = first_touch(data.ws, materialised=data.materialised)
        touch = touch.rename(t_account_id="account_id")
        joined = joined.left_join(touch, ids.account_id == touch.t_account_id)
        values[CHANNEL] = touch.channel
    return joined.select(values["account_id"], *(values[a].name(a) for a in attributes))


def with_account_attributes(
    table: ir.Table, data: RecurringData, attributes: Sequence[str] = ACCOUNT_ATTRIBUTES
) -> ir.Table:
    """``table`` (which has ``account_id``) with the account ``attributes`` joined on."""
    clash = [a for a in attributes if a in table.columns]
    if clash:
        raise ValueError(f"the table has the columns {clash} already")
    attrs = account_attributes(data, attributes).rename(a_account_id="account_id")
    left = table.view()
    joined = left.left_join(attrs, left.account_id == attrs.a_account_id)
    return joined.select(*(left[c] for c in left.columns), *(attrs[a] for a in attributes))
