"""The workspace as the data-entry pages use it: imports, forms and survey answers.

**Reads** (the import log, rejected rows, the roster, submitted forecasts) go through the
server's one workspace (:meth:`Service.read`), which reopens its snapshot when a write has
replaced it; the mapping assistant's preview, which reads the uploaded file, runs in the
writer process.

**Writes** run in a worker process of their own (one, so this server's writes take turns; the
workspace's writer lock makes other processes, such as a command-line import, wait too). Each
opens the workspace, writes through the facade (:meth:`Workspace.import_file`,
:meth:`Workspace.enter_rows`, :meth:`Workspace.set_target`: a new snapshot swapped in
atomically) and closes it. So an import that runs for minutes holds no lock a dashboard waits
for: the dashboards read the data as they were before, then, at their next request, as they are
after (docs/architecture.md, "Readers and writers"). A process of its own, not a thread: DuckDB
shares one open database between the connections of a process, and a writer's connection
opened beside the server's could leave the server reading a replaced snapshot.

After an import that wrote a batch, a second worker process computes ahead for the new data
(:meth:`Workspace.warm`, as the command line's import does), as a reader: what it computes is
kept beside the database, where the server's next request finds it. At most one warm runs and
one waits; the import's answer does not wait for it.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

from fastapi import FastAPI, Request

from salesmetrics.ingest.options import ImportOptions
from salesmetrics.web.access import ForbiddenError
from salesmetrics.web.service import Service
from salesmetrics.web.users import Role, User
from salesmetrics.workspace import Workspace, open_workspace

T = TypeVar("T")


class Desk:
    """Reads through the server's workspace, writes in a worker process."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.root: Path = service.root
        self._pool: ProcessPoolExecutor | None = None
        self._warm_pool: ProcessPoolExecutor | None = None
        self._warms: list[Future[Any]] = []
        self._made = threading.Lock()

    def read(self, work: Callable[[Workspace], T]) -> T:
        """``work`` done on the server's workspace, as the data are now."""
        return self.service.read(work)

    def write(self, work: Callable[..., T], *args: Any) -> T:
        """``work(ws, *args)`` done in the writer process on a workspace opened for it;
        ``work`` is a module-level function, its arguments and result picklable."""
        with self._made:
            if self._pool is None:
                self._pool = _process()
            pool = self._pool
        try:
            return pool.submit(_run, str(self.root), work, args).result()
        except BrokenProcessPool:
            with self._made:  # the worker died (killed?): the next write starts a new one
                if self._pool is pool:
                    self._pool = None
            raise

    def warm_later(self) -> Future[Any] | None:
        """Compute ahead for the data as they are now, in the warm process; None when a warm
        is waiting already (it will see these data)."""
        with self._made:
            self._warms = [f for f in self._warms if not f.done()]
            if len(self._warms) > 1:
                return None
            if self._warm_pool is None:
                self._warm_pool = _process()
            future = self._warm_pool.submit(_run, str(self.root), warm, ())
            self._warms.append(future)
        return future

    def close(self) -> None:
        """Stop the worker processes (after the write or warm in progress)."""
        with self._made:
            for pool in (self._pool, self._warm_pool):
                if pool is not None:
                    pool.shutdown(cancel_futures=True)
            self._pool = self._warm_pool = None


def _process() -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))


def _run(root: str, work: Callable[..., T], args: tuple[Any, ...]) -> T:
    with open_workspace(root) as ws:
        return work(ws, *args)


def warm(ws: Workspace) -> int:
    """Compute ahead for the data as they are now (in the warm process); the requests
    computed."""
    return len(ws.warm().requests)


def suggest(ws: Workspace, table: str, path: str, reading: ImportOptions) -> Any:
    """The mapping assistant's proposal for ``path`` read as ``reading`` says (sheet,
    delimiter, encoding), in the writer process: reading a large workbook for its sample would
    hold the server's workspace."""
    from salesmetrics.ingest.suggest import suggest_file

    return suggest_file(ws, table, path, reading)


def import_file(ws: Workspace, table: str, path: str, options: ImportOptions) -> Any:
    """Import ``path`` (in the writer process)."""
    return ws.import_file(table, path, options)


def enter_rows(ws: Workspace, table: str, rows: Sequence[Mapping[str, object]], source: str) -> str:
    """Write rows entered by hand (in the writer process); the batch id."""
    return ws.enter_rows(table, rows, source=source).batch_id


def set_target(
    ws: Workspace, metric: str, value: float | None, dim: str | None, group: str | None
) -> None:
    """Set or remove a target (in the writer process)."""
    ws.set_target(metric, value, dim=dim, group=group)


_made = threading.Lock()


def desk(request: Request) -> Desk:
    """The app's :class:`Desk` (made on first use)."""
    state = request.app.state
    with _made:
        found: Desk | None = getattr(state, "desk", None)
        if found is None:
            found = state.desk = Desk(state.service)
    return found


def close(app: FastAPI) -> None:
    """Stop the app's writer process, if it was started."""
    found: Desk | None = getattr(app.state, "desk", None)
    if found is not None:
        found.close()


def allow(user: User, *roles: Role) -> None:
    """Refuse (403) a user whose role is not one of ``roles``."""
    if user.role not in roles:
        names = ", ".join(r.value for r in roles)
        raise ForbiddenError(f"{user.role.value}s may not do this; it is for: {names}")
