"""The web app on a copy of the small demo, with a user of every role, shared by the web tests.

The app (one :class:`~salesmetrics.web.service.Service`, i.e. one open workspace) is built once
per session: its first dashboard starts the engine, which the later tests then share. Tests
that log in take a client of their own (:func:`login`), so cookies never leak between them; a
module whose tests only read may share one per role (tests/web/test_fuzz_pages.py). The users'
passwords are hashed at argon2's lowest cost (:func:`cheap_password_hashes`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from salesmetrics.web import users
from salesmetrics.web.app import create_app
from salesmetrics.web.users import Role
from tests.demos import DemoBuild, copy_demo

PASSWORD = "correct horse battery staple"

#: argon2id at its lowest cost for the tests' users. The product's default (64 MiB, 3 passes,
#: users._HASHER) costs 0.1 s per login on a quiet machine and about 1 s under load, and the web
#: tests log in about a hundred times; what they check is who gets in, not the hash's cost
#: (tests/web/test_users.py checks the stored hash is argon2id). The product is unchanged.
_TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes() -> Iterator[None]:
    """Users added and logged in with :data:`_TEST_HASHER` (an unknown email too)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "_HASHER", _TEST_HASHER)
        patch.setattr(users, "_DUMMY_HASH", _TEST_HASHER.hash("not a password of anyone"))
        yield


@dataclass(frozen=True)
class Site:
    """The served demo: its folder, app, a team and a rep of it, and one email per role."""

    root: Path
    app: FastAPI
    team: str
    other_team: str
    rep: str
    other_rep: str
    members: tuple[str, ...]
    year: int

    def email(self, role: str) -> str:
        """The email of the demo user of ``role``."""
        return f"{role}@example.com"


def build_site(demo_build: DemoBuild, folder: Path, *, prepare: bool = False) -> Site:
    """The small demo copied to ``folder``, with users admin, executive, manager (a team) and
    rep, and its app (not started; ``prepare`` as :func:`create_app`'s)."""
    ws = copy_demo(demo_build, folder)
    reps = ws.backend.table("reps").to_pandas()
    # two teams with at least two reps each, and a rep with deals in the first and one not
    teams = reps.dropna(subset=["team"]).groupby("team")["rep_id"].count()
    team, other_team = list(teams[teams >= 2].index[:2])
    members = reps[reps["team"] == team]["rep_id"].tolist()
    owners = ws.backend.table("opportunities")["owner_id"].to_pandas().value_counts()
    rep = next(r for r in owners.index if r in members)  # a seller of the team, with deals
    other_rep = next(r for r in owners.index if r not in members)
    root = ws.root
    ws.close()
    users.add_user(root, "admin@example.com", Role.ADMIN, PASSWORD)
    users.add_user(root, "executive@example.com", Role.EXECUTIVE, PASSWORD)
    users.add_user(root, "manager@example.com", Role.MANAGER, PASSWORD, team=team)
    users.add_user(root, "rep@example.com", Role.REP, PASSWORD, rep=rep)
    app = create_app(root, prepare=prepare)
    app.state.warm_imports = False  # no warm process competing with the tests (one test warms)
    return Site(root, app, team, other_team, rep, other_rep, tuple(members), demo_build.year)


def _serve(demo_build: DemoBuild, folder: Path) -> Iterator[Site]:
    """:func:`build_site`'s site, served in-process (the lifespan runs around the tests)."""
    site = build_site(demo_build, folder)
    with TestClient(site.app):  # runs the lifespan: the workspace is closed at the end
        yield site


@pytest.fixture(scope="session")
def site(demo_build: DemoBuild, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The small demo served, with users admin, executive, manager (a team) and rep; tests
    that only read share it."""
    yield from _serve(demo_build, tmp_path_factory.mktemp("web") / "ws")


@pytest.fixture(scope="module")
def entry_site(demo_build: DemoBuild, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A served copy of its own for a module of tests that write (imports, forms, surveys)."""
    yield from _serve(demo_build, tmp_path_factory.mktemp("entry") / "ws")


def csrf_of(page: str) -> str:
    """The CSRF token a rendered page carries in its forms."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no CSRF token"
    return found.group(1)


def login(site: Site, role: str) -> TestClient:
    """A client of its own, logged in as the demo user of ``role``."""
    client = TestClient(site.app)
    token = csrf_of(client.get("/login").text)
    answer = client.post(
        "/login",
        data={"email": site.email(role), "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return client
