"""A metrics request: which metrics, for which periods, split and grouped how, compared with
what, on which bases.

One frozen value built once where the request enters (the facade, the CLI) and passed down to
the engine, so its nine parts are named and checked in one place. Everything that can be
checked without the workspace is checked when it is built (one-line UserErrors); the periods
are resolved later against the workspace's fiscal calendar and data
(:func:`salesmetrics.metrics.plan.plan_request`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from salesmetrics import dims as gdims
from salesmetrics import periods
from salesmetrics.errors import UserError
from salesmetrics.metrics import registry as reg
from salesmetrics.periods import Grain

#: The comparisons a request may ask for: the previous period, or the same period last year.
COMPARES = ("previous", "year")


@dataclass(frozen=True)
class Request:
    """What to compute, checked and in canonical form.

    ``metrics`` are registry ids (empty: the workspace's default metrics, else every metric it
    has data for); ``period`` or ``from_period``..``to_period`` are period texts (``2025``,
    ``2025-Q1``, ``all``; none: all the data); ``grain`` splits them; ``by`` names group
    dimensions; ``compare`` is ``previous`` or ``year``; ``basis`` pairs a metric id with the
    basis it is computed on; ``where`` pairs a group dimension with the one value the facts are
    restricted to (``--where region=EMEA``; each row is then the group of that value, see
    :func:`salesmetrics.metrics.engine.evaluate`). Build one from loose Python arguments with
    :meth:`of`.
    """

    metrics: tuple[str, ...] = ()
    period: str | None = None
    from_period: str | None = None
    to_period: str | None = None
    grain: Grain | None = None
    by: tuple[str, ...] = ()
    compare: str | None = None
    basis: tuple[tuple[str, str], ...] = ()
    where: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        # canonical ids: a metric named twice (or by another spelling) is asked for once
        ids = tuple(m.id for m in reg.resolve(self.metrics))
        object.__setattr__(self, "metrics", ids)
        object.__setattr__(self, "by", gdims.validate(self.by))
        if self.compare is not None and self.compare not in COMPARES:
            raise UserError(f"bad comparison {self.compare!r}; use previous or year")
        bases: dict[str, str] = {}
        for metric_id, name in self.basis:
            metric = reg.get(metric_id)
            bases[metric.id] = metric.check_basis(name)
        object.__setattr__(self, "basis", tuple(bases.items()))
        object.__setattr__(self, "where", filters(self.where))
        if self.from_period or self.to_period:
            if self.period is not None:
                raise UserError("give either a period or --from/--to, not both")
            if not (self.from_period and self.to_period):
                raise UserError("--from and --to go together; give both")

    @classmethod
    def of(
        cls,
        metrics: str | Iterable[str] | None = None,
        *,
        period: str | None = None,
        from_period: str | None = None,
        to_period: str | None = None,
        grain: str | Grain | None = None,
        by: str | Iterable[str] | None = None,
        compare: str | None = None,
        basis: Mapping[str, str] | None = None,
        where: Mapping[str, str] | Iterable[str] | None = None,
    ) -> Request:
        """A request from the keyword arguments Python users and the CLI pass: a metric id or
        several, a grain by name, a dimension or several, bases as a mapping, filters as a
        mapping or ``DIM=VALUE`` texts (:func:`parse_where`)."""
        return cls(
            metrics=(metrics,) if isinstance(metrics, str) else tuple(metrics or ()),
            period=period,
            from_period=from_period,
            to_period=to_period,
            grain=periods.parse_grain(grain) if grain else None,
            by=(by,) if isinstance(by, str) else tuple(by or ()),
            compare=compare,
            basis=tuple((basis or {}).items()),
            where=tuple(parse_where(where).items()),
        )

    def as_dict(self) -> dict[str, Any]:
        """The request as a JSON-able mapping (:meth:`from_dict` reads it back)."""
        return {
            "metrics": list(self.metrics),
            "period": self.period,
            "from_period": self.from_period,
            "to_period": self.to_period,
            "grain": None if self.grain is None else str(self.grain),
            "by": list(self.by),
            "compare": self.compare,
            "basis": dict(self.basis),
            "where": dict(self.where),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Request:
        """The request :meth:`as_dict` gave (checked again: a UserError if no longer valid)."""
        return cls.of(
            data.get("metrics") or None,
            period=data.get("period"),
            from_period=data.get("from_period"),
            to_period=data.get("to_period"),
            grain=data.get("grain"),
            by=data.get("by") or None,
            compare=data.get("compare"),
            basis=data.get("basis") or None,
            where=data.get("where") or None,
        )

    @property
    def bases(self) -> dict[str, str]:
        """The chosen basis of each metric that names one, by metric id."""
        return dict(self.basis)

    @property
    def filters(self) -> dict[str, str]:
        """The value each filtered dimension is restricted to, by dimension."""
        return dict(self.where)


def parse_where(where: Mapping[str, str] | Iterable[str] | str | None) -> dict[str, str]:
    """Filters from a mapping or from ``DIM=VALUE`` texts (``--where region=EMEA``), checked
    (:func:`filters`); a text without ``=`` is a UserError."""
    if where is None:
        return {}
    if isinstance(where, str):
        where = [where]
    if isinstance(where, Mapping):
        pairs = [(str(k), v) for k, v in where.items()]
    else:
        pairs = []
        for text in where:
            name, sep, value = str(text).partition("=")
            if not sep or not name.strip():
                raise UserError(f"bad filter {text!r}: use DIM=VALUE, e.g. region=EMEA")
            pairs.append((name, value))
    return dict(filters(pairs))


def filters(pairs: Iterable[tuple[str, Any]]) -> tuple[tuple[str, str], ...]:
    """Filters in canonical form: known dimensions (as ``--by``), each given one non-blank text
    value once, in the order of :data:`salesmetrics.dims.DIMENSIONS` (so that the same filters
    given in another order are the same request). Whether the value occurs in the data is
    checked against the workspace (:func:`salesmetrics.metrics.filters.check`)."""
    found: dict[str, str] = {}
    for raw, value in pairs:
        (name,) = gdims.validate([raw])
        if not isinstance(value, str) or not value.strip():
            raise UserError(f"filter {name}={value!r}: give a value, e.g. {name}=NAME")
        value = value.strip()
        if found.get(name, value) != value:
            raise UserError(
                f"filter {name}: one value at a time ({found[name]!r} and {value!r});"
                f" use --by {name} to see each"
            )
        found[name] = value
    return tuple((d, found[d]) for d in gdims.DIMENSIONS if d in found)
