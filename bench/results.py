"""Benchmark figures, the results file and the one-screen summary.

Each bar's module returns a :class:`Figure`: the measured value, its baseline from the same
run, the ratio, the target and whether it holds (``None``: not measured, with the reason).
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Figure:
    """One quality bar as measured: ``ratio`` compared with ``target`` in direction ``op``."""

    bar: str
    title: str
    measured: str
    ratio: float | None
    target: float
    op: str  # "<=" or ">="
    details: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    #: A check beside the ratio failed (e.g. results not equal): the bar does not hold.
    check_failed: bool = False

    @property
    def holds(self) -> bool | None:
        """Whether the bar holds (None when it was not measured)."""
        if self.ratio is None:
            return None
        if self.check_failed:
            return False
        return self.ratio <= self.target if self.op == "<=" else self.ratio >= self.target

    def as_dict(self) -> dict[str, Any]:
        """The figure as plain JSON data, with ``holds``."""
        return {**asdict(self), "holds": self.holds}


def not_measured(bar: str, title: str, target: float, op: str, reason: str) -> Figure:
    """A figure for a bar that was not measured in this run, saying why."""
    return Figure(bar, title, "not measured", None, target, op, note=reason)


def write(
    figures: Sequence[Figure],
    machine: dict[str, Any],
    settings: dict[str, Any],
    directory: Path = RESULTS,
    now: dt.datetime | None = None,
) -> Path:
    """Write ``bench/results/<UTC timestamp>.json``; returns its path."""
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{stamp}.json"
    payload = {
        "timestamp": stamp,
        "machine": machine,
        "settings": settings,
        "figures": [f.as_dict() for f in figures],
    }
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def summary(figures: Sequence[Figure], width: int = 96) -> str:
    """One line per bar (bar, title, ratio, target, holds), then what was measured in full and
    the note, if any, wrapped to ``width`` under it."""
    head = f"{'bar':<4} {'measure':<22} {'ratio':>8} {'target':>8}  holds"
    lines = [head, "-" * len(head)]
    for f in figures:
        ratio = "-" if f.ratio is None else f"{f.ratio:.2f}"
        holds = {True: "yes", False: "NO", None: "not measured"}[f.holds]
        target = f"{f.op}{f.target:g}"
        lines.append(f"{f.bar:<4} {f.title:<22} {ratio:>8} {target:>8}  {holds}")
        for text in (f.measured, f.note):
            if text:
                lines.extend(
                    textwrap.wrap(
                        text, width, initial_indent=_INDENT, subsequent_indent=_INDENT + "  "
                    )
                )
    return "\n".join(lines)


_INDENT = " " * 5
