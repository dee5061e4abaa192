"""The full review of quality bar P1: every registry metric for the 4 quarters and the 12 months
of the demo's last full year, company-wide, by team and by rep, through the engine.

:func:`run` evaluates the review's requests one after the other through
:meth:`Workspace.metrics` and, with :class:`Recorder`, keeps every Ibis expression the engine
sends to the backend (to derive the columns it reads and count its queries).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import ibis.expr.types as ir
import pandas as pd

from bench import querylog
from salesmetrics.demo.calendar import DATA_END, to_date
from salesmetrics.workspace import Workspace

GRAINS = ("quarter", "month")
GROUPINGS: tuple[tuple[str, ...], ...] = ((), ("team",), ("rep",))


@dataclass(frozen=True)
class Request:
    """One engine call of the review: every metric for ``period`` by ``grain``, grouped ``by``."""

    period: str
    grain: str | None
    by: tuple[str, ...]

    @property
    def label(self) -> str:
        """A short name, e.g. ``2025 by quarter, by team``."""
        split = f" by {self.grain}" if self.grain else ""
        return f"{self.period}{split}, {' and '.join(self.by) or 'company-wide'}"


@dataclass
class Evaluation:
    """What one request gave: seconds, the engine's query labels, result rows, expressions,
    the statements DuckDB logged, the families its values came from and the seconds building
    its result frame took after (:attr:`MetricResult.frame`, built on first use)."""

    request: Request
    seconds: float
    queries: list[str]
    rows: int
    expressions: list[ir.Expr] = field(default_factory=list, repr=False)
    frame: pd.DataFrame | None = field(default=None, repr=False)
    statements: list[str] = field(default_factory=list, repr=False)
    families: list[str] = field(default_factory=list)
    frame_seconds: float = 0.0

    @property
    def total_seconds(self) -> float:
        """The engine's seconds and its result frame's: what a caller reading the rows waits."""
        return self.seconds + self.frame_seconds


def last_full_year(last_day: dt.date | None = None) -> str:
    """The last calendar year the demo covers completely (its data end on ``last_day``)."""
    last = last_day or to_date(DATA_END)
    return str(last.year if (last.month, last.day) == (12, 31) else last.year - 1)


def requests(year: str, grains: Sequence[str] = GRAINS) -> list[Request]:
    """The review: ``year`` split by each grain, company-wide, by team and by rep."""
    return [Request(year, g, by) for g in grains for by in GROUPINGS]


class Recorder:
    """Keeps every expression a workspace's Ibis backend is asked to run: read back
    (``to_pyarrow``), or materialised into a table (a whole-history intermediate kept in the
    file, ``create_table``, or one of the session, ``_create_cached_table``), so that the
    columns the intermediates read count in the scan floor too."""

    #: The backend methods that run an expression: name, the expression's position and keyword.
    METHODS = (
        ("to_pyarrow", 0, "expr"),
        ("create_table", 1, "obj"),
        ("_create_cached_table", 1, "expr"),
    )

    def __init__(self) -> None:
        self.expressions: list[ir.Expr] = []

    @contextmanager
    def attached(self, ws: Workspace) -> Iterator[Recorder]:
        """Record on ``ws``'s backend while the block runs (instance attributes, undone after)."""
        backend = ws.backend
        for method, at, keyword in self.METHODS:
            setattr(backend, method, self._recording(getattr(backend, method), at, keyword))
        try:
            yield self
        finally:
            for method, _, _ in self.METHODS:
                delattr(backend, method)

    def _recording(self, run: Callable[..., Any], at: int, keyword: str) -> Callable[..., Any]:
        def recording(*args: Any, **kwargs: Any) -> Any:
            expr = args[at] if len(args) > at else kwargs.get(keyword)
            if isinstance(expr, ir.Expr):
                self.expressions.append(expr)
            return run(*args, **kwargs)

        return recording


def run(
    ws: Workspace,
    plan: Sequence[Request],
    *,
    record: bool = False,
    keep: bool = False,
    verbose: bool = False,
) -> list[Evaluation]:
    """Evaluate every request of ``plan`` on ``ws``, timed one by one. ``record``: keep the
    expressions run and the statements DuckDB logged (for P1's columns and P6); ``keep``: keep
    each result as pandas (for P2's comparison), converted after the clock stops; ``verbose``:
    print each request's time."""
    out: list[Evaluation] = []
    for req in plan:
        recorder = Recorder()
        log = querylog.QueryLog()
        started = time.perf_counter()
        if record:
            with querylog.logged(ws.duckdb) as log, recorder.attached(ws):
                result = ws.metrics(period=req.period, grain=req.grain, by=list(req.by))
        else:
            result = ws.metrics(period=req.period, grain=req.grain, by=list(req.by))
        seconds = time.perf_counter() - started
        if verbose:
            print(
                f"  {req.label}: {seconds:.1f} s, {len(result.queries)} engine queries", flush=True
            )
        started = time.perf_counter()
        rows = len(result.frame)
        frame_seconds = time.perf_counter() - started
        out.append(
            Evaluation(
                req,
                seconds,
                list(result.queries),
                rows,
                recorder.expressions,
                result.to_pandas() if keep else None,
                log.statements,
                list(result.families),
                frame_seconds,
            )
        )
    return out
