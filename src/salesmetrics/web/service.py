"""The web app's one door to the workspace: the facade's calls the routes make, serialised.

One :class:`~salesmetrics.workspace.Workspace` is opened per server process and shared by its
requests. Its backend connection and session caches are not made for several threads at
once, so the calls take turns under one lock (the routes run in Starlette's thread pool). A
request whose answer was kept for the data as they are now is answered from the kept answer
(:meth:`Workspace.kept_answer`) without starting the engine, as the command line does; a new
one is computed and kept. Nothing here computes a metric.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from salesmetrics.metrics.request import Request
from salesmetrics.workspace import Workspace, open_workspace

T = TypeVar("T")

#: How many answers :meth:`Service.cached` keeps.
KEPT = 64


class Service:
    """The workspace behind one server process."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._ws: Workspace = open_workspace(root)
        self._kept: OrderedDict[Hashable, Any] = OrderedDict()

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
        ``where`` filters as given: the caller has applied the user's scope)."""
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
        else all of it."""
        with self._lock:
            return self._ws.last_complete("year") or "all"

    def period_bounds(self, text: str) -> tuple[str, str]:
        """The first day and the day after the last of period ``text`` (ISO dates)."""
        with self._lock:
            period = self._ws.period(text)
        return period.start.isoformat(), period.end.isoformat()

    def names(self, kind: str) -> dict[str, str]:
        """``{id: name}`` of the reps or accounts."""
        with self._lock:
            return self._ws.names(kind)

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

    def cached(self, key: Hashable, work: Callable[[Workspace], T]) -> T:
        """``work(workspace)`` as :meth:`read`, its answer kept in this process for the data as
        they are now (each table's version): asked again with the same ``key`` before an
        import lands, it is not computed again. For small answers (a page of rows, a report),
        the latest :data:`KEPT` of them; on a backend without table versions, never kept."""
        with self._lock:
            self._ws.refresh()
            versions = self._ws.table_versions()
            if versions is None:
                return work(self._ws)
            full = (key, tuple(sorted(versions.items())))
            if full in self._kept:
                self._kept.move_to_end(full)
                found: T = self._kept[full]
                return found
            value = work(self._ws)
            self._kept[full] = value
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)
            return value

    def close(self) -> None:
        """Close the workspace."""
        with self._lock:
            self._ws.close()
