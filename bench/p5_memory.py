"""Quality bar P5: peak memory (RSS) of the P1 review, measured in a child process.

``python -m bench.p5_memory ROOT YEAR [--memory-limit 16GB --temp-directory DIR]`` runs the
review on the workspace in ROOT and prints one JSON line: its seconds and its peak resident
set (``VmHWM`` from /proc, else ``ru_maxrss``). :func:`measure` starts that child and reads it.
A memory limit (DuckDB ``memory_limit``, spilling to ``temp_directory``) is for the large run:
it bounds what the database may hold, so that the review completes within the machine's RAM.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.results import Figure

TARGET_GIB = 3.0
LARGE_TARGET_GIB = 24.0


def peak_rss_bytes() -> int:
    """This process's peak resident set size in bytes."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def measure(
    root: Path, year: str, *, memory_limit: str | None = None, temp_directory: Path | None = None
) -> dict[str, Any]:
    """Run the review in a child process; its seconds and peak RSS (bytes)."""
    cmd = [sys.executable, "-m", "bench.p5_memory", str(root), year]
    if memory_limit:
        cmd += ["--memory-limit", memory_limit]
    if temp_directory:
        cmd += ["--temp-directory", str(temp_directory)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"the review child failed ({done.returncode}): {tail[0]}")
    out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def figure(
    child: dict[str, Any], *, bar: str = "P5", target: float = TARGET_GIB, scale: str = "medium"
) -> Figure:
    """P5 as a figure: peak RSS in GiB against ``target`` GiB."""
    gib = child["peak_rss_bytes"] / 2**30
    return Figure(
        bar=bar,
        title=f"memory ({scale})",
        measured=f"peak RSS {gib:.2f} GiB, review {child['seconds']:.1f} s",
        ratio=gib,
        target=target,
        op="<=",
        details=child,
    )


def _child(argv: list[str] | None = None) -> None:
    """The child: run the review, print its seconds and peak RSS as one JSON line."""
    from bench import review
    from salesmetrics.workspace import open_workspace

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("year")
    parser.add_argument("--memory-limit")
    parser.add_argument("--temp-directory", type=Path)
    args = parser.parse_args(argv)
    ws = open_workspace(args.root)
    if args.memory_limit:
        ws.duckdb.execute("SET memory_limit = $v", {"v": args.memory_limit})
    if args.temp_directory:
        ws.duckdb.execute("SET temp_directory = $v", {"v": str(args.temp_directory)})
    started = time.perf_counter()
    evaluations = review.run(ws, review.requests(args.year))
    seconds = time.perf_counter() - started
    rows = sum(e.rows for e in evaluations)
    ws.close()
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_rss_bytes": peak_rss_bytes()}))


if __name__ == "__main__":
    _child()
