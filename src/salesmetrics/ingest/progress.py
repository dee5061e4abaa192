"""A Rich progress bar on stderr for the phases of an import (silent when quiet or not a TTY).

Byte-level phases (hashing, sniffing) advance by bytes; SQL phases are followed by polling
DuckDB's ``query_progress()`` from a helper thread while the statement runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import duckdb
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

T = TypeVar("T")


class ImportProgress:
    """Progress of one import; every method is a no-op when disabled."""

    def __init__(self, enabled: bool, title: str) -> None:
        console = Console(stderr=True)
        self.enabled = enabled and console.is_terminal
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        if self.enabled:
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.percentage:>3.0f}%"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )
            self._task = self._progress.add_task(title, total=100)

    def __enter__(self) -> ImportProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def phase(self, description: str, total: float = 100) -> None:
        """Start a new phase (the bar restarts at 0)."""
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, description=description, completed=0, total=total)

    def advance(self, amount: float) -> None:
        """Advance the current phase."""
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, amount)

    @contextmanager
    def _polling(self, con: duckdb.DuckDBPyConnection) -> Iterator[None]:
        stop = threading.Event()

        def poll() -> None:
            while not stop.wait(0.2):
                try:
                    pct = con.query_progress()
                except duckdb.Error:
                    return
                if pct >= 0 and self._progress is not None and self._task is not None:
                    self._progress.update(self._task, completed=pct)

        thread = threading.Thread(target=poll, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def run(self, description: str, con: duckdb.DuckDBPyConnection, fn: Callable[[], T]) -> T:
        """Run ``fn`` (one long statement on ``con``) as a phase that follows its progress."""
        if not self.enabled:
            return fn()
        self.phase(description)
        with self._polling(con):
            return fn()
