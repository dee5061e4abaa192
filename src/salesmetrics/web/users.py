"""The web app's users and API tokens, stored in the workspace folder.

``users.json`` beside ``salesmetrics.toml`` holds each user's email, role, scope (the rep or the
team a rep or manager sees) and argon2 password hash, and the API tokens by their SHA-256
digest (a token is 32 random bytes, so a fast digest is enough; the token itself is shown once,
when created, and never stored). Like ``deliveries.json`` it is a setting of the folder, the
same on every backend, rewritten whole and atomically (temporary file, fsync, rename, mode
0600) under the exclusive lock of ``users.lock``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from salesmetrics.backends.filelock import exclusive
from salesmetrics.backends.jsonfile import write_json
from salesmetrics.errors import UserError

STORE = "users.json"
LOCK = "users.lock"
#: What every token starts with, so a leaked one is recognisable (and greppable) as ours.
TOKEN_PREFIX = "smt_"
MIN_PASSWORD = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HASHER = PasswordHasher()
#: A hash verified when the email is unknown, so a login takes as long either way.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


class Role(StrEnum):
    """What a user may see: admin and executive everything, a manager their team, a rep their
    own numbers."""

    ADMIN = "admin"
    EXECUTIVE = "executive"
    MANAGER = "manager"
    REP = "rep"


@dataclass(frozen=True)
class User:
    """One user of the web app (the password hash stays inside this module's store)."""

    email: str
    role: Role
    rep: str | None = None
    team: str | None = None
    password_hash: str = field(default="", repr=False)
    created: str = ""


@dataclass(frozen=True)
class Token:
    """An API token: its digest, owner and creation time."""

    digest: str
    email: str
    created: str


@dataclass
class Book:
    """Everything ``users.json`` holds."""

    users: list[User] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)


def check_email(email: str) -> str:
    """``email`` trimmed and lower-cased, or a UserError when it is not an address."""
    cleaned = email.strip().lower()
    if not _EMAIL.match(cleaned):
        raise UserError(f"{email!r} is not an email address; give one like name@example.com")
    return cleaned


def check_scope(role: Role, rep: str | None, team: str | None) -> None:
    """A manager needs ``--team`` and a rep ``--rep``; admins and executives take neither."""
    if role is Role.MANAGER and not team:
        raise UserError("a manager sees their own team: give --team TEAM")
    if role is Role.REP and not rep:
        raise UserError("a rep sees their own numbers: give --rep REP_ID")
    if role in (Role.ADMIN, Role.EXECUTIVE) and (rep or team):
        raise UserError(f"an {role.value} sees everything: leave out --rep and --team")
    if role is Role.MANAGER and rep:
        raise UserError("a manager is scoped by --team only: leave out --rep")


def _read(root: Path) -> Book:
    path = root / STORE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Book()
    except (OSError, ValueError) as error:
        raise UserError(f"{path}: cannot be read ({error}); restore it or remove it") from None
    try:
        users = [User(**{**u, "role": Role(u["role"])}) for u in data.get("users", [])]
        tokens = [Token(**t) for t in data.get("tokens", [])]
    except (TypeError, KeyError, ValueError) as error:
        raise UserError(f"{path}: not a users file ({error}); restore it or remove it") from None
    return Book(users, tokens)


def _write(root: Path, book: Book) -> None:
    data = {"users": [asdict(u) for u in book.users], "tokens": [asdict(t) for t in book.tokens]}
    write_json(root / STORE, data, private=True)  # password hashes and token digests


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def users(root: Path) -> list[User]:
    """Every stored user."""
    return _read(root).users


def find(root: Path, email: str) -> User | None:
    """The user with ``email`` (any case), or None."""
    wanted = email.strip().lower()
    return next((u for u in _read(root).users if u.email == wanted), None)


def add_user(
    root: Path,
    email: str,
    role: Role,
    password: str,
    *,
    rep: str | None = None,
    team: str | None = None,
) -> User:
    """Add a user, or replace the one with the same email (its role, scope and password); the
    password must be at least :data:`MIN_PASSWORD` characters."""
    email = check_email(email)
    check_scope(role, rep, team)
    if len(password) < MIN_PASSWORD:
        raise UserError(
            f"the password is shorter than {MIN_PASSWORD} characters; give a longer one"
        )
    user = User(email, role, rep, team, _HASHER.hash(password), _now())
    with exclusive(root / LOCK):
        book = _read(root)
        book.users = [u for u in book.users if u.email != email] + [user]
        _write(root, book)
    return user


def authenticate(root: Path, email: str, password: str) -> User | None:
    """The user whose email and password these are, or None (a wrong email costs as long as a
    wrong password: a hash is verified either way)."""
    user = find(root, email)
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(root: Path, email: str) -> str:
    """A new API token for the user ``email`` (shown once: only its digest is stored)."""
    user = find(root, email)
    if user is None:
        raise UserError(f"no user {email!r}; add one with: salesmetrics user add EMAIL --role ROLE")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with exclusive(root / LOCK):
        book = _read(root)
        book.tokens.append(Token(_digest(token), user.email, _now()))
        _write(root, book)
    return token


def book(root: Path) -> Book:
    """Everything ``users.json`` holds (password hashes too: it stays in the server)."""
    return _read(root)


def user_of_token(root: Path, token: str) -> User | None:
    """The user an API token was created for, or None for an unknown token."""
    return token_owner(_read(root), token)


def token_owner(found: Book, token: str) -> User | None:
    """The user of ``found`` an API token was created for, or None for an unknown token."""
    digest = _digest(token)
    owner = next((t.email for t in found.tokens if hmac.compare_digest(t.digest, digest)), None)
    return next((u for u in found.users if u.email == owner), None)


def public(user: User) -> User:
    """``user`` without its password hash (what a request carries around)."""
    return replace(user, password_hash="")
