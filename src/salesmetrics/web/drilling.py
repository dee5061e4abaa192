"""The rows behind a figure, through the facade's drill-down (:meth:`Workspace.drill`, as the
command line's ``--drill``).

A figure is named by its metric, period and group (``DIM=VALUE`` each), within the page's
filters; the caller has applied the user's scope to both, so the group asked for always
carries the scope's dimension (a rep's rows are their own). The rows come a page at a time
(ordered by every column, the same order on every backend) or all at once for an export.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ibis.common.exceptions import IbisTypeError

from salesmetrics.errors import UserError
from salesmetrics.metrics import registry as reg
from salesmetrics.metrics.drill import drillable
from salesmetrics.metrics.result import plain
from salesmetrics.web.service import Service

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

    from salesmetrics.workspace import Workspace

PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class Figure:
    """The figure drilled into: metric, period text and group (``{dim: value}``)."""

    metric: str
    period: str
    group: Mapping[str, str]

    def check(self) -> None:
        """A UserError for an unknown metric or one without a drill-down (surveys)."""
        if self.metric not in reg.REGISTRY:
            raise UserError(f"unknown metric {self.metric!r}; see the glossary for the metric ids")
        drillable(reg.get(self.metric))


@dataclass
class Rows:
    """A page of the rows behind a figure."""

    metric: str
    period: str
    start: str
    end: str
    group: dict[str, str]
    total: int
    offset: int
    frame: pd.DataFrame = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``/api/drill``."""
        return {
            "metric": self.metric,
            "period": self.period,
            "start": self.start,
            "end": self.end,
            "group": self.group,
            "total": self.total,
            "offset": self.offset,
            "columns": list(self.frame.columns),
            "rows": [
                {k: plain(v) for k, v in record.items()} for record in self.frame.to_dict("records")
            ],
        }


def _table(ws: Workspace, figure: Figure) -> tuple[ir.Table, dict[str, Any]]:
    """The drill table of ``figure`` and the result row it stands for."""
    group = ws.filters(dict(figure.group))  # names (a rep's, a manager's) stand for ids
    period = ws.period(figure.period)
    row = {
        "metric": figure.metric,
        "period": period.label,
        "start": period.start,
        "end": period.end,
        "group": group,
    }
    try:
        table = ws.drill(row)
    except IbisTypeError as error:  # rows without a column of the group (costs: no rep)
        raise UserError(
            f"{figure.metric}: its rows carry no {' or '.join(group)}, so none can be listed"
            f" for {', '.join(f'{k}={v}' for k, v in group.items())}"
        ) from error
    return table.order_by(list(table.columns)), row


def rows(service: Service, figure: Figure, offset: int = 0, limit: int = PAGE_SIZE) -> Rows:
    """The rows ``offset`` to ``offset + limit`` behind ``figure``, and how many there are."""
    figure.check()
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    offset = max(0, offset)

    def work(ws: Workspace) -> Rows:
        table, row = _table(ws, figure)
        total = int(ws.backend.execute(table.count()))
        frame = ws.backend.to_pyarrow(table.limit(limit, offset=offset)).to_pandas()
        return Rows(
            figure.metric,
            row["period"],
            row["start"].isoformat(),
            row["end"].isoformat(),
            {k: str(v) for k, v in row["group"].items()},
            total,
            offset,
            _tidy(frame),
        )

    key = ("drill", figure.metric, figure.period, tuple(sorted(figure.group.items())))
    return service.cached((*key, offset, limit), work)


def all_rows(service: Service, figure: Figure) -> pd.DataFrame:
    """Every row behind ``figure`` (for an export)."""
    figure.check()

    def work(ws: Workspace) -> pd.DataFrame:
        table, _ = _table(ws, figure)
        return _tidy(ws.backend.to_pyarrow(table).to_pandas())

    return service.read(work)


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without the drill's internal ``period`` column (the figure names it)."""
    return frame.drop(columns=[c for c in ("period",) if c in frame.columns])
