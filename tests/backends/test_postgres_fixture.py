"""The shared PostgreSQL test fixture (tests/postgres.py): an unreachable server skips the tests
that need it, except with CI=true, where it fails them."""

from __future__ import annotations

import pytest

from tests.postgres import ENV_URL, require_server

UNREACHABLE = "postgresql://postgres@127.0.0.1:9/test"


def test_an_unreachable_server_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_URL, UNREACHABLE)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="unreachable"):
        require_server()


def test_an_unreachable_server_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_URL, UNREACHABLE)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="unreachable"):
        require_server()
