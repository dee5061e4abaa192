"""What each role may see, as the engine's filters (``--where``) applied to every request.

A manager sees their team (``team=TEAM``), a rep their own numbers (``rep=REP_ID``); admins and
executives see everything. The scope is merged into the filters a request asks for: asking
for the scope's own value again is allowed, asking for another value of a scoped dimension is
refused (403), and everything else is narrowed by the scope, so no grouping or filter a user
chooses can reach past it. The engine applies the filters to every metric, its components,
targets and comparisons (:mod:`salesmetrics.metrics.filters`).
"""

from __future__ import annotations

from collections.abc import Mapping

from salesmetrics.web.users import Role, User


class ForbiddenError(Exception):
    """A request that reaches past the user's scope (answered 403)."""


def scope(user: User) -> dict[str, str]:
    """The filters every request of ``user`` carries."""
    if user.role is Role.MANAGER and user.team:
        return {"team": user.team}
    if user.role is Role.REP and user.rep:
        return {"rep": user.rep}
    return {}


def scoped(user: User, where: Mapping[str, str]) -> dict[str, str]:
    """``where`` with ``user``'s scope added; :class:`ForbiddenError` when ``where`` names another
    value of a dimension the scope fixes."""
    fixed = scope(user)
    for dim, value in where.items():
        if dim in fixed and fixed[dim] != value:
            raise ForbiddenError(
                f"{user.role.value}s see {dim}={fixed[dim]} only, not {dim}={value}"
            )
    return {**where, **fixed}
