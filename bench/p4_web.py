"""Bar P4: the web app under load, on loopback (p95 ≤ 300 ms the home dashboard, ≤ 200 ms
``/api/metrics``, no error).

On a copy of the medium demo (the server writes beside the database: its secret, users, kept
answers), ``salesmetrics serve`` runs in a child process on a free loopback port, as a user
starts it (one process; the dashboard of the default period prepared as it starts). A bench
admin and an API token are made first. After one untimed request of each kind, a bounded run:
:data:`CLIENTS` clients at once (asyncio, one HTTP connection each), :data:`REQUESTS` requests
in all, alternately the home dashboard (logged-in cookie) and ``/api/metrics`` of the
dashboard's metrics for the same period, compared with the previous one (bearer token), each
client sending its next request when its last one is answered. Every latency is the whole
exchange, body read, by a minimal HTTP client (:mod:`bench.http_client`: httpx2's own
overhead would be measured instead of the server's).

Then, reported beside the bar: 1 % more deals (with their history) and activities imported by
another process as P7 does (:mod:`bench.increment`; the imports, then the work an import does
after its batches land, :meth:`Workspace.warm`), and the first home dashboard and the first
API answer after it, timed.

The ratio is the worse of p95 / limit for the two kinds (holds at ≤ 1); any error (a status
other than 200, a failed connection) fails the bar.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2

from bench import cache, http_client, increment
from bench.results import Figure
from salesmetrics.metrics import registry as reg
from salesmetrics.web import users
from salesmetrics.web.users import Role
from salesmetrics.workspace import open_workspace

BAR = "P4"
PAGE_LIMIT = 0.300
API_LIMIT = 0.200
CLIENTS = 20
REQUESTS = 2000
EMAIL = "bench@example.com"
#: How long the server may take to answer ``/health`` after it is started.
START_TIMEOUT = 180.0
#: Per request: a request slower than this counts as an error.
REQUEST_TIMEOUT = 60.0
_CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Latencies:
    """The seconds of the answered requests of one kind, and the errors."""

    seconds: tuple[float, ...]
    errors: int = 0
    first_error: str = ""

    @property
    def count(self) -> int:
        """Requests sent (answered and failed)."""
        return len(self.seconds) + self.errors

    def quantile(self, q: float) -> float:
        """The ``q`` quantile of the answered requests' seconds (nearest rank; 0 with none)."""
        ordered = sorted(self.seconds)
        if not ordered:
            return 0.0
        rank = max(1, -(-len(ordered) * q // 1))  # ceil(n q), at least the first
        return ordered[int(rank) - 1]

    def summary(self) -> dict[str, Any]:
        """Counts, p50, p95 and max in milliseconds."""
        return {
            "requests": self.count,
            "errors": self.errors,
            "p50_ms": round(self.quantile(0.50) * 1000, 1),
            "p95_ms": round(self.quantile(0.95) * 1000, 1),
            "max_ms": round(max(self.seconds, default=0.0) * 1000, 1),
            "first_error": self.first_error,
        }


@dataclass(frozen=True)
class WebRun:
    """A bounded run's latencies per kind, its shape and wall time, and what followed the
    import."""

    page: Latencies
    api: Latencies
    clients: int
    wall_seconds: float
    period: str
    #: the first home dashboard and the first API answer after the import (seconds)
    first_after_import: dict[str, float] = field(default_factory=dict)
    import_seconds: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    loaded: dict[str, int] = field(default_factory=dict)
    load_average: tuple[float, ...] = ()
    server: str = ""


def free_port() -> int:
    """A TCP port free on the loopback address now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_command(root: Path, port: int) -> list[str]:
    """``salesmetrics serve`` of the workspace ``root`` on loopback ``port``, in this
    interpreter (so the bench serves the code it runs)."""
    return [
        sys.executable,
        "-c",
        "from salesmetrics.cli import main; main()",
        "serve",
        "--workspace",
        str(root),
        "--port",
        str(port),
        "--quiet",
    ]


@contextlib.contextmanager
def served(root: Path) -> Iterator[str]:
    """The workspace ``root`` served by a child process; yields its base URL, once it answers
    ``/health``; the server is stopped after."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(server_command(root, port), stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited ({process.returncode}) before answering")
            with contextlib.suppress(httpx2.TransportError):
                if httpx2.get(f"{base}/health", timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer /health in {START_TIMEOUT:g} s")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def credentials(root: Path) -> tuple[str, str]:
    """A bench admin of the workspace ``root`` (added or replaced) and an API token of it:
    ``(password, token)``."""
    password = secrets.token_urlsafe(16)
    users.add_user(root, EMAIL, Role.ADMIN, password)
    return password, users.create_token(root, EMAIL)


async def _login(base: str, password: str) -> httpx2.Cookies:
    """The cookies of a logged-in browser: the login form read for its CSRF token, posted."""
    async with httpx2.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT) as client:
        form = await client.get("/login")
        found = _CSRF_INPUT.search(form.text)
        if found is None:
            raise RuntimeError("the login page carries no CSRF token")
        answer = await client.post(
            "/login", data={"email": EMAIL, "password": password, "csrf_token": found.group(1)}
        )
        if answer.status_code != 303:
            raise RuntimeError(f"logging in answered {answer.status_code}")
        return client.cookies


def api_path(period: str, metrics: Sequence[str] = reg.DASHBOARD) -> str:
    """``/api/metrics`` of the dashboard's ``metrics`` for ``period``, against the previous
    period (what the home dashboard shows, as the API gives it)."""
    query = "&".join(f"metric={m}" for m in metrics)
    return f"/api/metrics?{query}&period={period}&compare=previous"


async def _client(
    base: str, headers: dict[str, dict[str, str]], plan: Sequence[str], api: str
) -> dict[str, list[Any]]:
    """One client sending ``plan`` (``page`` or ``api`` each) in turn on one connection, each
    kind with its ``headers``: its latencies and errors by kind."""
    out: dict[str, list[Any]] = {"page": [], "api": [], "page_errors": [], "api_errors": []}
    where = urlsplit(base)
    async with http_client.Connection(where.hostname or "127.0.0.1", where.port or 80) as client:
        for kind in plan:
            path = "/" if kind == "page" else api
            started = time.perf_counter()
            try:
                answer = await asyncio.wait_for(client.get(path, headers[kind]), REQUEST_TIMEOUT)
            except (OSError, asyncio.IncompleteReadError, TimeoutError) as failure:
                out[f"{kind}_errors"].append(f"{path}: {type(failure).__name__} {failure}")
                return out  # the connection is in an unknown state: this client stops
            seconds = time.perf_counter() - started
            if answer.status == 200:
                out[kind].append(seconds)
            else:
                text = answer.body[:200].decode("utf-8", "replace")
                out[f"{kind}_errors"].append(f"{path}: {answer.status} {text}")
    return out


def plans(clients: int, requests: int) -> list[list[str]]:
    """Each client's requests, ``requests`` in all (spread as evenly as they go), alternately
    a page and an API call, half the clients starting with each."""
    share, extra = divmod(requests, clients)
    kinds = ("page", "api")
    return [[kinds[(i + j) % 2] for j in range(share + (i < extra))] for i in range(clients)]


async def _bounded(
    base: str, cookies: httpx2.Cookies, token: str, api: str, clients: int, requests: int
) -> tuple[Latencies, Latencies, float]:
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    headers = {"page": {"Cookie": cookie}, "api": {"Authorization": f"Bearer {token}"}}
    started = time.perf_counter()
    outs = await asyncio.gather(
        *(_client(base, headers, plan, api) for plan in plans(clients, requests))
    )
    wall = time.perf_counter() - started

    def latencies(kind: str) -> Latencies:
        seconds = tuple(x for out in outs for x in out[kind])
        errors = [e for out in outs for e in out[f"{kind}_errors"]]
        return Latencies(seconds, len(errors), errors[0] if errors else "")

    return latencies("page"), latencies("api"), wall


async def _timed_get(base: str, path: str, cookies: httpx2.Cookies, token: str) -> float:
    """Seconds of one GET of ``path`` (the API with the token, a page with the cookies); a
    status other than 200 is an error."""
    headers = {"authorization": f"Bearer {token}"} if path.startswith("/api/") else {}
    async with httpx2.AsyncClient(base_url=base, cookies=cookies, timeout=600) as client:
        started = time.perf_counter()
        answer = await client.get(path, headers=headers)
        seconds = time.perf_counter() - started
    if answer.status_code != 200:
        raise RuntimeError(f"GET {path} answered {answer.status_code}: {answer.text[:200]}")
    return seconds


def _import(root: Path, work: Path) -> tuple[dict[str, float], dict[str, int], dict[str, int]]:
    """1 % more deals, history and activities imported into ``root`` as P7 does, then the
    import's warm: (seconds per step, rows written per table, rows loaded per table)."""
    ws = open_workspace(root)
    try:
        new = increment.generate(ws.duckdb, work)
    finally:
        ws.close()
    ws = open_workspace(root)
    try:
        seconds, loaded = increment.import_and_warm(ws, new)
    finally:
        ws.close()
    return seconds, new.rows, loaded


def default_period(root: Path) -> str:
    """The period the home dashboard shows without one: the last complete year, else all."""
    ws = open_workspace(root)
    try:
        return ws.last_complete("year") or "all"
    finally:
        ws.close()


def run(
    root: Path,
    work: Path,
    *,
    clients: int = CLIENTS,
    requests: int = REQUESTS,
    after_import: bool = True,
) -> WebRun:
    """Serve the workspace ``root`` (which this writes to), warm it, run the bounded load, then
    (with ``after_import``) import 1 % more rows (files under ``work``) and time the first
    answers after."""
    password, token = credentials(root)
    period = default_period(root)
    api = api_path(period)
    with served(root) as base:
        cookies = asyncio.run(_login(base, password))
        for path in ("/", api):  # warm: one request of each
            asyncio.run(_timed_get(base, path, cookies, token))
        page, answers, wall = asyncio.run(_bounded(base, cookies, token, api, clients, requests))
        load = os.getloadavg()
        first: dict[str, float] = {}
        seconds: dict[str, float] = {}
        rows: dict[str, int] = {}
        loaded: dict[str, int] = {}
        if after_import:
            seconds, rows, loaded = _import(root, work)
            first["page"] = asyncio.run(_timed_get(base, "/", cookies, token))
            first["api"] = asyncio.run(_timed_get(base, api, cookies, token))
    return WebRun(
        page,
        answers,
        clients,
        wall,
        period,
        first,
        seconds,
        rows,
        loaded,
        load,
        "salesmetrics serve (one process)",
    )


def measure(demo: Path) -> WebRun:
    """P4 on a temporary copy of the workspace ``demo`` (removed after)."""
    with tempfile.TemporaryDirectory(prefix="p4-") as folder:
        root = cache.copy_workspace(demo, Path(folder))
        return run(root, Path(folder) / "new")


def figure(result: WebRun) -> Figure:
    """P4 as a figure: the worse of page p95 / 300 ms and API p95 / 200 ms; errors fail it."""
    page, api = result.page.summary(), result.api.summary()
    ratios = {
        "page": result.page.quantile(0.95) / PAGE_LIMIT,
        "api": result.api.quantile(0.95) / API_LIMIT,
    }
    errors = result.page.errors + result.api.errors
    missing = result.loaded != result.rows
    first = result.first_after_import
    after = (
        f"; after importing 1 % more rows ({sum(result.import_seconds.values()):.1f} s with the"
        f" warm), the first dashboard {first['page']:.2f} s, the first API answer"
        f" {first['api']:.2f} s"
        if first
        else ""
    )
    notes = []
    if errors:
        notes.append(
            f"{errors} errors, the first: {result.page.first_error or result.api.first_error}"
        )
    if missing:
        notes.append(f"rows loaded {result.loaded} of {result.rows}")
    return Figure(
        BAR,
        "web p95 under load",
        (
            f"{result.clients} clients, {page['requests'] + api['requests']} requests in"
            f" {result.wall_seconds:.1f} s: home dashboard p50 {page['p50_ms']:.0f} ms, p95"
            f" {page['p95_ms']:.0f} ms (≤ {PAGE_LIMIT * 1000:.0f}), max {page['max_ms']:.0f} ms;"
            f" /api/metrics p50 {api['p50_ms']:.0f} ms, p95 {api['p95_ms']:.0f} ms"
            f" (≤ {API_LIMIT * 1000:.0f}), max {api['max_ms']:.0f} ms; {errors} errors{after}"
        ),
        max(ratios.values()),
        1.0,
        "<=",
        details={
            "page": page,
            "api": api,
            "ratios": ratios,
            "limits_ms": {"page": PAGE_LIMIT * 1000, "api": API_LIMIT * 1000},
            "clients": result.clients,
            "wall_seconds": result.wall_seconds,
            "requests_per_second": (page["requests"] + api["requests"]) / result.wall_seconds
            if result.wall_seconds
            else None,
            "period": result.period,
            "first_after_import_seconds": first,
            "import_seconds": result.import_seconds,
            "rows_imported": result.rows,
            "rows_loaded": result.loaded,
            "load_average_after_run": list(result.load_average),
            "server": result.server,
        },
        note="; ".join(notes),
        check_failed=bool(errors) or missing,
    )
