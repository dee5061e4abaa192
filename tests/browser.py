"""The browser tier's browser: Debian's Chromium driven by Playwright, kept off the internet.

Playwright's own browser download cannot reach its servers here, so the tests launch the
system's Chromium (``$SALESMETRICS_TEST_CHROMIUM``, default ``/usr/bin/chromium``; ``make
browser``, run by ``make test``, installs it with apt). Without it the browser tests skip,
except with ``CI=true``, where they fail: a CI run must never pass by skipping its browser
tier (as tests/postgres.py does for PostgreSQL).

Screenshots go to the artifact folder (``$SALESMETRICS_TEST_ARTIFACTS``, default
``.cache/browser-artifacts`` in the repository, which git ignores).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ENV_CHROMIUM = "SALESMETRICS_TEST_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
ENV_ARTIFACTS = "SALESMETRICS_TEST_ARTIFACTS"
DEFAULT_ARTIFACTS = Path(__file__).resolve().parent.parent / ".cache" / "browser-artifacts"

#: Chromium's own flags: every host name but the loopback address resolves to nothing, so no
#: page (nor the browser's background services) can reach the internet even by mistake; the
#: tests also record every request a page makes and fail on one that left 127.0.0.1.
OFFLINE_ARGS = ("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",)


def chromium_path() -> str:
    """The Chromium executable the tests launch."""
    return os.environ.get(ENV_CHROMIUM) or DEFAULT_CHROMIUM


def require_chromium() -> str:
    """The Chromium executable, after checking it is there; skip (fail with ``CI=true``)
    otherwise."""
    path = chromium_path()
    if not os.access(path, os.X_OK):
        message = (
            f"no Chromium at {path} ({ENV_CHROMIUM}): `make browser` installs Debian's "
            "(apt-get install chromium)"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def artifact_folder(name: str) -> Path:
    """The artifact folder ``name`` (created), under ``$SALESMETRICS_TEST_ARTIFACTS`` or the
    default."""
    folder = Path(os.environ.get(ENV_ARTIFACTS) or DEFAULT_ARTIFACTS) / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
