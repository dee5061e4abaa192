"""The browser tier's guard (tests/browser.py): without Chromium the browser tests skip, and
fail with ``CI=true``; the artifact folder follows its variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import browser


def test_no_chromium_skips_and_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(browser.ENV_CHROMIUM, "/nonexistent/chromium")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="make browser"):
        browser.require_chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="make browser"):
        browser.require_chromium()


def test_a_chromium_there_is_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv(browser.ENV_CHROMIUM, str(fake))
    monkeypatch.setenv("CI", "true")
    assert browser.require_chromium() == str(fake)


def test_the_artifact_folder_follows_its_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(browser.ENV_ARTIFACTS, str(tmp_path / "art"))
    assert browser.artifact_folder("browser") == tmp_path / "art" / "browser"
    assert (tmp_path / "art" / "browser").is_dir()
    monkeypatch.delenv(browser.ENV_ARTIFACTS)
    assert browser.artifact_folder("x").parent == browser.DEFAULT_ARTIFACTS
