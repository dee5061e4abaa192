"""Rich progress bars on stderr, driven by a :data:`~salesmetrics.progress.Progress` callback.

One bar per step, named by ``label(step)``; the bars vanish when the work ends. There is no
callback at all (``None``) when the user asked for quiet or stderr is not a terminal, so the work
does not even track its progress then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from salesmetrics.progress import Progress as ProgressCallback

#: Columns of a bar whose steps run to a known total (an import's phases).
PERCENT_COLUMNS: tuple[ProgressColumn, ...] = (
    TextColumn("{task.description}"),
    BarColumn(),
    TextColumn("{task.percentage:>3.0f}%"),
    TimeElapsedColumn(),
)


@contextmanager
def progress_bars(
    console: Console,
    *,
    quiet: bool,
    columns: tuple[ProgressColumn, ...] = PERCENT_COLUMNS,
    label: Callable[[str], str] = str,
) -> Iterator[ProgressCallback | None]:
    """A callback drawing the progress it is given on ``console`` while the block runs, or
    ``None`` when ``quiet`` or ``console`` is not a terminal."""
    if quiet or not console.is_terminal:
        yield None
        return
    with Progress(*columns, console=console, transient=True) as bars:
        tasks: dict[str, TaskID] = {}

        def report(step: str, done: int, total: int | None) -> None:
            if step not in tasks:
                tasks[step] = bars.add_task(label(step), total=total)
            bars.update(tasks[step], completed=done, total=total)

        yield report
