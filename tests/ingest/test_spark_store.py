"""Imports into a Spark workspace (salesmetrics.ingest.spark_store), on local[2].

What the Spark store does itself is checked here: values and types handed to Spark, the
quarantine and the import log written as parts (test_batches.py's tests rerun with the ``ws``
fixture overridden), a re-import recognised from Spark's import log and a changed one written,
new keys as a new part and a replaced key as a rewrite, compaction, and the manifest switch
under a real kill.

The rest of the batch behaviour (duplicates, derived keys, import options, dry runs) is decided
in the importer's DuckDB engine before the store is reached, the same for every backend, and is
tested on DuckDB in test_batches.py and on PostgreSQL in test_postgres_store.py.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from salesmetrics import Workspace, init_workspace, open_workspace
from salesmetrics.backends.spark_storage import MANIFEST
from salesmetrics.ingest import load_arrow, spark_store
from salesmetrics.ingest.spark_store import MAX_PARTS, SparkStore
from salesmetrics.ingest.store import PAUSE_ENV, store_for
from tests.ingest.conftest import rows, write
from tests.ingest.test_batches import (  # noqa: F401 - rerun on Spark
    OPPS,
    test_import_log,
    test_quarantine_contents,
    test_reimport_after_a_later_batch_restores_the_rows,
)

pytestmark = pytest.mark.slow

SCRIPT = Path(sys.executable).parent / "salesmetrics"


@pytest.fixture
def ws(tmp_path: Path, spark_url: str) -> Iterator[Workspace]:
    """A fresh Spark workspace."""
    workspace = init_workspace(tmp_path / "ws", backend=spark_url)
    yield workspace
    workspace.close()


def parts(root: Path, table: str) -> list[str]:
    manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    found: list[str] = manifest["tables"].get(table, [])
    return found


def test_values_arrive_exactly_as_on_duckdb(ws: Workspace, tmp_path: Path) -> None:
    text = "ü'\",\nline two"
    data = pa.table(
        {
            "opportunity_id": ["o1", "o2", "o3"],
            "stage": ["Prospecting"] * 3,
            "name": [text, "", None],
            "amount": [Decimal("12345678901234.5678"), Decimal("0.0001"), None],
            "probability": [0.1 + 0.2, 1e-300, None],
            "created_at": [dt.datetime(2024, 1, 2, 3, 4, 5, 123456), None, None],
            "close_date": [dt.date(2024, 2, 29), None, None],
        }
    )
    columns = "opportunity_id, name, amount, probability, created_at, close_date"
    with init_workspace(tmp_path / "duck") as duck:
        load_arrow(duck, "opportunities", data, source="test")
        expected = rows(duck, "opportunities", columns)
    assert load_arrow(ws, "opportunities", data, source="test").rows_loaded == 3
    assert rows(ws, "opportunities", columns) == expected


def test_the_store_of_a_spark_workspace_recognises_a_reimport(
    ws: Workspace, tmp_path: Path
) -> None:
    store = store_for(ws)
    try:
        assert isinstance(store, SparkStore)
    finally:
        store.close()
    path = write(tmp_path / "deals.csv", OPPS)
    first = ws.import_file("opportunities", path)
    manifest = (ws.root / MANIFEST).read_bytes()
    second = ws.import_file("opportunities", path)
    assert second.already_imported == first.batch_id and not second.written
    assert (ws.root / MANIFEST).read_bytes() == manifest  # nothing switched


def test_new_keys_add_a_part_and_a_replaced_key_rewrites_the_table(
    ws: Workspace, tmp_path: Path
) -> None:
    first = "lead_id,created_at,source\nL1,2024-01-01,web\n"
    ws.import_file("leads", write(tmp_path / "a.csv", first))
    ws.import_file("leads", write(tmp_path / "b.csv", "lead_id,created_at\nL2,2024-01-02\n"))
    assert len(parts(ws.root, "leads")) == 2
    assert len(parts(ws.root, "_import_log")) == 2
    ws.import_file("leads", write(tmp_path / "c.csv", "lead_id,created_at\nL1,2024-03-03\n"))
    assert len(parts(ws.root, "leads")) == 1
    # whole rows replaced: the source the new file does not give is gone
    assert rows(ws, "leads", "lead_id, created_at, source") == [
        ("L1", dt.datetime(2024, 3, 3), None),
        ("L2", dt.datetime(2024, 1, 2), None),
    ]
    # parts replaced two switches ago are deleted; those of the last switch are still readable
    on_disk = {p.parent.name + "/" + p.name for p in (ws.root / "spark-data").glob("leads/*")}
    manifest = json.loads((ws.root / MANIFEST).read_text(encoding="utf-8"))
    assert on_disk == set(manifest["tables"]["leads"]) | set(manifest["retired"])


def test_append_only_tables_are_compacted(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    most = 3  # the rule whatever the limit: fewer imports than MAX_PARTS take
    assert most < MAX_PARTS
    monkeypatch.setattr(spark_store, "MAX_PARTS", most)
    for i in range(most + 1):
        ws.import_file("reps", write(tmp_path / f"r{i}.csv", f"rep_id,name\nr{i},Rep {i}\n"))
    assert len(parts(ws.root, "_import_log")) < most
    assert len(rows(ws, "_import_log", "batch_id")) == most + 1
    assert len(rows(ws, "reps", "rep_id")) == most + 1


@pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL")
def test_kill_before_the_switch_leaves_the_workspace_as_before(
    tmp_path: Path, spark_url: str
) -> None:
    root = tmp_path / "ws"
    with init_workspace(root, backend=spark_url) as ws:
        ws.import_file("leads", write(tmp_path / "a.csv", "lead_id,created_at\nA,2023-01-01\n"))
        before = rows(ws, "leads", "lead_id"), rows(ws, "_import_log", "batch_id")
    manifest = (root / MANIFEST).read_bytes()
    csv = write(tmp_path / "b.csv", "lead_id,created_at\nA,2024-02-02\nB,2024-01-01\nC,bad\n")
    marker = tmp_path / "marker"
    proc = subprocess.Popen(
        [str(SCRIPT), "import", "leads", str(csv), "--workspace", str(root), "--quiet"],
        env={**os.environ, PAUSE_ENV: str(marker)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 300
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()[1].decode()
        assert time.monotonic() < deadline, "the import never reached its switch"
        time.sleep(0.1)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert (root / MANIFEST).read_bytes() == manifest
    committed = parts(root, "leads")
    written = {f"leads/{p.name}" for p in (root / "spark-data" / "leads").iterdir()}
    [orphan] = written - set(committed)  # the killed import's new part, never switched in
    with open_workspace(root) as ws:
        assert (rows(ws, "leads", "lead_id"), rows(ws, "_import_log", "batch_id")) == before
        # the next import works, and removes the orphan
        result = ws.import_file("leads", csv)
        assert (result.rows_loaded, result.rows_rejected) == (2, 1)
        assert rows(ws, "leads", "lead_id, created_at") == [
            ("A", dt.datetime(2024, 2, 2)),
            ("B", dt.datetime(2024, 1, 1)),
        ]
    assert not (root / "spark-data" / orphan).exists()
