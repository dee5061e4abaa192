"""The component grid: the components of a set of families for every (spine period, group) row.

Row ``r`` of a grid is spine period ``r // G`` and group ``r % G`` (``G`` groups, sorted in
result order). A family's rows are placed by arithmetic on their period's and group's positions,
a row's previous or comparison period is found the same way (:meth:`Grid.shifted`), and a
group's dict is built once for all periods (:attr:`Grid.group_dicts`): no join and no sort of
rows, whatever the number of metrics read from the grid.

Columns are numpy arrays, one value per row: numbers as floats (decimals converted once here;
missing → NaN, or 0 for additive components), timestamps as ``datetime64``, anything else as
Python objects with None for missing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

#: The spine's columns repeated on every grid row (for metrics and result rows).
SPINE_KEYS = ("period", "start", "end", "compare_period", "prev_period")


@dataclass(frozen=True)
class Grid:
    """Components of families for every (``spine`` period, group) pair, as ``data`` columns of
    ``len(spine["period"]) * width`` values; ``spine`` holds the spine's columns as object
    arrays, ``groups`` the ``width`` groups' ``keys`` columns."""

    spine: Mapping[str, np.ndarray]
    groups: Mapping[str, np.ndarray]
    width: int
    keys: tuple[str, ...]
    data: Mapping[str, np.ndarray]

    @property
    def size(self) -> int:
        """The number of rows."""
        return self.periods * self.width

    @property
    def periods(self) -> int:
        """The number of spine periods."""
        return len(self.spine["period"])

    @cached_property
    def period_at(self) -> np.ndarray:
        """Each row's spine position."""
        return np.repeat(np.arange(self.periods), self.width)

    @cached_property
    def output(self) -> np.ndarray:
        """The rows of the spine's output periods (those a result shows)."""
        return np.flatnonzero(self.spine["output"].astype(bool)[self.period_at])

    @cached_property
    def group_at(self) -> np.ndarray:
        """Each row's group position."""
        return np.tile(np.arange(self.width), self.periods)

    @cached_property
    def group_dicts(self) -> np.ndarray:
        """One dict of the keys per group (the same object for every period and metric)."""
        values = [self.groups[k].tolist() for k in self.keys]
        dicts = [dict(zip(self.keys, row, strict=True)) for row in zip(*values, strict=True)]
        out = np.empty(self.width, dtype=object)
        out[:] = dicts if self.keys else [{} for _ in range(self.width)]
        return out

    @cached_property
    def columns(self) -> Mapping[str, np.ndarray]:
        """The components, the spine's :data:`SPINE_KEYS` and the group keys, per row (the
        spine's and the keys' built on first use)."""
        return _RowColumns(self)

    def shifted(self, other: str) -> np.ndarray:
        """The row of the same group in each row's ``other`` period (a spine column:
        ``prev_period`` or ``compare_period``), -1 where that period is not in the spine."""
        labels = self.spine[other]
        target = _index(self.spine["period"]).get_indexer(_index(labels))
        to = target[self.period_at]
        return np.where(to >= 0, to * self.width + self.group_at, -1)

    def at(self, rows: np.ndarray, columns: Sequence[str]) -> dict[str, np.ndarray]:
        """``columns`` of the spine or the groups at grid ``rows``, as object arrays."""
        out = {}
        for name in columns:
            if name in self.keys:
                out[name] = self.groups[name][self.group_at[rows]]
            else:
                out[name] = self.spine[name][self.period_at[rows]]
        return out


class _RowColumns(Mapping[str, np.ndarray]):
    """A grid's columns per row: its data, and the spine's and group keys' columns repeated
    for every row on first use."""

    def __init__(self, grid: Grid) -> None:
        self._grid = grid
        self._built: dict[str, np.ndarray] = {}
        self._names = [*grid.data, *SPINE_KEYS, *grid.keys]

    def __getitem__(self, name: str) -> np.ndarray:
        grid = self._grid
        if name in grid.data:
            return grid.data[name]
        if name not in self._built:
            if name in grid.keys:
                self._built[name] = grid.groups[name][grid.group_at]
            elif name in SPINE_KEYS:
                self._built[name] = grid.spine[name][grid.period_at]
            else:
                raise KeyError(name)
        return self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


class Components:
    """The family rows of one request, each placed once on the spine's periods and on the
    groups of its dimensions, from which grids are cut. ``tables`` map a family's name to its
    rows (``period``, its dimensions ``dims``, its component columns) and ``dims``."""

    def __init__(
        self, spine: pd.DataFrame, tables: Mapping[str, tuple[pa.Table, Sequence[str]]]
    ) -> None:
        self.spine = {c: spine[c].to_numpy(dtype=object) for c in spine.columns}
        self.frames = {name: _Frame.of(table, dims) for name, (table, dims) in tables.items()}
        self._periods = _index(self.spine["period"])
        self._universes: dict[frozenset[str], _Universe] = {}
        self._placed: dict[
            tuple[Any, ...], tuple[dict[str, np.ndarray], int, dict[str, np.ndarray]]
        ] = {}

    def grid(
        self,
        keys: Sequence[str],
        primary: Sequence[str],
        broadcast: Sequence[str],
        additive: Collection[str],
    ) -> Grid:
        """The grid of the ``primary`` families' groups (every group any of them has, in any
        period; their dimensions are ``keys``) crossed with the spine's periods; each
        ``broadcast`` family is read on its own dimensions (a subset of ``keys``) for every
        row; ``additive`` components missing are 0."""
        own = {c for n in primary for c in self.frames[n].values if c in additive}
        groups, width, placed = self._primary(tuple(keys), tuple(primary), frozenset(own))
        data = dict(placed)
        for name in broadcast:
            found = self._lookup(name, groups, width)
            for column, values in self.frames[name].values.items():
                data[column] = gather(values, found)
                if column in additive:
                    data[column] = _zero_missing(data[column])
        return Grid(self.spine, groups, width, tuple(keys), data)

    def _primary(
        self, keys: tuple[str, ...], primary: tuple[str, ...], additive: frozenset[str]
    ) -> tuple[dict[str, np.ndarray], int, dict[str, np.ndarray]]:
        """The groups, their number and the placed columns of the ``primary`` families (the
        same for every grid that adds other broadcast families to them)."""
        key = (keys, primary, additive)
        if key not in self._placed:
            universe = self._universe(keys)
            present = np.full(universe.width, not keys)  # company-wide: the one group
            for name in primary:
                present[universe.placed[name][1]] = True
            groups = {k: universe.groups[k][present] for k in keys}
            width = int(present.sum())
            renumber = np.cumsum(present) - 1
            size = len(self._periods) * width
            data: dict[str, np.ndarray] = {}
            for name in primary:
                period, group = universe.placed[name]
                placed = period >= 0
                rows = period[placed] * width + renumber[group[placed]]
                for column, values in self.frames[name].values.items():
                    data[column] = _scatter(values[placed], rows, size)
                    if column in additive:
                        data[column] = _zero_missing(data[column])
            self._placed[key] = (groups, width, data)
        return self._placed[key]

    def _universe(self, keys: Sequence[str]) -> _Universe:
        """The groups of every frame whose dimensions are ``keys``, and their placement."""
        wanted = frozenset(keys)
        if wanted not in self._universes:
            frames = {n: f for n, f in self.frames.items() if set(f.keys) == wanted}
            self._universes[wanted] = _Universe.of(self._periods, frames, keys)
        return self._universes[wanted]

    def _lookup(self, name: str, groups: Mapping[str, np.ndarray], width: int) -> np.ndarray:
        """For each row of a grid of ``groups``, the row of broadcast family ``name`` in the
        same period and the same values of its own dimensions, -1 where none."""
        frame = self.frames[name]
        dims = list(frame.keys)
        periods = len(self._periods)
        period = self._periods.get_indexer(_index(frame.period))
        if dims:
            own = [frame.keys[d] for d in dims]
            codes, first = factorize(own)
            of_group = positions([groups[d] for d in dims], [c[first] for c in own])
        else:
            codes, first = np.zeros(frame.rows, dtype=np.int64), np.zeros(1, dtype=np.int64)
            of_group = np.zeros(width, dtype=np.int64)
        table = np.full((periods, max(len(first), 1)), -1, dtype=np.int64)
        placed = period >= 0
        table[period[placed], codes[placed]] = np.flatnonzero(placed)
        at = table[np.repeat(np.arange(periods), width), np.tile(np.maximum(of_group, 0), periods)]
        missing = np.tile(of_group < 0, periods)
        at[missing] = -1
        return np.asarray(at)


@dataclass(frozen=True)
class _Frame:
    """A family's rows as arrays: ``period`` and the ``keys`` (its dimensions) as objects with
    None for missing, the other columns as grid columns (:func:`column_values`)."""

    period: np.ndarray
    keys: dict[str, np.ndarray]
    values: dict[str, np.ndarray]

    @property
    def rows(self) -> int:
        """The number of rows."""
        return len(self.period)

    @classmethod
    def of(cls, table: pa.Table, dims: Sequence[str]) -> _Frame:
        """``table``'s columns: ``period``, the dimensions ``dims``, the others."""
        keys = {d: _key_values(table[d]) for d in dims}
        values = {
            name: column_values(table[name])
            for name in table.column_names
            if name != "period" and name not in keys
        }
        return cls(_key_values(table["period"]), keys, values)


@dataclass(frozen=True)
class _Universe:
    """Every group of some frames (``width`` of them; their keys' columns) sorted in result
    order, and each frame's rows placed: their spine position (-1 for a period outside the
    spine) and group position."""

    groups: dict[str, np.ndarray]
    width: int
    placed: dict[str, tuple[np.ndarray, np.ndarray]]

    @classmethod
    def of(cls, periods: pd.Index, frames: Mapping[str, _Frame], keys: Sequence[str]) -> _Universe:
        """The universe of ``frames`` grouped by ``keys``: their rows numbered together."""
        names = list(frames)
        spine_at = {n: periods.get_indexer(_index(frames[n].period)) for n in names}
        if not keys:
            zeros = {n: np.zeros(frames[n].rows, dtype=np.int64) for n in names}
            return cls({}, 1, {n: (spine_at[n], zeros[n]) for n in names})
        columns = [np.concatenate([frames[n].keys[k] for n in names]) for k in keys]
        codes, first = factorize(columns)
        unique = [c[first] for c in columns]
        # by the keys' texts, the first key first; numpy compares text by code point, as
        # Python does, and lexsort is stable (equal texts keep their order of appearance)
        text = [np.array(["" if v is None else str(v) for v in c], dtype=str) for c in unique]
        order = np.lexsort(text[::-1]).astype(np.int64)
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        group_at = np.split(rank[codes], np.cumsum([frames[n].rows for n in names])[:-1])
        placed = {n: (spine_at[n], g) for n, g in zip(names, group_at, strict=True)}
        groups = {k: c[order] for k, c in zip(keys, unique, strict=True)}
        return cls(groups, len(order), placed)


def _index(values: np.ndarray) -> pd.Index:
    """An index of objects (pandas would infer, and convert to, its text type)."""
    index: pd.Index = pd.Index(values, dtype=object)
    return index


def positions(values: Sequence[Any], among: Sequence[Any]) -> np.ndarray:
    """For each row of the key columns ``values``, the position of the row with equal keys
    in the key columns ``among`` (whose rows are unique), -1 where there is none. Missing
    values (None, NaN) equal each other. At least one key column."""
    m = len(among[0])
    left = np.zeros(len(values[0]), dtype=np.int64)
    right = np.zeros(m, dtype=np.int64)
    for value, other in zip(values, among, strict=True):
        both = np.concatenate([objects(other), objects(value)])
        codes, uniques = pd.factorize(both, use_na_sentinel=False)
        radix = len(uniques) + 1
        right = right * radix + codes[:m]
        left = left * radix + codes[m:]
    return np.asarray(pd.Index(right).get_indexer(pd.Index(left)))


def factorize(columns: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Codes ``0..k-1`` of the rows of the key ``columns`` (equal keys, missing values
    included, get equal codes) and the first row of each code."""
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        combined = combined * (len(uniques) + 1) + codes
    codes = pd.factorize(combined)[0]
    first = np.unique(codes, return_index=True)[1]
    return codes, first


def objects(values: Any) -> np.ndarray:
    """``values`` as an object array, None for missing."""
    out = np.asarray(values, dtype=object)
    if out.dtype != object:
        out = out.astype(object)
    missing = pd.isna(out)
    if missing.any():
        out = out.copy()
        out[missing] = None
    return out


def _key_values(column: pa.ChunkedArray) -> np.ndarray:
    """A key column as objects with None for missing (text from Arrow has no NaN to look
    for)."""
    values = column.to_numpy(zero_copy_only=False)
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return np.asarray(values, dtype=object)
    return objects(values)


def column_values(column: pa.ChunkedArray) -> np.ndarray:
    """An Arrow column as a grid column: numbers as floats (decimals as ``float(Decimal)``
    gives them), timestamps as ``datetime64``, anything else as objects with None for
    missing."""
    kind = column.type
    if pa.types.is_decimal(kind):
        return decimal_floats(column)
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
        return np.asarray(column.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype="float64")
    if pa.types.is_timestamp(kind):
        return np.asarray(column.to_numpy(zero_copy_only=False))
    return objects(column.to_numpy(zero_copy_only=False))


def decimal_floats(column: pa.ChunkedArray) -> np.ndarray:
    """Decimals as the nearest floats, NaN for null. Arrow's own cast may be one unit in the
    last place off; an unscaled value below 2**53 and its power of ten are exact floats, and
    one IEEE division rounds their quotient correctly, as ``float(Decimal)`` does."""
    array = column.combine_chunks()
    scale = array.type.scale
    if isinstance(array.type, pa.Decimal128Type) and 0 <= scale <= 22 and len(array):
        words = np.frombuffer(array.buffers()[1], dtype=np.int64)
        words = words[2 * array.offset : 2 * (array.offset + len(array))].reshape(-1, 2)
        low, high = words[:, 0], words[:, 1]
        null = np.asarray(array.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        exact = (high == (low >> 63)) & (np.abs(low) < 2**53)
        if bool(np.all(exact | null)):
            out = low.astype("float64") / 10.0**scale
            out[null] = np.nan
            return np.asarray(out)
    return np.array([np.nan if v is None else float(v) for v in array.to_pylist()], dtype="float64")


def _zero_missing(column: np.ndarray) -> np.ndarray:
    """An additive component's column with 0 for missing."""
    numbers = np.asarray(column, dtype="float64")  # an empty frame's are objects
    return np.where(np.isnan(numbers), 0.0, numbers)


def _missing(values: np.ndarray) -> Any:
    """The missing value of a grid column like ``values``."""
    if values.dtype.kind == "f":
        return np.nan
    if values.dtype.kind == "M":
        return np.datetime64("NaT")
    return None


def _scatter(values: np.ndarray, rows: np.ndarray, size: int) -> np.ndarray:
    """A grid column of ``size`` rows holding ``values`` at ``rows``."""
    out = np.full(size, _missing(values), dtype=values.dtype)
    out[rows] = values
    return out


def gather(values: np.ndarray, found: np.ndarray) -> np.ndarray:
    """``values`` at position ``found`` of each row (missing where -1): a broadcast family's
    column on a grid, or a grid column read in each row's previous or comparison period."""
    missing = _missing(values)
    if not len(values):
        return np.full(len(found), missing, dtype=values.dtype)
    out = np.asarray(values[np.maximum(found, 0)])
    out[found < 0] = missing
    return out
