"""Bar P9: a billing export imported and its recognized revenue computed, against DuckDB's
``read_csv`` of the same file (≤ 4 ×).

:func:`generate` writes a billing export of invoice lines (1 M by default) for two years, half
of them with a service period (monthly or yearly, spread by day by recognized revenue) and half
without (one-off fees and usage, recognized on their invoice date), a few of them credits; and
the accounts they bill. In a fresh workspace reading recurring revenue from ``invoice_lines``,
the accounts are imported untimed, then the invoice lines' import and ``recognized_revenue`` by
month for the two years (engine and result frame) are timed together. The baseline is
:func:`bench.import_csv.baseline`: ``read_csv`` of the invoice-lines file into a fresh database.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bench import import_csv
from bench.results import Figure
from salesmetrics.conventions import CONFIG_FILE
from salesmetrics.ingest.validate import lit
from salesmetrics.workspace import init_workspace, open_workspace

BAR = "P9"
TARGET = 4.0
LINES = 1_000_000
ACCOUNTS = 20_000
#: The two years the lines are invoiced in, and recognized revenue is asked for.
YEARS = ("2024", "2025")
METRIC = "recognized_revenue"


def generate(directory: Path, lines: int = LINES, accounts: int = ACCOUNTS) -> tuple[Path, Path]:
    """Write ``invoice_lines.csv`` (``lines`` rows) and ``accounts.csv`` (``accounts`` rows) to
    ``directory`` (deterministic); returns both paths."""
    directory.mkdir(parents=True, exist_ok=True)
    invoices = directory / f"invoice_lines-{lines}.csv"
    customers = directory / f"accounts-{accounts}.csv"
    first, last = f"{YEARS[0]}-01-01", f"{YEARS[-1]}-12-31"
    con = duckdb.connect()
    con.execute(
        f"""COPY (
        SELECT 'ACC-' || lpad(i::VARCHAR, 6, '0') AS account_id,
          'Customer ' || i::VARCHAR AS name,
          ['SMB','Mid-market','Enterprise'][(hash(i) % 3)::INT + 1] AS segment,
          ['EMEA','North America','APAC','LATAM'][(hash(i*3) % 4)::INT + 1] AS region,
          strftime(TIMESTAMP '2023-01-01' + to_seconds((hash(i*5) % 31536000)::BIGINT),
                   '%Y-%m-%d %H:%M:%S') AS created_at
        FROM range({int(accounts)}) t(i)) TO {lit(customers.as_posix())} (HEADER)"""
    )
    con.execute(
        f"""COPY (
        WITH l AS (
          SELECT i, DATE '{first}' + (hash(i) % (DATE '{last}' - DATE '{first}' + 1))::INT AS d,
            i % 2 = 0 AS periodic, hash(i*7) % 5 = 0 AS yearly
          FROM range({int(lines)}) t(i))
        SELECT 'INV-' || lpad((i // 3)::VARCHAR, 7, '0') || '-' || (i % 3)::VARCHAR AS line_id,
          'ACC-' || lpad((hash(i*11) % {int(accounts)})::VARCHAR, 6, '0') AS account_id,
          d AS invoice_date,
          round(((hash(i*13) % 500000) / 100.0 + 10)
            * CASE WHEN hash(i*17) % 100 = 0 THEN -1 ELSE 1 END
            * CASE WHEN periodic AND yearly THEN 12 ELSE 1 END, 2) AS amount,
          'USD' AS currency,
          CASE WHEN periodic THEN d END AS service_start,
          CASE WHEN periodic THEN
            CASE WHEN yearly THEN d + INTERVAL 1 YEAR ELSE d + INTERVAL 1 MONTH END
            - INTERVAL 1 DAY END::DATE AS service_end,
          CASE WHEN periodic THEN ['Starter','Team','Business'][(hash(i*19) % 3)::INT + 1]
            ELSE 'Usage' END AS plan,
          periodic OR hash(i*23) % 2 = 0 AS is_recurring
        FROM l) TO {lit(invoices.as_posix())} (HEADER)"""
    )
    con.close()
    return invoices, customers


@dataclass(frozen=True)
class BillingRun:
    """Seconds of the invoice lines' import and of the metric; rows loaded and rows of the
    result (one per month); the baseline's seconds."""

    import_seconds: float
    metric_seconds: float
    rows_loaded: int
    result_rows: int
    read_csv_seconds: float

    @property
    def seconds(self) -> float:
        """The bar's time: the import and the computation."""
        return self.import_seconds + self.metric_seconds


def workspace(root: Path, accounts: Path) -> None:
    """A fresh workspace at ``root`` reading recurring revenue from ``invoice_lines``, with the
    ``accounts`` imported."""
    init_workspace(root).close()
    config = root / CONFIG_FILE
    text = config.read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.startswith("recurring_source")]
    at = next(i for i, ln in enumerate(lines) if ln.startswith("["))  # before the tables
    lines.insert(at, 'recurring_source = "invoice_lines"')
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ws = open_workspace(root)
    try:
        if ws.config.recurring_source != "invoice_lines":
            raise RuntimeError("recurring_source not set")
        ws.import_file("accounts", accounts)
    finally:
        ws.close()


def run(invoices: Path, accounts: Path, directory: Path) -> BillingRun:
    """Time the import of ``invoices`` and the metric in a fresh workspace under ``directory``,
    and the baseline."""
    base = import_csv.baseline(invoices, directory)
    (directory / "baseline.duckdb").unlink(missing_ok=True)
    root = directory / "ws"
    shutil.rmtree(root, ignore_errors=True)
    workspace(root, accounts)
    ws = open_workspace(root)
    try:
        ws.backend  # noqa: B018 - open the database before timing
        started = time.perf_counter()
        loaded = ws.import_file("invoice_lines", invoices).rows_loaded
        imported = time.perf_counter() - started
        started = time.perf_counter()
        result = ws.metrics(METRIC, from_period=YEARS[0], to_period=YEARS[-1], grain="month")
        rows = len(result.frame)
        computed = time.perf_counter() - started
    finally:
        ws.close()
    return BillingRun(imported, computed, loaded, rows, base)


def measure(lines: int = LINES, directory: Path | None = None) -> Figure:
    """P9 as a figure, in ``directory`` (a temporary folder, removed after, by default)."""
    with tempfile.TemporaryDirectory(prefix="p10-") as folder:
        work = directory or Path(folder)
        invoices, accounts = generate(work, lines)
        return figure(run(invoices, accounts, work), lines)


def figure(result: BillingRun, lines: int) -> Figure:
    """P9 as a figure: (import + recognized revenue) seconds / ``read_csv`` seconds; it fails
    unless every line was loaded and the result has a row per month."""
    months = 12 * len(YEARS)
    problems = []
    if result.rows_loaded != lines:
        problems.append(f"{result.rows_loaded:,} of {lines:,} lines loaded")
    if result.result_rows != months:
        problems.append(f"{result.result_rows} result rows, not {months}")
    return Figure(
        BAR,
        "billing export",
        (
            f"import {result.import_seconds:.2f} s + {METRIC} by month"
            f" {YEARS[0]}..{YEARS[-1]} {result.metric_seconds:.2f} s = {result.seconds:.2f} s,"
            f" DuckDB read_csv {result.read_csv_seconds:.2f} s ({lines:,} invoice lines,"
            " half with service periods)"
        ),
        result.seconds / result.read_csv_seconds,
        TARGET,
        "<=",
        details={
            "lines": lines,
            "rows_loaded": result.rows_loaded,
            "result_rows": result.result_rows,
            "import_seconds": result.import_seconds,
            "metric_seconds": result.metric_seconds,
            "read_csv_seconds": result.read_csv_seconds,
        },
        note="; ".join(problems),
        check_failed=bool(problems),
    )
