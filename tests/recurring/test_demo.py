"""The small demo company against the plain-Python reference (both recurring inputs)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from salesmetrics import Workspace, init_workspace
from tests.recurring import reference as ref
from tests.recurring.test_reference import BASE, compare_mrr

build = pytest.importorskip("salesmetrics.demo.build")
TABLES = ("subscriptions", "invoice_lines", "fx_rates", "accounts", "reps")


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Workspace, dict[str, list[dict[str, Any]]]]]:
    ws = init_workspace(Path(tmp_path_factory.mktemp("demo")) / "ws", base_currency=BASE)
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}
    with ws.writing() as backend:
        for name, batch in build.generate("small", 7, base_currency=BASE):
            if name not in TABLES:
                continue
            rows[name] += batch.to_pylist()
            cols = ", ".join(f'"{c}"' for c in batch.schema.names)
            backend.con.register("_batch", batch)
            backend.con.execute(f'INSERT INTO "{name}" ({cols}) SELECT {cols} FROM _batch')
            backend.con.unregister("_batch")
    yield ws, rows
    ws.close()


def test_demo_subscriptions(demo: tuple[Workspace, dict[str, list[dict[str, Any]]]]) -> None:
    ws, rows = demo
    assert rows["subscriptions"], "the demo has subscriptions"
    ws.config.recurring_source = "subscriptions"
    compare_mrr(
        ws, ref.subscription_items(rows["subscriptions"], ref.Rates(rows["fx_rates"]), BASE)
    )


def test_demo_invoice_lines(demo: tuple[Workspace, dict[str, list[dict[str, Any]]]]) -> None:
    ws, rows = demo
    assert rows["invoice_lines"], "the demo has invoice lines"
    ws.config.recurring_source = "invoice_lines"
    compare_mrr(ws, ref.line_items(rows["invoice_lines"], ref.Rates(rows["fx_rates"]), BASE))


def test_demo_recognized_revenue(demo: tuple[Workspace, dict[str, list[dict[str, Any]]]]) -> None:
    from salesmetrics.recurring import recognized_revenue

    ws, rows = demo
    sample = rows["invoice_lines"][::8]  # the reference walks every day of every line: a sample
    expected = ref.recognized_by_month(sample, ref.Rates(rows["fx_rates"]), BASE)
    frame = recognized_revenue(ws).to_pandas()
    wanted = {r["line_id"] for r in sample}
    frame = frame[frame.line_id.isin(wanted)]
    got = {
        (r.line_id, (r.start.year, r.start.month)): (r.amount_local, r.amount)
        for r in frame.itertuples()
    }
    assert got == expected
