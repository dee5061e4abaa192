"""Each role's scope, as filters merged into every request."""

from __future__ import annotations

import pytest

from salesmetrics.web.access import ForbiddenError, scope, scoped
from salesmetrics.web.users import Role, User


def test_admins_and_executives_see_everything() -> None:
    for role in (Role.ADMIN, Role.EXECUTIVE):
        user = User("a@example.com", role)
        assert scope(user) == {}
        assert scoped(user, {"region": "EMEA"}) == {"region": "EMEA"}


def test_a_manager_is_narrowed_to_their_team() -> None:
    user = User("m@example.com", Role.MANAGER, team="East")
    assert scoped(user, {}) == {"team": "East"}
    assert scoped(user, {"region": "EMEA", "team": "East"}) == {"region": "EMEA", "team": "East"}
    with pytest.raises(ForbiddenError, match="managers see team=East only, not team=West"):
        scoped(user, {"team": "West"})


def test_a_rep_is_narrowed_to_their_own_numbers() -> None:
    user = User("r@example.com", Role.REP, rep="R-1")
    assert scoped(user, {"segment": "SMB"}) == {"segment": "SMB", "rep": "R-1"}
    with pytest.raises(ForbiddenError, match="reps see rep=R-1 only"):
        scoped(user, {"rep": "R-2"})
