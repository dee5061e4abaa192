"""Metric values of the small demo recorded before a refactor, and the comparison with them.

``python -m tests.metrics.golden WORKSPACE OUT.json.gz`` records the result rows of
:data:`REQUESTS` on a workspace holding the small demo (seed 7); the suite compares the engine
of today against the file recorded from an earlier commit (``tests/metrics/test_golden.py``):
money to the cent, every other number to 1e-9, text exactly. Only public API is used, so the
same module records on the commit before a change and checks on the commit after it.
"""

from __future__ import annotations

import gzip
import json
import math
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

#: (period, grain, by, compare) of each recorded request; every metric with data each time.
REQUESTS: tuple[tuple[str, str | None, tuple[str, ...], str | None], ...] = (
    ("2025", "quarter", (), "previous"),
    ("2025", "quarter", ("team",), None),
    ("2024", "quarter", ("region",), "year"),
    ("2025", "month", ("segment",), None),
    ("all", "year", (), None),
)
#: The fields of a result row that are compared.
FIELDS = ("value", "unit", "components", "note", "target", "status", "compare_value", "change")


def record(root: Path) -> list[dict[str, Any]]:
    """The rows of every request of :data:`REQUESTS` on the workspace in ``root``."""
    from salesmetrics import open_workspace

    out = []
    with open_workspace(root) as ws:
        for period, grain, by, compare in REQUESTS:
            result = ws.metrics(period=period, grain=grain, by=list(by), compare=compare)
            for row in result.rows():
                key = {"request": [period, grain, list(by), compare], "metric": row["metric"]}
                key.update(period=row["period"], group=row["group"])
                out.append({**key, **{f: _plain(row.get(f)) for f in FIELDS}})
    return out


def load(path: Path) -> list[dict[str, Any]]:
    """Rows written by :func:`write`."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows: list[dict[str, Any]] = json.load(handle)
    return rows


def write(rows: list[dict[str, Any]], path: Path) -> None:
    """Write ``rows`` as compressed JSON (floats as Python's shortest repr)."""
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(rows, handle, sort_keys=True)


def differences(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> Iterator[str]:
    """Every difference beyond the tolerances between two recordings, one line each."""

    def key(row: Mapping[str, Any]) -> str:
        return json.dumps(
            [row["request"], row["metric"], row["period"], row["group"]], sort_keys=True
        )

    old = {key(r): r for r in before}
    new = {key(r): r for r in after}
    for k in sorted(old.keys() - new.keys()):
        yield f"missing now: {k}"
    for k in sorted(new.keys() - old.keys()):
        yield f"new now: {k}"
    for k in sorted(old.keys() & new.keys()):
        money = old[k]["unit"] == "money"
        for field in FIELDS:
            if not _same(old[k][field], new[k][field], money):
                yield f"{k} {field}: {old[k][field]!r} -> {new[k][field]!r}"


def _same(a: Any, b: Any, money: bool) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], money) for k in a)
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        if money:
            return abs(a - b) <= 0.005 + 1e-9 * abs(a)
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return bool(a == b)


def _plain(value: Any) -> Any:
    """``value`` as JSON can hold it (numpy and Decimal numbers as float, dates as text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | str):
        return value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, int | float):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


if __name__ == "__main__":
    write(record(Path(sys.argv[1])), Path(sys.argv[2]))
