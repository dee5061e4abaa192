"""Users and API tokens in ``users.json``: argon2 hashes, hashed tokens, scopes checked."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from salesmetrics.errors import UserError
from salesmetrics.web import users
from salesmetrics.web.users import Role

PASSWORD = "a long enough password"


def test_a_user_logs_in_with_their_password_only(tmp_path: Path) -> None:
    users.add_user(tmp_path, "Ana@Example.com", Role.ADMIN, PASSWORD)
    found = users.authenticate(tmp_path, "ana@example.com", PASSWORD)
    assert found is not None and found.email == "ana@example.com" and found.role is Role.ADMIN
    assert users.authenticate(tmp_path, "ana@example.com", PASSWORD + "x") is None
    assert users.authenticate(tmp_path, "bob@example.com", PASSWORD) is None


def test_the_store_keeps_an_argon2_hash_and_is_private(tmp_path: Path) -> None:
    users.add_user(tmp_path, "ana@example.com", Role.EXECUTIVE, PASSWORD)
    path = tmp_path / users.STORE
    text = path.read_text(encoding="utf-8")
    assert PASSWORD not in text
    assert json.loads(text)["users"][0]["password_hash"].startswith("$argon2id$")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_adding_the_same_email_again_replaces_the_user(tmp_path: Path) -> None:
    users.add_user(tmp_path, "ana@example.com", Role.REP, PASSWORD, rep="R-1")
    users.add_user(tmp_path, "ana@example.com", Role.MANAGER, PASSWORD + "2", team="East")
    [only] = users.users(tmp_path)
    assert (only.role, only.team, only.rep) == (Role.MANAGER, "East", None)
    assert users.authenticate(tmp_path, "ana@example.com", PASSWORD) is None


@pytest.mark.parametrize(
    ("role", "rep", "team", "message"),
    [
        (Role.MANAGER, None, None, "give --team"),
        (Role.REP, None, None, "give --rep"),
        (Role.ADMIN, None, "East", "leave out --rep and --team"),
        (Role.MANAGER, "R-1", "East", "leave out --rep"),
    ],
)
def test_a_scope_must_fit_the_role(
    tmp_path: Path, role: Role, rep: str | None, team: str | None, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        users.add_user(tmp_path, "ana@example.com", role, PASSWORD, rep=rep, team=team)


def test_bad_emails_and_short_passwords_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not an email address"):
        users.add_user(tmp_path, "ana", Role.ADMIN, PASSWORD)
    with pytest.raises(UserError, match="shorter than 10"):
        users.add_user(tmp_path, "ana@example.com", Role.ADMIN, "short")
    assert not (tmp_path / users.STORE).exists()


def test_a_token_is_stored_as_a_digest_and_names_its_user(tmp_path: Path) -> None:
    users.add_user(tmp_path, "ana@example.com", Role.ADMIN, PASSWORD)
    token = users.create_token(tmp_path, "ANA@example.com")
    assert token.startswith(users.TOKEN_PREFIX)
    assert token not in (tmp_path / users.STORE).read_text(encoding="utf-8")
    owner = users.user_of_token(tmp_path, token)
    assert owner is not None and owner.email == "ana@example.com"
    assert users.user_of_token(tmp_path, token + "x") is None
    assert users.create_token(tmp_path, "ana@example.com") != token


def test_a_token_for_an_unknown_user_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"no user .bob@example\.com."):
        users.create_token(tmp_path, "bob@example.com")


def test_a_broken_store_is_one_line(tmp_path: Path) -> None:
    (tmp_path / users.STORE).write_text("{not json", encoding="utf-8")
    with pytest.raises(UserError, match=r"users\.json: cannot be read"):
        users.users(tmp_path)
