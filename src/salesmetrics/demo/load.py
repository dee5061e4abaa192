"""Loading the demo company into a workspace, every table through the importer's validated bulk
path (:func:`salesmetrics.ingest.load_arrow`), all or nothing.

The stream is spooled to Parquet files in a temporary folder inside the workspace (tables come
out of the generator interleaved, block by block, but each table is loaded as one batch), then
every table is streamed from its file into a *staging* database beside the workspace's own; only
when all of them are in is the staging file renamed over the workspace database (an atomic
rename). An interrupted or failed build therefore leaves the workspace as it was, data and
configuration, and ``--replace`` empties the old tables (canonical and internal) and loads the
new ones in one step. Memory stays bounded by a generator block.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from salesmetrics import schema
from salesmetrics.backends import snapshot
from salesmetrics.config import DEFAULT_BACKEND, Config, render_config
from salesmetrics.connection import Connection
from salesmetrics.conventions import CONFIG_FILE
from salesmetrics.demo import vocab
from salesmetrics.demo.arrow import arrow_schema
from salesmetrics.demo.build import BATCH_ROWS, DEFAULT_SEED, generate
from salesmetrics.demo.calendar import BILLING_START, DATA_END, DATA_START, to_date
from salesmetrics.demo.money import currency_index
from salesmetrics.demo.scales import Scale, get_scale
from salesmetrics.errors import UserError
from salesmetrics.progress import Progress

#: DuckDB's memory limit while loading, by scale: it spills to disk beyond it, but a table's
#: primary-key index must fit when the batch commits (large: 50 M activities).
DUCKDB_MEMORY = {"small": "1GB", "medium": "1GB", "large": "12GB"}
#: The demo's MRR comes from its subscriptions; its invoice lines bill them (and one-off fees).
RECURRING_SOURCE = "subscriptions"


def demo_config(config: Config) -> Config:
    """``config`` with what the demo's data needs: ``recurring_source = "subscriptions"`` and
    the demo's lead sources mapped to its cost channels in ``[channels]`` (added to the
    workspace's own mapping, the demo's entries winning)."""
    channels = {**config.channels, **vocab.CHANNEL_OF_SOURCE}
    return config.model_copy(update={"recurring_source": RECURRING_SOURCE, "channels": channels})


@dataclass(frozen=True)
class DemoResult:
    """What :func:`build_demo` loaded."""

    scale: str
    seed: int
    rows: dict[str, int]
    rejected: int
    seconds: float
    config_changed: bool

    @property
    def first_day(self) -> str:
        """First day of the CRM, marketing and activity data (ISO date)."""
        return to_date(DATA_START).isoformat()

    @property
    def last_day(self) -> str:
        """Last day of the data: the demo company's "today" (ISO date)."""
        return to_date(DATA_END).isoformat()

    @property
    def billing_since(self) -> str:
        """First day of the billing history (subscriptions and invoices; ISO date)."""
        return to_date(BILLING_START).isoformat()


def table_counts(ws: Connection) -> dict[str, int]:
    """Rows in every canonical and internal table of ``ws``."""
    return {t.name: ws.count(t.name) for t in (*schema.TABLES, *schema.INTERNAL_TABLES)}


def _spool(
    directory: Path, stream: Iterator[tuple[str, pa.RecordBatch]], progress: Progress | None
) -> dict[str, int]:
    writers: dict[str, pq.ParquetWriter] = {}
    rows: dict[str, int] = {}
    done = 0
    try:
        for name, batch in stream:
            if name not in writers:
                writers[name] = pq.ParquetWriter(directory / f"{name}.parquet", arrow_schema(name))
            writers[name].write_batch(batch)
            rows[name] = rows.get(name, 0) + batch.num_rows
            done += batch.num_rows
            if progress:
                progress("generate", done, None)
    finally:
        for w in writers.values():
            w.close()
    return rows


def _batches(
    path: Path, table: str, total: int, progress: Progress | None
) -> Iterator[pa.RecordBatch]:
    done = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS):
        yield batch
        done += batch.num_rows
        if progress:
            progress(f"load {table}", done, total)


def check_target(ws: Connection, *, replace: bool) -> None:
    """A one-line UserError unless ``ws`` can take the demo: its base currency is one the demo
    models, and it holds no data (or ``replace``)."""
    currency_index(ws.config.base_currency)
    if replace:
        return
    held = {name: n for name, n in table_counts(ws).items() if n}
    if held:
        name, n = next(iter(held.items()))
        more = f" and {len(held) - 1} more tables" if len(held) > 1 else ""
        raise UserError(
            f"workspace {ws.root} already holds data ({n:,} rows in {name}{more});"
            " pass --replace to empty it and load the demo instead"
        )


def database_file(ws: Connection) -> Path:
    """The file of the workspace's DuckDB database."""
    row = ws.duckdb.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    if row is None or not row[0]:
        raise UserError(f"workspace {ws.root}: the demo needs a DuckDB database file")
    return Path(row[0])


def build_demo(
    ws: Connection,
    scale: str | Scale = "small",
    seed: int = DEFAULT_SEED,
    *,
    replace: bool = False,
    progress: Progress | None = None,
) -> DemoResult:
    """Generate the demo company and load it into ``ws``, all or nothing; refuses a workspace
    holding data unless ``replace``. Sets ``recurring_source = "subscriptions"`` and the demo's
    ``[channels]`` in the workspace's config (:func:`demo_config`). ``ws`` is reconnected to the
    new database on its next use. ``progress`` receives step "generate" (rows so far, total
    None), then "load TABLE" (rows read so far, of the table's rows); nothing is printed."""
    from salesmetrics.ingest import load_arrow

    size = get_scale(scale)
    check_target(ws, replace=replace)
    if ws.config.backend_scheme != "duckdb":
        return _build_through_export(ws, size, seed, replace=replace, progress=progress)
    started = time.perf_counter()
    target = database_file(ws)
    config = demo_config(ws.config)
    source = f"demo:{size.name}:seed={seed}"
    with tempfile.TemporaryDirectory(prefix=".demo-", dir=target.parent) as tmp:
        staging_file = Path(tmp) / target.name
        relative = os.path.relpath(staging_file, ws.root)
        staging = Connection(
            ws.root, config.model_copy(update={"backend": f"duckdb:///{relative}"})
        )
        rejected = 0
        try:
            # one write for every table: the staging file is written once, not copied per table
            with staging.writing() as backend:
                # Bounded memory at every scale: DuckDB spills to the staging folder beyond this.
                memory = DUCKDB_MEMORY.get(size.name, "12GB")
                backend.con.execute("SET memory_limit = $v", {"v": memory})
                backend.con.execute("SET temp_directory = $v", {"v": str(Path(tmp) / "spill")})
                stream = generate(size, seed, base_currency=config.base_currency)
                spooled = _spool(Path(tmp), stream, progress)
                for t in schema.TABLES:
                    path = Path(tmp) / f"{t.name}.parquet"
                    batches = _batches(path, t.name, spooled[t.name], progress)
                    rejected += load_arrow(staging, t.name, batches, source=source).rows_rejected
        finally:
            staging.close()
        ws.close()
        with snapshot.writer_lock(target):  # swapped in as a snapshot (readers keep the old)
            snapshot.commit(staging_file, target)
    changed = ws.config != config
    if changed:
        (ws.root / CONFIG_FILE).write_text(render_config(config), encoding="utf-8")
    ws.config = config
    counts = table_counts(ws)
    return DemoResult(
        scale=size.name,
        seed=seed,
        rows={t.name: counts[t.name] for t in schema.TABLES},
        rejected=rejected,
        seconds=time.perf_counter() - started,
        config_changed=changed,
    )


def _build_through_export(
    ws: Connection, size: Scale, seed: int, *, replace: bool, progress: Progress | None
) -> DemoResult:
    """The demo for a workspace on another backend (PostgreSQL, Spark): built in a scratch
    DuckDB workspace, exported, and restored into ``ws`` (one transaction of its backend)."""
    if replace and any(table_counts(ws).values()):
        raise UserError(
            f"workspace {ws.root}: --replace empties duckdb:// workspaces only; load the demo"
            " into an empty workspace (for PostgreSQL a new schema: postgresql://...?schema=NEW)"
        )
    from salesmetrics.transfer import export_workspace, restore_workspace

    started = time.perf_counter()
    config = demo_config(ws.config)
    with tempfile.TemporaryDirectory(prefix=".demo-", dir=ws.root) as tmp:
        root = Path(tmp) / "scratch"
        root.mkdir()
        scratch = Connection(root, config.model_copy(update={"backend": DEFAULT_BACKEND}))
        try:
            built = build_demo(scratch, size, seed, progress=progress)
            export_workspace(scratch, Path(tmp) / "export")
        finally:
            scratch.close()
        restore_workspace(ws, Path(tmp) / "export")
    changed = ws.config != config
    if changed:
        (ws.root / CONFIG_FILE).write_text(render_config(config), encoding="utf-8")
    ws.config = config
    return DemoResult(
        scale=size.name,
        seed=seed,
        rows=built.rows,
        rejected=built.rejected,
        seconds=time.perf_counter() - started,
        config_changed=changed,
    )
