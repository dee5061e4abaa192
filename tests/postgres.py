"""A PostgreSQL server for tests: one fresh schema per test, dropped afterwards.

The server is ``$SALESMETRICS_TEST_POSTGRES`` (default the local one). When it cannot be
reached the tests that need it skip, except with ``CI=true``, where they fail: a CI run must
never pass by skipping its PostgreSQL tier.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest

ENV_URL = "SALESMETRICS_TEST_POSTGRES"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def server_url() -> str:
    """The test server's URL (no schema)."""
    return os.environ.get(ENV_URL) or DEFAULT_URL


def require_server() -> str:
    """The server URL, after checking it answers; skip (fail with ``CI=true``) otherwise."""
    url = server_url()
    try:
        with psycopg.connect(url, connect_timeout=5) as con:
            con.execute("SELECT 1")
    except psycopg.Error as err:
        message = f"PostgreSQL test server {url} unreachable ({ENV_URL}): {err}".strip()
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return url


def drop_schema(url: str, name: str) -> None:
    """Drop schema ``name`` and everything in it (if it exists)."""
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@contextlib.contextmanager
def fresh_schema() -> Iterator[str]:
    """A backend URL ``postgresql://...?schema=sm_test_<random>`` (a schema no one else uses,
    so parallel runs never collide), dropped on exit."""
    url = require_server()
    name = f"sm_test_{uuid.uuid4().hex[:12]}"
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}schema={name}"
    finally:
        drop_schema(url, name)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL schema's backend URL for one test's workspace (see fresh_schema)."""
    with fresh_schema() as url:
        yield url
