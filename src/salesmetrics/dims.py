"""Group dimensions (``--by``): the allowed names and where each one's value comes from.

The dimensions of the two entities facts point at are declared once, here (:data:`REP`,
:data:`ACCOUNT`), and what each kind of fact can be grouped by is derived from them. metrics.md
"Groups": deal, lead, activity and quota metrics take ``rep`` (the owner), ``team``,
``manager`` and ``region`` from the owning rep, and ``segment`` and ``industry`` from the
account; customer metrics take everything from the account (``rep`` = its owner);
``source``, ``product``, ``plan`` and ``type`` come from the row itself; ``first_plan`` (recurring
revenue only) is the customer's plan in its first month with MRR.

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
    "product",
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
#: A customer takes everything from its account, and rep, team and manager from its owner.
CUSTOMER_DIMS = ACCOUNT.dims | REP.dims
#: What a deal (an opportunity) is grouped by from its own columns.
DEAL_OWN_DIMS = frozenset({"source", "product", "type"})
#: A deal: its owner's and its account's dimensions, and its own.
DEAL_DIMS = REP.dims | ACCOUNT.dims | DEAL_OWN_DIMS
#: A lead: its owner's and its account's dimensions (else its own segment), and its source.
LEAD_DIMS = REP.dims | ACCOUNT.dims | {"source"}
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
