"""What a metric's ``compute`` function receives and returns, and helpers to write one.

A compute function is vectorised: it gets the component columns of every (period, group) row at
once (:class:`Inputs`) and applies the :mod:`salesmetrics.formulas` function to whole columns.
It returns the value column, the components to show (:class:`Computed`) and, where a value is
undefined or needs a remark, a note per row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeAlias

# numpy and pandas are imported inside the functions using them: the metric catalog imports this
# module, and the registry's declarative part (glossary, docs, config checks) must load without
# either.
if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

    from salesmetrics.config import Config

FloatArray: TypeAlias = "npt.NDArray[np.float64]"
ObjectArray: TypeAlias = "npt.NDArray[np.object_]"


@dataclass(frozen=True)
class Inputs:
    """The components of one metric for every (period, group) row, and the settings.

    ``columns`` hold one array per name, one value per row: the period columns (``period``,
    ``start``, ``end``, ``prev_period``, ``compare_period``), the group columns and every
    component column of the metric's families (``prev_<name>`` for the previous period's).
    """

    columns: Mapping[str, Any]
    config: Config
    basis: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> FloatArray:
        """Component ``name`` as floats (missing → NaN)."""
        import numpy as np

        return np.asarray(self.columns[name], dtype="float64")

    def __len__(self) -> int:
        return len(self.columns["period"])

    def has(self, name: str) -> bool:
        """Whether the rows carry column ``name`` (a group dimension, say)."""
        return name in self.columns

    def column(self, name: str) -> pd.Series[Any]:
        """Column ``name`` as it is (text, timestamps, ...), None for missing."""
        import numpy as np
        import pandas as pd

        values = np.asarray(self.columns[name])
        if values.dtype != object:
            return pd.Series(values)
        series = pd.Series(values, dtype=object)
        return series.where(series.notna(), None)

    @cached_property
    def period(self) -> pd.Series[str]:
        """The period label of each row."""
        import pandas as pd

        return pd.Series(self.columns["period"], dtype=object).astype(str)

    @property
    def days(self) -> FloatArray:
        """Days in each row's period."""
        import numpy as np
        import pandas as pd

        start = pd.to_datetime(pd.Series(self.columns["start"]))
        end = pd.to_datetime(pd.Series(self.columns["end"]))
        return np.asarray((end - start).dt.days, dtype="float64")


@dataclass(frozen=True)
class Computed:
    """A metric's values for every row, the components shown with them, and notes.

    ``components`` maps the names shown in results to columns (or a constant such as the basis);
    ``notes`` has a note per row or None; rows whose value is NaN and have no note get the
    metric's ``null_note``. Rows where ``hidden`` holds show only ``hidden_components``: the
    engine sets ``hidden`` for survey metrics (groups suppressed to keep answers anonymous,
    :mod:`salesmetrics.metrics.anonymity`), so that nothing identifying a respondent is shown.
    """

    value: FloatArray
    components: Mapping[str, Any]
    notes: ObjectArray | None = None
    hidden: npt.NDArray[np.bool_] | None = None
    hidden_components: frozenset[str] = frozenset()


def count(values: FloatArray) -> npt.NDArray[np.int64]:
    """Counts as integers (missing → 0)."""
    import numpy as np

    return np.nan_to_num(values, nan=0.0).round().astype("int64")


def money(values: Any) -> FloatArray:
    """Money rounded to cents (NaN stays NaN)."""
    import numpy as np

    return np.round(np.asarray(values, dtype="float64"), 2)


def render(template: str, period: pd.Series[str]) -> pd.Series[str]:
    """``template`` with ``{period}`` replaced by each row's period label (vectorised)."""
    import pandas as pd

    if "{period}" not in template:
        return pd.Series(template, index=period.index, dtype=object)
    head, _, tail = template.partition("{period}")
    return head + period + tail


def notes(inputs: Inputs, *rules: tuple[Any, str]) -> ObjectArray:
    """A note per row: the template of the first rule whose mask holds, else None.

    ``rules`` are (boolean mask, template) pairs; templates may use ``{period}``.
    """
    import numpy as np

    out = np.full(len(inputs), None, dtype=object)
    done = np.zeros(len(inputs), dtype=bool)
    for mask, template in rules:
        hit = np.asarray(mask, dtype=bool) & ~done
        if hit.any():
            out[hit] = render(template, inputs.period[hit]).to_numpy(dtype=object)
            done |= hit
    return out


def combine_notes(*arrays: ObjectArray | None) -> ObjectArray | None:
    """Join several note columns with "; " (None where none has a note)."""
    import numpy as np
    import pandas as pd

    present = [np.asarray(a, dtype=object) for a in arrays if a is not None]
    if not present:
        return None
    result = present[0].copy()
    for other in present[1:]:
        mine, theirs = ~pd.isna(result), ~pd.isna(other)
        both = np.flatnonzero(mine & theirs)
        result[both] = [f"{a}; {b}" for a, b in zip(result[both], other[both], strict=True)]
        only = theirs & ~mine
        result[only] = other[only]
    result[pd.isna(result)] = None
    return result


def only_where(mask: Any, values: Any) -> ObjectArray:
    """``values`` (notes) where ``mask`` holds, else None."""
    import numpy as np

    out = np.full(len(np.atleast_1d(mask)), None, dtype=object)
    hit = np.asarray(mask, dtype=bool)
    out[hit] = np.asarray(values, dtype=object)[hit]
    return out
