"""Leads: the cohort of leads created in each period, and the leads qualified in it.

Components, per (period, group):

* cohort by creation date — ``leads_created``, ``leads_converted`` (converted up to today: a
  conversion date, an opportunity — its own ``opportunity_id`` or an opportunity naming the lead
  — or the status ``converted``), ``leads_won`` (an opportunity of the lead was won);
* by qualification date — ``qualified_leads`` (see :func:`qualification`).

Group dimensions: rep/team/manager/region from the owner, segment (the account's, else the
lead's own) and industry from the account, source from the lead, channel = its source mapped by
``[channels]`` (:func:`salesmetrics.dims.channel_of`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

from salesmetrics import dims as gdims
from salesmetrics.errors import UserError
from salesmetrics.incremental import PerUnit
from salesmetrics.metrics.families import Family, in_period, regroup
from salesmetrics.portable import as_int

if TYPE_CHECKING:
    from salesmetrics.metrics.context import Context

DIMS = gdims.LEAD_DIMS
COMPONENTS = ("leads_created", "leads_converted", "leads_won", "qualified_leads")
ROW_FIELDS = (
    "lead_id",
    "created_at",
    "source",
    "owner_id",
    "account_id",
    "status",
    "score",
    "qualified_at",
    "converted_at",
    "opportunity_id",
)
_RULE = re.compile(r"\s*score\s*(>=|>|<=|<|==|=)\s*(-?\d+(?:\.\d+)?)\s*")


def qualification(ctx: Context, leads: ir.Table) -> tuple[ir.BooleanValue, ir.DateValue]:
    """Whether each lead is qualified, and the date it counts on.

    ``lead_qualification = "qualified_at"`` (default): qualified when ``qualified_at`` is set,
    on that date. A score rule such as ``"score >= 50"``: qualified when the score meets it, on
    ``qualified_at`` if set, else on the creation date. Rules are parsed here, never pasted into
    SQL.
    """
    rule = ctx.config.lead_qualification.strip()
    qualified_day = ctx.local_date(leads.qualified_at)
    if rule == "qualified_at":
        return leads.qualified_at.notnull(), qualified_day
    match = _RULE.fullmatch(rule)
    if match is None:
        raise UserError(
            f"salesmetrics.toml: key 'lead_qualification' = {rule!r}: use 'qualified_at' or a"
            " score rule such as 'score >= 50'"
        )
    op, number = match[1], float(match[2])
    score = leads.score
    tests = {
        ">=": score >= number,
        ">": score > number,
        "<=": score <= number,
        "<": score < number,
        "==": score == number,
        "=": score == number,
    }
    day = qualified_day.fill_null(ctx.local_date(leads.created_at))
    return tests[op].fill_null(False), day


def deal_outcomes(ctx: Context) -> ir.Table:
    """What the opportunities say of each lead linked to one: ``lead_id``, ``named`` (1 when
    an opportunity names the lead) and ``won`` (1 when an opportunity naming it, or the one it
    names, was won, else 0); one row per such lead. The leads family reads the opportunities
    through this table only (see ``FAMILY``'s ``through``)."""
    leads = ctx.table("leads")
    opps = ctx.table("opportunities")
    by_lead = opps.filter(opps.lead_id.notnull())
    by_lead = by_lead.group_by(lead_id=by_lead.lead_id).aggregate(
        named=ibis.literal(1), won=as_int(by_lead.status == "won").max()
    )
    # the opportunity's status, not the lead's (both tables have ``status`` and ``lead_id``)
    status = opps.select(_s_id=opps.opportunity_id, _s_won=as_int(opps.status == "won"))
    own = leads.select("lead_id", "opportunity_id").filter(leads.opportunity_id.notnull())
    own = own.join(status, own.opportunity_id == status._s_id)
    own = own.select(lead_id=own.lead_id, named=ibis.literal(0), won=own._s_won)
    both = ibis.union(by_lead, own, distinct=False)
    return both.group_by("lead_id").aggregate(named=both.named.max(), won=both.won.max())


def _lead_rows(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """Every lead with ``created_day``, ``converted``, ``won``, ``qualified``, ``qualified_day``
    and the ``dim_*`` columns."""
    leads = ctx.table("leads")
    outcomes = deal_outcomes(ctx).rename(_o_lead="lead_id", _o_named="named", _o_won="won")
    rows = leads.select(*ROW_FIELDS, _segment=leads.segment)
    rows = rows.left_join(outcomes, rows.lead_id == outcomes._o_lead)
    converted = (
        rows.converted_at.notnull()
        | rows.opportunity_id.notnull()
        | (rows.status == "converted").fill_null(False)
        | (rows._o_named.fill_null(0) > 0)
    )
    won = rows._o_won.fill_null(0) > 0
    qualified, qualified_day = qualification(ctx, rows)
    rows = rows.mutate(
        created_day=ctx.local_date(rows.created_at),
        converted=converted,
        won=won,
        qualified=qualified,
        qualified_day=qualified_day,
    ).drop("_o_lead", "_o_named", "_o_won")
    rows = gdims.with_rep_dims(rows, ctx.table("reps"), rows.owner_id, dims)
    rows = gdims.with_account_dims(
        rows, ctx.table("accounts"), rows.account_id, dims, fallback={"segment": rows._segment}
    )
    if "source" in dims:
        rows = rows.mutate(dim_source=rows.source)
    if gdims.CHANNEL in dims:
        rows = rows.mutate(dim_channel=gdims.channel_of(rows.source, ctx.config.channels))
    return rows.drop("_segment")


def created_rows(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """Leads created in each period (one row per period and lead)."""
    rows = _lead_rows(ctx, dims)
    rows = rows.filter(rows.created_day >= ctx.first_day, rows.created_day < ctx.end_day)
    return in_period(ctx.spine, rows, rows.created_day)


def qualified_rows(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """Leads qualified in each period."""
    rows = _lead_rows(ctx, dims)
    rows = rows.filter(
        rows.qualified, rows.qualified_day >= ctx.first_day, rows.qualified_day < ctx.end_day
    )
    return in_period(ctx.spine, rows, rows.qualified_day)


def build(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """Components of the lead cohort and of qualified leads."""
    created = created_rows(ctx, dims)
    cohort = created.group_by([created.period, *gdims.keys(created, dims)]).aggregate(
        leads_created=created.count(),
        leads_converted=created.count(where=created.converted),
        leads_won=created.count(where=created.won),
    )
    qualified = qualified_rows(ctx, dims)
    qual = qualified.group_by([qualified.period, *gdims.keys(qualified, dims)]).aggregate(
        qualified_leads=qualified.count()
    )
    return regroup(["period", *dims], [cohort, qual], COMPONENTS)


def _drill(rows: ir.Table, extra: Sequence[str]) -> ir.Table:
    dim_cols = [c for c in rows.columns if c.startswith("dim_")]
    return rows.select("period", *ROW_FIELDS, *extra, *dim_cols)


def drill_created(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """The leads created in the period, with ``converted`` and ``won``."""
    return _drill(created_rows(ctx, dims), ("converted", "won"))


def drill_qualified(ctx: Context, dims: Sequence[str]) -> ir.Table:
    """The leads qualified in the period."""
    return _drill(qualified_rows(ctx, dims), ("qualified_day",))


FAMILY = Family(
    name="leads",
    tables=("leads", "opportunities", "reps", "accounts"),
    dims_supported=DIMS,
    components=COMPONENTS,
    build=build,
    drills={"created": drill_created, "qualified": drill_qualified},
    additive=True,
    grows=PerUnit("lead_id", ("leads",)),
    through=(("opportunities",), deal_outcomes),
)
