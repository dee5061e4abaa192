"""The command line on a Spark workspace (local[2]): init, import, rejects, metrics, export and
restore, each as on DuckDB."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_workspace_cli import run

pytestmark = pytest.mark.slow

DEALS = (
    "opportunity_id,stage,status,created_at,close_date,amount\n"
    "o1,Closed Won,won,2024-01-05,2024-02-10,100\n"
    "o2,Closed Lost,lost,2024-01-20,2024-03-01,50\n"
    "o3,Closed Won,won,2024-03-01,2024-05-05,300\n"
    "o4,Proposal,open,2024-04-01,2024-07-01,70\n"
    "o5,Closed Won,won,2024-04-01,not a date,10\n"
)
METRICS = ["metrics", "-m", "win_rate", "-m", "average_deal_size", "-p", "2024", "-g", "quarter"]


def workspace_with_deals(
    root: Path, backend: str | None, deals: Path, capsys: pytest.CaptureFixture[str]
) -> str:
    code, out, err = run(["init", str(root), *(["--backend", backend] if backend else [])], capsys)
    assert code == 0, err
    code, out, err = run(["import", "opportunities", str(deals), "-w", str(root), "-q"], capsys)
    assert code == 0, err
    return out


def test_init_import_rejects_metrics_export_restore(
    tmp_path: Path, spark_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    deals = tmp_path / "deals.csv"
    deals.write_text(DEALS, encoding="utf-8")
    ws = tmp_path / "spark"
    code, out, _ = run(["init", str(ws), "--backend", spark_url], capsys)
    assert code == 0 and "created workspace" in out and "pyspark://local[2]" in out
    # --no-warm: warming is a review of every family (minutes on Spark under load), which
    # tests/parity/test_spark.py runs on the demo; the warm after an import is tested on DuckDB
    command = ["import", "opportunities", str(deals), "-w", str(ws), "-q", "--no-warm"]
    code, out, err = run(command, capsys)
    assert code == 0, err
    assert "loaded 4" in out and "rejected 1" in out
    code, out, _ = run(["rejects", "-w", str(ws)], capsys)
    assert code == 0 and "not a date" in out and "close_date" in out

    code, spark_json, err = run([*METRICS, "-w", str(ws), "--format", "json"], capsys)
    assert code == 0, err
    results = {(r["metric"], r["period"]): r["value"] for r in json.loads(spark_json)["results"]}
    assert results[("win_rate", "2024-Q1")] == 0.5  # o1 won, o2 lost
    assert results[("win_rate", "2024-Q2")] == 1.0  # o3 won
    assert results[("average_deal_size", "2024-Q2")] == 300.0

    duck = tmp_path / "duck"
    workspace_with_deals(duck, None, deals, capsys)
    code, duck_json, _ = run([*METRICS, "-w", str(duck), "--format", "json"], capsys)
    assert code == 0 and json.loads(spark_json) == json.loads(duck_json)

    code, _, err = run(["export", str(tmp_path / "e"), "-w", str(ws)], capsys)
    assert code == 0 and "wrote 16 tables" in err
    run(["init", str(tmp_path / "back")], capsys)
    code, out, _ = run(["restore", str(tmp_path / "e"), "-w", str(tmp_path / "back")], capsys)
    # four deals, one quarantine row, one import-log row
    assert code == 0 and "restored 6 rows" in out
    code, restored_json, _ = run(
        [*METRICS, "-w", str(tmp_path / "back"), "--format", "json"], capsys
    )
    assert json.loads(restored_json) == json.loads(duck_json)
