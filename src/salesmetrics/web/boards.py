"""What the role dashboards and the rep leaderboard show, laid out from the engine's answers.

A role's dashboard lists the metrics the registry says the role owns, those of the review
cadence the period is (a month: monthly, a quarter: quarterly, else annual), each with the
figures of :func:`salesmetrics.web.views.dashboard` and its change against last year. The
leaderboard is the engine's quota attainment, productivity, win rate and revenue by rep,
ranked as the review packs rank them (:func:`salesmetrics.reports.pack.rank_reps`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from salesmetrics.errors import UserError
from salesmetrics.metrics import registry as reg
from salesmetrics.reports.locale import Formats
from salesmetrics.reports.pack import LEADERBOARD, rank_reps
from salesmetrics.web.service import Service
from salesmetrics.web.views import Figure, dashboard, year_changes

#: The role dashboards' URL names.
ROLES: dict[str, reg.Role] = {
    "finance": reg.Role.FINANCE,
    "operations": reg.Role.OPERATIONS,
    "customer-success": reg.Role.CUSTOMER_SUCCESS,
    "marketing": reg.Role.MARKETING,
    "sales": reg.Role.SALES,
    "people": reg.Role.PEOPLE,
}
CADENCES = tuple(c.value for c in reg.Cadence)


@dataclass(frozen=True)
class RoleFigure:
    """A metric of a role dashboard: the dashboard figure and the change against last year."""

    figure: Figure
    year_change: str
    year_period: str


def role_of(name: str) -> reg.Role:
    """The registry role of dashboard ``name``; a UserError names the dashboards."""
    if name not in ROLES:
        raise UserError(f"no dashboard {name!r}; use {', '.join(ROLES)}")
    return ROLES[name]


def cadence_of(start: str, end: str) -> str:
    """The review cadence of the period from ``start`` to ``end`` (ISO dates, end exclusive)."""
    days = (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days
    if days <= 31:
        return reg.Cadence.MONTHLY.value
    if days <= 92:
        return reg.Cadence.QUARTERLY.value
    return reg.Cadence.ANNUAL.value


def role_metrics(role: reg.Role, cadence: str | None) -> list[str]:
    """The ids of the metrics ``role`` owns, in registry order; of one cadence's review unless
    ``cadence`` is None."""
    return [
        m.id
        for m in reg.REGISTRY.values()
        if role in m.owners and (cadence is None or reg.Cadence(cadence) in m.cadence)
    ]


def role_dashboard(
    service: Service, metrics: list[str], period: str, where: Mapping[str, str], lang: str
) -> list[RoleFigure]:
    """``metrics`` for ``period``: value, target, status, changes against the previous period
    and last year, sparkline."""
    if not metrics:
        return []
    figures = dashboard(service, period, where, lang, metrics)
    years = year_changes(service, period, where, lang, metrics)
    return [RoleFigure(f, years[f.metric].change, years[f.metric].compare_period) for f in figures]


@dataclass(frozen=True)
class Leader:
    """A rep's line of the leaderboard, formatted."""

    rank: int
    rep: str
    name: str
    values: list[tuple[str, str]]  # (metric id, formatted value)


def leaderboard(service: Service, period: str, where: Mapping[str, str], lang: str) -> list[Leader]:
    """The reps of ``period`` (within ``where``) ranked by quota attainment, with the
    leaderboard's metrics."""
    fmt = Formats(lang, service.base_currency)
    rows: list[dict[str, Any]] = service.metrics(
        LEADERBOARD, period=period, by=["rep"], where=where
    )["results"]
    ranked = rank_reps(rows)
    names = service.names("rep")
    units = {m: str(reg.get(m).unit) for m in LEADERBOARD}
    return [
        Leader(
            e["rank"],
            str(e["rep"]),
            names.get(str(e["rep"]), str(e["rep"])),
            [(m, fmt.value(e.get(m), units[m])) for m in LEADERBOARD],
        )
        for e in ranked
    ]


def leaderboard_columns(lang: str) -> list[tuple[str, str]]:
    """``(metric id, name)`` of the leaderboard's metric columns."""
    return [(m, reg.get(m).name.get(lang)) for m in LEADERBOARD]
