"""The service keeps the answers of the facade's other calls for the data as they are now."""

from __future__ import annotations

from typing import Any

import pytest

from salesmetrics.web import service as service_module
from salesmetrics.web.service import Service
from tests.web.conftest import Site


def test_a_kept_answer_is_reused_until_the_data_change(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    service: Service = site.app.state.service
    calls: list[int] = []

    def work(ws: Any) -> int:
        calls.append(1)
        return len(calls)

    versions = {"opportunities": 1}
    monkeypatch.setattr(service._ws, "table_versions", lambda: dict(versions))
    assert service.cached(("test", 1), work) == 1
    assert service.cached(("test", 1), work) == 1  # kept
    assert service.cached(("test", 2), work) == 2  # another key
    versions["opportunities"] = 2  # an import landed
    assert service.cached(("test", 1), work) == 3
    monkeypatch.setattr(service_module, "KEPT", 1)
    service.cached(("test", 3), work)
    assert service.cached(("test", 1), work) == 5  # pushed out by the newest


def test_without_table_versions_nothing_is_kept(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    service: Service = site.app.state.service
    monkeypatch.setattr(service._ws, "table_versions", lambda: None)
    calls: list[int] = []
    service.cached(("test", "none"), lambda ws: calls.append(1))
    service.cached(("test", "none"), lambda ws: calls.append(1))
    assert len(calls) == 2
