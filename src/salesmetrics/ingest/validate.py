"""Conversion and validation of a staged source, generated as SQL from the schema.

The generated SQL must keep rows in input order (file row numbers are derived from it), so it
uses only projections: no joins, no ``IN (list)`` (DuckDB turns long lists into a hash join,
which reorders rows); lists of allowed values are written as ``CASE`` expressions instead.

One ``SELECT`` turns the staged source (text or typed columns) into typed canonical columns and,
for every column that can be wrong, a reason column (``__e_<col>``, NULL when the value is fine)
and the offending value (``__q_<col>``). Nothing loops over rows in Python.

Rules, per logical type (text input; typed input is converted directly):

* every value is trimmed; an empty value is missing;
* ``decimal``/``int``/``float``: currency symbols and codes, spaces and thousands separators are
  removed (``$1,234.56``, ``1.234,56`` with ``--decimal ,``, ``(12.50)`` is negative); grouping
  must be well formed (``1,5`` is not a number when the decimal separator is ``.``); money is
  parsed from text straight into an exact DECIMAL, never through a float, and a value with more
  decimal places than the column stores is rejected rather than rounded;
* ``bool``: true/false/yes/no/y/n/t/f/1/0 in any case;
* ``date``: ISO dates (a time part is ignored), or ``--date-format``;
* ``timestamp``: ISO timestamps, with or without an offset; naive ones are in the workspace time
  zone (``--date-format`` formats too); stored as naive UTC;
* ``choices``: compared lower-case, spaces and hyphens as ``_`` (``Best Case`` -> ``best_case``).
  A column with a ``<name>_raw`` sibling (lead ``status``) keeps the source text there and an
  unmappable value becomes NULL instead of rejecting the row. So does a value outside the choices
  of any other optional column (data-model.md: an optional label never costs the row), except
  ``status``, which the metrics count on: its text is kept in ``__u_<col>`` so that the import
  summary can list the unmapped values (see :func:`lenient_choice`);
* a 0-1 column (``probability``) also accepts ``45%`` and, when any value in the file is above 1,
  the whole column is read as percentages (see :func:`percent_columns`);
* dates and timestamps outside the workspace's years (1900-2100 unless ``earliest_year`` /
  ``latest_year`` in the configuration widen them) are rejected: a year 20 or 9999 is far more
  often a typo or a "never" placeholder than a fact;
* the table's row rules (:class:`~salesmetrics.schema.RequiredWhen`,
  :class:`~salesmetrics.schema.NotBefore`, :class:`~salesmetrics.schema.NotNegativeWhen`) are
  checked on the typed values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from salesmetrics.ingest.sql import Params, ident
from salesmetrics.schema import Column, ColumnType, NotBefore, NotNegativeWhen, RequiredWhen, Table

#: Characters trimmed from every text value (space, tab, CR, LF, no-break space).
WHITESPACE = " \t\r\n\u00a0"
TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")
_CURRENCY_SIGNS = "$€£¥₹₩₽₺₫฿₱"
#: Removed from numbers: spaces, currency signs, and a currency code before or after the number.
_SYMBOLS = r"[\s" + re.escape(_CURRENCY_SIGNS) + r"]|^(?:[A-Z]{3}|Rp)|(?:[A-Z]{3}|Rp)$"
#: Table -> column -> the default used for a missing value (besides ``currency`` everywhere).
DEFAULTS: dict[str, dict[str, str]] = {
    "invoice_lines": {"is_recurring": "TRUE"},
    "engagement_events": {"count": "1"},
    "forecasts": {"category": "'most_likely'"},
}
ROW_COLUMN = "*"
"""The quarantine ``column`` of a reason that concerns the whole row (a malformed line)."""


def lit(text: str) -> str:
    """A SQL string literal for one of this module's own constants (never for user text)."""
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class SourceField:
    """The staged expressions that fill one canonical column (coalesced in order)."""

    exprs: tuple[str, ...]
    types: tuple[str, ...]

    @property
    def is_text(self) -> bool:
        """True when every expression is text."""
        return all(t == "VARCHAR" for t in self.types)


@dataclass(frozen=True)
class Conversion:
    """Everything the conversion SQL of one import depends on."""

    table: Table
    fields: dict[str, SourceField]
    all_sources: tuple[tuple[str, str], ...]
    """(expression, type) of every staged source column, for recognising blank rows."""
    base_currency: str
    selling_types: tuple[str, ...]
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)
    decimal: str = "."
    date_format: str | None = None
    utc: bool = True
    """True when the workspace time zone is UTC (naive timestamps need no conversion)."""
    status_flags: tuple[SourceField, SourceField] | None = None
    derived_key: str | None = None
    row_expr: str | None = None
    """Staged expression giving the file row number (else the importer numbers rows)."""
    row_error: tuple[str, str] | None = None
    """(reason, value) expressions of a whole-row problem (e.g. a line that is not JSON)."""
    years: tuple[int, int] = (1900, 2100)
    """The first and last year a date or timestamp may have (inclusive)."""


def decimal_scale(col: Column) -> tuple[int, int]:
    """(precision, scale) of a DECIMAL column."""
    m = re.search(r"\((\d+)\s*,\s*(\d+)\)", col.sql)
    return (int(m.group(1)), int(m.group(2))) if m else (18, 4)


def is_fraction(col: Column) -> bool:
    """A 0-1 float column (``probability``): percentages are detected and scaled."""
    return col.type == ColumnType.FLOAT and col.minimum == 0 and col.maximum == 1


def raw_sibling(table: Table, col: Column) -> str | None:
    """The ``<col>_raw`` column keeping the source text of a choice column, if the table has one."""
    name = f"{col.name}_raw"
    return name if col.choices and name in table.column_names else None


#: Optional choice columns that still reject a value outside their choices: the metrics count on
#: them (a deal of unknown status would silently count as neither won nor lost).
STRICT_CHOICES = frozenset({"status"})


def lenient_choice(table: Table, col: Column) -> bool:
    """True when a value outside ``col``'s choices loads as empty instead of rejecting the row."""
    return (
        bool(col.choices)
        and not col.required
        and col.name not in STRICT_CHOICES
        and raw_sibling(table, col) is None
    )


def _type_family(sql_type: str) -> str:
    t = sql_type.upper()
    if t == "VARCHAR":
        return "text"
    if t == "BOOLEAN":
        return "bool"
    if t == "DATE":
        return "date"
    if t.startswith("TIMESTAMP WITH TIME ZONE") or t == "TIMESTAMPTZ":
        return "timestamptz"
    if t.startswith("TIMESTAMP"):
        return "timestamp"
    if t.startswith("DECIMAL") or t in ("DOUBLE", "FLOAT", "REAL"):
        return "number"
    if re.fullmatch(r"U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?", t) or t in ("UHUGEINT",):
        return "integer"
    return "other"


_EDGE_WHITESPACE = (
    "({e} < '!' OR {e} LIKE '\u00a0%'"
    + "".join(f" OR {{e}} LIKE {lit('%' + ch)}" for ch in WHITESPACE)
    + ")"
)


def _trimmed(expr: str) -> str:
    # trim() copies every string; checking the edges first is ~20x cheaper on clean data.
    edge = _EDGE_WHITESPACE.replace("{e}", expr)
    return f"NULLIF(CASE WHEN {edge} THEN trim({expr}, {lit(WHITESPACE)}) ELSE {expr} END, '')"


def _choice(t: str, choices: Sequence[str]) -> str:
    """The choice text ``t`` names (compared lower-case, runs of spaces and hyphens as ``_``),
    NULL when none. A value that is already a choice but for its case (nearly every value of
    an export) is matched on ``lower`` alone; the regex runs only for the others. The two
    agree: a choice without spaces or hyphens equal to ``lower(t)`` means ``t`` has none for
    the regex to replace."""
    whens = " ".join(f"WHEN {lit(c)} THEN {lit(c)}" for c in choices)
    norm = f"lower(regexp_replace({t}, '[\\s\\-]+', '_', 'g'))"
    slow = f"(CASE {norm} {whens} END)"
    plain = [c for c in choices if not re.search(r"[\s\-]", c)]
    if not plain:
        return slow
    fast = " ".join(f"WHEN {lit(c)} THEN {lit(c)}" for c in plain)
    return f"(CASE lower({t}) {fast} ELSE {slow} END)"


class _Builder:
    """Generates the conversion SELECT for one :class:`Conversion`."""

    def __init__(self, conv: Conversion, params: Params) -> None:
        self.c = conv
        self.p = params
        self.t = conv.table
        self.typed_direct: dict[str, str] = {}  # field -> family of its typed staged expression
        self.raw_kept: list[str] = []  # fields whose source text (before value maps) is kept

    # -- level 1: text of every field ---------------------------------------------------------

    def _value_mapped(self, fld: str, text: str) -> str:
        vmap = self.c.value_maps.get(fld)
        if not vmap:
            return text
        whens = []
        for src, dst in vmap.items():
            if src == "":
                whens.append(f"WHEN {text} IS NULL THEN {self.p.add(dst or None)}")
            else:
                whens.append(
                    f"WHEN lower({text}) = {self.p.add(src.lower())} THEN {self.p.add(dst)}"
                )
        return f"(CASE {' '.join(whens)} ELSE {text} END)"

    def _text(self, src: SourceField) -> str:
        parts = [
            _trimmed(e if t == "VARCHAR" else f"CAST({e} AS VARCHAR)")
            for e, t in zip(src.exprs, src.types, strict=True)
        ]
        return parts[0] if len(parts) == 1 else f"COALESCE({', '.join(parts)})"

    def _truthy(self, text: str) -> str:
        whens = " ".join(f"WHEN {lit(w)} THEN TRUE" for w in TRUE_WORDS)
        return f"(CASE lower({text}) {whens} ELSE FALSE END)"

    def _derived_status(self) -> str | None:
        """Status from the preset's won/closed flags, else from the stage name."""
        if "stage" not in self.c.fields or "status" not in self.t.column_names:
            return None
        stage_src = self._text(self.c.fields["stage"])
        stage = self._value_mapped("stage", stage_src)
        by_name = (
            f"(CASE WHEN {stage} IS NULL THEN NULL"
            f" WHEN contains(lower({stage}), 'won') THEN 'won'"
            f" WHEN contains(lower({stage}), 'lost') THEN 'lost' ELSE 'open' END)"
        )
        if self.c.status_flags is not None:
            won, closed = (self._text(f) for f in self.c.status_flags)
            by_name = (
                f"(CASE WHEN {won} IS NULL AND {closed} IS NULL THEN {by_name}"
                f" WHEN {self._truthy(won)} THEN 'won' WHEN {self._truthy(closed)} THEN 'lost'"
                " ELSE 'open' END)"
            )
        vmap = self.c.value_maps.get("status")
        if vmap:
            whens = " ".join(
                f"WHEN lower({stage_src}) = {self.p.add(k.lower())} THEN {self.p.add(v)}"
                for k, v in vmap.items()
                if k
            )
            if whens:
                by_name = f"(CASE {whens} ELSE {by_name} END)"
        return by_name

    def level1(self, relation: str) -> tuple[str, list[str]]:
        """SELECT of the text (``__t_``) or typed source (``__s_``) of every field."""
        cols: list[str] = []
        texts: list[str] = []
        for fld, src in self.c.fields.items():
            direct = (
                not src.is_text
                and len(src.exprs) == 1
                and fld not in self.c.value_maps
                and self._direct_ok(self.t.column(fld), _type_family(src.types[0]))
            )
            if direct:
                # Typed input: __t_ holds the typed value itself (cast to text only for display).
                cols.append(f"{src.exprs[0]} AS {ident('__t_' + fld)}")
                self.typed_direct[fld] = _type_family(src.types[0])
                texts.append(fld)
                continue
            text = self._value_mapped(fld, self._text(src))
            cols.append(f"{text} AS {ident('__t_' + fld)}")
            sibling = raw_sibling(self.t, self.t.column(fld))
            if sibling is not None and sibling not in self.c.fields:
                cols.append(f"{self._text(src)} AS {ident('__r_' + fld)}")
                self.raw_kept.append(fld)
            texts.append(fld)
        if "status" not in self.c.fields:
            derived = self._derived_status()
            if derived is not None:
                cols.append(f"{derived} AS {ident('__t_status')}")
                texts.append("status")
        if self.c.all_sources:
            blank = " AND ".join(
                f"({e} IS NULL OR {e} = '')" if t == "VARCHAR" else f"{e} IS NULL"
                for e, t in self.c.all_sources
            )
        else:
            blank = "TRUE"
        if self.c.row_error is not None:
            blank = f"{blank} AND ({self.c.row_error[0]}) IS NULL"
        cols.append(f"({blank}) AS __blank")
        if self.c.row_expr is not None:
            cols.append(f"{self.c.row_expr} AS __row")
        if self.c.row_error is not None:
            cols.append(f"{self.c.row_error[0]} AS __e_row")
            cols.append(f"{self.c.row_error[1]} AS __q_row")
        return f"SELECT {', '.join(cols)} FROM {relation}", texts

    @staticmethod
    def _direct_ok(col: Column, family: str) -> bool:
        allowed = {
            ColumnType.STR: (),
            ColumnType.DECIMAL: ("number", "integer"),
            ColumnType.INT: ("integer",),
            ColumnType.FLOAT: ("number", "integer"),
            ColumnType.BOOL: ("bool",),
            ColumnType.DATE: ("date", "timestamp", "timestamptz"),
            ColumnType.TIMESTAMP: ("date", "timestamp", "timestamptz"),
        }
        return family in allowed[col.type]

    # -- level 2: typed values ----------------------------------------------------------------

    def _plain(self, t: str, decimals: int | None) -> tuple[str, str]:
        """(condition, text) of the fast path for number text ``t``: only digits, with an
        optional sign and at most one decimal separator (followed by at most ``decimals``
        digits, when given). The clean-up of :meth:`_number_text` leaves such a text as it is
        (bar the separator, made ``.``), and it is never too precise, so casting it directly
        gives what the clean-up would: the regexes then run only for the other values."""
        sep = "\\." if self.c.decimal == "." else ","
        digits = "*" if decimals is None else "{0," + str(decimals) + "}"
        pattern = lit(f"[+-]?\\d*({sep}\\d{digits})?")
        text = t if self.c.decimal == "." else f"replace({t}, ',', '.')"
        return f"regexp_full_match({t}, {pattern})", text

    def _number_text(self, t: str, *, percent: bool = False) -> str:
        """Text of a number, cleaned of symbols and grouping; NULL when malformed."""
        cleaned = f"regexp_replace({t}, {lit(_SYMBOLS)}, '', 'g')"
        if percent:
            cleaned = f"rtrim({cleaned}, '%')"
        cleaned = f"regexp_replace({cleaned}, '^\\((.*)\\)$', '-\\1')"
        if self.c.decimal == ",":
            grouped = lit(r"^[+-]?\d{1,3}(\.\d{3})+(,\d*)?$")
            return (
                f"(CASE WHEN contains({cleaned}, '.')"
                f" AND NOT regexp_full_match({cleaned}, {grouped}) THEN NULL"
                f" ELSE replace(replace({cleaned}, '.', ''), ',', '.') END)"
            )
        grouped = lit(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
        return (
            f"(CASE WHEN NOT contains({cleaned}, ',') THEN {cleaned}"
            f" WHEN regexp_full_match({cleaned}, {grouped}) THEN replace({cleaned}, ',', '') END)"
        )

    def _date_formats(self, with_time: bool) -> str | None:
        fmt = self.c.date_format
        if fmt is None:
            return None
        fmts = [fmt]
        if with_time and "%H" not in fmt and "%I" not in fmt:
            fmts = [f"{fmt} %H:%M:%S", f"{fmt} %H:%M", fmt, f"{fmt}T%H:%M:%S"]
        return self.p.add(fmts)

    def _to_utc(self, expr: str, family: str) -> str:
        """A naive UTC timestamp from a typed value (naive = workspace time zone)."""
        if family == "timestamptz":
            return f"timezone('UTC', {expr})"
        if self.c.utc:
            return f"CAST({expr} AS TIMESTAMP)"
        return f"timezone('UTC', CAST({expr} AS TIMESTAMPTZ))"

    def _timestamp_text(self, t: str) -> str:
        """Naive UTC from text: an offset or zone in the text wins, else the workspace zone."""
        aware = f"timezone('UTC', TRY_CAST({t} AS TIMESTAMPTZ))"
        # Casting to TIMESTAMP would silently drop an offset, so texts that may carry one take
        # the (slower) TIMESTAMPTZ path; plain ones the fast path.
        offset = (
            f"(strlen({t}) > 19 AND ({t} LIKE '%Z' OR {t} LIKE '%z'"
            f" OR contains(right({t}, 6), '+') OR contains(right({t}, 6), '-')))"
        )
        naive = self._to_utc(f"TRY_CAST({t} AS TIMESTAMP)", "timestamp")
        parsed = f"(CASE WHEN {offset} THEN {aware} ELSE COALESCE({naive}, {aware}) END)"
        fmts = self._date_formats(with_time=True)
        if fmts is not None:
            formatted = f"timezone('UTC', CAST(TRY_STRPTIME({t}, {fmts}) AS TIMESTAMPTZ))"
            parsed = f"COALESCE({formatted}, {parsed})"
        return parsed

    def parsed(self, fld: str) -> str | None:
        """Level-1b SELECT item for ``fld``: ``__p_``, the value parsed from its text before
        the checks of :meth:`typed`, so that they read it instead of parsing it again (DuckDB
        evaluates an expression inside ``CASE`` each time it is written); None when the field
        needs none (typed input, text and yes/no columns)."""
        col = self.t.column(fld)
        if fld in self.typed_direct:
            return None
        t = ident("__t_" + fld)
        if col.type == ColumnType.DECIMAL:
            p, sc = decimal_scale(col)
            num = self._number_text(t)
            # More decimals than stored would be rounded by the cast: rejected instead.
            too_precise = lit(r"[+-]?\d*\.\d{" + str(sc + 1) + ",}")
            cleaned = (
                f"(CASE WHEN NOT regexp_full_match({num}, {too_precise})"
                f" THEN TRY_CAST({num} AS DECIMAL({p},{sc})) END)"
            )
            plain, text = self._plain(t, sc)
            value = (
                f"CASE WHEN {plain} THEN TRY_CAST({text} AS DECIMAL({p},{sc})) ELSE {cleaned} END"
            )
        elif col.type == ColumnType.INT:
            plain, text = self._plain(t, 0)
            value = (
                f"CASE WHEN {plain} THEN TRY_CAST({text} AS DECIMAL(38,6))"
                f" ELSE TRY_CAST({self._number_text(t)} AS DECIMAL(38,6)) END"
            )
        elif col.type == ColumnType.FLOAT:
            plain, text = self._plain(t, None)
            num = self._number_text(t, percent=is_fraction(col))
            value = (
                f"CASE WHEN {plain} THEN TRY_CAST({text} AS DOUBLE)"
                f" ELSE TRY_CAST({num} AS DOUBLE) END"
            )
        elif col.type == ColumnType.DATE:
            value = f"CAST(TRY_CAST({t} AS TIMESTAMP) AS DATE)"
            fmts = self._date_formats(with_time=False)
            if fmts is not None:
                value = f"COALESCE(CAST(TRY_STRPTIME({t}, {fmts}) AS DATE), {value})"
        elif col.type == ColumnType.TIMESTAMP:
            value = self._timestamp_text(t)
        else:
            return None
        return f"{value} AS {ident('__p_' + fld)}"

    def typed(self, fld: str) -> list[str]:
        """Level-2 SELECT items for ``fld``: ``__v_`` (typed) and helpers."""
        col = self.t.column(fld)
        t = ident("__t_" + fld)
        v = ident("__v_" + fld)
        family = self.typed_direct.get(fld)
        s = t  # the typed value, for typed input
        parsed = ident("__p_" + fld)  # the value parsed from text (see parsed())
        items: list[str] = []
        if col.type == ColumnType.STR:
            if fld == "currency":
                value = f"upper({t})"
            elif col.choices:
                value = _choice(t, col.choices)
            else:
                value = t
        elif col.type == ColumnType.DECIMAL:
            p, sc = decimal_scale(col)
            value = parsed if family is None else f"TRY_CAST({s} AS DECIMAL({p},{sc}))"
        elif col.type == ColumnType.INT:
            if family is not None:
                value = f"TRY_CAST({s} AS BIGINT)"
            else:
                value = (
                    f"(CASE WHEN {parsed} = trunc({parsed}) THEN TRY_CAST({parsed} AS BIGINT) END)"
                )
        elif col.type == ColumnType.FLOAT:
            num_v = parsed if family is None else f"TRY_CAST({s} AS DOUBLE)"
            num_v = f"(CASE WHEN isfinite({num_v}) THEN {num_v} END)"
            if is_fraction(col) and family is None:
                pct = f"({t} LIKE '%\\%' ESCAPE '\\')"
                items.append(f"{pct} AS {ident('__pct_' + fld)}")
                value = f"(CASE WHEN {pct} THEN {num_v} / 100 ELSE {num_v} END)"
            else:
                if is_fraction(col):
                    items.append(f"FALSE AS {ident('__pct_' + fld)}")
                value = num_v
        elif col.type == ColumnType.BOOL:
            if family is not None:
                value = s
            else:
                whens = " ".join(
                    [f"WHEN {lit(w)} THEN TRUE" for w in TRUE_WORDS]
                    + [f"WHEN {lit(w)} THEN FALSE" for w in FALSE_WORDS]
                )
                value = f"(CASE lower({t}) {whens} END)"
        elif col.type == ColumnType.DATE:
            if family is not None:
                value = f"CAST({s} AS DATE)"
            else:
                value = f"(CASE WHEN year({parsed}) BETWEEN 1 AND 9999 THEN {parsed} END)"
        else:  # TIMESTAMP
            value = self._to_utc(s, family) if family is not None else parsed
            value = f"(CASE WHEN year({value}) BETWEEN 1 AND 9999 THEN {value} END)"
        items.insert(0, f"{value} AS {v}")
        return items

    # -- level 3: reasons ---------------------------------------------------------------------

    def _type_reason(self, fld: str) -> str | None:
        col = self.t.column(fld)
        t, v = ident("__t_" + fld), ident("__v_" + fld)
        bad = f"{t} IS NOT NULL AND {v} IS NULL"
        if col.type == ColumnType.STR:
            if fld == "currency":
                return (
                    f"CASE WHEN {t} IS NOT NULL AND NOT regexp_full_match({v}, '[A-Z]{{3}}')"
                    " THEN 'not a 3-letter ISO 4217 currency code' END"
                )
            if col.choices and raw_sibling(self.t, col) is None and not lenient_choice(self.t, col):
                return f"CASE WHEN {bad} THEN {lit('not one of: ' + ', '.join(col.choices))} END"
            return None
        if col.type == ColumnType.DECIMAL:
            if fld in self.typed_direct:
                return f"CASE WHEN {bad} THEN 'number out of range for {col.sql}' END"
            _, scale = decimal_scale(col)
            n = self._number_text(t)  # only for the rows with a bad value (inside the CASE)
            too_precise = lit(r"[+-]?\d*\.\d{" + str(scale + 1) + ",}")
            return (
                f"CASE WHEN {bad} THEN CASE"
                f" WHEN {n} IS NULL OR TRY_CAST({n} AS DOUBLE) IS NULL"
                " THEN 'not a number (e.g. 1234.56; use --decimal , for 1.234,56)'"
                f" WHEN regexp_full_match({n}, {too_precise})"
                f" THEN {lit(f'more than {scale} decimal places (money is never rounded)')}"
                f" ELSE {lit('number out of range for ' + col.sql)} END END"
            )
        reasons = {
            ColumnType.INT: "not a whole number",
            ColumnType.FLOAT: "not a finite number",
            ColumnType.BOOL: "not a yes/no value (true/false, yes/no, y/n, 1/0)",
            ColumnType.DATE: (
                "not a date (expected YYYY-MM-DD"
                + (f" or {self.c.date_format}" if self.c.date_format else "; see --date-format")
                + ")"
            ),
            ColumnType.TIMESTAMP: (
                "not a timestamp (expected YYYY-MM-DD HH:MM:SS"
                + (f" or {self.c.date_format}" if self.c.date_format else "; see --date-format")
                + ")"
            ),
        }
        return f"CASE WHEN {bad} THEN {lit(reasons[col.type])} END"

    def _range_reason(self, fld: str) -> str | None:
        col = self.t.column(fld)
        v = ident("__v_" + fld)
        if col.type in (ColumnType.DATE, ColumnType.TIMESTAMP):
            first, last = (int(y) for y in self.c.years)
            why = (
                f"year outside {first}-{last} (a typo or a placeholder?); widen the range with"
                " earliest_year / latest_year in salesmetrics.toml"
            )
            return f"CASE WHEN year({v}) NOT BETWEEN {first} AND {last} THEN {lit(why)} END"
        if col.minimum is None and col.maximum is None:
            return None
        if is_fraction(col):
            pct = ident("__pct_" + fld)
            return (
                f"CASE WHEN {v} < 0 OR ({pct} AND {v} > 1) OR (NOT {pct} AND {v} > 100)"
                " THEN 'must be between 0 and 1 (or 0 and 100 as a percentage)' END"
            )

        def num(x: float) -> str:
            return str(int(x)) if float(x).is_integer() else repr(x)

        conds, words = [], []
        if col.minimum is not None:
            conds.append(f"{v} {'<=' if col.positive else '<'} {num(col.minimum)}")
        if col.maximum is not None:
            conds.append(f"{v} > {num(col.maximum)}")
        if col.minimum is not None and col.maximum is not None:
            words.append(f"must be between {num(col.minimum)} and {num(col.maximum)}")
        elif col.minimum is not None and col.positive:
            words.append(f"must be greater than {num(col.minimum)}")
        elif col.minimum is not None:
            words.append(f"must be at least {num(col.minimum)}")
        else:
            words.append(f"must be at most {num(col.maximum)}")  # type: ignore[arg-type]
        return f"CASE WHEN {' OR '.join(conds)} THEN {lit(words[0])} END"

    def reasons(self, fld: str, present: Sequence[str]) -> str | None:
        """Level-3 reason expression of ``fld`` (NULL when the value is fine)."""
        col = self.t.column(fld)
        parts: list[str] = []
        t = ident("__t_" + fld)
        if col.required and fld != self.c.derived_key:
            parts.append(f"CASE WHEN {t} IS NULL THEN 'required value is missing' END")
        for r in (self._type_reason(fld), self._range_reason(fld)):
            if r is not None:
                parts.append(r)
        rules: list[str] = []
        for rule in self.t.rules:
            if isinstance(rule, RequiredWhen) and rule.column == fld:
                if rule.when_column in present:
                    rules.append(
                        f"CASE WHEN {t} IS NULL AND {ident('__v_' + rule.when_column)}"
                        f" = {lit(rule.when_value)} THEN {lit(rule.describe())} END"
                    )
            elif isinstance(rule, NotBefore) and rule.column == fld and rule.other in present:
                rules.append(
                    f"CASE WHEN {ident('__v_' + fld)} < {ident('__v_' + rule.other)}"
                    f" THEN {lit(rule.describe())} END"
                )
            elif (
                isinstance(rule, NotNegativeWhen)
                and rule.column == fld
                and rule.when_column in present
            ):
                unless = ""
                if rule.unless_column in present:
                    unless = (
                        f" AND {ident('__v_' + rule.unless_column)}"
                        f" IS DISTINCT FROM {lit(rule.unless_value)}"
                    )
                rules.append(
                    f"CASE WHEN {ident('__v_' + fld)} < 0"
                    f" AND {ident('__v_' + rule.when_column)} = {lit(rule.when_value)}{unless}"
                    f" THEN {lit(rule.describe())} END"
                )
        if len(rules) > 1:
            parts.append(f"NULLIF(concat_ws('; ', {', '.join(rules)}), '')")
        else:
            parts.extend(rules)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else f"COALESCE({', '.join(parts)})"


@dataclass(frozen=True)
class ConvertPlan:
    """The conversion SELECT and what it produces."""

    sql: str
    columns: tuple[str, ...]
    """Canonical columns present in the output (typed, defaults applied)."""
    checked: tuple[str, ...]
    """Columns with a reason column ``__e_<col>`` and value column ``__q_<col>``."""
    fractions: tuple[str, ...]
    """0-1 columns whose scale is decided after conversion (see :func:`percent_columns`)."""
    has_row_error: bool
    unmatched: tuple[str, ...] = ()
    """Lenient choice columns: ``__u_<col>`` holds a source value outside the choices."""


def build_conversion(conv: Conversion, relation: str, params: Params) -> ConvertPlan:
    """The SELECT converting ``relation`` into typed canonical columns and reasons."""
    b = _Builder(conv, params)
    l1, present = b.level1(relation)
    table = conv.table
    passthrough = ["__blank"]
    if conv.row_expr is not None:
        passthrough.append("__row")
    if conv.row_error is not None:
        passthrough += ["__e_row", "__q_row"]
    passthrough += [ident("__r_" + f) for f in b.raw_kept]
    parsed = [item for item in (b.parsed(fld) for fld in present) if item is not None]
    if parsed:
        l1 = f"SELECT *, {', '.join(parsed)} FROM ({l1})"
    l2_items = list(passthrough)
    for fld in present:
        l2_items.append(ident("__t_" + fld))
        l2_items.extend(b.typed(fld))
    l2 = f"SELECT {', '.join(l2_items)} FROM ({l1})"

    l3_items = list(passthrough)
    checked: list[str] = []
    fractions: list[str] = []
    for fld in present:
        l3_items += [ident("__t_" + fld), ident("__v_" + fld)]
        if is_fraction(table.column(fld)):
            l3_items.append(ident("__pct_" + fld))
            fractions.append(fld)
        reason = b.reasons(fld, present)
        if reason is not None:
            l3_items.append(f"{reason} AS {ident('__e_' + fld)}")
            checked.append(fld)
    l3 = f"SELECT {', '.join(l3_items)} FROM ({l2})"

    out: list[str] = [c for c in passthrough if not c.startswith('"__r_')]
    columns: list[str] = []
    for col in table.columns:
        name = col.name
        v = ident("__v_" + name)
        value: str | None = v if name in present else None
        sibling_of = name.removesuffix("_raw") if name.endswith("_raw") else None
        if sibling_of in b.raw_kept and name not in present:
            value = ident("__r_" + sibling_of)
        default = _default(conv, params, name, present)
        if default is not None:
            value = default if value is None else f"COALESCE({value}, {default})"
        if value is None:
            continue
        out.append(f"{value} AS {ident(name)}")
        columns.append(name)
    for fld in fractions:
        out.append(ident("__pct_" + fld))
    unmatched = [f for f in present if lenient_choice(table, table.column(f))]
    for fld in unmatched:
        t, v = ident("__t_" + fld), ident("__v_" + fld)
        out.append(
            f"CASE WHEN {t} IS NOT NULL AND {v} IS NULL THEN CAST({t} AS VARCHAR) END"
            f" AS {ident('__u_' + fld)}"
        )
    for fld in checked:
        e = ident("__e_" + fld)
        out.append(e)
        shown = f"CAST({ident('__t_' + fld)} AS VARCHAR)"
        out.append(f"CASE WHEN {e} IS NOT NULL THEN {shown} END AS {ident('__q_' + fld)}")
    ok = ["NOT __blank"]
    if conv.row_error is not None:
        ok.append("__e_row IS NULL")
    ok += [f"{ident('__e_' + f)} IS NULL" for f in checked]
    out.append(f"({' AND '.join(ok)}) AS __ok")
    if conv.derived_key is not None:
        content = ", ".join(
            f"CAST({ident('__v_' + f)} AS VARCHAR)" for f in present if f != conv.derived_key
        )
        out.append(f"md5(to_json([{content}])) AS __hash")
    sql = f"SELECT {', '.join(out)} FROM ({l3})"
    return ConvertPlan(
        sql=sql,
        columns=tuple(columns),
        checked=tuple(checked),
        fractions=tuple(fractions),
        has_row_error=conv.row_error is not None,
        unmatched=tuple(unmatched),
    )


def _default(conv: Conversion, params: Params, name: str, present: Sequence[str]) -> str | None:
    if name == "currency":
        return params.add(conv.base_currency)
    if conv.table.name == "activities" and name == "is_selling" and "type" in present:
        return f"list_contains({params.add(list(conv.selling_types))}, lower({ident('__v_type')}))"
    return DEFAULTS.get(conv.table.name, {}).get(name)
