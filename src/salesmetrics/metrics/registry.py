"""The metric registry: every metric declared once, with its texts, unit, target and computation.

A :class:`Metric` carries everything the product says about a metric (names and definitions in
English and Indonesian, why it matters, the formula, unit, direction, owners, cadences, default
target, worked example) and how the engine computes it: the *families* whose components it reads
(see :mod:`salesmetrics.metrics.families`) and a vectorised ``compute`` function that turns
component columns into values by calling the :mod:`salesmetrics.formulas` functions.

The glossary, ``docs/metrics.md``, targets, the CLI and the tests all read :data:`REGISTRY`.
This module imports neither Ibis nor a backend, so reading the registry stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from salesmetrics.errors import UserError, suggest
from salesmetrics.formulas import FORMULAS, Formula, Unit

if TYPE_CHECKING:
    from salesmetrics.config import Config
    from salesmetrics.metrics.compute import Computed, Inputs

__all__ = [
    "DASHBOARD",
    "REGISTRY",
    "Cadence",
    "Direction",
    "Example",
    "Metric",
    "Role",
    "Section",
    "Target",
    "Text",
    "Unit",
    "get",
    "metric_ids",
    "resolve",
]


class Section(StrEnum):
    """The sections of metrics.md; the glossary and the table output follow this order."""

    REVENUE = "revenue"
    CONVERSION = "conversion"
    PIPELINE = "pipeline"
    CUSTOMERS = "customers"
    MARKETING = "marketing"
    RECURRING = "recurring"
    TEAM = "team"
    ENGAGEMENT = "engagement"


class Direction(StrEnum):
    """Whether a higher value is better (win rate) or worse (churn)."""

    HIGHER = "higher_is_better"
    LOWER = "lower_is_better"


class Role(StrEnum):
    """Who owns a metric (seed 004)."""

    FINANCE = "finance"
    OPERATIONS = "operations"
    CUSTOMER_SUCCESS = "customer_success"
    MARKETING = "marketing"
    SALES = "sales_leadership"
    PEOPLE = "people"


class Cadence(StrEnum):
    """The reviews a metric appears in (seed 004)."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"


@dataclass(frozen=True)
class Text:
    """A text in English and Indonesian."""

    en: str
    id: str

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``en`` or ``id``)."""
        return self.id if lang == "id" else self.en


#: Words of the glossary and docs in both languages.
SECTION_TITLES: dict[Section, Text] = {
    Section.REVENUE: Text("Revenue", "Pendapatan"),
    Section.CONVERSION: Text("Conversion", "Konversi"),
    Section.PIPELINE: Text("Pipeline", "Pipeline"),
    Section.CUSTOMERS: Text("Customers", "Pelanggan"),
    Section.MARKETING: Text(
        "Marketing (costs and lead sources)", "Pemasaran (biaya dan sumber prospek)"
    ),
    Section.RECURRING: Text("Recurring revenue", "Pendapatan berulang"),
    Section.TEAM: Text("Team", "Tim"),
    Section.ENGAGEMENT: Text("Engagement and people", "Keterlibatan dan karyawan"),
}
ROLE_NAMES: dict[Role, Text] = {
    Role.FINANCE: Text("finance (CFO)", "keuangan (CFO)"),
    Role.OPERATIONS: Text("operations (COO)", "operasional (COO)"),
    Role.CUSTOMER_SUCCESS: Text("customer success", "tim kesuksesan pelanggan"),
    Role.MARKETING: Text("marketing", "pemasaran"),
    Role.SALES: Text("sales leadership", "pimpinan penjualan"),
    Role.PEOPLE: Text("people (HR)", "SDM (people)"),
}
CADENCE_NAMES: dict[Cadence, Text] = {
    Cadence.MONTHLY: Text("monthly", "bulanan"),
    Cadence.QUARTERLY: Text("quarterly", "triwulanan"),
    Cadence.ANNUAL: Text("annual", "tahunan"),
}
DIRECTION_NAMES: dict[Direction, Text] = {
    Direction.HIGHER: Text("higher is better", "makin tinggi makin baik"),
    Direction.LOWER: Text("lower is better", "makin rendah makin baik"),
}

EVERY_REVIEW = (Cadence.QUARTERLY, Cadence.ANNUAL)
OPERATING = (Cadence.MONTHLY, Cadence.QUARTERLY, Cadence.ANNUAL)


@dataclass(frozen=True)
class Target:
    """A default target; the comparison follows the metric's direction (≥ or ≤)."""

    value: float
    source: Text


@dataclass(frozen=True)
class Example:
    """A worked example: its story, the formula inputs and the expected value.

    ``inputs`` are keyword arguments of the metric's formula in :mod:`salesmetrics.formulas`;
    the engine tests rebuild the same example as rows in a tiny workspace.
    """

    text: Text
    value: float
    inputs: Mapping[str, Any] = field(default_factory=dict)


ComputeFn = Callable[["Inputs"], "Computed"]


@dataclass(frozen=True)
class Metric:
    """One metric: what it means (both languages), how it is judged, and how it is computed.

    ``families`` name the component families the metric reads (one backend query each, shared
    by every metric that reads them); families in ``broadcast`` hold components that do not vary
    by the group dimensions they lack (e.g. the sellers of a team across activity types) and are
    joined on the dimensions they have. ``previous`` lists components also needed for the period
    before (revenue growth). ``bases`` are the alternative ways to compute it, the first being
    the default unless ``basis_setting`` names the configuration key that gives it (the
    forecast method), and ``basis_families`` the families a basis reads instead of
    ``families``.
    ``dims`` are group dimensions every result of the metric carries (a pulse survey's
    question). ``drill`` names the rows a result is computed from. ``respondents`` names the
    component counting a survey row's respondents: the engine then suppresses the rows of
    fewer than ``min_survey_group`` respondents and, complementarily, those from which such a
    row could be derived (:mod:`salesmetrics.metrics.anonymity`).
    """

    id: str
    section: Section
    name: Text
    definition: Text
    why: Text
    formula: Text
    unit: Unit
    direction: Direction
    owners: tuple[Role, ...]
    cadence: tuple[Cadence, ...]
    example: Example
    tables: tuple[str, ...]
    families: tuple[str, ...]
    compute: ComputeFn
    drill: str
    null_note: str
    default_target: Target | None = None
    broadcast: frozenset[str] = frozenset()
    previous: tuple[str, ...] = ()
    bases: tuple[str, ...] = ()
    basis_families: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    dims: tuple[str, ...] = ()
    formula_id: str | None = None
    notes: Text | None = None
    respondents: str | None = None
    basis_setting: str | None = None

    @property
    def calculator(self) -> Formula | None:
        """The formula of :mod:`salesmetrics.formulas` (= the calculator) this metric applies,
        or None for a plain count or sum (qualified leads, new customers)."""
        return FORMULAS.get(self.formula_id or self.id)

    @property
    def default_basis(self) -> str | None:
        """The basis used unless another is asked for."""
        return self.bases[0] if self.bases else None

    def chosen_basis(self, bases: Mapping[str, str], config: Config) -> str | None:
        """The basis of this metric in ``bases`` (a request's), else the one its
        ``basis_setting`` configures, else :attr:`default_basis`."""
        if self.id in bases:
            return bases[self.id]
        if self.basis_setting is not None:
            return self.check_basis(str(getattr(config, self.basis_setting)))
        return self.default_basis

    def families_for(self, basis: str | None) -> tuple[str, ...]:
        """The families read with ``basis``."""
        if basis is not None and basis in self.basis_families:
            return self.basis_families[basis]
        return self.families

    def check_basis(self, basis: str) -> str:
        """``basis`` if this metric has it; a UserError naming its bases otherwise."""
        if basis not in self.bases:
            known = ", ".join(self.bases) if self.bases else "none"
            raise UserError(
                f"{self.id}: unknown basis {basis!r}{suggest(basis, self.bases)}; bases: {known}"
            )
        return basis


SEED_004 = Text('seed 004: "3:1 or higher"', 'seed 004: "3:1 atau lebih tinggi"')
CONVENTION = Text("industry convention", "konvensi industri")

#: The default targets of metrics.md ("Default targets"), declared once; a metric's declaration
#: takes its own from here.
DEFAULT_TARGETS: dict[str, Target] = {
    "ltv_to_cac": Target(3.0, SEED_004),
    "pipeline_coverage": Target(3.0, CONVENTION),
    "net_revenue_retention": Target(1.0, CONVENTION),
    "quick_ratio": Target(4.0, CONVENTION),
    "cac_payback_months": Target(12.0, CONVENTION),
}

#: The default dashboard (seed 000's starter checklist): the table view shows these first.
DASHBOARD: tuple[str, ...] = (
    "lead_conversion_rate",
    "average_deal_size",
    "win_rate",
    "quota_attainment_rate",
    "revenue_growth",
    "pipeline_coverage",
    "customer_retention_rate",
)


def _load() -> dict[str, Metric]:
    from salesmetrics.metrics.catalog import ALL_METRICS

    registry: dict[str, Metric] = {}
    for metric in ALL_METRICS:
        if metric.id in registry:
            raise ValueError(f"metric {metric.id!r} is declared twice")
        registry[metric.id] = metric
    return registry


class _Registry(Mapping[str, Metric]):
    """Every metric by id, in the order of metrics.md; loaded on first use."""

    _metrics: dict[str, Metric] | None = None

    def _all(self) -> dict[str, Metric]:
        if self._metrics is None:
            self._metrics = _load()
        return self._metrics

    def __getitem__(self, key: str) -> Metric:
        return self._all()[key]

    def __iter__(self) -> Any:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


#: Every metric by id, in the order of metrics.md.
REGISTRY: Mapping[str, Metric] = _Registry()


def metric_ids() -> tuple[str, ...]:
    """Every metric id, in registry order."""
    return tuple(REGISTRY)


def get(metric_id: str) -> Metric:
    """The metric ``metric_id``; a UserError naming the close matches when there is none."""
    try:
        return REGISTRY[metric_id]
    except KeyError:
        pass
    hint = suggest(metric_id, REGISTRY)
    if not hint:
        hint = f"; known metrics: {', '.join(REGISTRY)}"
    raise UserError(f"unknown metric {metric_id!r}{hint}")


def resolve(metric_ids: Iterable[str]) -> list[Metric]:
    """The metrics named, in the order given, each once; unknown ids are a UserError."""
    seen: dict[str, Metric] = {}
    for mid in metric_ids:
        metric = get(mid.strip())
        seen.setdefault(metric.id, metric)
    return list(seen.values())
