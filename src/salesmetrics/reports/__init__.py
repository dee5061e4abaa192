"""Review packs: the monthly, quarterly and annual reviews as standalone HTML, PDF and XLSX.

:func:`build_pack` asks the engine (through the workspace facade) for what a review shows and
returns a :class:`ReviewPack`; :func:`write_pack` renders it in the format its file's suffix
names. The charts come from the chart layer, :mod:`salesmetrics.reports.charts`.

The names are loaded on first use (PEP 562), so a light module of the package (the Babel
formats of :mod:`salesmetrics.reports.locale`, which the terminal views share) is imported
without the pack builder and what it loads (Ibis, pandas).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from salesmetrics.reports.model import ReviewPack
    from salesmetrics.reports.pack import build_pack
    from salesmetrics.reports.write import FORMATS, write_pack

__all__ = ["FORMATS", "ReviewPack", "build_pack", "write_pack"]

_HOMES = {
    "ReviewPack": "salesmetrics.reports.model",
    "build_pack": "salesmetrics.reports.pack",
    "FORMATS": "salesmetrics.reports.write",
    "write_pack": "salesmetrics.reports.write",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'salesmetrics.reports' has no attribute {name!r}")
    return getattr(import_module(home), name)
