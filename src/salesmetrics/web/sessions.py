"""Signed session cookies and CSRF tokens.

The session cookie holds the user's email and a random session id, signed and timestamped
with the server's secret (itsdangerous), HttpOnly and SameSite=Lax; it is accepted for
:data:`MAX_AGE` seconds. The secret comes from ``$SALESMETRICS_SECRET_KEY`` or, made once, from
``web-secret.key`` in the workspace folder (mode 0600), so sessions survive a restart and
every worker of one workspace agrees on it.

CSRF: every browser gets a random ``sm_csrf`` cookie (HttpOnly); a form carries
:func:`csrf_token` of it, an HMAC under the secret that a page of another site can neither
read nor compute. An unsafe request (POST, PUT, PATCH, DELETE) that is not authenticated by a
bearer token must carry it, in the ``csrf_token`` field or the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

ENV_SECRET = "SALESMETRICS_SECRET_KEY"
SECRET_FILE = "web-secret.key"
SESSION_COOKIE = "sm_session"
CSRF_COOKIE = "sm_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
#: A session lasts a working day.
MAX_AGE = 12 * 3600


def load_secret(root: Path) -> str:
    """The server's signing secret: ``$SALESMETRICS_SECRET_KEY``, else ``web-secret.key`` of
    the workspace folder (created with a new random secret when missing)."""
    given = os.environ.get(ENV_SECRET)
    if given:
        return given
    path = root / SECRET_FILE
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    secret = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker made it first
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secret + "\n")
    return secret


class Signer:
    """Signs and reads session cookies and derives CSRF tokens, with one secret."""

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode("utf-8")
        self._sessions = URLSafeTimedSerializer(secret, salt="salesmetrics-session")

    def session(self, email: str) -> str:
        """A new session cookie's value for ``email``."""
        return str(self._sessions.dumps({"email": email, "id": secrets.token_urlsafe(16)}))

    def read_session(self, value: str | None) -> str | None:
        """The email of a valid, unexpired session cookie, else None."""
        if not value:
            return None
        try:
            data: Any = self._sessions.loads(value, max_age=MAX_AGE)
        except BadSignature:
            return None
        email = data.get("email") if isinstance(data, dict) else None
        return email if isinstance(email, str) else None

    def csrf_token(self, nonce: str) -> str:
        """The CSRF token of the browser whose ``sm_csrf`` cookie is ``nonce``."""
        return hmac.new(self._secret, nonce.encode("utf-8"), hashlib.sha256).hexdigest()

    def csrf_ok(self, nonce: str | None, token: str | None) -> bool:
        """True when ``token`` is the CSRF token of ``nonce``."""
        if not nonce or not token:
            return False
        return hmac.compare_digest(self.csrf_token(nonce), token)


def new_nonce() -> str:
    """A new value for the ``sm_csrf`` cookie."""
    return secrets.token_urlsafe(24)
