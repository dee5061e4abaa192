"""What people entered by hand, read back: the roster of reps (for the forms' choices and
scopes) and the forecasts managers, reps and executives submitted, level by level.

A submitted forecast is a row of ``forecasts`` with ``method = manager`` (data-model.md): the
company's (``scope = company``), a team's (``scope = team``, ``scope_id`` the team) or a rep's
(``scope = rep``, ``scope_id`` the rep id). The roll-up shows, per level and category, the latest
submission for the period, and beside each team the sum of its reps' latest submissions (and
beside the company the sum of the teams'), so a manager's call can be read against their reps'.
Read through Ibis: one query per call, on every backend.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from salesmetrics.connection import Connection

#: The categories a person submits, in the order the roll-up shows them.
CATEGORIES = ("commit", "most_likely", "best_case")
SUBMITTED_METHOD = "manager"


@dataclass(frozen=True)
class Member:
    """A rep of the roster: id, name and team (either may be empty)."""

    rep_id: str
    name: str | None
    team: str | None


def roster(ws: Connection) -> list[Member]:
    """Every rep, by team then id."""
    reps = ws.table("reps")
    rows = ws.backend.to_pyarrow(
        reps.select("rep_id", "name", "team").order_by(["team", "rep_id"])
    ).to_pylist()
    return [Member(str(r["rep_id"]), r["name"], r["team"]) for r in rows]


@dataclass(frozen=True)
class Submission:
    """The latest forecast one level submitted for a period in one category."""

    scope: str
    scope_id: str | None
    category: str
    amount: Decimal
    submitted_at: dt.datetime


@dataclass
class Level:
    """One node of the roll-up: the company, a team or a rep; what it submitted per category,
    and the sum of what the level below submitted (teams under the company, reps under a team)."""

    scope: str
    scope_id: str | None
    submitted: dict[str, Submission] = field(default_factory=dict)
    below: dict[str, Decimal] = field(default_factory=dict)
    children: list[Level] = field(default_factory=list)


def submitted(ws: Connection, period: str) -> list[Submission]:
    """The latest submission of each (scope, scope_id, category) for the period labelled
    ``period`` (the label :mod:`salesmetrics.periods` gives, e.g. ``2025-Q3``)."""
    import ibis

    f = ws.table("forecasts")
    mine = f.filter((f.method == SUBMITTED_METHOD) & (f.period == period))
    category = mine.category.fill_null("most_likely")
    mine = mine.mutate(category=category)
    latest = mine.mutate(
        rank=ibis.row_number().over(
            group_by=[mine.scope, mine.scope_id, mine.category],
            order_by=[mine.submitted_at.desc(), mine.forecast_id.desc()],
        )
    )
    rows: list[dict[str, Any]] = ws.backend.to_pyarrow(
        latest.filter(latest["rank"] == 0).select(
            "scope", "scope_id", "category", "amount", "submitted_at"
        )
    ).to_pylist()
    return [
        Submission(
            str(r["scope"]),
            r["scope_id"],
            str(r["category"]),
            Decimal(r["amount"]),
            r["submitted_at"],
        )
        for r in rows
    ]


def rollup(
    submissions: list[Submission], members: list[Member], teams: list[str] | None = None
) -> Level:
    """The company's level with its teams and their reps (``teams``: only these teams, for a
    manager; every team with a rep or a submission otherwise)."""
    by_key = {(s.scope, s.scope_id or None, s.category): s for s in submissions}

    def level(scope: str, scope_id: str | None) -> Level:
        found = Level(scope, scope_id)
        for category in CATEGORIES:
            s = by_key.get((scope, scope_id, category))
            if s is not None:
                found.submitted[category] = s
        return found

    def add_below(parent: Level) -> None:
        for category in CATEGORIES:
            values = [
                c.submitted[category].amount for c in parent.children if category in c.submitted
            ]
            if values:
                parent.below[category] = sum(values, Decimal(0))

    names = sorted(
        {m.team for m in members if m.team}
        | {s.scope_id for s in submissions if s.scope == "team" and s.scope_id}
    )
    if teams is not None:
        names = [t for t in names if t in teams]
    company = level("company", None)
    for team in names:
        node = level("team", team)
        node.children = [level("rep", m.rep_id) for m in members if m.team == team]
        add_below(node)
        company.children.append(node)
    add_below(company)
    return company
