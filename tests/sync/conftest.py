"""Helpers of the connector tests: a local HTTP server (pytest-httpserver) replays responses
shaped like each vendor's documented payloads, kept in ``data/<vendor>.json``.

No network is reachable: every request goes to the loopback server, whose URL replaces the
vendor's base URL. Waits between retries are recorded instead of slept.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from salesmetrics import Workspace
from salesmetrics.sync import Retry, SyncResult

DATA = Path(__file__).parent / "data"
TOKEN = "tok-SECRET-1234567890"
TOKEN_ENV = "SM_TEST_TOKEN"
#: Short timeouts and no real waiting: the retry rules are tested, not the clock.
FAST = Retry(attempts=4, backoff=1.0, timeout=5.0)


def recorded(vendor: str) -> dict[str, Any]:
    """The recorded responses of ``vendor`` (a fresh copy, free to change)."""
    data: dict[str, Any] = json.loads((DATA / f"{vendor}.json").read_text(encoding="utf-8"))
    return copy.deepcopy(data)


def as_json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response."""
    return Response(json.dumps(body), status, headers, content_type="application/json")


@dataclass
class Vendor:
    """A replaying API: ``routes`` maps (method, path) to a handler of the request."""

    server: HTTPServer
    routes: dict[tuple[str, str], Callable[[Request], Response]] = field(default_factory=dict)
    seen: list[Request] = field(default_factory=list)
    failures: dict[tuple[str, str], list[Response]] = field(default_factory=dict)

    def on(self, method: str, path: str, handler: Callable[[Request], Any]) -> None:
        """Answer ``method path`` with ``handler(request)`` (a Response, or a body as JSON)."""
        self.routes[(method, path)] = handler

    def fail_first(self, method: str, path: str, *answers: Response) -> None:
        """Answer the next requests to ``method path`` with ``answers`` before the route."""
        self.failures.setdefault((method, path), []).extend(answers)

    def paths(self) -> list[str]:
        """The path of every request received, in order."""
        return [r.path for r in self.seen]

    def dispatch(self, request: Request) -> Response:
        self.seen.append(request)
        key = (request.method, request.path)
        if self.failures.get(key):
            return self.failures[key].pop(0)
        handler = self.routes.get(key)
        if handler is None:
            return as_json({"message": f"no route {key}"}, 404)
        answer = handler(request)
        return answer if isinstance(answer, Response) else as_json(answer)


@pytest.fixture
def vendor(httpserver: HTTPServer) -> Iterator[Vendor]:
    """A replaying vendor API on the loopback server."""
    api = Vendor(httpserver)
    httpserver.expect_request("").respond_with_handler(api.dispatch)  # "": every path
    yield api


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    """The test token, in ``$SM_TEST_TOKEN``."""
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    return TOKEN


@dataclass
class Syncer:
    """Runs syncs of one source against the replaying API, recording the retry waits."""

    ws: Workspace
    source: str
    url: str
    waits: list[float] = field(default_factory=list)

    def __call__(self, *, full: bool = False) -> SyncResult:
        return self.ws.sync(
            self.source,
            token_env=TOKEN_ENV,
            full=full,
            base_url=self.url,
            retry=FAST,
            sleep=self.waits.append,
        )


def syncer(ws: Workspace, source: str, api: Vendor) -> Syncer:
    """A :class:`Syncer` of ``source`` into ``ws`` against ``api``."""
    return Syncer(ws, source, api.server.url_for("/").rstrip("/"))


def body(request: Request) -> Any:
    """The JSON body of a request."""
    return json.loads(request.get_data(as_text=True) or "null")
