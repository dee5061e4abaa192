"""The fixed names every layer shares: where a workspace lives and what it calls things.

Kept apart from :mod:`salesmetrics.config` (Pydantic) and :mod:`salesmetrics.connection` (the
backends) so that the light commands (``calc``, ``glossary``) and the metric catalog can use
these names without loading either.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The workspace's configuration file, in its folder.
CONFIG_FILE = "salesmetrics.toml"
#: The environment variable naming the workspace folder when a command is given none.
ENV_WORKSPACE = "SALESMETRICS_WORKSPACE"
#: The categories and methods of the ``forecasts`` table (data-model.md); the first of each is
#: the default of ``forecast_category`` and ``forecast_method``.
FORECAST_CATEGORIES = ("most_likely", "commit", "best_case")
FORECAST_METHODS = ("manager", "weighted_pipeline", "statistical")
#: The channel of costs without one (metrics.md "Marketing"): shown as its own group, never spread.
UNALLOCATED_CHANNEL = "(unallocated)"


def resolve_dir(directory: str | Path | None) -> Path:
    """The workspace folder: ``directory``, else ``$SALESMETRICS_WORKSPACE``, else the cwd."""
    if directory is not None:
        return Path(directory)
    return Path(os.environ.get(ENV_WORKSPACE) or ".")
