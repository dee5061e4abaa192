"""Signed session cookies, the server's secret, CSRF tokens."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from salesmetrics.web import sessions
from salesmetrics.web.sessions import Signer, load_secret


def test_a_session_reads_back_and_a_changed_one_does_not() -> None:
    signer = Signer("secret")
    cookie = signer.session("ana@example.com")
    assert signer.read_session(cookie) == "ana@example.com"
    assert signer.read_session(cookie[:-2] + "xx") is None
    assert Signer("another secret").read_session(cookie) is None
    assert signer.read_session(None) is None
    assert signer.read_session("garbage") is None


def test_an_expired_session_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    signer = Signer("secret")
    cookie = signer.session("ana@example.com")
    monkeypatch.setattr(sessions, "MAX_AGE", -1)
    assert signer.read_session(cookie) is None


def test_csrf_tokens_belong_to_their_cookie() -> None:
    signer = Signer("secret")
    nonce = sessions.new_nonce()
    token = signer.csrf_token(nonce)
    assert signer.csrf_ok(nonce, token)
    assert not signer.csrf_ok(sessions.new_nonce(), token)
    assert not signer.csrf_ok(nonce, None)
    assert not signer.csrf_ok(None, token)
    assert not Signer("other").csrf_ok(nonce, token)


def test_the_secret_is_made_once_and_kept_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(sessions.ENV_SECRET, raising=False)
    first = load_secret(tmp_path)
    assert load_secret(tmp_path) == first and len(first) > 40
    assert stat.S_IMODE((tmp_path / sessions.SECRET_FILE).stat().st_mode) == 0o600
    monkeypatch.setenv(sessions.ENV_SECRET, "from the environment")
    assert load_secret(tmp_path) == "from the environment"
