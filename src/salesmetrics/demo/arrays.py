"""Vectorised numpy helpers shared by the demo generators (no Python loops over rows)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

#: numpy arrays as the generators use them (dtype noted in each name's docstring).
Arr = npt.NDArray[Any]


def offsets(counts: Arr) -> Arr:
    """Start offset of each group in a flat array laid out group after group."""
    out = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=out[1:])
    return out


def group_ids(counts: Arr) -> Arr:
    """The group index of every element of a flat array laid out group after group."""
    return np.repeat(np.arange(len(counts), dtype=np.int64), counts)


def rank_in_group(groups: Arr) -> Arr:
    """0-based position of each element within its run of equal (sorted) group ids."""
    n = len(groups)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[True, groups[1:] != groups[:-1]]
    first = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    return np.arange(n, dtype=np.int64) - first


def last_in_group(groups: Arr) -> Arr:
    """Mask of the last element of each run of equal (sorted) group ids."""
    n = len(groups)
    if n == 0:
        return np.zeros(0, dtype=bool)
    return np.asarray(np.r_[groups[1:] != groups[:-1], True])


def ffill_index(has_value: Arr) -> Arr:
    """For each position, the index of the latest position at or before it that has a value.

    Position 0 must have a value (callers make every group's first row set every field, so a
    fill never crosses from one group into the next).
    """
    idx = np.where(has_value, np.arange(len(has_value), dtype=np.int64), 0)
    return np.maximum.accumulate(idx) if len(idx) else idx


def choice(rng: np.random.Generator, weights: Arr | list[float], size: int) -> Arr:
    """``size`` indices drawn with the given (unnormalised) weights."""
    w = np.asarray(weights, dtype=np.float64)
    cdf = np.cumsum(w / w.sum())
    cdf[-1] = 1.0
    return np.searchsorted(cdf, rng.random(size), side="right").astype(np.int64)


def choice_rows(rng: np.random.Generator, weights: Arr, rows: Arr) -> Arr:
    """One index per element, drawn from row ``rows[i]`` of a weight matrix."""
    cdf = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    cdf[:, -1] = 1.0
    u = rng.random(len(rows))
    return np.asarray((cdf[rows] < u[:, None]).sum(axis=1), dtype=np.int64)


def lognormal(rng: np.random.Generator, median: Arr | float, sigma: float, size: int) -> Arr:
    """Lognormal draws with the given median(s) and log-space spread."""
    return np.asarray(median, dtype=np.float64) * np.exp(rng.normal(0.0, sigma, size))


def pick_exact(rng: np.random.Generator, candidates: Arr, count: int) -> Arr:
    """``count`` distinct positions drawn from the boolean mask ``candidates`` (as a mask)."""
    where = np.flatnonzero(candidates)
    out = np.zeros(len(candidates), dtype=bool)
    count = min(count, len(where))
    if count > 0:
        out[rng.choice(where, size=count, replace=False)] = True
    return out
