"""The canonical tables of data-model.md, declared once.

The importer, validation, the demo generator, export/restore and the docs all read this module;
nothing else restates a table's columns, types, keys or required fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ColumnType(StrEnum):
    """The logical column types of the data model."""

    STR = "str"
    INT = "int"
    DECIMAL = "decimal"
    FLOAT = "float"
    BOOL = "bool"
    DATE = "date"
    TIMESTAMP = "timestamp"


#: SQL type of each logical type. Money is an exact decimal (never a binary float); timestamps are
#: stored as naive UTC.
SQL_TYPES: dict[ColumnType, str] = {
    ColumnType.STR: "VARCHAR",
    ColumnType.INT: "BIGINT",
    ColumnType.DECIMAL: "DECIMAL(18,4)",
    ColumnType.FLOAT: "DOUBLE",
    ColumnType.BOOL: "BOOLEAN",
    ColumnType.DATE: "DATE",
    ColumnType.TIMESTAMP: "TIMESTAMP",
}

#: Exchange rates need more decimals than money (1 IDR is 0.0000625 USD).
RATE_SQL_TYPE = "DECIMAL(18,10)"


@dataclass(frozen=True)
class Column:
    """One column of a canonical table.

    ``choices`` restricts the (normalised, lower-case) values; ``minimum``/``maximum`` bound
    numbers (``positive``: above ``minimum``, not equal to it); ``sql_type`` overrides the
    type's default SQL type.
    """

    name: str
    type: ColumnType
    required: bool = False
    doc: str = ""
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    sql_type: str | None = None
    positive: bool = False

    @property
    def sql(self) -> str:
        """The SQL type this column is stored as."""
        return self.sql_type or SQL_TYPES[self.type]


@dataclass(frozen=True)
class RequiredWhen:
    """Row rule: ``column`` must be present when ``when_column`` equals ``when_value``."""

    column: str
    when_column: str
    when_value: str

    def describe(self) -> str:
        """The rule in words, as shown in quarantine reasons."""
        return f"{self.column} is required when {self.when_column} is {self.when_value}"


@dataclass(frozen=True)
class NotBefore:
    """Row rule: ``column`` must not be earlier than ``other`` when both are present."""

    column: str
    other: str

    def describe(self) -> str:
        """The rule in words, as shown in quarantine reasons."""
        return f"{self.column} must not be before {self.other}"


@dataclass(frozen=True)
class NotNegativeWhen:
    """Row rule: ``column`` must not be negative when ``when_column`` equals ``when_value``,
    unless ``unless_column`` equals ``unless_value`` (a won deal's amount, unless a credit)."""

    column: str
    when_column: str
    when_value: str
    unless_column: str
    unless_value: str

    def describe(self) -> str:
        """The rule in words, as shown in quarantine reasons."""
        return (
            f"{self.column} must not be negative when {self.when_column} is {self.when_value}"
            f" (unless {self.unless_column} is {self.unless_value})"
        )


RowRule = RequiredWhen | NotBefore | NotNegativeWhen


@dataclass(frozen=True)
class Table:
    """A canonical table: its columns in order, its key, and its row rules."""

    name: str
    doc: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    rules: tuple[RowRule, ...] = field(default=())

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        unknown = [k for k in self.key if k not in names]
        if unknown:
            raise ValueError(f"table {self.name}: key columns {unknown} are not columns")

    @property
    def column_names(self) -> tuple[str, ...]:
        """Column names in declaration order (without the metadata columns)."""
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        """Names of the required columns."""
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        """The column called ``name``; KeyError when there is none."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


T_STR, T_INT, T_DEC, T_FLOAT, T_BOOL, T_DATE, T_TS = (
    ColumnType.STR,
    ColumnType.INT,
    ColumnType.DECIMAL,
    ColumnType.FLOAT,
    ColumnType.BOOL,
    ColumnType.DATE,
    ColumnType.TIMESTAMP,
)

LEAD_STATUSES = ("new", "working", "qualified", "disqualified", "converted")
OPPORTUNITY_STATUSES = ("open", "won", "lost")
#: ``credit``: a won deal that gives money back (its negative amount is allowed).
OPPORTUNITY_TYPES = ("new_business", "expansion", "renewal", "credit")
FORECAST_CATEGORIES = ("pipeline", "best_case", "commit", "closed", "omitted")

TABLES: tuple[Table, ...] = (
    Table(
        "reps",
        "The sales team.",
        (
            Column("rep_id", T_STR, True, "key"),
            Column("name", T_STR),
            Column("team", T_STR),
            Column("manager_id", T_STR, doc="another rep_id, or a manager's name"),
            Column("region", T_STR),
            Column("email", T_STR, doc="links a web login to a rep"),
            Column("hired_on", T_DATE),
            Column("left_on", T_DATE, doc="a rep counts as active in a period it overlaps"),
        ),
        key=("rep_id",),
        rules=(NotBefore("left_on", "hired_on"),),
    ),
    Table(
        "quotas",
        "Quota per rep and window; pro-rated by days for other windows.",
        (
            Column("rep_id", T_STR, True),
            Column("period_start", T_DATE, True, "inclusive"),
            Column("period_end", T_DATE, True, "inclusive as given"),
            Column("amount", T_DEC, True, minimum=0),
            Column("currency", T_STR, doc="default: base currency"),
        ),
        key=("rep_id", "period_start", "period_end"),
        rules=(NotBefore("period_end", "period_start"),),
    ),
    Table(
        "accounts",
        "Companies: prospects and customers.",
        (
            Column("account_id", T_STR, True, "key"),
            Column("name", T_STR),
            Column("segment", T_STR, doc="e.g. SMB / Mid-market / Enterprise"),
            Column("industry", T_STR),
            Column("region", T_STR),
            Column("country", T_STR),
            Column("owner_id", T_STR, doc="rep_id"),
            Column("created_at", T_TS),
            Column(
                "churned_at",
                T_DATE,
                doc="without subscription data: the date the customer was lost",
            ),
        ),
        key=("account_id",),
    ),
    Table(
        "leads",
        "Leads, with qualification and conversion.",
        (
            Column("lead_id", T_STR, True, "key"),
            Column("created_at", T_TS, True),
            Column(
                "source", T_STR, doc="channel: web, referral, event, outbound, paid, partner, ..."
            ),
            Column("owner_id", T_STR, doc="rep_id"),
            Column("account_id", T_STR),
            Column("segment", T_STR),
            Column("region", T_STR),
            Column("status", T_STR, doc="normalised status", choices=LEAD_STATUSES),
            Column("status_raw", T_STR, doc="the status as the source gave it"),
            Column("score", T_FLOAT, doc="lead score, if the CRM has one"),
            Column("qualified_at", T_TS, doc="when it met the qualification criteria"),
            Column("converted_at", T_TS, doc="when it became an opportunity or customer"),
            Column("opportunity_id", T_STR, doc="the opportunity it converted into"),
        ),
        key=("lead_id",),
        rules=(NotBefore("qualified_at", "created_at"), NotBefore("converted_at", "created_at")),
    ),
    Table(
        "opportunities",
        "Deals.",
        (
            Column("opportunity_id", T_STR, True, "key"),
            Column("account_id", T_STR),
            Column("owner_id", T_STR, doc="rep_id"),
            Column("lead_id", T_STR),
            Column("name", T_STR),
            Column("type", T_STR, choices=OPPORTUNITY_TYPES),
            Column("source", T_STR),
            Column("product", T_STR),
            Column("created_at", T_TS, doc="when the opportunity was opened"),
            Column("close_date", T_DATE, doc="expected close date while open; actual once closed"),
            Column("stage", T_STR, True, "the CRM's stage name as given"),
            Column("status", T_STR, doc="open / won / lost", choices=OPPORTUNITY_STATUSES),
            Column("amount", T_DEC, doc="deal value in currency; required for won deals"),
            Column("currency", T_STR, doc="ISO 4217; default base currency"),
            Column("probability", T_FLOAT, doc="0-1", minimum=0, maximum=1),
            Column("forecast_category", T_STR, choices=FORECAST_CATEGORIES),
            Column("lost_reason", T_STR),
            Column(
                "pipeline", T_STR, doc="the CRM's pipeline, kept as a dimension (--by pipeline)"
            ),
        ),
        key=("opportunity_id",),
        rules=(
            RequiredWhen("amount", "status", "won"),
            NotNegativeWhen("amount", "status", "won", "type", "credit"),
        ),
    ),
    Table(
        "opportunity_history",
        "One row per change of an opportunity.",
        (
            Column("opportunity_id", T_STR, True),
            Column("changed_at", T_TS, True),
            Column("stage", T_STR, doc="the stage from changed_at on"),
            Column("status", T_STR, choices=OPPORTUNITY_STATUSES),
            Column("amount", T_DEC),
            Column("close_date", T_DATE),
            Column("probability", T_FLOAT, minimum=0, maximum=1),
            Column("forecast_category", T_STR, choices=FORECAST_CATEGORIES),
        ),
        key=("opportunity_id", "changed_at"),
    ),
    Table(
        "subscriptions",
        "Recurring revenue as periods.",
        (
            Column("subscription_id", T_STR, True, "key"),
            Column("account_id", T_STR, True),
            Column("start_date", T_DATE, True, "inclusive"),
            Column("end_date", T_DATE, doc="exclusive; empty = still running"),
            Column("mrr", T_DEC, True, "monthly recurring amount in currency", minimum=0),
            Column("currency", T_STR),
            Column("plan", T_STR),
            Column("quantity", T_INT, doc="seats", minimum=0),
            Column("is_trial", T_BOOL, doc="trials carry no MRR"),
        ),
        key=("subscription_id",),
        rules=(NotBefore("end_date", "start_date"),),
    ),
    Table(
        "invoice_lines",
        "Recurring revenue as billing lines.",
        (
            Column("line_id", T_STR, True, "key"),
            Column("account_id", T_STR, True),
            Column("invoice_date", T_DATE, True),
            Column("amount", T_DEC, True, "negative for credits/refunds"),
            Column("currency", T_STR),
            Column("service_start", T_DATE),
            Column("service_end", T_DATE),
            Column("plan", T_STR),
            Column("is_recurring", T_BOOL, doc="default true; one-off fees carry no MRR"),
        ),
        key=("line_id",),
        rules=(NotBefore("service_end", "service_start"),),
    ),
    Table(
        "costs",
        "Sales and marketing spend (for CAC).",
        (
            Column("cost_id", T_STR, True, "key"),
            Column("date", T_DATE, True),
            Column("period_start", T_DATE),
            Column("period_end", T_DATE),
            Column("category", T_STR, True, "marketing / sales (others kept, ignored by CAC)"),
            Column("channel", T_STR),
            Column("amount", T_DEC, True),
            Column("currency", T_STR),
        ),
        key=("cost_id",),
        rules=(NotBefore("period_end", "period_start"),),
    ),
    Table(
        "activities",
        "What reps spend their time on.",
        (
            Column("activity_id", T_STR, True, "key"),
            Column("rep_id", T_STR, True),
            Column("started_at", T_TS, True),
            Column("duration_minutes", T_FLOAT, True, minimum=0),
            Column("type", T_STR, True),
            Column("is_selling", T_BOOL, doc="default from type by the configured map"),
            Column("account_id", T_STR),
            Column("opportunity_id", T_STR),
        ),
        key=("activity_id",),
    ),
    Table(
        "forecasts",
        "What was predicted.",
        (
            Column("forecast_id", T_STR, True, "key"),
            Column("scope", T_STR, True, choices=("company", "team", "rep")),
            Column("scope_id", T_STR, doc="team name or rep_id; empty for company"),
            Column("period", T_STR, True, "a period in the CLI syntax"),
            Column("amount", T_DEC, True),
            Column("submitted_at", T_TS, True),
            Column("category", T_STR, choices=("commit", "best_case", "most_likely")),
            Column("method", T_STR, choices=("manager", "weighted_pipeline", "statistical")),
        ),
        key=("forecast_id",),
    ),
    Table(
        "engagement_events",
        "Product usage per customer account.",
        (
            Column("account_id", T_STR, True),
            Column("occurred_on", T_DATE, True),
            Column("event", T_STR, True),
            Column("count", T_INT, doc="default 1", minimum=0),
        ),
        key=("account_id", "occurred_on", "event"),
    ),
    Table(
        "survey_responses",
        "Pulse surveys and eNPS.",
        (
            Column("response_id", T_STR, True, "key"),
            Column("survey_id", T_STR, True),
            Column("submitted_at", T_TS, True),
            Column("question_id", T_STR, True, "`enps` marks the eNPS question"),
            Column("score", T_INT, True, "0-10", minimum=0, maximum=10),
            Column("respondent_id", T_STR, doc="pseudonymous; never shown"),
            Column("team", T_STR),
            Column("comment", T_STR),
        ),
        key=("response_id",),
    ),
    Table(
        "fx_rates",
        "Base-currency units per 1 unit of currency on a date.",
        (
            Column("date", T_DATE, True),
            Column("currency", T_STR, True),
            Column("rate", T_DEC, True, sql_type=RATE_SQL_TYPE, minimum=0, positive=True),
        ),
        key=("date", "currency"),
    ),
)

#: Every canonical table by name.
SCHEMA: dict[str, Table] = {t.name: t for t in TABLES}

#: Metadata columns every canonical table carries.
BATCH_ID = "_batch_id"
LOADED_AT = "_loaded_at"
META_COLUMNS: tuple[tuple[str, str], ...] = ((BATCH_ID, "VARCHAR"), (LOADED_AT, "TIMESTAMP"))


def table(name: str) -> Table:
    """The canonical table called ``name``, or a one-line error listing the tables."""
    from salesmetrics.errors import UserError, suggest

    try:
        return SCHEMA[name]
    except KeyError:
        raise UserError(
            f"unknown table {name!r}{suggest(name, SCHEMA)}; tables: {', '.join(SCHEMA)}"
        ) from None


def dialect_type(sql_type: str, dialect: str = "duckdb") -> str:
    """``sql_type`` (DuckDB spelling, as declared here) in another SQL ``dialect`` (sqlglot name:
    ``postgres``, ``spark``, ...)."""
    if dialect == "duckdb":
        return sql_type
    import sqlglot

    return sqlglot.exp.DataType.build(sql_type, dialect="duckdb").sql(dialect)


def create_table_sql(
    t: Table, name: str | None = None, dialect: str = "duckdb", *, primary_key: bool = True
) -> str:
    """``CREATE TABLE`` statement for ``t`` (with its metadata columns and, unless
    ``primary_key`` is false, its primary key), in SQL ``dialect`` (one that has primary keys:
    ``duckdb`` or ``postgres``). Key columns are NOT NULL either way."""
    cols = [
        f'"{c.name}" {dialect_type(c.sql, dialect)}' + (" NOT NULL" if c.name in t.key else "")
        for c in t.columns
    ]
    cols += [f'"{n}" {dialect_type(typ, dialect)}' for n, typ in META_COLUMNS]
    key = ", ".join(f'"{k}"' for k in t.key)
    constraint = f", PRIMARY KEY ({key})" if primary_key else ""
    return f'CREATE TABLE IF NOT EXISTS "{name or t.name}" ({", ".join(cols)}{constraint})'


#: Tables the product keeps about imports (not part of the data model, but exported and restored
#: like it). Their rows are written in the same transaction as the batch they describe.
IMPORT_LOG = Table(
    "_import_log",
    "One row per import batch.",
    (
        Column("batch_id", T_STR, True),
        Column("table_name", T_STR, True),
        Column("file", T_STR),
        Column("file_hash", T_STR, doc="sha256 of the file's bytes"),
        Column("rows_read", T_INT),
        Column("rows_loaded", T_INT),
        Column("rows_rejected", T_INT),
        Column("unmapped_columns", T_STR, doc="comma-separated source columns that map to nothing"),
        Column(
            "raw_copy", T_STR, doc="path of the raw copy of the batch, relative to the workspace"
        ),
        Column("started_at", T_TS),
        Column("finished_at", T_TS),
        Column(
            "derived_key",
            T_STR,
            doc="the key column derived from row content because the file lacked it",
        ),
    ),
    key=("batch_id",),
)
QUARANTINE = Table(
    "_quarantine",
    "Rejected rows: one row per broken rule.",
    (
        Column("batch_id", T_STR, True),
        Column("table_name", T_STR, True),
        Column("file", T_STR),
        Column("row", T_INT, True, "1-based row in the file, the header being row 1"),
        Column("column", T_STR, True),
        Column("value", T_STR),
        Column("reason", T_STR, True),
    ),
    key=("batch_id", "row", "column"),
)
INTERNAL_TABLES: tuple[Table, ...] = (IMPORT_LOG, QUARANTINE)


def internal_create_sql(t: Table, dialect: str = "duckdb") -> str:
    """``CREATE TABLE`` for an internal table (no metadata columns), in SQL ``dialect``."""
    cols = ", ".join(f'"{c.name}" {dialect_type(c.sql, dialect)}' for c in t.columns)
    key = ", ".join(f'"{k}"' for k in t.key)
    return f'CREATE TABLE IF NOT EXISTS "{t.name}" ({cols}, PRIMARY KEY ({key}))'
