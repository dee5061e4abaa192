"""Group dimensions (``--by``): the allowed names and where each one's value comes from.

The dimensions of the two entities facts point at are declared once, here (:data:`REP`,
:data:`ACCOUNT`), and what each kind of fact can be grouped by is derived from them. metrics.md
"Groups": deal, lead, activity and quota metrics take ``rep`` (the owner), ``team``,
``manager`` and ``region`` from the owning rep, and ``segment`` and ``industry`` from the
account; customer metrics take everything from the account (``rep`` = its owner);
``source``, ``product``, ``plan`` and ``type`` (and a deal's CRM ``pipeline``) come from the row
itself; ``first_plan`` (recurring revenue only) is the customer's plan in its first month with
MRR.

``channel`` (metrics.md "Marketing") is a cost's own ``channel`` on the spend side and a lead's
``source`` on the acquisition side, mapped by ``[channels]`` (source → channel; an unmapped
source is its own channel, :func:`channel_of`); a customer's channel is its first touch, the
source of its first lead, else of its first opportunity (:func:`first_touch`).

Inside a family query a dimension lives in the column ``dim_<name>`` (so it never collides with
a fact column of the same name) and is renamed to ``<name>`` when grouped. Only names from
:data:`DIMENSIONS` ever reach a query: user text is checked here first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from salesmetrics.errors import UserError, suggest

if TYPE_CHECKING:
    import ibis.expr.types as ir

#: Every group dimension, in the order results list them.
DIMENSIONS: tuple[str, ...] = (
    "rep",
    "team",
    "manager",
    "region",
    "segment",
    "industry",
    "source",
    "channel",
    "product",
    "pipeline",
    "plan",
    "type",
    "first_plan",
)


@dataclass(frozen=True)
class Entity:
    """Something facts point at whose attributes group them: the table it is a row of, its key,
    and the column of that table each of its dimensions reads."""

    table: str
    key: str
    columns: Mapping[str, str]

    @property
    def dims(self) -> frozenset[str]:
        """The dimensions this entity gives."""
        return frozenset(self.columns)


#: A rep: itself, its team, its manager and its region.
REP = Entity(
    "reps", "rep_id", {"rep": "rep_id", "team": "team", "manager": "manager_id", "region": "region"}
)
#: An account: its segment, industry and region; its owner (``owner_id``) is a rep.
ACCOUNT = Entity(
    "accounts",
    "account_id",
    {"segment": "segment", "industry": "industry", "region": "region"},
)
#: The owning rep's column of :data:`ACCOUNT`, through which customers get their rep dimensions.
ACCOUNT_OWNER = "owner_id"

REP_DIMS = REP.dims
#: What a rep-owned fact (a deal, a lead) takes from its account: the region is its rep's.
ACCOUNT_DIMS = ACCOUNT.dims - REP.dims
#: The marketing channel (see the module's docstring).
CHANNEL = "channel"
#: A customer takes everything from its account, and rep, team and manager from its owner; its
#: channel is its first touch.
CUSTOMER_DIMS = ACCOUNT.dims | REP.dims | {CHANNEL}
#: What a deal (an opportunity) is grouped by from its own columns.
DEAL_OWN_DIMS = frozenset({"source", "product", "pipeline", "type"})
#: A deal: its owner's and its account's dimensions, and its own.
DEAL_DIMS = REP.dims | ACCOUNT.dims | DEAL_OWN_DIMS
#: A lead: its owner's and its account's dimensions (else its own segment), and its source.
LEAD_DIMS = REP.dims | ACCOUNT.dims | {"source", CHANNEL}
#: A cost: its channel only.
COST_DIMS = frozenset({CHANNEL})
#: An activity: its rep's dimensions and its type.
ACTIVITY_DIMS = REP.dims | {"type"}
#: Recurring revenue: a customer's dimensions, and the plan (its first plan, per customer).
RECURRING_DIMS = CUSTOMER_DIMS | {"plan", "first_plan"}


def validate(by: Iterable[str] | str | None) -> tuple[str, ...]:
    """The dimensions named, each once, in the order given; unknown names are a UserError."""
    if by is None:
        return ()
    if isinstance(by, str):
        by = [by]
    out: list[str] = []
    for raw in by:
        name = raw.strip().lower()
        if name not in DIMENSIONS:
            raise UserError(
                f"unknown group dimension {raw!r}{suggest(name, DIMENSIONS)};"
                f" use {', '.join(DIMENSIONS)}"
            )
        if name not in out:
            out.append(name)
    return tuple(out)


def col(name: str) -> str:
    """The column holding dimension ``name`` inside a family query."""
    return f"dim_{name}"


def keys(table: ir.Table, dims: Sequence[str]) -> list[ir.Value]:
    """The group-by keys for ``dims``, named by the dimension."""
    return [table[col(d)].name(d) for d in dims]


def with_rep_dims(
    table: ir.Table, reps: ir.Table, rep_id: ir.StringValue, dims: Sequence[str]
) -> ir.Table:
    """``table`` with ``dim_rep``/``dim_team``/``dim_manager``/``dim_region`` from the rep
    ``rep_id`` (an expression over ``table``), for those of them in ``dims``."""
    wanted = [d for d in dims if d in REP_DIMS]
    if not wanted:
        return table
    table = table.mutate(_dim_rep_id=rep_id)
    if "rep" in wanted:
        table = table.mutate(dim_rep=table._dim_rep_id)
    needed = {col(d): reps[REP.columns[d]] for d in wanted if d != "rep"}
    if needed:
        right = reps.select(_dim_rep_key=reps[REP.key], **needed)
        table = table.left_join(right, table._dim_rep_id == right._dim_rep_key).drop("_dim_rep_key")
    return table.drop("_dim_rep_id")


def with_account_dims(
    table: ir.Table,
    accounts: ir.Table,
    account_id: ir.StringValue,
    dims: Sequence[str],
    *,
    fallback: dict[str, ir.Value] | None = None,
) -> ir.Table:
    """``table`` with ``dim_segment``/``dim_industry`` from the account ``account_id``.

    ``fallback`` gives a value (an expression over ``table``) used when the account has none,
    e.g. a lead's own segment.
    """
    wanted = [d for d in dims if d in ACCOUNT_DIMS]
    if not wanted:
        return table
    fallback = fallback or {}
    table = table.mutate(
        _dim_account_id=account_id,
        **{f"_dim_fb_{d}": fallback[d] for d in wanted if d in fallback},
    )
    right = accounts.select(
        _dim_account_key=accounts[ACCOUNT.key],
        **{f"_dim_acc_{d}": accounts[ACCOUNT.columns[d]] for d in wanted},
    )
    joined = table.left_join(right, table._dim_account_id == right._dim_account_key)
    values = {}
    for d in wanted:
        value = joined[f"_dim_acc_{d}"]
        if d in fallback:
            value = value.fill_null(joined[f"_dim_fb_{d}"])
        values[col(d)] = value
    drop = ["_dim_account_id", "_dim_account_key", *(f"_dim_acc_{d}" for d in wanted)]
    drop += [f"_dim_fb_{d}" for d in wanted if d in fallback]
    return joined.mutate(**values).drop(*drop)


def with_deal_dims(
    table: ir.Table, reps: ir.Table, accounts: ir.Table, dims: Sequence[str]
) -> ir.Table:
    """``table`` (opportunity rows: ``owner_id``, ``account_id`` and the deal's own columns) with
    the ``dim_*`` columns of ``dims``: its owner's, its account's and its own
    (:data:`DEAL_DIMS`)."""
    table = with_rep_dims(table, reps, table.owner_id, dims)
    table = with_account_dims(table, accounts, table.account_id, dims)
    own = {col(d): table[d] for d in dims if d in DEAL_OWN_DIMS}
    return table.mutate(**own) if own else table


def group_filter(table: ir.Table, group: dict[str, object]) -> ir.Table:
    """Rows of ``table`` (with ``dim_*`` columns) in ``group``; a None value matches nulls."""
    for name, value in group.items():
        column = table[col(name)]
        table = table.filter(column.isnull() if value is None else column == value)
    return table


def channel_of(source: ir.StringValue, channels: Mapping[str, str]) -> ir.StringValue:
    """The channel of a lead's or opportunity's ``source``: its ``[channels]`` mapping, else the
    source itself (null stays null). The names are Ibis literals, never pasted into SQL."""
    if not channels:
        return source
    return source.substitute(dict(channels))


def first_touch(leads: ir.Table, opportunities: ir.Table, channels: Mapping[str, str]) -> ir.Table:
    """``(account_id, channel)``: each account's first touch (metrics.md "Marketing"). The
    source of its first lead with a source, by ``created_at`` then id (a lead belongs to the
    account it names, to the account of the opportunity it converted into and to that of an
    opportunity naming it); an account without such a lead takes the source of its first
    opportunity with one. Mapped by ``channels`` (:func:`channel_of`)."""
    import ibis

    sourced = leads.filter(leads.source.notnull() & (leads.source.strip() != ""))
    opps = opportunities.select(_o_id="opportunity_id", _o_account="account_id", _o_lead="lead_id")
    by_own_opp = sourced.join(opps, sourced.opportunity_id == opps._o_id)
    naming = sourced.join(opps, sourced.lead_id == opps._o_lead)
    pairs = ibis.union(
        _pair(sourced, sourced.account_id),
        _pair(by_own_opp, by_own_opp._o_account),
        _pair(naming, naming._o_account),
    )
    pairs = pairs.filter(pairs._account.notnull()).distinct()
    lead_first = _first_of(pairs, "_account", "lead_id").rename(_l_account="_account")
    deals = opportunities.filter(
        opportunities.account_id.notnull()
        & opportunities.source.notnull()
        & (opportunities.source.strip() != "")
    ).select("opportunity_id", "created_at", "source", _account=opportunities.account_id)
    deal_first = _first_of(deals, "_account", "opportunity_id").rename(_d_account="_account")
    both = lead_first.outer_join(deal_first, lead_first._l_account == deal_first._d_account)
    source = both.source.fill_null(both.source_right)
    return both.select(
        account_id=both._l_account.fill_null(both._d_account),
        channel=channel_of(source, channels),
    )


def _pair(rows: ir.Table, account: ir.StringValue) -> ir.Table:
    """``(lead_id, created_at, source, _account)`` of lead rows, typed alike for a union (key
    columns are NOT NULL in one table and nullable in another)."""
    return rows.select(
        lead_id=rows.lead_id.cast("string"),
        created_at=rows.created_at.cast("timestamp"),
        source=rows.source.cast("string"),
        _account=account.cast("string"),
    )


def _first_of(rows: ir.Table, group: str, key: str) -> ir.Table:
    """``(group, source)`` of the earliest row per ``group`` by ``created_at`` (nulls last),
    then ``key``."""
    import ibis

    order = ibis.window(
        group_by=rows[group],
        order_by=[ibis.asc(rows.created_at, nulls_first=False), ibis.asc(rows[key])],
    )
    ranked = rows.mutate(_rank=ibis.row_number().over(order))
    ranked = ranked.filter(ranked._rank == 0)
    return ranked.select(group, "source")
