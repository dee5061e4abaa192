"""Arrow schemas of the canonical tables, derived from :mod:`salesmetrics.schema`, and builders
that turn the generators' numpy columns into record batches of exactly those schemas.

Column values given to :func:`record_batch` (a numpy masked array marks nulls):

- ``str``: a ``pyarrow`` string array, or a numpy array of strings;
- ``decimal``: integer cents (money), or a ready ``pyarrow`` decimal array (exchange rates);
- ``date``: integer day numbers (days since 1970-01-01);
- ``timestamp``: integer seconds since 1970-01-01 (naive UTC);
- ``int``, ``float``, ``bool``: numpy arrays of those.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from salesmetrics import schema
from salesmetrics.demo.arrays import Arr

_SIMPLE: dict[schema.ColumnType, pa.DataType] = {
    schema.ColumnType.STR: pa.string(),
    schema.ColumnType.INT: pa.int64(),
    schema.ColumnType.FLOAT: pa.float64(),
    schema.ColumnType.BOOL: pa.bool_(),
    schema.ColumnType.DATE: pa.date32(),
    schema.ColumnType.TIMESTAMP: pa.timestamp("us"),
}
_DECIMAL_SQL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)", re.IGNORECASE)


def arrow_type(column: schema.Column) -> pa.DataType:
    """The Arrow type a canonical column is generated as (decimals keep their SQL precision)."""
    if column.type is schema.ColumnType.DECIMAL:
        match = _DECIMAL_SQL.fullmatch(column.sql)
        if match is None:
            raise ValueError(f"column {column.name}: cannot read precision from {column.sql!r}")
        return pa.decimal128(int(match[1]), int(match[2]))
    return _SIMPLE[column.type]


@cache
def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of canonical table ``table``: its columns, in order, all nullable."""
    return pa.schema([pa.field(c.name, arrow_type(c)) for c in schema.SCHEMA[table].columns])


def decimal_array(units: Arr, scale: int, dtype: pa.DataType, valid: Arr | None = None) -> pa.Array:
    """An exact decimal array of ``units / 10**scale`` (``units`` integers) in type ``dtype``."""
    if not isinstance(dtype, pa.Decimal128Type):
        raise TypeError(f"{dtype} is not a decimal128 type")
    shift = dtype.scale - scale
    if shift < 0:
        raise ValueError(f"scale {scale} does not fit {dtype}")
    unscaled = np.asarray(units, dtype=np.int64) * (10**shift)
    limit = 10**dtype.precision
    if len(unscaled) and int(np.abs(unscaled).max()) >= limit:
        raise ValueError(f"value too large for {dtype}")
    words = np.empty((len(unscaled), 2), dtype=np.int64)
    words[:, 0] = unscaled
    words[:, 1] = np.where(unscaled < 0, -1, 0)  # two's complement high word
    validity = None
    if valid is not None and not bool(np.all(valid)):
        validity = pa.array(np.asarray(valid, dtype=bool)).buffers()[1]
    return pa.Array.from_buffers(dtype, len(unscaled), [validity, pa.py_buffer(words)])


def ids(prefix: str, numbers: Arr, width: int = 8) -> pa.Array:
    """String ids ``prefix`` + zero-padded ``numbers`` (e.g. ``OPP-00000042``)."""
    digits = pc.utf8_lpad(
        pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string()), width, "0"
    )
    return pc.binary_join_element_wise(prefix, digits, "")


def pick(vocab: Sequence[str], index: Arr) -> pa.Array:
    """Strings ``vocab[index]`` (a masked ``index`` gives nulls)."""
    return pc.take(pa.array(list(vocab), pa.string()), _to_arrow(index, pa.int64()))


def masked(values: pa.Array, valid: Arr) -> pa.Array:
    """``values`` with nulls where ``valid`` is false."""
    return pc.if_else(
        pa.array(np.asarray(valid, dtype=bool)), values, pa.nulls(len(values), values.type)
    )


def take(values: pa.Array, index: Arr, valid: Arr | None = None) -> pa.Array:
    """``values[index]``, null where ``valid`` is false."""
    index = np.asarray(index, dtype=np.int64)
    if valid is None:
        return values.take(pa.array(index))
    mask = ~np.asarray(valid, dtype=bool)
    return values.take(pa.array(np.where(mask, 0, index), mask=mask))


def concat(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of string arrays and literals (null if any part is null)."""
    return pc.binary_join_element_wise(*parts, "")


def _to_arrow(values: Any, dtype: pa.DataType) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values if values.type == dtype else values.cast(dtype)
    mask = None
    if isinstance(values, np.ma.MaskedArray):
        mask = np.ma.getmaskarray(values)
        values = values.data
    arr = np.asarray(values)
    if mask is not None:
        arr = np.where(mask, np.zeros((), arr.dtype), arr)  # no overflow on placeholder values
    if pa.types.is_decimal(dtype):
        return decimal_array(arr, 2, dtype, None if mask is None else ~mask)
    if pa.types.is_date32(dtype):
        arr = arr.astype(np.int64).astype("datetime64[D]")
    elif pa.types.is_timestamp(dtype):
        arr = (arr.astype(np.int64) * 1_000_000).astype("datetime64[us]")
    if mask is not None and not mask.any():
        mask = None
    return pa.array(arr, type=dtype, mask=mask)


def record_batch(table: str, columns: Mapping[str, Any]) -> pa.RecordBatch:
    """A record batch of canonical table ``table``; columns not given are all null."""
    target = arrow_schema(table)
    unknown = set(columns) - set(target.names)
    if unknown:
        raise KeyError(f"{table}: not columns of the table: {sorted(unknown)}")
    lengths = {len(v) for v in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"{table}: columns of different lengths {sorted(lengths)}")
    n = lengths.pop() if lengths else 0
    arrays = [
        _to_arrow(columns[f.name], f.type) if f.name in columns else pa.nulls(n, f.type)
        for f in target
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=target)
