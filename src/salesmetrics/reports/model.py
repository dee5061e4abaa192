"""What a review pack holds: sections of tables, charts and paragraphs, with raw values.

The model keeps numbers as numbers (with their unit) and words already in the pack's language;
each format (:mod:`~salesmetrics.reports.html`, :mod:`~salesmetrics.reports.pdf`,
:mod:`~salesmetrics.reports.xlsx`) formats them its own way: text by locale in HTML and PDF,
numbers with number formats in XLSX.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from salesmetrics.metrics.status import DataStatus
from salesmetrics.reports.locale import Formats

#: How a column's cells are formatted: ``text`` as is; ``value`` in the row's ``unit``;
#: ``change`` a change (the row's ``unit``; its rate in the column ``KEY_rate``); ``money``,
#: ``ratio``, ``count``, ``number`` in that unit whatever the row; ``period`` a period label;
#: ``status`` a target status.
KINDS = ("text", "value", "change", "money", "ratio", "count", "number", "period", "status")


@dataclass(frozen=True)
class Column:
    """A table column: the row key it shows, its heading, and how its cells are formatted."""

    key: str
    label: str
    kind: str = "text"


@dataclass(frozen=True)
class Excerpt:
    """The rows of a long table that the printed pack (the PDF) shows, and a note saying
    which (the HTML and the XLSX show every row)."""

    rows: list[dict[str, Any]]
    note: str


@dataclass(frozen=True)
class Table:
    """A table of rows (dicts keyed by the columns' keys). With ``components``, every row has
    a ``components`` dict (the engine's numerator, denominator, ...), which the XLSX writes as
    columns so the figures can be audited. ``printed``: what the PDF shows of a long table
    (:mod:`salesmetrics.reports.excerpts`); None, every row."""

    id: str
    title: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]]
    components: bool = False
    caption: str = ""
    printed: Excerpt | None = None


@dataclass(frozen=True)
class Chart:
    """A chart as a Vega-Lite specification (:mod:`salesmetrics.reports.charts`), with a text
    saying what it shows (for screen readers, and the XLSX, which has no charts)."""

    id: str
    title: str
    spec: dict[str, Any]
    description: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of text."""

    text: str


Block = Table | Chart | Paragraph


@dataclass(frozen=True)
class Section:
    """A section of the pack: ``id`` (``summary``, ``role-finance``, ``movers``, ``quality``,
    ``glossary``), its title, and its blocks in order."""

    id: str
    title: str
    blocks: tuple[Block, ...]
    role: str | None = None

    def tables(self) -> list[Table]:
        """The section's tables."""
        return [b for b in self.blocks if isinstance(b, Table)]

    def charts(self) -> list[Chart]:
        """The section's charts."""
        return [b for b in self.blocks if isinstance(b, Chart)]


@dataclass(frozen=True)
class EngineCall:
    """One call the pack made to the engine, and how long it took (seconds)."""

    name: str
    seconds: float


@dataclass
class ReviewPack:
    """Everything a review pack renders, built by :func:`salesmetrics.reports.build_pack`.

    ``summary`` holds one dict per cadence metric (see :meth:`summary_rows`); ``sections`` are
    in print order after the cover; ``engine_calls`` time the engine calls the pack made.
    """

    title: str
    cadence: str
    period: str
    period_start: dt.date
    period_end: dt.date
    lang: str
    base_currency: str
    role: str | None
    by: str | None
    status: DataStatus
    summary: list[dict[str, Any]]
    sections: list[Section]
    generated: dt.datetime
    workspace: str = ""
    engine_calls: list[EngineCall] = field(default_factory=list)

    @property
    def formats(self) -> Formats:
        """The pack's words and number formats (its language, its base currency)."""
        return Formats(self.lang, self.base_currency)

    @property
    def engine_seconds(self) -> float:
        """Seconds spent in the engine calls the pack made."""
        return sum(c.seconds for c in self.engine_calls)

    def section(self, section_id: str) -> Section:
        """The section ``section_id`` (KeyError when the pack has none)."""
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)

    def summary_rows(self) -> list[dict[str, Any]]:
        """For each cadence metric: ``metric`` (id), ``name``, ``unit``, ``value``,
        ``previous`` (the previous period's value), ``change`` (value − previous),
        ``change_rate``, ``last_year`` (the same period last year), ``change_year``,
        ``target``, ``status`` (on_track / at_risk / off_track or None) and ``note``."""
        keys = (
            "metric",
            "name",
            "unit",
            "period",
            "value",
            "previous",
            "change",
            "change_rate",
            "last_year",
            "change_year",
            "target",
            "status",
            "note",
        )
        return [{k: row.get(k) for k in keys} for row in self.summary]
