"""Survey anonymity: which rows of a result are suppressed, applied once by the engine.

A survey metric (``Metric.respondents`` names the component counting a row's respondents) is
not shown for a group of fewer than ``min_survey_group`` respondents (*primary* suppression),
and no such group may be *derived* either (metrics.md, ``enps``): the rows of one *parent* (the
groups of one period and, for pulse scores, one question) add up to the parent's own row (the
company's, shown by the same request without ``--by``), so when a parent has a primary
suppressed group, the next-smallest groups are suppressed too (*complementary* suppression)
until the suppressed groups together hold at least ``min_survey_group`` respondents or every
group of the parent is suppressed. Then the parent minus the groups shown gives only a sum of
at least ``min_survey_group`` respondents' answers, never one small group's.

The groups of a parent are ranked by respondents (ties by the group's place in result order,
which is the same in every request), so the suppressed groups are always the smallest ones, and
the rule depends on the parent's own counts only: the same groups are suppressed whatever else
the request holds (other periods, a comparison's periods, other metrics), so a comparison's
value, change and change rate are null exactly where a value is. A group with no respondents is
not shown (nothing to show) but protects nobody, so it never counts towards the sum.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from salesmetrics.metrics.compute import Computed
from salesmetrics.metrics.grid import Grid, factorize

#: The note of a row with fewer respondents than the minimum (``{minimum}``).
PRIMARY_NOTE = "fewer than {minimum} respondents: not shown, to keep answers anonymous"
#: The note of a row suppressed so that a smaller one cannot be worked out by subtraction.
COMPLEMENTARY_NOTE = (
    "not shown, to keep answers anonymous: with the total and the groups shown, it would"
    " reveal the answers of a group of fewer than {minimum} respondents"
)


@dataclass(frozen=True)
class Suppressed:
    """Per grid row: ``primary`` (fewer respondents than the minimum, none included) and
    ``complementary`` (suppressed so that a primary one cannot be derived)."""

    primary: np.ndarray
    complementary: np.ndarray

    @property
    def any(self) -> np.ndarray:
        """Rows not shown, for either reason."""
        return np.asarray(self.primary | self.complementary)


def suppress(
    counts: np.ndarray, parents: np.ndarray, order: np.ndarray, minimum: int
) -> Suppressed:
    """The suppressed rows among rows of respondent ``counts`` (NaN = 0), each belonging to
    parent ``parents`` (integer codes) at place ``order`` among its parent's groups.

    Within a parent, sorted by (count, order), the suppressed rows are a prefix: the rows under
    ``minimum``, then (when one of them has respondents) every further row while the rows
    before it hold fewer than ``minimum`` respondents together.
    """
    count = np.nan_to_num(np.asarray(counts, dtype="float64"), nan=0.0)
    parents = np.asarray(parents, dtype=np.int64)
    primary = count < minimum
    if not len(count):
        return Suppressed(primary, np.zeros(0, dtype=bool))
    ranked = np.lexsort((np.asarray(order), count, parents))
    parent, n = parents[ranked], count[ranked]
    first = np.r_[True, parent[1:] != parent[:-1]]
    which = np.cumsum(first) - 1
    running = np.cumsum(n)
    start = (running - n)[first]  # Σ of the rows ranked before each parent's first
    before = running - n - start[which]
    exposed = np.bincount(which, weights=(n > 0) & (n < minimum)) > 0
    complementary = np.zeros(len(count), dtype=bool)
    complementary[ranked] = ~primary[ranked] & exposed[which] & (before < minimum)
    return Suppressed(primary, complementary)


def suppress_grid(grid: Grid, counts: np.ndarray, own: Sequence[str], minimum: int) -> Suppressed:
    """:func:`suppress` on every row of ``grid``: a row's parent is its period and its values
    of the metric's ``own`` dimensions (a pulse score's question); its groups are the request's
    ``--by`` groups. A grid grouped by more than one dimension besides ``own`` would have
    parents on several margins (the totals by each dimension, shown by other requests), which
    this rule does not cover: there every group is suppressed."""
    by = [k for k in grid.keys if k not in own]
    if len(by) > 1 or not grid.size:
        primary = np.nan_to_num(np.asarray(counts, dtype="float64"), nan=0.0) < minimum
        return Suppressed(primary, ~primary)
    if own:
        codes, first = factorize([grid.groups[d] for d in own])
        parent = grid.period_at * max(len(first), 1) + codes[grid.group_at]
    else:
        parent = grid.period_at
    return suppress(counts, parent, grid.group_at, minimum)


def protect(
    computed: Computed, grid: Grid, counts: np.ndarray, own: Sequence[str], minimum: int
) -> Computed:
    """``computed`` with the rows :func:`suppress_grid` suppresses hidden: value null, only the
    metric's ``hidden_components`` shown, and a note saying why (replacing the metric's own)."""
    suppressed = suppress_grid(grid, counts, own, minimum)
    hidden = suppressed.any
    value = np.where(hidden, np.nan, np.asarray(computed.value, dtype="float64"))
    notes = (
        np.full(len(hidden), None, dtype=object)
        if computed.notes is None
        else np.array(computed.notes, dtype=object)
    )
    notes[suppressed.primary] = PRIMARY_NOTE.format(minimum=minimum)
    notes[suppressed.complementary] = COMPLEMENTARY_NOTE.format(minimum=minimum)
    return replace(computed, value=value, notes=notes, hidden=hidden)
