"""The web app's one door to the workspace: the facade's calls the routes make, serialised.

One :class:`~salesmetrics.workspace.Workspace` is opened per server process and shared by its
requests. Its backend connection and session caches are not made for several threads at
once, so the calls take turns under one lock (the routes run in Starlette's thread pool). A
request whose answer was kept for the data as they are now is answered from the kept answer
(:meth:`Workspace.kept_answer`) without starting the engine, as the command line does; a new
one is computed and kept. Nothing here computes a metric.

Answers are also remembered in this process (:meth:`Service.memo`) for the data as they are
now, told by :meth:`Service.version` without the lock: the database file's identity and
modification time (every write swaps a new snapshot file in) and this process's reloads. A
remembered answer is given without the lock, so many readers at once do not queue behind one
another or behind an engine call; an import that lands changes the version, and the next
request computes afresh. Remembered values are shared between requests: callers only read them.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from salesmetrics.metrics.request import Request
from salesmetrics.workspace import Workspace, open_workspace

T = TypeVar("T")

#: How many answers :meth:`Service.memo` keeps (the engine's answers, the pages' figures, the
#: small answers of :meth:`Service.cached`), for one version of the data.
KEPT = 256


class Service:
    """The workspace behind one server process."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._ws: Workspace = open_workspace(root)
        # the memo's own lock: held only to read or change the dict, never around work
        self._memo_lock = threading.Lock()
        self._kept: OrderedDict[Hashable, Any] = OrderedDict()
        self._kept_version: Hashable | None = None
        self._reloads = 0
        self._database = self._ws.database if self._ws.embedded else None

    def version(self) -> Hashable | None:
        """The state of the data and settings this process answers from, read without the
        workspace's lock: the database file's device, inode, modification time and size (a
        write commits a new snapshot file) and the count of :meth:`reload` calls; None for a
        backend without such a file (nothing is then remembered)."""
        if self._database is None:
            return None
        try:
            stat = self._database.stat()
        except FileNotFoundError:
            return None
        return (stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_size, self._reloads)

    def memo(self, key: Hashable, work: Callable[[], T]) -> T:
        """``work()``, remembered for the data as they are now (:meth:`version`): asked again
        with the same ``key`` before a write lands, it is answered from memory without taking
        the workspace's lock. Only the latest version's answers are kept, the :data:`KEPT`
        latest of them; without a version, nothing is kept. ``key`` must name everything the
        answer depends on besides the data (a user's scope is in its filters)."""
        version = self.version()
        if version is None:
            return work()
        full = (version, key)
        with self._memo_lock:
            if full in self._kept:
                self._kept.move_to_end(full)
                found: T = self._kept[full]
                return found
        value = work()
        with self._memo_lock:
            if version != self._kept_version:  # a write landed: the older answers are stale
                self._kept.clear()
                self._kept_version = version
            self._kept[full] = value
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)
        return value

    @property
    def base_currency(self) -> str:
        """The workspace's base currency."""
        return self._ws.config.base_currency

    def metrics(
        self,
        metrics: Sequence[str] = (),
        *,
        period: str | None = None,
        from_period: str | None = None,
        to_period: str | None = None,
        grain: str | None = None,
        by: Sequence[str] = (),
        compare: str | None = None,
        where: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """The JSON object of ``salesmetrics metrics --format json`` for these arguments (the
        ``where`` filters as given: the caller has applied the user's scope); remembered
        (:meth:`memo`), so the caller must not change it."""
        request = Request.of(
            list(metrics) or None,
            period=period,
            from_period=from_period,
            to_period=to_period,
            grain=grain,
            by=list(by),
            compare=compare,
            where=dict(where or {}),
        )
        return self.memo(("metrics", request), lambda: self._metrics(request))

    def _metrics(self, request: Request) -> dict[str, Any]:
        with self._lock:
            kept = self._ws.kept_answer(request)
            if kept is not None:
                return kept.to_dict()
            result = self._ws.metrics(request)
            answer = result.to_dict()
            self._ws.keep_answer(request, result)
        return answer

    def default_period(self) -> str:
        """The period a page shows when none is asked for: the last complete year of the data,
        else all of it (remembered for the day: the calendar moves it too)."""
        return self.memo(("default_period", dt.date.today()), self._default_period)

    def _default_period(self) -> str:
        with self._lock:
            return self._ws.last_complete("year") or "all"

    def period_bounds(self, text: str) -> tuple[str, str]:
        """The first day and the day after the last of period ``text`` (ISO dates)."""
        return self.memo(("period_bounds", text), lambda: self._period_bounds(text))

    def _period_bounds(self, text: str) -> tuple[str, str]:
        with self._lock:
            period = self._ws.period(text)
        return period.start.isoformat(), period.end.isoformat()

    def names(self, kind: str) -> dict[str, str]:
        """``{id: name}`` of the reps or accounts (remembered: the caller must not change
        it)."""
        return self.memo(("names", kind), lambda: self.read(lambda ws: ws.names(kind)))

    def read(self, work: Callable[[Workspace], T]) -> T:
        """``work`` done on the workspace as the data are now (the views of what the engine
        does not compute: the import log, rejects, the roster, submitted forecasts). Reads of
        this process go through this one workspace: DuckDB shares one open database between
        the connections of a process, so a second one could keep reading a replaced snapshot."""
        with self._lock:
            self._ws.refresh()
            return work(self._ws)

    def reload(self) -> None:
        """Open the workspace again, after its configuration changed (a target set)."""
        with self._lock:
            self._ws.close()
            self._ws = open_workspace(self.root)
            self._database = self._ws.database if self._ws.embedded else None
            self._reloads += 1  # what was remembered may depend on the old configuration

    def cached(self, key: Hashable, work: Callable[[Workspace], T]) -> T:
        """``work(workspace)`` as :meth:`read`, remembered (:meth:`memo`) for the data as they
        are now: asked again with the same ``key`` before an import lands, it is not computed
        again. For small answers (a page of rows, a report); the caller must not change them."""
        return self.memo(("cached", key), lambda: self.read(work))

    def close(self) -> None:
        """Close the workspace."""
        with self._lock:
            self._ws.close()
