"""Who is asking: the user of a request (session cookie or bearer token), and the CSRF check.

Pages answer a request without a valid session by sending the browser to the login page;
the API answers 401 (with ``WWW-Authenticate: Bearer``). A bearer token is an API credential:
it is accepted on API routes only, and a request carrying an invalid one is refused even if it
also has a session cookie. Both credentials are declared to the OpenAPI document
(:data:`BEARER`, :data:`SESSION`). Every route that changes something (an unsafe method)
depends on :func:`csrf_protect`; a test checks that none is missing it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from salesmetrics.web import users
from salesmetrics.web.sessions import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    Signer,
)
from salesmetrics.web.users import User

#: The API's two credentials, declared for the OpenAPI document (its ``securitySchemes`` and
#: each operation's ``security``); neither refuses a request itself: :func:`api_user` does.
BEARER = HTTPBearer(
    scheme_name="bearer",
    description="a token of `salesmetrics token create EMAIL`",
    auto_error=False,
)
SESSION = APIKeyCookie(
    name=SESSION_COOKIE,
    scheme_name="session",
    description="the signed session cookie the login page sets (a browser's API calls)",
    auto_error=False,
)


class LoginNeededError(Exception):
    """A page asked for without a session: the app redirects to the login page."""


class Accounts:
    """The users and API tokens of the workspace, read from ``users.json`` again whenever it
    changed (so a request checks its token against memory, not the file)."""

    def __init__(self, root: Path, signer: Signer) -> None:
        self.root = root
        self.signer = signer
        self._stamp: tuple[int, int, int] | None = None
        self._book = users.Book()
        self._users: dict[str, User] = {}

    def _fresh(self) -> dict[str, User]:
        try:
            stat = (self.root / users.STORE).stat()
            stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            stamp = (0, 0, 0)
        if stamp != self._stamp:
            found = users.book(self.root)
            # swapped in whole: a request in another thread sees the old or the new, never half
            self._book, self._users = found, {u.email: users.public(u) for u in found.users}
            self._stamp = stamp
        return self._users

    def by_email(self, email: str) -> User | None:
        """The user with ``email`` (lower-case), or None."""
        return self._fresh().get(email)

    def of_session(self, request: Request) -> User | None:
        """The user of the request's session cookie, or None."""
        email = self.signer.read_session(request.cookies.get(SESSION_COOKIE))
        return None if email is None else self.by_email(email)

    def of_token(self, request: Request) -> User | None:
        """The user of the request's bearer token; None without one; 401 for a bad one."""
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if not header:
            return None
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("use Authorization: Bearer TOKEN")
        self._fresh()
        user = users.token_owner(self._book, token.strip())
        if user is None:
            raise _unauthorized("unknown API token; create one with: salesmetrics token create")
        return users.public(user)


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def accounts(request: Request) -> Accounts:
    """The app's :class:`Accounts`."""
    found: Accounts = request.app.state.accounts
    return found


async def page_user(request: Request) -> User:
    """The logged-in user of a page (else :class:`LoginNeededError`). Async (no file read
    but a stat, no slow hash): it runs on the event loop, not in a thread of the pool."""
    user = accounts(request).of_session(request)
    if user is None:
        raise LoginNeededError
    request.state.user = user
    return user


async def api_user(
    request: Request,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
    _session: Annotated[str | None, Depends(SESSION)],
) -> User:
    """The user of an API call: its bearer token, else its session cookie (else 401); on the
    event loop, as :func:`page_user`. The two declared credentials only document the schemes:
    the header is read here, so that a malformed one is refused rather than ignored."""
    found = accounts(request)
    user = found.of_token(request)
    if user is not None:
        request.state.bearer = True
    else:
        user = found.of_session(request)
    if user is None:
        raise _unauthorized("log in, or send Authorization: Bearer TOKEN")
    request.state.user = user
    return user


async def csrf_protect(request: Request) -> None:
    """Refuse (403) an unsafe request of a browser without its CSRF token (field
    ``csrf_token`` or header ``X-CSRF-Token``); bearer-token calls carry no cookie to abuse."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    token = request.headers.get(CSRF_HEADER)
    if token is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            token = value if isinstance(value, str) else None
    signer: Signer = request.app.state.signer
    if not signer.csrf_ok(request.cookies.get(CSRF_COOKIE), token):
        raise HTTPException(403, detail="missing or wrong CSRF token; reload the page and retry")
