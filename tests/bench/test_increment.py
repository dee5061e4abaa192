"""P7's new rows: about 1 % of each table, new keys, dates moved within the data, importable."""

from __future__ import annotations

from pathlib import Path

from bench import increment
from salesmetrics import Workspace


def _count(ws: Workspace, sql: str) -> int:
    row = ws.duckdb.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def test_the_new_rows_have_new_keys_earlier_dates_and_import_whole(
    crm: Workspace, tmp_path: Path
) -> None:
    before = {t: _count(crm, f"SELECT count(*) FROM {t}") for t in increment.TABLES}
    new = increment.generate(crm.duckdb, tmp_path, share=0.5)

    # half the deals whose dates stay within the data after the shift: o1 (January) cannot
    assert new.rows["opportunities"] == 2
    assert new.rows["opportunity_history"] == 2 * 2  # every history row of the chosen deals
    assert new.rows["activities"] == 5
    first = crm.duckdb.execute("SELECT min(created_at) FROM opportunities").fetchone()
    for table in increment.TABLES:
        result = crm.import_file(table, new.files[table])
        assert (result.rows_loaded, result.rows_rejected) == (new.rows[table], 0)
        after = _count(crm, f"SELECT count(*) FROM {table}")
        assert after == before[table] + new.rows[table]  # new keys: nothing replaced
    moved = crm.duckdb.execute(
        f"""SELECT n.created_at, o.created_at, n.close_date, o.close_date FROM opportunities n
        JOIN opportunities o ON n.opportunity_id = o.opportunity_id || '{increment.SUFFIX}'"""
    ).fetchall()
    assert len(moved) == 2
    for new_created, old_created, new_close, old_close in moved:
        assert (old_created - new_created).days == increment.SHIFT_DAYS
        assert (old_close - new_close).days == increment.SHIFT_DAYS
        assert first is not None and new_created >= first[0]
    orphans = _count(
        crm,
        """SELECT count(*) FROM opportunity_history h WHERE NOT EXISTS
        (SELECT 1 FROM opportunities o WHERE o.opportunity_id = h.opportunity_id)""",
    )
    assert orphans == 0


def test_at_least_one_row_of_each_table(crm: Workspace, tmp_path: Path) -> None:
    new = increment.generate(crm.duckdb, tmp_path, share=0.01)
    assert new.rows["opportunities"] == 1 and new.rows["activities"] == 1
