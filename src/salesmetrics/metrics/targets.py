"""Targets and status: which target applies to a result row, and whether it is met.

A target comes from ``[targets.<metric>]`` in ``salesmetrics.toml`` (per group dimension, then
``default``), else from the registry's default (metrics.md "Default targets"). Status follows the
metric's direction: **on_track** when the target is met, **at_risk** when the value misses it by
at most 10 % of the target, **off_track** otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from salesmetrics.dims import DIMENSIONS
from salesmetrics.metrics.registry import Direction, Metric

if TYPE_CHECKING:
    from salesmetrics.config import Config

ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
#: The status of each code of :func:`status` (0: no value or no target).
_STATUSES = np.array([None, ON_TRACK, AT_RISK, OFF_TRACK], dtype=object)
#: How far below (or above, for lower-is-better metrics) the target still counts as at risk.
AT_RISK_MARGIN = 0.10


def resolve(
    metric: Metric, rows: Mapping[str, Any], n: int, keys: Sequence[str], config: Config
) -> np.ndarray:
    """The target of each of the ``n`` rows (``rows``: their columns, the group dimensions
    ``keys`` among them; NaN where none), most specific first: a target for the row's rep,
    then team, manager, region, segment, ...; then the metric's default."""
    configured = config.targets.get(metric.id)
    target = np.full(n, np.nan)
    if configured is not None and configured.default is not None:
        target[:] = configured.default
    elif metric.default_target is not None:
        target[:] = metric.default_target.value
    if configured is None:
        return target
    # Least specific first, so that the most specific (rep) is applied last and wins.
    for dim in reversed(DIMENSIONS):
        per_group: dict[str, float] = getattr(configured, dim)
        if not per_group or dim not in keys:
            continue
        group = pd.Series(rows[dim], dtype=object)
        mapped = group.map(per_group).to_numpy(dtype="float64", na_value=np.nan)
        target = np.where(np.isnan(mapped), target, mapped)
    return target


def status(metric: Metric, value: np.ndarray, target: np.ndarray) -> np.ndarray:
    """on_track / at_risk / off_track per row (None where the value or target is missing)."""
    value = np.asarray(value, dtype="float64")
    margin = AT_RISK_MARGIN * np.abs(target)
    with np.errstate(invalid="ignore"):
        if metric.direction is Direction.HIGHER:
            met, near = value >= target, value >= target - margin
        else:
            met, near = value <= target, value <= target + margin
    code = np.where(met, 1, np.where(near, 2, 3))
    code[np.isnan(value) | np.isnan(target)] = 0
    return _STATUSES[code]
