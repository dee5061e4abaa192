"""Ibis idioms that compile to the same result on every backend (DuckDB, PostgreSQL, Spark).

A metric definition is written once; where the obvious Ibis spelling compiles to SQL that one
backend rejects or reads differently, the portable spelling lives here.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir


def as_int(condition: ir.BooleanValue) -> ir.IntegerValue:
    """1 where ``condition`` holds, 0 where it does not, null where it is null (PostgreSQL has
    no cast from boolean to bigint or double)."""
    one = ibis.literal(1, type="int64")
    zero = ibis.literal(0, type="int64")
    result: ir.IntegerValue = ibis.cases((condition, one), (~condition, zero))
    return result


def as_float(condition: ir.BooleanValue) -> ir.FloatingValue:
    """1.0 / 0.0 / null as :func:`as_int`, as a double."""
    result: ir.FloatingValue = as_int(condition).cast("float64")
    return result
