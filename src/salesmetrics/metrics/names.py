"""People's names for the ids that group results and drill rows: reps and accounts.

Results and exports keep ids (stable, unique); a view shows names where the data has them
(``--by rep`` lists "Ayu Lestari", not "R-00010"). One query per kind of id reads the names
from the ``reps`` or ``accounts`` table; an id without a name (or absent) keeps its id, and a
name two ids share is followed by the id so the rows stay told apart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from typing import TYPE_CHECKING

from salesmetrics.errors import UserError

if TYPE_CHECKING:
    from salesmetrics.connection import Connection

#: Each kind of id that has a name: its table and key column.
NAMED: dict[str, tuple[str, str]] = {
    "rep": ("reps", "rep_id"),
    "account": ("accounts", "account_id"),
}
#: Group dimensions whose values are ids of a named kind (a manager is a rep id, or a name).
DIMENSION_KIND: dict[str, str] = {"rep": "rep", "manager": "rep"}
#: Drill-down columns whose values are ids of a named kind.
COLUMN_KIND: dict[str, str] = {
    "rep_id": "rep",
    "owner_id": "rep",
    "account_id": "account",
    "scope_id": "rep",
}


def names(ws: Connection, kind: str, ids: Collection[str] | None = None) -> dict[str, str]:
    """``{id: name}`` for the ``kind`` (``rep`` or ``account``) ids ``ids`` (every one when
    None) that have a non-blank name; a name shared by two ids is shown as ``name (id)``."""
    if kind not in NAMED:
        raise UserError(f"no names for {kind!r}; use {' or '.join(NAMED)}")
    table_name, key = NAMED[kind]
    table = ws.table(table_name)
    wanted = table.filter(table["name"].notnull() & (table["name"].strip() != ""))
    if ids is not None:
        listed = sorted({str(i) for i in ids if i is not None})
        if not listed:
            return {}
        wanted = wanted.filter(wanted[key].isin(listed))
    found = ws.backend.to_pyarrow(
        wanted.select(key=wanted[key], name=wanted["name"].strip()).distinct()
    )
    pairs = dict(zip(found["key"].to_pylist(), found["name"].to_pylist(), strict=True))
    shared = Counter(pairs.values())
    return {k: (f"{n} ({k})" if shared[n] > 1 else n) for k, n in pairs.items()}
