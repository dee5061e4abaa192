"""salesmetrics: every sales and SaaS metric, with one written and tested definition each.

The workspace API (and with it Ibis and pandas) is imported on first use of one of its names,
so the command line's light commands (``--help``, ``calc``, ``glossary``) start quickly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from salesmetrics.errors import UserError

if TYPE_CHECKING:
    from salesmetrics import calc
    from salesmetrics.workspace import Workspace, init_workspace, open_workspace

__all__ = ["UserError", "Workspace", "__version__", "calc", "init_workspace", "open_workspace"]
__version__ = "0.1.0"

#: Public names imported on first use, and the module each comes from.
_LAZY = {
    "Workspace": "salesmetrics.workspace",
    "init_workspace": "salesmetrics.workspace",
    "open_workspace": "salesmetrics.workspace",
}


def __getattr__(name: str) -> Any:
    if name == "calc":
        return importlib.import_module("salesmetrics.calc")
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
