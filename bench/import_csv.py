"""Quality bar P3: CSV import of N leads with validation, against DuckDB's own ``read_csv``.

``python -m bench.import_csv [--rows 2000000] [--dir DIR]`` generates a leads CSV (the
shape of a CRM export, with a header that needs mapping by name), then, in the same process,
times ``CREATE TABLE t AS SELECT * FROM read_csv(file)`` into a fresh DuckDB database file and
``salesmetrics import leads file`` into a fresh workspace, and prints the ratio
(baseline time / import time; the bar is >= 0.5). The best of ``--repeat`` runs of each is used.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from bench.results import Figure
from salesmetrics.ingest.validate import lit
from salesmetrics.workspace import init_workspace

TARGET = 0.5


def generate(path: Path, rows: int) -> None:
    """Write a leads CSV of ``rows`` rows (deterministic)."""
    con = duckdb.connect()
    con.execute(
        f"""COPY (
        SELECT 'L' || lpad(i::VARCHAR, 9, '0') AS "Lead ID",
          strftime(TIMESTAMP '2022-01-01' + to_seconds((hash(i) % 63072000)::BIGINT),
                   '%Y-%m-%d %H:%M:%S') AS "Created At",
          ['web','referral','event','outbound','paid','partner'][(hash(i*3) % 6)::INT + 1]
            AS "Lead Source",
          'R' || (hash(i*5) % 500)::VARCHAR AS owner_id,
          'A' || (hash(i*7) % 200000)::VARCHAR AS account_id,
          ['SMB','Mid-market','Enterprise'][(hash(i*11) % 3)::INT + 1] AS segment,
          ['EMEA','NA','APAC','LATAM'][(hash(i*13) % 4)::INT + 1] AS region,
          ['New','Working','Qualified','Disqualified','Converted'][(hash(i*17) % 5)::INT + 1]
            AS status,
          round((hash(i*19) % 10000) / 100.0, 2) AS score,
          CASE WHEN hash(i*23) % 3 = 0 THEN strftime(TIMESTAMP '2024-03-01'
            + to_seconds((hash(i) % 6307200)::BIGINT), '%Y-%m-%d %H:%M:%S') END AS qualified_at,
          NULL::VARCHAR AS converted_at,
          CASE WHEN hash(i*29) % 10 = 0 THEN 'O' || i::VARCHAR END AS opportunity_id
        FROM range({int(rows)}) t(i)) TO {lit(path.as_posix())} (HEADER, DELIMITER ',')"""
    )
    con.close()


def baseline(csv: Path, directory: Path) -> float:
    """Seconds DuckDB takes to read ``csv`` into a table of a fresh database file."""
    db = directory / "baseline.duckdb"
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    con.execute("SET enable_progress_bar_print = false")
    started = time.perf_counter()
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv($p)", {"p": str(csv)})
    seconds = time.perf_counter() - started
    con.close()
    return seconds


def importer(csv: Path, directory: Path) -> tuple[float, int]:
    """Seconds ``import_file`` takes to load ``csv`` into a fresh workspace, with the work it
    does after (the warm of the command line's import: :meth:`Workspace.warm`); rows loaded."""
    root = directory / "ws"
    shutil.rmtree(root, ignore_errors=True)
    ws = init_workspace(root)
    ws.backend  # noqa: B018 - open the database before timing
    started = time.perf_counter()
    result = ws.import_file("leads", csv, mapping={"source": "Lead Source"}, warm=True)
    seconds = time.perf_counter() - started
    ws.close()
    return seconds, result.rows_loaded


def measure(rows: int, repeat: int, directory: Path | None = None) -> Figure:
    """P3 as a figure: the best of ``repeat`` runs of each, baseline seconds / import seconds."""
    directory = directory or Path(tempfile.mkdtemp(prefix="salesmetrics-bench-"))
    directory.mkdir(parents=True, exist_ok=True)
    csv = directory / f"leads-{rows}.csv"
    if not csv.exists():
        generate(csv, rows)
    base = min(baseline(csv, directory) for _ in range(repeat))
    runs = [importer(csv, directory) for _ in range(repeat)]
    best = min(r[0] for r in runs)
    shutil.rmtree(directory / "ws", ignore_errors=True)
    (directory / "baseline.duckdb").unlink(missing_ok=True)
    return Figure(
        bar="P3",
        title="CSV import",
        measured=f"import {best:.2f} s, DuckDB read_csv {base:.2f} s ({rows:,} leads)",
        ratio=base / best,
        target=TARGET,
        op=">=",
        details={
            "file": str(csv),
            "file_mb": round(csv.stat().st_size / 1e6, 1),
            "rows": rows,
            "rows_loaded": runs[0][1],
            "import_seconds": best,
            "read_csv_seconds": base,
            "repeat": repeat,
        },
    )


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark alone and print the times and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args(argv)
    fig = measure(args.rows, args.repeat, args.dir)
    print(f"{fig.measured}; ratio {fig.ratio:.2f} (P3 bar >= {TARGET})")


if __name__ == "__main__":
    main()
