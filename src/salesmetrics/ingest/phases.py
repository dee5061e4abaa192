"""The phases of one import, reported to a :data:`~salesmetrics.progress.Progress` callback.

Byte-level phases (hashing, sniffing) advance by bytes; a SQL phase is followed by polling
DuckDB's ``query_progress()`` from a helper thread while the statement runs, reported as a
percentage (total 100). Without a callback every method is a no-op and no thread is started.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import duckdb

from salesmetrics.progress import Progress

T = TypeVar("T")
#: Seconds between two polls of ``query_progress()`` while a statement runs.
POLL_SECONDS = 0.2


class ImportPhases:
    """Progress of one import: the current phase, how far it got, reported to ``report``."""

    def __init__(self, report: Progress | None) -> None:
        self.report = report
        self._step = ""
        self._done = 0
        self._total: int | None = None

    @property
    def enabled(self) -> bool:
        """True when progress is reported (the engine then tracks query progress)."""
        return self.report is not None

    def phase(self, step: str, total: int | None = 100) -> None:
        """Start a new phase at 0 of ``total``."""
        self._step, self._done, self._total = step, 0, total
        if self.report is not None:
            self.report(step, 0, total)

    def advance(self, amount: int) -> None:
        """Advance the current phase by ``amount``."""
        self._done += amount
        if self.report is not None:
            self.report(self._step, self._done, self._total)

    @contextmanager
    def _polling(self, con: duckdb.DuckDBPyConnection, report: Progress) -> Iterator[None]:
        stop = threading.Event()
        step = self._step

        def poll() -> None:
            while not stop.wait(POLL_SECONDS):
                try:
                    pct = con.query_progress()
                except duckdb.Error:
                    return
                if pct >= 0:
                    report(step, int(pct), 100)

        thread = threading.Thread(target=poll, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def run(self, step: str, con: duckdb.DuckDBPyConnection, fn: Callable[[], T]) -> T:
        """Run ``fn`` (one long statement on ``con``) as a phase that follows its progress."""
        if self.report is None:
            return fn()
        self.phase(step)
        with self._polling(con, self.report):
            result = fn()
        self.report(step, 100, 100)
        return result
