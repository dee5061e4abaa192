"""The service remembers the facade's answers for the data as they are now, and gives them
without the workspace's lock."""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Any

import pytest

from salesmetrics import Workspace, open_workspace
from salesmetrics.metrics import registry as reg
from salesmetrics.web import service as service_module
from salesmetrics.web.service import Service
from tests.web.conftest import Site


def _versions(monkeypatch: pytest.MonkeyPatch, service: Service) -> dict[str, Hashable]:
    """A version of the data the test changes at will (``["now"]``)."""
    state: dict[str, Hashable] = {"now": 1}
    monkeypatch.setattr(service, "version", lambda: state["now"])
    return state


def test_a_kept_answer_is_reused_until_the_data_change(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    service: Service = site.app.state.service
    version = _versions(monkeypatch, service)
    calls: list[int] = []

    def work(ws: Any) -> int:
        calls.append(1)
        return len(calls)

    assert service.cached(("test", 1), work) == 1
    assert service.cached(("test", 1), work) == 1  # kept
    assert service.cached(("test", 2), work) == 2  # another key
    version["now"] = 2  # an import landed
    assert service.cached(("test", 1), work) == 3
    monkeypatch.setattr(service_module, "KEPT", 1)
    service.cached(("test", 3), work)
    assert service.cached(("test", 1), work) == 5  # pushed out by the newest


def test_without_a_version_nothing_is_kept(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    service: Service = site.app.state.service
    monkeypatch.setattr(service, "version", lambda: None)
    calls: list[int] = []
    service.cached(("test", "none"), lambda ws: calls.append(1))
    service.cached(("test", "none"), lambda ws: calls.append(1))
    assert len(calls) == 2


def test_the_version_changes_with_a_write_and_a_reload(demo_copy: Workspace) -> None:
    root = demo_copy.root
    demo_copy.close()
    service = Service(root)
    try:
        before = service.version()
        assert before is not None and service.version() == before  # read twice: the same
        service.reload()
        assert service.version() != before
        after_reload = service.version()
        with open_workspace(root) as ws, ws.writing():  # another process's write, say
            ws.wrote("quotas")
        assert service.version() != after_reload
    finally:
        service.close()


def test_a_remembered_answer_is_given_without_the_lock(site: Site) -> None:
    service: Service = site.app.state.service
    period = str(site.year)
    first = service.metrics(reg.DASHBOARD[:2], period=period, compare="previous")
    got: list[dict[str, Any]] = []
    with service._lock:  # an engine call at work: a remembered answer does not wait for it
        reader = threading.Thread(
            target=lambda: got.append(
                service.metrics(reg.DASHBOARD[:2], period=period, compare="previous")
            )
        )
        reader.start()
        reader.join(timeout=30)
        assert not reader.is_alive(), "the remembered answer waited for the lock"
    assert got == [first]


def test_a_write_makes_the_next_answer_computed_again(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    service: Service = site.app.state.service
    version = _versions(monkeypatch, service)
    computed: list[object] = []
    original = service._metrics

    def counted(request: Any) -> dict[str, Any]:
        computed.append(request)
        return original(request)

    monkeypatch.setattr(service, "_metrics", counted)
    ask = {"period": str(site.year), "grain": "quarter"}
    service.metrics(["win_rate"], **ask)
    service.metrics(["win_rate"], **ask)
    assert len(computed) == 1
    version["now"] = 2
    service.metrics(["win_rate"], **ask)
    assert len(computed) == 2
