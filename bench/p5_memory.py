"""Quality bar P5: peak memory (RSS) of the P1 review, measured in a child process.

``python -m bench.p5_memory ROOT YEAR [--first-session] [--memory-limit 16GB --temp-directory
DIR]`` runs the review on the workspace in ROOT and prints one JSON line: its seconds and its
peak resident set (``VmHWM`` from /proc, else ``ru_maxrss``). :func:`measure` starts that child
and reads it. By default the child is a *later session* (it reads what P1's run kept, as P1's
figure does); ``--first-session`` drops the kept tables first (as an import does), so the child
computes every intermediate and component, the review's heaviest case, and keeps them again. The
medium figure is the larger of the two peaks. A memory limit (DuckDB ``memory_limit``, spilling
to ``temp_directory``) is for the large run: it bounds what the database may hold, so that the
review completes within the machine's RAM.
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
    root: Path,
    year: str,
    *,
    first_session: bool = False,
    memory_limit: str | None = None,
    temp_directory: Path | None = None,
) -> dict[str, Any]:
    """Run the review in a child process (``first_session``: without kept tables); its seconds
    and peak RSS (bytes)."""
    cmd = [sys.executable, "-m", "bench.p5_memory", str(root), year]
    if first_session:
        cmd.append("--first-session")
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
    child: dict[str, Any],
    *,
    first: dict[str, Any] | None = None,
    bar: str = "P5",
    target: float = TARGET_GIB,
    scale: str = "medium",
) -> Figure:
    """P5 as a figure: peak RSS in GiB against ``target`` GiB; with a ``first`` session's child
    too, the larger of the two peaks."""
    gib = child["peak_rss_bytes"] / 2**30
    measured = f"peak RSS {gib:.2f} GiB, review {child['seconds']:.1f} s"
    details = dict(child)
    if first is not None:
        first_gib = first["peak_rss_bytes"] / 2**30
        measured = (
            f"peak RSS {max(gib, first_gib):.2f} GiB: first session {first_gib:.2f} GiB"
            f" ({first['seconds']:.1f} s), later {gib:.2f} GiB ({child['seconds']:.1f} s)"
        )
        gib = max(gib, first_gib)
        details["first_session"] = first
    return Figure(
        bar=bar,
        title=f"memory ({scale})",
        measured=measured,
        ratio=gib,
        target=target,
        op="<=",
        details=details,
    )


def _child(argv: list[str] | None = None) -> None:
    """The child: run the review, print its seconds and peak RSS as one JSON line."""
    from bench import review
    from salesmetrics.workspace import open_workspace

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("year")
    parser.add_argument("--first-session", action="store_true")
    parser.add_argument("--memory-limit")
    parser.add_argument("--temp-directory", type=Path)
    args = parser.parse_args(argv)
    ws = open_workspace(args.root)
    if args.memory_limit:
        ws.duckdb.execute("SET memory_limit = $v", {"v": args.memory_limit})
    if args.temp_directory:
        ws.duckdb.execute("SET temp_directory = $v", {"v": str(args.temp_directory)})
    if args.first_session:
        ws.derived.reset()  # as after an import: every intermediate computed (and kept) again
    started = time.perf_counter()
    evaluations = review.run(ws, review.requests(args.year))
    seconds = time.perf_counter() - started
    rows = sum(e.rows for e in evaluations)
    ws.close()
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_rss_bytes": peak_rss_bytes()}))


if __name__ == "__main__":
    _child()
