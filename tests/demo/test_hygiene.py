"""The injected CRM hygiene problems are present at their documented rates."""

from __future__ import annotations

import duckdb
import pytest

from salesmetrics.demo import PROBLEMS

from .conftest import one


@pytest.mark.parametrize("problem", sorted(PROBLEMS))
def test_problem_is_present_at_its_rate(db: duckdb.DuckDBPyConnection, problem: str) -> None:
    p = PROBLEMS[problem]
    affected, out_of = one(db, p.sql)
    assert isinstance(affected, int) and isinstance(out_of, int)
    assert out_of > 0
    assert affected > 0, f"{problem}: none injected"
    # Counts are the rate times each block's denominator, rounded at random: within a few
    # items of the rate (binomial slack for small denominators).
    expected = p.rate * out_of
    assert abs(affected - expected) <= max(0.2 * expected, 3), (problem, affected, expected)


def test_problems_document_themselves() -> None:
    for p in PROBLEMS.values():
        assert p.description and 0 < p.rate < 0.2
        assert p.sql.lstrip().upper().startswith(("SELECT", "WITH"))
