"""The result of an evaluation: one row per (metric, period, group), and its views.

Rows follow the JSON contract of the spec (README §3): ``metric``, ``period``, ``start``,
``end`` (exclusive), ``group``, ``value`` (null where undefined, never NaN), ``unit``,
``components``, ``note``; plus ``target`` and ``status``, and with a comparison
``compare_period``, ``compare_value``, ``change`` (value − compare value) and ``change_rate``
(change / |compare value|).
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from salesmetrics.errors import UserError
from salesmetrics.metrics.format import format_value

#: Columns of every row, in output order.
ROW_KEYS = (
    "metric",
    "period",
    "start",
    "end",
    "group",
    "value",
    "unit",
    "components",
    "note",
    "target",
    "status",
)
COMPARE_KEYS = ("compare_period", "compare_value", "change", "change_rate")


def plain(value: Any) -> Any:
    """``value`` as a JSON-ready Python value: numpy scalars unwrapped, NaN/inf → None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return value
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@dataclass
class MetricResult:
    """Metric values with their components, targets and comparisons.

    ``frame`` has one row per result (columns :data:`ROW_KEYS`, the comparison columns when a
    comparison was asked for, and ``group``/``components`` as dicts). The engine computes every
    value, component, target and status as columns; ``build`` puts them in that frame, on first
    use (one dict per row and component set is Python work that a caller reading a few rows,
    or none, need not wait for). ``size`` is the number of rows. ``notes`` are remarks about
    the evaluation as a whole (metrics skipped for lack of data); ``queries`` lists the backend
    queries it ran; ``families`` the component families its values were computed from (by their
    own query or summed from a cube another evaluation of the same periods computed).
    ``period_notes`` holds the note of each period that runs past the data's last fact date
    ("the data ends on 2025-12-31"); it ends the note of every row of that period too.
    ``where`` holds the filters the rows are restricted to (dimension → value; each row's
    ``group`` holds them too).
    """

    base_currency: str
    build: Callable[[], pd.DataFrame] = field(repr=False)
    size: int
    by: tuple[str, ...] = ()
    compare: str | None = None
    notes: list[str] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)
    families: list[str] = field(default_factory=list)
    period_notes: dict[str, str] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)

    @cached_property
    def frame(self) -> pd.DataFrame:
        """The result rows (built on first use)."""
        frame = self.build()
        self.build = lambda: frame  # the columns it was built from can go
        return frame

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows())

    def __repr__(self) -> str:
        metrics = self.frame["metric"].nunique() if self.size else 0
        return f"MetricResult({self.size} rows, {metrics} metrics, by={list(self.by)})"

    @property
    def keys(self) -> tuple[str, ...]:
        """The row keys, in output order."""
        return ROW_KEYS + (COMPARE_KEYS if self.compare else ())

    def rows(self) -> list[dict[str, Any]]:
        """Every row as a JSON-ready dict (the ``results`` of :meth:`to_dict`)."""
        records = self.frame.loc[:, list(self.keys)].to_dict("records")
        rows = [{str(k): plain(v) for k, v in r.items()} for r in records]
        for row in rows:
            if row["unit"] == "count" and row["value"] is not None:
                row["value"] = round(row["value"])
        return rows

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``salesmetrics metrics --format json``."""
        return {"base_currency": self.base_currency, "results": self.rows()}

    def to_json(self, indent: int | None = None) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def to_pandas(self) -> pd.DataFrame:
        """A flat frame: the group dimensions as columns, components as a dict column."""
        frame = self.frame.loc[:, list(self.keys)].copy()
        dims = _group_dims(frame)
        for dim in dims:
            frame[dim] = frame["group"].map(lambda g, d=dim: g.get(d))
        ordered = ["metric", "period", "start", "end", *dims]
        rest = [c for c in frame.columns if c not in ordered and c != "group"]
        return frame.loc[:, ordered + rest].reset_index(drop=True)

    def to_arrow(self) -> pa.Table:
        """:meth:`to_pandas` as an Arrow table (components as JSON text)."""
        frame = self.to_pandas()
        frame["components"] = frame["components"].map(
            lambda c: json.dumps(plain(c), ensure_ascii=False)
        )
        frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
        return pa.Table.from_pandas(frame, preserve_index=False)

    def to_polars(self) -> Any:
        """:meth:`to_arrow` as a polars DataFrame (needs polars installed)."""
        try:
            import polars as pl
        except ImportError:
            raise UserError("to_polars needs polars: pip install polars") from None
        return pl.from_arrow(self.to_arrow())

    def _repr_html_(self) -> str:
        """An HTML table for notebooks."""
        head = "".join(
            f"<th>{html.escape(h)}</th>"
            for h in ("metric", "period", "group", "value", "target", "status", "note")
        )
        body = []
        for row in self.rows():
            group = ", ".join(f"{k}={v}" for k, v in (row["group"] or {}).items())
            cells = (
                row["metric"],
                row["period"],
                group,
                format_value(row["value"], row["unit"], self.base_currency),
                format_value(row["target"], row["unit"], self.base_currency)
                if row["target"] is not None
                else "",
                (row["status"] or "").replace("_", " "),
                row["note"] or "",
            )
            body.append(
                "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>"
            )
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self.notes)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{notes}"


def _group_dims(frame: pd.DataFrame) -> list[str]:
    seen: dict[str, None] = {}
    for group in frame["group"]:
        for key in group:
            seen.setdefault(key, None)
    return list(seen)
