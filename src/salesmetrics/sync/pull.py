"""What a connector hands back: canonical rows per table, and the cursors to keep.

Rows are plain dicts of canonical column names to text (or None): a connector only renames and
reshapes the vendor's payload. Converting and validating the values is the importer's job, the
same SQL as for a file (:func:`salesmetrics.ingest.load_arrow`); a record missing a required
field is quarantined there with the reason, never dropped here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

#: The order tables are loaded in: what others refer to first.
TABLE_ORDER = (
    "reps",
    "accounts",
    "opportunities",
    "opportunity_history",
    "subscriptions",
    "invoice_lines",
)

Row = dict[str, str | None]


@dataclass
class Pull:
    """The result of one connector's pull: rows per canonical table, and the new cursors."""

    tables: dict[str, list[Row]] = field(default_factory=dict)
    ids: dict[str, list[str]] = field(default_factory=dict)
    """Per table, the vendor's id of each row (to name a rejected row by the record it came
    from: the quarantine numbers rows 1, 2, ... in pull order)."""
    cursors: dict[str, str] = field(default_factory=dict)
    """Object name -> cursor value to start the next incremental pull from."""
    notes: list[str] = field(default_factory=list)

    def add(self, table: str, vendor_id: object, row: Row) -> None:
        """Append ``row`` (from the vendor record ``vendor_id``) to ``table``."""
        self.tables.setdefault(table, []).append(row)
        self.ids.setdefault(table, []).append("" if vendor_id is None else str(vendor_id))

    def advance(self, name: str, value: str | None) -> None:
        """Move cursor ``name`` to ``value`` when it is later (cursors compare as text: each
        connector keeps them in a sortable form)."""
        if value and value > self.cursors.get(name, ""):
            self.cursors[name] = value


def text(value: Any) -> str | None:
    """A payload value as text for the importer: None and "" stay missing, numbers exact."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return str(value)


def from_epoch(seconds: Any) -> str | None:
    """A Unix timestamp (seconds) as an ISO UTC timestamp, or None."""
    if seconds is None or seconds == "":
        return None
    try:
        moment = dt.datetime.fromtimestamp(float(seconds), dt.UTC)
    except (TypeError, ValueError, OverflowError):
        return str(seconds)  # left for the importer to reject, with the value shown
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def fraction(percent: Any) -> str | None:
    """A 0-100 percentage as a 0-1 fraction (text), keeping a value that is not a number as it
    is for the importer to reject."""
    if percent is None or percent == "":
        return None
    try:
        return format(Decimal(str(percent)) / 100, "f")
    except ArithmeticError:
        return str(percent)


def pick(record: Mapping[str, Any], *path: str) -> Any:
    """``record[a][b]...``, None where a step is missing or not a mapping."""
    value: Any = record
    for step in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value
