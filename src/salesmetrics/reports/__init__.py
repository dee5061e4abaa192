"""Review packs: the monthly, quarterly and annual reviews as standalone HTML, PDF and XLSX.

:func:`build_pack` asks the engine (through the workspace facade) for what a review shows and
returns a :class:`ReviewPack`; :func:`write_pack` renders it in the format its file's suffix
names. The charts come from the chart layer, :mod:`salesmetrics.reports.charts`.
"""

from __future__ import annotations

from salesmetrics.reports.model import ReviewPack
from salesmetrics.reports.pack import build_pack
from salesmetrics.reports.write import FORMATS, write_pack

__all__ = ["FORMATS", "ReviewPack", "build_pack", "write_pack"]
