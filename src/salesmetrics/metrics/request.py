"""A metrics request: which metrics, for which periods, split and grouped how, compared with
what, on which bases.

One frozen value built once where the request enters (the facade, the CLI) and passed down to
the engine, so its eight parts are named and checked in one place. Everything that can be
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
    basis it is computed on. Build one from loose Python arguments with :meth:`of`.
    """

    metrics: tuple[str, ...] = ()
    period: str | None = None
    from_period: str | None = None
    to_period: str | None = None
    grain: Grain | None = None
    by: tuple[str, ...] = ()
    compare: str | None = None
    basis: tuple[tuple[str, str], ...] = ()

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
        if self.from_period or self.to_period:
            if self.period:
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
    ) -> Request:
        """A request from the keyword arguments Python users and the CLI pass: a metric id or
        several, a grain by name, a dimension or several, bases as a mapping."""
        return cls(
            metrics=(metrics,) if isinstance(metrics, str) else tuple(metrics or ()),
            period=period,
            from_period=from_period,
            to_period=to_period,
            grain=periods.parse_grain(grain) if grain else None,
            by=(by,) if isinstance(by, str) else tuple(by or ()),
            compare=compare,
            basis=tuple((basis or {}).items()),
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
        )

    @property
    def bases(self) -> dict[str, str]:
        """The chosen basis of each metric that names one, by metric id."""
        return dict(self.basis)
