"""P9: the billing export's shape, its import and metric timed, against ``read_csv``."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from bench.p9_billing import BillingRun

from bench import p9_billing


def test_the_export_has_unique_lines_half_with_service_periods(tmp_path: Path) -> None:
    invoices, accounts = p9_billing.generate(tmp_path, lines=400, accounts=30)
    con = duckdb.connect()
    n, ids, periodic, ordered, billed, known = con.execute(
        """SELECT count(*), count(DISTINCT line_id), count(service_start),
        count(*) FILTER (service_end >= service_start), count(DISTINCT account_id),
        count(*) FILTER (account_id IN (SELECT account_id FROM read_csv($a)))
        FROM read_csv($i)""",
        {"i": str(invoices), "a": str(accounts)},
    ).fetchone() or (0, 0, 0, 0, 0, 0)
    assert n == ids == known == 400
    assert periodic == ordered == 200
    assert billed > 1


def test_it_imports_every_line_and_gets_a_row_per_month(tmp_path: Path) -> None:
    invoices, accounts = p9_billing.generate(tmp_path, lines=300, accounts=20)
    result = p9_billing.run(invoices, accounts, tmp_path)
    assert result.rows_loaded == 300 and result.result_rows == 24
    assert result.import_seconds > 0 and result.metric_seconds > 0 and result.read_csv_seconds > 0
    fig = p9_billing.figure(result, 300)
    assert fig.check_failed is False and fig.ratio == result.seconds / result.read_csv_seconds
    assert (
        'recurring_source = "invoice_lines"' in (tmp_path / "ws" / "salesmetrics.toml").read_text()
    )


@pytest.mark.parametrize(
    ("loaded", "months", "holds"), [(100, 24, True), (99, 24, False), (100, 12, False)]
)
def test_the_ratio_is_import_and_metric_over_read_csv_and_checked(
    loaded: int, months: int, holds: bool
) -> None:
    fig = p9_billing.figure(BillingRun(2.0, 1.0, loaded, months, 1.0), 100)
    assert fig.bar == "P9" and fig.ratio == 3.0 and fig.holds is holds
    assert bool(fig.note) is not holds
