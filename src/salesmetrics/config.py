"""``salesmetrics.toml``: the workspace configuration, validated with clear one-line errors."""

from __future__ import annotations

import re
import tomllib
import zoneinfo
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from salesmetrics.calendars import WEEKDAYS, FiscalCalendar, WeekCalendar, parse_weekday
from salesmetrics.conventions import (
    CONFIG_FILE,
    FORECAST_CATEGORIES,
    FORECAST_METHODS,
    UNALLOCATED_CHANNEL,
)
from salesmetrics.errors import ConfigError, suggest

DEFAULT_BACKEND = "duckdb:///workspace.duckdb"
# Enough for the medium demo's review with its intermediates in memory while the whole process
# stays within 3 GiB (a laptop beside other work); a bigger machine and bigger data want more.
DEFAULT_MEMORY_LIMIT = "2GB"
_MEMORY = re.compile(r"\d+(\.\d+)?\s*(B|[KMGT]i?B)", re.IGNORECASE)
BACKEND_SCHEMES = ("duckdb", "postgresql", "postgres", "pyspark")
SELLING_TYPES = ("call", "email", "meeting", "demo", "prospecting", "proposal")


#: Returns the metric ids a target may name. The registry lives in the engine, above this
#: module, so the caller that has it (the workspace facade) passes this in; it is called only
#: when a configuration names targets, so reading a configuration never loads the registry.
MetricIds = Callable[[], Collection[str]]


def _metric_id(value: str, info: ValidationInfo) -> str:
    """A metric id the caller's ``metric_ids`` knows (any id when none was passed)."""
    metric_ids: MetricIds | None = (info.context or {}).get("metric_ids")
    if metric_ids is None:
        return value
    known = metric_ids()
    if value in known:
        return value
    raise ValueError(f"unknown metric {value!r}{suggest(value, known)}")


class MetricTargets(BaseModel):
    """Targets of one metric: ``default`` for everyone, and values per group dimension.

    ``[targets.win_rate]`` ``default = 0.3``; ``[targets.win_rate.team]`` ``East = 0.35``. The
    most specific target applies (rep, then team, manager, region, ...); the comparison follows
    the metric's direction (at least the target, or at most it).
    """

    model_config = ConfigDict(extra="forbid")

    default: float | None = None
    rep: dict[str, float] = Field(default_factory=dict)
    team: dict[str, float] = Field(default_factory=dict)
    manager: dict[str, float] = Field(default_factory=dict)
    region: dict[str, float] = Field(default_factory=dict)
    segment: dict[str, float] = Field(default_factory=dict)
    industry: dict[str, float] = Field(default_factory=dict)
    source: dict[str, float] = Field(default_factory=dict)
    product: dict[str, float] = Field(default_factory=dict)
    pipeline: dict[str, float] = Field(default_factory=dict)
    plan: dict[str, float] = Field(default_factory=dict)
    type: dict[str, float] = Field(default_factory=dict)
    first_plan: dict[str, float] = Field(default_factory=dict)
    channel: dict[str, float] = Field(default_factory=dict)


def _channels(value: dict[str, str]) -> dict[str, str]:
    """A ``[channels]`` mapping: every source and channel a non-blank name, none of them the
    group of the costs without a channel."""
    for source, channel in value.items():
        if not source.strip() or not channel.strip():
            raise ValueError(f"source {source!r} -> {channel!r}: names must not be blank")
        if UNALLOCATED_CHANNEL in (source, channel):
            raise ValueError(
                f"{UNALLOCATED_CHANNEL!r} is the group of costs without a channel; name the"
                " channel otherwise"
            )
    return value


def _segments(value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """``[segments]``: each a non-blank name for one or more filters, ``DIM = "VALUE"`` with
    the dimensions of ``--by`` (whether a value is in the data is checked when it is used)."""
    dims = [d for d in MetricTargets.model_fields if d != "default"]  # the group dimensions
    for name, filters in value.items():
        if not name.strip():
            raise ValueError("a segment's name must not be blank")
        if not filters:
            raise ValueError(f"segment {name!r} has no filter; e.g. {{ region = 'EMEA' }}")
        for dim, wanted in filters.items():
            if dim not in dims:
                raise ValueError(f"segment {name!r}: unknown dimension {dim!r}{suggest(dim, dims)}")
            if not wanted.strip():
                raise ValueError(f"segment {name!r}: {dim} needs a value")
    return value


#: ``[alerts]`` rule kinds: the value rose or fell (by more than the amount, when one is given),
#: moved either way by more than the amount, or is below or above a level.
ALERT_KINDS = ("up", "down", "moves", "below", "above")
_RULE = re.compile(
    r"\s*(?P<metric>[a-z0-9_]+)\s+(?P<kind>[a-z]+)(?:\s+(?P<amount>-?\d+(?:\.\d+)?)(?P<pct>%)?)?\s*"
)


class AlertRule(BaseModel):
    """One ``[alerts] rules`` entry, e.g. ``"customer_churn_rate up"``, ``"win_rate down 10%"``
    or ``"pipeline_coverage below 3"``: ``amount`` is a change (relative when ``relative``, in
    the metric's unit otherwise) for up/down/moves, a level for below/above."""

    model_config = ConfigDict(frozen=True)

    metric: str
    kind: Literal["up", "down", "moves", "below", "above"]
    amount: float | None = None
    relative: bool = False
    text: str = ""


def _alert_rule(value: Any, info: ValidationInfo) -> AlertRule:
    """An alert rule parsed from its text (see :class:`AlertRule`)."""
    if isinstance(value, AlertRule):
        return value
    m = _RULE.fullmatch(value) if isinstance(value, str) else None
    if m is None:
        raise ValueError(
            "write a rule as 'METRIC up|down|moves [AMOUNT[%]]' or 'METRIC below|above LEVEL',"
            " e.g. 'customer_churn_rate up' or 'pipeline_coverage below 3'"
        )
    kind: Any = m["kind"]
    if kind not in ALERT_KINDS:
        raise ValueError(
            f"unknown rule {kind!r}{suggest(kind, ALERT_KINDS)}; use one of"
            f" {', '.join(ALERT_KINDS)}"
        )
    amount = float(m["amount"]) if m["amount"] is not None else None
    if kind in ("below", "above") and (amount is None or m["pct"]):
        raise ValueError(
            f"'{kind}' needs a level in the metric's unit, e.g. 'pipeline_coverage {kind} 3'"
        )
    if kind == "moves" and amount is None:
        raise ValueError("'moves' needs an amount, e.g. 'mrr moves 10%'")
    if kind in ("up", "down", "moves") and amount is not None and amount < 0:
        raise ValueError("the amount of a change is positive; 'up' or 'down' gives its sign")
    metric = _metric_id(m["metric"], info)
    relative = bool(m["pct"])
    if relative and amount is not None:
        amount /= 100
    return AlertRule(
        metric=metric, kind=kind, amount=amount, relative=relative, text=" ".join(value.split())
    )


class AlertSettings(BaseModel):
    """``[alerts]``: what ``salesmetrics alerts`` and the deliveries report. Every metric checked
    alerts when its status turned off_track or its value moved by more than ``change`` (a share
    of the previous value; 0 turns that off); ``rules`` add per-metric conditions."""

    model_config = ConfigDict(extra="forbid")

    rules: list[Annotated[AlertRule, BeforeValidator(_alert_rule)]] = Field(
        default_factory=list,
        description='e.g. ["customer_churn_rate up", "pipeline_coverage below 3"]',
    )
    change: float = Field(0.25, ge=0, description="default relative move that alerts (0.25 = 25%)")
    change_points: float = Field(
        0.10, ge=0, description="default move of a rate that alerts (0.10 = 10 percentage points)"
    )
    by: list[str] = Field(
        default_factory=lambda: ["team"], description="groups checked besides the company"
    )
    metrics: list[Annotated[str, AfterValidator(_metric_id)]] = Field(
        default_factory=list,
        description="metrics checked (default: those of the pack's cadence, and those of a rule)",
    )
    max_deals: int = Field(10, ge=0, description="deals listed per alert (the largest first)")
    limit: int = Field(
        20,
        ge=0,
        description="alerts listed, the strongest first: off track, then rules, then the"
        " largest moves against their threshold (0 = every one)",
    )

    @field_validator("by")
    @classmethod
    def _dims(cls, v: list[str]) -> list[str]:
        dims = [d for d in MetricTargets.model_fields if d != "default"]  # the group dimensions
        for dim in v:
            if dim not in dims:
                raise ValueError(f"unknown dimension {dim!r}{suggest(dim, dims)}")
        return v


class SmtpSettings(BaseModel):
    """``[smtp]``: the mail server deliveries are sent through. The password is never read from
    the file: it comes from ``$SALESMETRICS_SMTP_PASSWORD``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    host: str = Field(..., min_length=1)
    port: int = Field(587, ge=1, le=65535)
    from_: str = Field(..., alias="from", min_length=3)
    username: str | None = None
    tls: Literal["auto", "require", "implicit", "off"] = Field(
        "auto",
        description="auto: STARTTLS where the server offers it; require: refuse a server that"
        " does not; implicit: TLS from the start (port 465); off: never",
    )
    cafile: str | None = Field(None, description="extra CA certificates to trust (PEM file)")
    timeout: float = Field(30.0, gt=0)


class DeliverySettings(BaseModel):
    """``[delivery]``: where delivered packs are kept and how a webhook points at them."""

    model_config = ConfigDict(extra="forbid")

    link_base: str | None = Field(
        None,
        description="URL under which the packs folder is served; a webhook then gets a link"
        " instead of the file",
    )
    max_attachment_mb: float = Field(10.0, gt=0)


class Config(BaseModel):
    """Every setting of a workspace; each key has a default."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    base_currency: str = Field("USD", description="ISO 4217 code every amount is converted to")
    timezone: str = Field("UTC", description="naive timestamps are read in this zone")
    backend: str = Field(
        DEFAULT_BACKEND,
        description="duckdb:///FILE (relative to the workspace), postgresql://..., pyspark://...",
    )
    memory_limit: str = Field(
        DEFAULT_MEMORY_LIMIT,
        description="memory the embedded DuckDB engine may hold, e.g. 2GB; beyond it its "
        "intermediate tables spill to disk beside the database file",
    )
    earliest_year: int = Field(
        1900, ge=1, le=9999, description="an imported date before this year is rejected"
    )
    latest_year: int = Field(
        2100, ge=1, le=9999, description="an imported date after this year is rejected"
    )
    fiscal_year_start_month: int = Field(1, ge=1, le=12, description="1 = January")
    fiscal_calendar: Literal["months", "4-4-5", "4-5-4", "5-4-4"] = Field(
        "months",
        description="'months' (fiscal years of whole months), or fiscal years of whole weeks,"
        " each quarter's months 4-4-5, 4-5-4 or 5-4-4 weeks long",
    )
    fiscal_week_end_day: str = Field(
        "saturday",
        description="week calendars: the weekday each fiscal week, and so the year, ends on",
    )
    fiscal_year_end_rule: Literal["nearest", "last"] = Field(
        "nearest",
        description="week calendars: the year ends on the fiscal_week_end_day nearest the last"
        " day of the month before fiscal_year_start_month ('nearest'), or the last one in it",
    )
    lead_qualification: str = Field(
        "qualified_at", description="'qualified_at', or a rule such as 'score >= 50'"
    )
    working_hours_per_week: float = Field(40.0, gt=0, le=168)
    gross_margin: float = Field(1.0, gt=0, le=1, description="for LTV and CAC payback")
    min_survey_group: int = Field(5, ge=1, description="smallest group whose survey is shown")
    engagement_window_days: int = Field(30, ge=1)
    engagement_weights: dict[str, float] = Field(default_factory=dict)
    engagement_targets: dict[str, float] = Field(default_factory=dict)
    customer_lifetime_years: float | None = Field(None, gt=0)
    max_customer_lifetime_years: float = Field(10.0, gt=0)
    recurring_source: Literal["auto", "subscriptions", "invoice_lines"] = "auto"
    selling_activity_types: list[str] = Field(default_factory=lambda: list(SELLING_TYPES))
    default_metrics: list[str] = Field(default_factory=list)
    forecast_category: str = Field(
        FORECAST_CATEGORIES[0],
        description="the forecast category sales_forecast_accuracy and forecast_bias judge: "
        + ", ".join(FORECAST_CATEGORIES),
    )
    forecast_method: str = Field(
        FORECAST_METHODS[0],
        description="the forecast method they judge unless a basis is asked for: "
        + ", ".join(FORECAST_METHODS),
    )
    stage_order: list[str] = Field(
        default_factory=list,
        description="funnel order of the stages; empty = from probabilities, else deal moves",
    )
    channels: Annotated[dict[str, str], AfterValidator(_channels)] = Field(
        default_factory=dict,
        description="lead and opportunity source -> marketing channel (the costs' channel),"
        ' e.g. [channels] google_ads = "paid"; an unmapped source is its own channel',
    )
    targets: dict[Annotated[str, AfterValidator(_metric_id)], MetricTargets] = Field(
        default_factory=dict,
        description="targets per metric and group, e.g. [targets.win_rate] default = 0.3",
    )
    # Segments and delivery settings change no number (a request names its filters itself): left
    # out of the dump that keys the kept intermediates.
    segments: Annotated[dict[str, dict[str, str]], AfterValidator(_segments)] = Field(
        default_factory=dict,
        exclude=True,
        description="saved filters, used as --segment NAME, e.g. [segments] emea_smb = { region ="
        ' "EMEA", segment = "SMB" }',
    )
    alerts: AlertSettings = Field(
        default_factory=lambda: AlertSettings.model_validate({}), exclude=True
    )
    smtp: SmtpSettings | None = Field(None, exclude=True)
    delivery: DeliverySettings = Field(
        default_factory=lambda: DeliverySettings.model_validate({}), exclude=True
    )

    def segment(self, name: str) -> dict[str, str]:
        """The filters of segment ``name`` (``[segments]``); a UserError naming the segments
        there are, with the close matches, when there is none of that name."""
        found = self.segments.get(name.strip())
        if found is None:
            names = sorted(self.segments)
            if names:
                known = "; the segments are " + ", ".join(names)
            else:
                known = '; add one there, e.g. [segments] emea = { region = "EMEA" }'
            raise ConfigError(f"no segment {name!r} in {CONFIG_FILE}{suggest(name, names)}{known}")
        return dict(found)

    @field_validator("base_currency")
    @classmethod
    def _currency(cls, v: str) -> str:
        if len(v) != 3 or not v.isalpha():
            raise ValueError("must be a 3-letter ISO 4217 code such as USD or IDR")
        return v.upper()

    @field_validator("fiscal_week_end_day")
    @classmethod
    def _weekday(cls, v: str) -> str:
        try:
            return WEEKDAYS[parse_weekday(v)]
        except ValueError:
            raise ValueError("must be a day of the week such as saturday or sunday") from None

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, v: str) -> str:
        try:
            zoneinfo.ZoneInfo(v)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone such as UTC or Asia/Jakarta") from None
        return v

    @field_validator("backend")
    @classmethod
    def _backend(cls, v: str) -> str:
        scheme = v.split("://", 1)[0] if "://" in v else ""
        if scheme not in BACKEND_SCHEMES:
            raise ValueError("must be a URL starting with duckdb://, postgresql:// or pyspark://")
        return v

    @field_validator("memory_limit")
    @classmethod
    def _memory_limit(cls, v: str) -> str:
        if not _MEMORY.fullmatch(v.strip()):
            raise ValueError("must be an amount with a unit such as 512MB, 2GB or 1.5GiB")
        return v.strip()

    @field_validator("latest_year")
    @classmethod
    def _latest_year(cls, v: int, info: ValidationInfo) -> int:
        first = info.data.get("earliest_year")
        if first is not None and v < first:
            raise ValueError(f"must not be before earliest_year ({first})")
        return v

    @field_validator("forecast_category")
    @classmethod
    def _forecast_category(cls, v: str) -> str:
        return _choice(v, FORECAST_CATEGORIES)

    @field_validator("forecast_method")
    @classmethod
    def _forecast_method(cls, v: str) -> str:
        return _choice(v, FORECAST_METHODS)

    @property
    def calendar(self) -> FiscalCalendar:
        """The fiscal calendar periods follow: the start month of month-based fiscal years, or
        the :class:`~salesmetrics.calendars.WeekCalendar` of a 4-4-5, 4-5-4 or 5-4-4 one."""
        if self.fiscal_calendar == "months":
            return self.fiscal_year_start_month
        return WeekCalendar(
            self.fiscal_calendar,
            self.fiscal_year_start_month,
            parse_weekday(self.fiscal_week_end_day),
            self.fiscal_year_end_rule,
        )

    @property
    def backend_scheme(self) -> str:
        """``duckdb``, ``postgresql`` or ``pyspark``."""
        scheme = self.backend.split("://", 1)[0]
        return "postgresql" if scheme == "postgres" else scheme


def _choice(value: str, choices: tuple[str, ...]) -> str:
    """``value`` when it is one of ``choices`` (any case, spaces around it ignored)."""
    name = value.strip().lower()
    if name in choices:
        return name
    raise ValueError(f"must be one of {', '.join(choices)}{suggest(name, choices)}")


#: The keys of each settings table, for suggestions (``[smtp]`` says ``from``).
_SECTIONS: dict[str, list[str]] = {
    "smtp": [f.alias or n for n, f in SmtpSettings.model_fields.items()],
    "alerts": list(AlertSettings.model_fields),
    "delivery": list(DeliverySettings.model_fields),
}


def _one_line(err: ValidationError, source: str) -> str:
    first = err.errors()[0]
    loc = [str(p) for p in first["loc"] if p != "[key]"]
    key = ".".join(loc)
    if first["type"] == "extra_forbidden":
        known: Any = Config.model_fields
        if len(loc) == 3 and loc[0] == "targets":
            known, key_word = MetricTargets.model_fields, loc[2]
        elif len(loc) == 2 and loc[0] in _SECTIONS:
            known, key_word = _SECTIONS[loc[0]], loc[1]
        else:
            key_word = key
        return f"{source}: unknown key {key!r}{suggest(key_word, known)}; remove it or fix its name"
    got = first.get("input")
    msg = first["msg"].removeprefix("Value error, ")
    return f"{source}: key {key!r} = {got!r}: {msg}"


def config_from_dict(
    data: dict[str, Any], source: str = CONFIG_FILE, *, metric_ids: MetricIds | None = None
) -> Config:
    """Validate a parsed configuration; a one-line ConfigError names the bad key. Target
    metric ids are checked against ``metric_ids`` when it is given."""
    try:
        return Config.model_validate(data, context={"metric_ids": metric_ids})
    except ValidationError as err:
        raise ConfigError(_one_line(err, source)) from None


def load_config(path: Path, *, metric_ids: MetricIds | None = None) -> Config:
    """Read and validate ``salesmetrics.toml`` at ``path`` (target metric ids against
    ``metric_ids`` when it is given)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no workspace here; create one with 'salesmetrics init {path.parent}'"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML ({err})") from None
    return config_from_dict(data, str(path), metric_ids=metric_ids)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
        )
    return repr(value)


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_key(key: str) -> str:
    """``key`` as a TOML key: bare when it can be, else quoted (a source such as "Google Ads")."""
    return key if _BARE_KEY.fullmatch(key) else _toml_value(key)


def _settings_lines(settings: BaseModel) -> list[str]:
    """The ``key = value`` lines of a settings table (``[alerts]``, ``[smtp]``, ...)."""
    lines = []
    for name, info in type(settings).model_fields.items():
        value = getattr(settings, name)
        if isinstance(value, list) and value and isinstance(value[0], AlertRule):
            value = [rule.text for rule in value]
        key = info.alias or name
        lines.append(f"# {key} =" if value is None else f"{key} = {_toml_value(value)}")
    return lines


def render_config(config: Config) -> str:
    """``salesmetrics.toml`` text for ``config``, every key written with its description."""
    lines = ["# salesmetrics workspace configuration; every key is optional.", ""]
    tables: list[str] = []
    for name, info in Config.model_fields.items():
        value = getattr(config, name)
        if info.description:
            lines.append(f"# {info.description}")
        if isinstance(value, BaseModel):
            tables += [f"[{name}]", *_settings_lines(value), ""]
        elif isinstance(value, dict) and any(isinstance(v, BaseModel) for v in value.values()):
            for key, model in value.items():  # [targets.win_rate]: what differs from defaults
                tables.append(f"[{name}.{_toml_key(key)}]")
                dumped = model.model_dump(exclude_defaults=True)
                tables += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in dumped.items()]
                tables.append("")
        elif isinstance(value, dict):
            tables.append(f"[{name}]")
            tables += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()]
            tables.append("")
        elif value is None:
            lines.append(f"# {name} =")
        else:
            lines.append(f"{name} = {_toml_value(value)}")
    return "\n".join([*lines, "", *tables]).rstrip() + "\n"


def set_target(
    path: Path,
    metric: str,
    value: float | None,
    *,
    dim: str | None = None,
    group: str | None = None,
    metric_ids: MetricIds | None = None,
) -> Config:
    """Set (``value``) or remove (None) the target of ``metric`` in the configuration file at
    ``path``: its default, or its value for ``group`` of dimension ``dim``
    (``[targets.METRIC.DIM]``).
    The new configuration is validated as a whole (a one-line ConfigError names a bad key or
    value, and the file is left as it was), then written atomically; it is returned."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    targets = data.setdefault("targets", {})
    entry = targets.setdefault(metric, {})
    if (dim is None) != (group is None or group == ""):
        raise ConfigError("a target for a group needs both the dimension and the group")
    holder: dict[str, Any] = entry if dim is None else entry.setdefault(dim, {})
    if not isinstance(holder, dict):
        raise ConfigError(f"{path}: key 'targets.{metric}.{dim}' is not a table")
    name = "default" if dim is None else str(group).strip()
    if value is None:
        holder.pop(name, None)
    else:
        holder[name] = float(value)
    if dim is not None and not holder:
        entry.pop(dim, None)
    if not entry:
        targets.pop(metric, None)
    config = config_from_dict(data, str(path), metric_ids=metric_ids)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(render_config(config), encoding="utf-8")
    tmp.replace(path)
    return config
