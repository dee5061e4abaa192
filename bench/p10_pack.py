"""Bar P10: a quarterly review pack of the medium demo in each format; rendering (the pack's
tables, charts and layout) takes at most 2 × the time of the engine calls the pack makes.

The pack is built once (:func:`salesmetrics.reports.build_pack`, which times each engine call:
``ws.metrics``, the drill-downs, the cohorts, the data status); the rest of the build (turning
rows into sections) counts as rendering. Then each format is written, its charts drawn anew
(the drawing cache is cleared between formats). The figure is the slowest format's rendering
over the engine's time.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.results import Figure
from salesmetrics.workspace import open_workspace

BAR = "P10"
TARGET = 2.0
FORMATS = (".html", ".pdf", ".xlsx")


@dataclass(frozen=True)
class PackRun:
    """Seconds in the engine, building the sections, and writing each format (by suffix)."""

    engine_seconds: float
    build_seconds: float
    engine_calls: int
    write_seconds: dict[str, float]
    sizes: dict[str, int]

    def rendering(self, suffix: str) -> float:
        """Rendering seconds of one format: the sections built, and the file written."""
        return self.build_seconds + self.write_seconds[suffix]


def run(root: Path, period: str, directory: Path, cadence: str = "quarterly") -> PackRun:
    """Build the ``cadence`` pack of ``period`` in the workspace at ``root`` and write it in
    every format into ``directory``, timing each part."""
    from salesmetrics.reports import build_pack, write_pack
    from salesmetrics.reports.html import _drawn

    ws = open_workspace(root)
    try:
        ws.backend  # noqa: B018 - open the database before timing
        started = time.perf_counter()
        pack = build_pack(ws, cadence, period)
        total = time.perf_counter() - started
    finally:
        ws.close()
    writes: dict[str, float] = {}
    sizes: dict[str, int] = {}
    for suffix in FORMATS:
        _drawn.cache_clear()  # each format draws its own charts
        started = time.perf_counter()
        out = write_pack(pack, directory / f"review{suffix}")
        writes[suffix] = time.perf_counter() - started
        sizes[suffix] = out.stat().st_size
    engine = pack.engine_seconds
    return PackRun(engine, total - engine, len(pack.engine_calls), writes, sizes)


def measure(root: Path, year: int) -> Figure:
    """P10 as a figure for the last quarter of ``year`` of the workspace at ``root``."""
    with tempfile.TemporaryDirectory(prefix="p10-") as folder:
        return figure(run(root, f"{year}-Q4", Path(folder)), f"{year}-Q4")


def figure(result: PackRun, period: str) -> Figure:
    """P10 as a figure: the slowest format's rendering seconds / the engine's seconds."""
    worst = max(FORMATS, key=result.rendering)
    parts = ", ".join(f"{s[1:]} {result.rendering(s):.2f} s" for s in FORMATS)
    return Figure(
        BAR,
        "review pack",
        (
            f"quarterly pack {period}: engine {result.engine_seconds:.2f} s in"
            f" {result.engine_calls} calls; rendering (sections {result.build_seconds:.2f} s +"
            f" writing) {parts}"
        ),
        result.rendering(worst) / result.engine_seconds if result.engine_seconds else None,
        TARGET,
        "<=",
        details={
            "engine_seconds": result.engine_seconds,
            "build_seconds": result.build_seconds,
            "engine_calls": result.engine_calls,
            "write_seconds": result.write_seconds,
            "bytes": result.sizes,
            "slowest": worst,
        },
    )
