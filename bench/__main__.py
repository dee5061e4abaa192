"""``make bench`` (``python -m bench``): quality bars P1 to P10 in one run.

Every figure is a ratio against a baseline measured in the same run (these machines are noisy):
the medium demo is built once and cached under ``bench/cache/``; the review (P1) is timed
against the scan floor of the columns it reads, its backend queries counted (P6), its peak
memory measured in a child process (P5) and its results compared with a plain pandas review,
timed too (P2); the CSV import of 2 M leads is timed against DuckDB's ``read_csv`` (P3); the
command line's start-up is timed against fixed limits (P8, on the small demo). On copies of the
cached demos: the web app served to 20 clients at once on loopback, its p95 latencies against
fixed limits, and the first dashboard after an import (P4, medium); 1 % more deals and
activities imported and the next review, against the scan floor (P7, medium), and the first
review of the small demo in-process against fixed limits (P8S); a billing export of 1 M
invoice lines imported and its recognized revenue computed, against
``read_csv`` of the file (P9, nothing cached).
Results go to ``bench/results/<UTC timestamp>.json``; a summary is printed at the end.

``--scale large`` (opt-in: 173 M rows, about 12 minutes to build) adds the large review under a
DuckDB memory limit, which must complete within 24 GiB.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from bench import (
    cache,
    import_csv,
    machine,
    p1_review,
    p2_pandas,
    p4_web,
    p5_memory,
    p6_queries,
    p7_incremental,
    p8_small,
    p9_billing,
    p10_pack,
    review,
    startup,
)
from bench.results import Figure, not_measured, summary, write
from salesmetrics.workspace import open_workspace

BARS = ("P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P8S", "P9", "P10")
#: The bars measured on the medium demo (it is built, or read from the cache, only for them).
MEDIUM_BARS = {"P1", "P2", "P4", "P5", "P6", "P7", "P10"}
#: The order of the summary.
ORDER = ("P1", "P1L", "P2", "P3", "P4", "P5", "P5L", "P6", "P7", "P8", "P8S", "P9", "P10")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", choices=("medium", "large"), default="medium")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", action="append", choices=BARS, help="measure only these bars")
    parser.add_argument("--repeat", type=int, default=1, help="review runs (best kept)")
    parser.add_argument("--import-rows", type=int, default=int(os.environ.get("BENCH_ROWS", 2e6)))
    parser.add_argument("--large-memory-limit", default="16GB")
    parser.add_argument(
        "--cache", type=Path, default=cache.CACHE, help="folder of the cached demo workspaces"
    )
    return parser.parse_args(argv)


def _review_bars(root: Path, year: str, bars: set[str], repeat: int) -> list[Figure]:
    """P1, P6 (same recorded run), P2 (against it), P5 (a child process) on ``root``."""
    figures: list[Figure] = []
    plan = review.requests(year)
    if bars & {"P1", "P2", "P6"}:
        print(f"P1: the review ({len(plan)} evaluations) and the scan floor ...", flush=True)
        run = p1_review.run(root, plan, repeat=repeat, keep="P2" in bars)
        ws = open_workspace(root)
        try:
            db_path = Path(ws.duckdb.execute("PRAGMA database_list").fetchall()[0][2])
            config = ws.config
        finally:
            ws.close()
        if "P1" in bars:
            figures.extend(p1_review.figures(run))
        if "P6" in bars:
            figures.append(p6_queries.figure(run.evaluations))
        if "P2" in bars:
            print("P2: the pandas review ...", flush=True)
            figures.append(
                p2_pandas.measure(
                    db_path, year, config, run.evaluations, run.first_seconds, run.total_seconds
                )
            )
    if "P5" in bars:
        print("P5: the review in a child process, a first and a later session ...", flush=True)
        first = p5_memory.measure(root, year, first_session=True)
        figures.append(p5_memory.figure(p5_memory.measure(root, year), first=first))
    return figures


def main(argv: list[str] | None = None) -> Path:
    """Run the benchmark; returns the results file written."""
    args = _parse(argv)
    bars = set(args.only or BARS)
    year = review.last_full_year()
    figures: list[Figure] = []
    if bars & MEDIUM_BARS:
        root = cache.demo_workspace("medium", args.seed, args.cache)
        figures.extend(_review_bars(root, year, bars, args.repeat))
        if "P10" in bars:
            print(f"P10: a quarterly review pack of {year}-Q4 in each format ...", flush=True)
            figures.append(p10_pack.measure(root, year))
        if "P4" in bars:
            print(
                f"P4: the web app served, {p4_web.CLIENTS} clients, {p4_web.REQUESTS} requests,"
                " then an import and the first dashboard ...",
                flush=True,
            )
            figures.append(p4_web.figure(p4_web.measure(root)))
        if "P7" in bars:
            print("P7: 1 % more deals and activities imported, and the next review ...", flush=True)
            figures.append(p7_incremental.measure(root, year))
    if "P3" in bars:
        print(f"P3: CSV import of {args.import_rows:,} leads ...", flush=True)
        figures.append(import_csv.measure(args.import_rows, repeat=2))
    if "P8" in bars:
        print(f"P8: start-up, {startup.RUNS} runs of each command ...", flush=True)
        small = cache.demo_workspace("small", args.seed, args.cache)
        figures.append(startup.measure(small, year))
    if "P8S" in bars:
        print("P8S: the small demo's first review in-process, then a new shape ...", flush=True)
        figures.append(p8_small.measure(cache.demo_workspace("small", args.seed, args.cache), year))
    if "P9" in bars:
        print(f"P9: a billing export of {p9_billing.LINES:,} invoice lines ...", flush=True)
        figures.append(p9_billing.measure())
    if args.scale == "large":
        large = cache.demo_workspace("large", args.seed, args.cache)
        print(f"P5 (large): the review under memory_limit={args.large_memory_limit} ...")
        with tempfile.TemporaryDirectory(prefix="spill-", dir=large) as spill:
            child = p5_memory.measure(
                large, year, memory_limit=args.large_memory_limit, temp_directory=Path(spill)
            )
        figures.append(
            p5_memory.figure(child, bar="P5L", target=p5_memory.LARGE_TARGET_GIB, scale="large")
        )
    order = {b: i for i, b in enumerate(ORDER)}
    figures.sort(key=lambda f: order.get(f.bar, 99))
    for bar in sorted(bars - {f.bar for f in figures}):
        figures.append(not_measured(bar, "", 0, "", "not measured in this run"))
    settings = {"scale": args.scale, "seed": args.seed, "year": year, "repeat": args.repeat}
    path = write(figures, machine.describe(), settings)
    print()
    print(summary(figures))
    print(f"\nresults: {path}")
    return path


if __name__ == "__main__":
    main()
