"""The small demo company against the plain-Python reference (both recurring inputs)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest

from salesmetrics import Workspace
from tests.demos import DemoBuild, copy_demo
from tests.recurring import reference as ref
from tests.recurring.test_reference import BASE, compare_mrr

#: The whole demo company against the reference: the slow tier (make test); make check has the
#: random companies of test_reference.py.
pytestmark = pytest.mark.slow

TABLES = ("subscriptions", "invoice_lines", "fx_rates", "accounts", "reps")


@pytest.fixture(scope="module")
def demo(
    demo_build: DemoBuild, small: dict[str, pa.Table], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Workspace, dict[str, list[dict[str, Any]]]]]:
    """A copy of the small demo of this module's own (the tests switch its recurring source),
    and the generator's rows of the recurring tables, for the reference."""
    ws = copy_demo(demo_build, tmp_path_factory.mktemp("demo") / "ws")
    assert ws.config.base_currency == BASE
    yield ws, {name: small[name].to_pylist() for name in TABLES}
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
