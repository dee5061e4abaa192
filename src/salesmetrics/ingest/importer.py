"""The import pipeline: read -> map -> convert and validate -> quarantine -> one atomic write.

Choices where the specification leaves room:

* **Duplicate keys in one file**: the last occurrence wins (a later row is a later state); every
  earlier one goes to the quarantine with ``duplicate key in file, superseded by row N``. Only
  valid rows compete: an invalid later row does not hide a valid earlier one.
* **Re-importing the same file**: when a table already has a batch from a file with the same
  sha256, the new batch is compared with the table. If every row it would write is stored with
  exactly these values, and an earlier import of the bytes rejected as many rows, nothing is
  written and the result says ``already imported as batch X; nothing changed`` (the table keeps
  the original ``_batch_id``). Otherwise (options that reject more rows, or later batches changed
  those rows) it is an ordinary new batch, with its rejects in the quarantine.
* **Missing key**: a table whose key is one string id (``line_id``, ``lead_id``...) may be
  imported without it; the key is then ``auto-`` + a hash of the row's mapped, typed values + an
  occurrence counter among identical rows, so that importing the file again gives the same keys.
* **Blank rows** (every cell empty) are skipped, not counted and not quarantined.
* **Raw copy**: the source file is copied verbatim to ``raw/<batch_id><ext>`` in the workspace, so
  the unmapped columns (and every byte the user gave) are kept. The copy is written as
  ``.partial`` and renamed after the commit; a ``.partial`` left by a killed import is removed (or
  completed, if its batch did commit) by the next import.
* **Row numbers** in the quarantine are file rows: the header is row 1 (see
  :mod:`salesmetrics.ingest.readers` for the other formats). Arrow data is numbered from 1.
* A batch is written in one transaction with its quarantine and its log row; an error or a kill
  before ``COMMIT`` leaves the workspace as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from salesmetrics import schema
from salesmetrics.connection import PARTIAL, RAW_DIR, Connection
from salesmetrics.connection import recover_raw_copies as _recover_raw_copies
from salesmetrics.errors import UserError, failure_cause
from salesmetrics.ingest.mapping import Mapping, check_value_maps, resolve_mapping
from salesmetrics.ingest.options import ImportOptions
from salesmetrics.ingest.phases import ImportPhases
from salesmetrics.ingest.preset_steps import known_reps, owner_names, with_joined
from salesmetrics.ingest.presets import get_preset
from salesmetrics.ingest.readers import Source, check_path, open_source, stage_arrow
from salesmetrics.ingest.sql import Params, ident
from salesmetrics.ingest.store import Store, store_for, user_error
from salesmetrics.ingest.validate import (
    ROW_COLUMN,
    Conversion,
    ConvertPlan,
    SourceField,
    build_conversion,
    lit,
)
from salesmetrics.progress import Progress
from salesmetrics.schema import Table

SAMPLE_REJECTS = 10
_CASE_LIMIT = 64

Reject = tuple[int, str, str | None, str]


@dataclass(frozen=True)
class ImportResult:
    """What one import did (or, for a dry run, would do)."""

    batch_id: str
    table: str
    file: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    issues: int
    """Quarantine rows: one per broken rule (a rejected row may break several)."""
    unmapped_columns: tuple[str, ...] = ()
    mapping: dict[str, str] = field(default_factory=dict)
    raw_copy: str | None = None
    file_hash: str | None = None
    dry_run: bool = False
    already_imported: str | None = None
    """The earlier batch holding exactly this data, when nothing was written because of it."""
    warnings: tuple[str, ...] = ()
    details: dict[str, str] = field(default_factory=dict)
    sample_rejects: tuple[Reject, ...] = ()
    """The first quarantine rows: (row, column, value, reason)."""
    created_reps: tuple[str, ...] = ()
    """Owners the file names that were not reps yet: created as reps (or would be, dry run)."""
    unmapped_values: tuple[tuple[str, str, int], ...] = ()
    """(column, source value, rows) of optional values outside the allowed set, loaded empty."""
    derived_key: str | None = None
    """The key column derived from row content because the file lacks it."""
    seconds: float = 0.0

    @property
    def written(self) -> bool:
        """True when the batch was committed to the workspace."""
        return bool(self.batch_id) and not self.dry_run and self.already_imported is None

    def summary_lines(self) -> list[str]:
        """The summary printed after an import, one line per fact."""
        n = "{:,}".format
        if self.already_imported:
            return [
                f"{self.file}: already imported into {self.table} as batch"
                f" {self.already_imported}; nothing changed"
            ]
        verb = "would load" if self.dry_run else "loaded"
        lines = [
            f"{self.file} -> {self.table}: {n(self.rows_read)} rows read, {verb}"
            f" {n(self.rows_loaded)}, rejected {n(self.rows_rejected)}"
            + ("" if self.dry_run else f" (batch {self.batch_id})")
        ]
        unusual = {
            k: v
            for k, v in self.details.items()
            if (k, v) not in {("encoding", "utf-8"), ("encoding", "utf-8-sig"), ("delimiter", ",")}
            and k in ("encoding", "delimiter", "sheet", "reader")
        }
        if unusual:
            lines.append("read with " + ", ".join(f"{k} {v}" for k, v in unusual.items()))
        if self.unmapped_columns:
            kept = f" (kept in {self.raw_copy})" if self.raw_copy else ""
            lines.append(f"unmapped columns{kept}: {', '.join(self.unmapped_columns)}")
        lines += [f"note: {w}" for w in self.warnings]
        if self.created_reps:
            verb_reps = "would create" if self.dry_run else "created"
            lines.append(
                f"{verb_reps} {len(self.created_reps)} reps for the owners the file names:"
                f" {', '.join(self.created_reps)}"
            )
        for fld, text, count in self.unmapped_values:
            lines.append(
                f"unmapped {fld} value {text!r} ({n(count)} rows, loaded with {fld}"
                f" empty); map it with --value-map '{fld}:{text}=VALUE'"
            )
        if self.dry_run:
            for row, column, value, reason in self.sample_rejects:
                lines.append(f"  row {row}, column {column}, value {value!r}: {reason}")
            lines.append("dry run: nothing was written")
        elif self.rows_rejected:
            lines.append(
                f"{n(self.rows_rejected)} rejected rows ({n(self.issues)} problems) are in the"
                f" quarantine; see them with: salesmetrics rejects {self.batch_id}"
            )
        return lines


def new_batch_id() -> str:
    """A fresh batch id: UTC time plus random hex, sortable and easy to type."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def import_file(
    ws: Connection,
    table: str,
    path: str | Path,
    options: ImportOptions | None = None,
    *,
    progress: Progress | None = None,
    **keywords: Any,
) -> ImportResult:
    """Import the file ``path`` into canonical table ``table``.

    ``options`` is an :class:`~salesmetrics.ingest.options.ImportOptions`, or its fields are
    given as keywords (all optional): ``preset``, ``mapping`` ({field: column} or
    ``["field=column"]``), ``value_map`` ({field: {from: to}} or ``["field:from=to"]``),
    ``date_format``, ``decimal`` (``"."`` or ``","``), ``sheet``, ``delimiter``, ``encoding``,
    ``dry_run``, ``label`` (how the import log names the file; default its path). ``progress``
    receives each phase (reading the file in bytes, then converting and writing in percent);
    nothing is printed.
    Raises :class:`~salesmetrics.errors.UserError` for anything the user can fix.
    """
    opts = ImportOptions.given(options, keywords)
    try:
        return _import_file(ws, table, path, progress, opts)
    except (OSError, duckdb.Error) as err:
        cause = failure_cause(err, memory_advice=IMPORT_MEMORY_ADVICE, unchanged=True)
        if cause is not None:
            raise cause from None
        raise


#: What to do when an import runs out of the memory limit.
IMPORT_MEMORY_ADVICE = (
    "raise memory_limit in salesmetrics.toml (default 2GB), or split the file into smaller files"
    " and import them one after the other"
)


def _import_file(
    ws: Connection,
    table: str,
    path: str | Path,
    progress: Progress | None,
    opts: ImportOptions,
) -> ImportResult:
    t = schema.table(table)
    file = Path(path)
    label = opts.label or str(path)
    check_path(file, label)
    preset = get_preset(opts.preset, t.name) if opts.preset else None
    value_maps: dict[str, dict[str, str]] = {
        k: dict(v) for k, v in (preset.value_maps if preset else {}).items()
    }
    for fld, vmap in opts.value_map.items():
        value_maps.setdefault(fld, {}).update(vmap)
    check_value_maps(t, value_maps)
    reps = known_reps(ws) if preset is not None and preset.owner_names else []
    if preset is not None:
        t = replace(t, rules=t.rules + preset.rules)
        if opts.date_format is None and preset.date_format is not None:
            opts = replace(opts, date_format=preset.date_format)
    store = store_for(ws, dry_run=opts.dry_run)
    started = _utcnow()
    raw = _RawCopy()
    try:
        with (
            contextlib.closing(store),
            store.session(ws.config.timezone, progress is not None),
        ):
            phases = ImportPhases(progress)
            recover_raw_copies(store)
            if file.is_file():
                phases.phase(f"reading {file.name}", total=max(file.stat().st_size, 1))
            source = opened = open_source(store, file, opts, label, phases.advance)
            try:
                parts: set[str] = set()
                if preset is not None:
                    source, preset, parts = with_joined(source, preset)
                mapping = resolve_mapping(t, source.headers, opts.mapping, preset, label)
                if parts:
                    mapping = replace(
                        mapping, unmapped=tuple(h for h in mapping.unmapped if h not in parts)
                    )
                owners = None
                if preset is not None:
                    owners = owner_names(store, source, mapping, preset, reps)
                if owners is not None and "owner_id" not in opts.value_map:
                    value_maps["owner_id"] = owners.value_map
                opts = replace(opts, value_map=value_maps)
                percent = preset.percent if preset is not None else ()
                result = _load(
                    ws, store, t, source, mapping, opts, started, phases, file, raw, percent
                )
                if owners is not None and owners.new and not result.already_imported:
                    result = replace(result, created_reps=owners.new)
            finally:
                opened.close(store)
    except BaseException:
        raw.discard()
        raise
    raw.finish()  # only now: closing the store is what puts an embedded write in place
    if result.written and result.created_reps:
        create_reps(ws, result.created_reps, label)
    return result


@dataclass
class _RawCopy:
    """The raw copy of the batch being imported, written as ``.partial`` until the batch is in
    place (then renamed) or has failed (then removed): a copy never outlives its batch."""

    partial: Path | None = None

    def discard(self) -> None:
        if self.partial is not None:
            with contextlib.suppress(OSError):
                self.partial.unlink(missing_ok=True)

    def finish(self) -> None:
        if self.partial is not None:
            self.partial.rename(self.partial.with_name(self.partial.name.removesuffix(PARTIAL)))


def load_arrow(
    ws: Connection,
    table: str,
    data: pa.Table | Iterable[pa.RecordBatch],
    *,
    source: str,
    progress: Progress | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Load Arrow data with canonical column names into ``table`` (the bulk path).

    Columns may be typed or text; they are validated by the same SQL as files and written in one
    transaction. An iterable of record batches is staged batch by batch (bounded memory).
    ``source`` names the data in the import log and the quarantine; ``progress`` receives the
    converting and writing phases in percent. With ``dry_run`` the rows are validated and
    counted, and nothing is written.
    """
    t = schema.table(table)
    store = store_for(ws, dry_run=dry_run)
    started = _utcnow()
    with (
        contextlib.closing(store),
        store.session(ws.config.timezone, progress is not None),
    ):
        phases = ImportPhases(progress)
        staged = stage_arrow(store, data, source)
        try:
            unknown = [h for h in staged.headers if h not in t.column_names]
            if unknown:
                raise UserError(
                    f"{source}: {', '.join(unknown)}"
                    f" {'is not a column' if len(unknown) == 1 else 'are not columns'}"
                    f" of table {t.name}; its columns: {', '.join(t.column_names)}"
                )
            if not staged.headers:  # an empty iterable of batches: nothing to load
                return ImportResult("", t.name, source, 0, 0, 0, 0, warnings=("no rows",))
            mapping = resolve_mapping(t, staged.headers, {}, None, source)
            opts = ImportOptions(dry_run=dry_run)
            return _load(ws, store, t, staged, mapping, opts, started, phases, None)
        finally:
            staged.close(store)


# -- the pipeline --------------------------------------------------------------------------------


@dataclass
class _Run:
    """Temporary relations of one run, dropped at the end."""

    store: Store
    names: list[str] = field(default_factory=list)

    def name(self, stem: str) -> str:
        new = self.store.temp_name(stem)
        self.names.append(new)
        return new

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
        return self.store.engine.execute(sql, params or {})

    def scalar(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        row = self.execute(sql, params).fetchone()
        return row[0] if row else None


def _conversion(
    ws: Connection, t: Table, source: Source, mapping: Mapping, opts: ImportOptions
) -> Conversion:
    missing = [c for cols in mapping.fields.values() for c in cols if c not in source.exprs]
    if missing:
        raise UserError(f"{source.label}: column {missing[0]!r} could not be read")

    def field_of(columns: tuple[str, ...]) -> SourceField:
        return SourceField(
            tuple(source.exprs[c][0] for c in columns), tuple(source.exprs[c][1] for c in columns)
        )

    flags = None
    if mapping.status_flags is not None:
        flags = (field_of(mapping.status_flags[:1]), field_of(mapping.status_flags[1:]))
    return Conversion(
        table=t,
        fields={f: field_of(cols) for f, cols in mapping.fields.items()},
        all_sources=tuple(source.exprs.values()),
        base_currency=ws.config.base_currency,
        selling_types=tuple(s.lower() for s in ws.config.selling_activity_types),
        value_maps=opts.value_map,
        decimal=opts.decimal,
        date_format=opts.date_format,
        utc=ws.config.timezone in ("UTC", "Etc/UTC"),
        status_flags=flags,
        derived_key=mapping.derived_key,
        row_expr=source.row_expr,
        row_error=source.row_error,
        years=(ws.config.earliest_year, ws.config.latest_year),
    )


def _convert(
    run: _Run,
    make: Callable[[Source], Conversion],
    source: Source,
    phases: ImportPhases,
) -> tuple[Source, ConvertPlan, str]:
    """Create the converted table; when DuckDB cannot read the file, read it another way."""
    while True:
        params = Params()
        plan = build_conversion(make(source), source.relation, params)
        table = run.name("conv")
        sql = f"CREATE TEMP TABLE {ident(table)} AS {plan.sql}"
        values = source.params | params.used_by(sql)
        try:
            phases.run("converting", run.store.engine, partial(run.execute, sql, values))
        except duckdb.Error as err:
            other = source.retry(str(err)) if source.retry is not None else None
            if other is not None:
                run.store.drop([table, *source.temp_relations])
                run.names.extend(other.temp_relations)  # the caller still owns temp files
                source = other
                continue
            raise user_error(err, f"{source.label}: cannot be read") from None
        return source, plan, table


def _offsets(skipped: list[int]) -> list[tuple[int, int]]:
    """(first position, offset) pairs: row number = position + 1 + offset (header at position 0)."""
    starts: dict[int, int] = {0: 0}
    for j, record in enumerate(skipped):
        starts[record - 1 - j] = j + 1
    return sorted(starts.items())


def _numbered_view(run: _Run, conv_table: str, source: Source, skipped: list[int]) -> str:
    view = run.name("rows")
    inner = f"(SELECT rowid AS __ord, * FROM {ident(conv_table)})"
    if source.row_expr is not None:
        run.execute(f"CREATE TEMP VIEW {ident(view)} AS SELECT * FROM {inner}")
        return view
    where = " WHERE __ord > 0" if source.has_header_row else ""
    offsets = _offsets(skipped)
    if len(offsets) <= _CASE_LIMIT:
        cases = " ".join(f"WHEN __ord >= {s} THEN {o}" for s, o in reversed(offsets))
        run.execute(
            f"CREATE TEMP VIEW {ident(view)} AS SELECT *, __ord + 1 + CASE {cases} ELSE 0 END"
            f" AS __row FROM {inner}{where}"
        )
        return view
    offs = run.name("offsets")
    run.execute(f"CREATE TEMP TABLE {ident(offs)} (start BIGINT, off BIGINT)")
    run.store.engine.executemany(f"INSERT INTO {ident(offs)} VALUES (?, ?)", offsets)
    run.execute(
        f"CREATE TEMP VIEW {ident(view)} AS SELECT * FROM (SELECT c.*, c.__ord + 1 + m.off AS"
        f" __row FROM {inner} c ASOF JOIN {ident(offs)} m ON c.__ord >= m.start){where}"
    )
    return view


def _load(
    ws: Connection,
    store: Store,
    t: Table,
    source: Source,
    mapping: Mapping,
    opts: ImportOptions,
    started: dt.datetime,
    phases: ImportPhases,
    raw_from: Path | None,
    raw: _RawCopy | None = None,
    percent: tuple[str, ...] = (),
) -> ImportResult:
    clock = time.perf_counter()
    run = _Run(store)
    try:
        if opts.date_format is not None:
            try:
                run.execute("SELECT TRY_STRPTIME('2000-01-01', $f)", {"f": opts.date_format})
            except duckdb.Error as err:
                raise user_error(err, f"--date-format {opts.date_format!r}") from None
        source, plan, conv_table = _convert(
            run, lambda s: _conversion(ws, t, s, mapping, opts), source, phases
        )
        warnings = list(source.warnings)
        if mapping.derived_key is not None:
            warnings.append(derived_key_note(mapping.derived_key))
        malformed_sql = source.malformed_sql()
        malformed: list[int] = []
        if malformed_sql is not None:
            found = run.execute(f'SELECT "row" FROM ({malformed_sql})').fetchall()
            malformed = [int(r[0]) for r in found]
        produced = int(run.scalar(f"SELECT count(*) FROM {ident(conv_table)}"))
        blanks = set(source.blank_lines(produced + len(malformed)))
        if source.has_header_row:
            header = 1
            while header in blanks:
                header += 1
            if header in malformed:
                reason = run.scalar(
                    f'SELECT reason FROM ({malformed_sql}) WHERE "row" = $r', {"r": header}
                )
                raise UserError(f"{source.label}: row {header} (the header): {reason}")
        skipped = sorted(blanks | set(malformed))
        rows = _numbered_view(run, conv_table, source, skipped)

        for fld in plan.fractions:
            warnings += _fraction_scale(run, plan, conv_table, rows, fld, fld in percent)

        unmapped_values = _unmapped_values(run, rows, plan.unmatched)
        counts = run.execute(
            f"SELECT count(*) FILTER (WHERE NOT __blank), count(*) FILTER (WHERE __ok) FROM {rows}"
        ).fetchone()
        read_n, ok_n = (int(counts[0]), int(counts[1])) if counts else (0, 0)

        keys = [k for k in t.key if k != mapping.derived_key]
        dups = _duplicates(run, rows, keys) if mapping.derived_key is None and ok_n > 1 else None
        accepted = _accepted_view(run, t, plan, rows, mapping.derived_key, dups)
        quarantine = _quarantine(run, plan, rows, dups, keys, malformed_sql)
        stats = run.execute(
            f'SELECT count(DISTINCT "row"), count(*) FROM {ident(quarantine)}'
        ).fetchone()
        rejected_n, issues = (int(stats[0]), int(stats[1])) if stats else (0, 0)
        dup_n = int(run.scalar(f"SELECT count(*) FROM {ident(dups)}")) if dups else 0
        sample: tuple[Reject, ...] = tuple(
            (int(r[0]), str(r[1]), None if r[2] is None else str(r[2]), str(r[3]))
            for r in run.execute(
                f'SELECT "row", "column", "value", "reason" FROM {ident(quarantine)}'
                f' ORDER BY "row", "column" LIMIT {SAMPLE_REJECTS}'
            ).fetchall()
        )
        result = ImportResult(
            batch_id="dry-run" if opts.dry_run else new_batch_id(),
            table=t.name,
            file=source.label,
            rows_read=read_n + len(malformed),
            rows_loaded=ok_n - dup_n,
            rows_rejected=rejected_n,
            issues=issues,
            unmapped_columns=mapping.unmapped,
            mapping=mapping.describe(),
            file_hash=source.file_hash,
            dry_run=opts.dry_run,
            warnings=tuple(warnings),
            details=source.details,
            sample_rejects=sample,
            unmapped_values=unmapped_values,
            derived_key=mapping.derived_key,
        )
        if opts.dry_run:
            return replace(result, seconds=time.perf_counter() - clock)
        if source.file_hash is not None:
            # Only an earlier import that rejected as much is "the same": options that reject
            # more rows of these bytes make a new batch, so its rejects are reported and kept.
            earlier = [
                batch
                for batch, rejected in store.batches_with_hash(t.name, source.file_hash)
                if rejected == result.rows_rejected
            ]
            if earlier and store.differs(t, ident(accepted)) == 0:
                return replace(
                    result,
                    already_imported=earlier[0],
                    seconds=time.perf_counter() - clock,
                )
        raw_copy = _write(
            ws, store, t, result, accepted, quarantine, started, raw_from, phases, raw
        )
        return replace(result, raw_copy=raw_copy, seconds=time.perf_counter() - clock)
    finally:
        store.drop(list(reversed(run.names)))


def _unmapped_values(
    run: _Run, rows: str, fields: tuple[str, ...]
) -> tuple[tuple[str, str, int], ...]:
    """(column, value, rows) of the values of accepted rows outside a lenient choice column's
    allowed set, most frequent first (data-model.md: such a row loads with the column empty)."""
    found: list[tuple[str, str, int]] = []
    for fld in fields:
        u = ident("__u_" + fld)
        for value, count in run.execute(
            f"SELECT {u}, count(*) FROM {ident(rows)} WHERE __ok AND {u} IS NOT NULL"
            f" GROUP BY {u} ORDER BY 2 DESC, 1"
        ).fetchall():
            found.append((fld, str(value), int(count)))
    return tuple(found)


def _fraction_scale(
    run: _Run, plan: ConvertPlan, conv_table: str, rows: str, fld: str, percent: bool = False
) -> list[str]:
    """Decide the scale of 0-1 column ``fld`` in this file: ``percent`` (a preset declares the
    export's 0-100 scale) or a value above 1 means 0-100, and the column is divided by 100;
    values on both scales (0.2 and 20) in a file without a declared scale cannot be told apart,
    so then every row with a value on either scale is rejected rather than guessed."""
    pct, error, value = ident("__pct_" + fld), ident("__e_" + fld), ident(fld)
    if percent:
        run.execute(
            f"UPDATE {ident(conv_table)} SET {value} = {value} / 100"
            f" WHERE NOT {pct} AND {value} IS NOT NULL"
        )
        return [f"{fld} is given as 0-100 by this export: divided by 100"]
    plain = f"NOT {pct} AND {error} IS NULL AND {value} IS NOT NULL"
    found = run.execute(
        f"SELECT max({value}) FILTER (WHERE {plain}),"
        f" min({value}) FILTER (WHERE {plain} AND {value} > 0 AND {value} < 1),"
        f" max({value}) FILTER (WHERE {plain} AND {value} > 1) FROM {rows}"
    ).fetchone()
    top, fraction, whole = found if found else (None, None, None)
    if top is None or top <= 1:
        return []
    if fraction is None or fld not in plan.checked:
        run.execute(
            f"UPDATE {ident(conv_table)} SET {value} = {value} / 100"
            f" WHERE NOT {pct} AND {value} IS NOT NULL"
        )
        return [f"{fld} is given as 0-100 in this file: divided by 100"]
    why = (
        f"{fld} mixes the 0-1 and 0-100 scales in this file (e.g. {fraction:g} and {whole:g}),"
        " so this value's scale cannot be told; give one scale, or write percentages with %"
    )
    run.execute(
        f"UPDATE {ident(conv_table)} SET {error} = {lit(why)},"
        f" {ident('__q_' + fld)} = CAST({value} AS VARCHAR), __ok = FALSE"
        f" WHERE {plain} AND {value} > 0"
    )
    return [f"{fld} mixes the 0-1 and 0-100 scales: its rows with a value are rejected"]


def derived_key_note(key: str) -> str:
    """The summary's note on a key derived from row content (a corrected row gets a new key)."""
    return (
        f"the file has no {key} column: each row's {key} is derived from its content, so a"
        f" corrected row is added as a new row, not replacing the old one; give the file a"
        f" {key} column (e.g. --map {key}=COLUMN) for stable ids"
    )


def _duplicates(run: _Run, rows: str, keys: list[str]) -> str | None:
    key_list = ", ".join(ident(k) for k in keys)
    found = run.scalar(
        f"SELECT EXISTS (SELECT 1 FROM {ident(rows)} WHERE __ok GROUP BY {key_list}"
        " HAVING count(*) > 1)"
    )
    if not found:
        return None
    dups = run.name("dups")
    on = " AND ".join(f"c.{ident(k)} = d.{ident(k)}" for k in keys)
    run.execute(
        f"CREATE TEMP TABLE {ident(dups)} AS SELECT __ord, __row, {key_list}, last_row FROM"
        f" (SELECT c.__ord, c.__row, {', '.join('c.' + ident(k) for k in keys)},"
        f" max(c.__row) OVER (PARTITION BY {', '.join('c.' + ident(k) for k in keys)}) AS last_row"
        f" FROM {ident(rows)} c SEMI JOIN (SELECT {key_list} FROM {ident(rows)} WHERE __ok"
        f" GROUP BY {key_list} HAVING count(*) > 1) d ON {on} WHERE c.__ok)"
        " WHERE __row < last_row"
    )
    return dups


def _accepted_view(
    run: _Run,
    t: Table,
    plan: ConvertPlan,
    rows: str,
    derived_key: str | None,
    dups: str | None,
) -> str:
    items = []
    for col in t.columns:
        if col.name == derived_key:
            items.append(
                "'auto-' || left(__hash, 20) || '-' || CAST(row_number() OVER (PARTITION BY"
                f" __hash ORDER BY __ord) AS VARCHAR) AS {ident(col.name)}"
            )
        elif col.name in plan.columns:
            items.append(f"CAST({ident(col.name)} AS {col.sql}) AS {ident(col.name)}")
        else:
            items.append(f"CAST(NULL AS {col.sql}) AS {ident(col.name)}")
    where = "__ok"
    if dups is not None:
        where += f" AND __ord NOT IN (SELECT __ord FROM {ident(dups)})"
    view = run.name("accepted")
    run.execute(
        f"CREATE TEMP VIEW {ident(view)} AS SELECT {', '.join(items)} FROM {ident(rows)}"
        f" WHERE {where}"
    )
    return view


def _quarantine(
    run: _Run,
    plan: ConvertPlan,
    rows: str,
    dups: str | None,
    keys: list[str],
    malformed_sql: str | None,
) -> str:
    whole_row_ok = " AND __e_row IS NULL" if plan.has_row_error else ""
    parts: list[str] = []
    if plan.checked:
        # one scan for every column's reasons: only the rows that are not ok can have one, and
        # each of them gives a row per reason
        reasons = ", ".join(
            f"{{'c': {lit(f)}, 'v': {ident('__q_' + f)}, 'r': {ident('__e_' + f)}}}"
            for f in plan.checked
        )
        parts.append(
            "SELECT __row, __r.c, __r.v, __r.r FROM (SELECT __row,"
            f" unnest(list_filter([{reasons}], x -> x.r IS NOT NULL)) AS __r FROM {ident(rows)}"
            f" WHERE __ok IS NOT TRUE AND NOT __blank{whole_row_ok})"
        )
    if plan.has_row_error:
        parts.append(
            f"SELECT __row, {lit(ROW_COLUMN)}, __q_row, __e_row FROM {ident(rows)}"
            " WHERE __e_row IS NOT NULL"
        )
    if dups is not None:
        value = "concat_ws(', ', " + ", ".join(f"CAST({ident(k)} AS VARCHAR)" for k in keys) + ")"
        parts.append(
            f"SELECT __row, {lit(', '.join(keys))}, {value},"
            " 'duplicate key in file, superseded by row ' || CAST(last_row AS VARCHAR)"
            f" FROM {ident(dups)}"
        )
    if malformed_sql is not None:
        parts.append(malformed_sql)
    quarantine = run.name("quarantine")
    run.execute(
        f'CREATE TEMP TABLE {ident(quarantine)} ("row" BIGINT, "column" VARCHAR,'
        ' "value" VARCHAR, "reason" VARCHAR)'
    )
    for part in parts:
        run.execute(f"INSERT INTO {ident(quarantine)} {part}")
    return quarantine


def _write(
    ws: Connection,
    store: Store,
    t: Table,
    result: ImportResult,
    accepted: str,
    quarantine: str,
    started: dt.datetime,
    raw_from: Path | None,
    phases: ImportPhases,
    raw: _RawCopy | None,
) -> str | None:
    raw_copy: str | None = None
    if raw_from is not None and raw is not None:
        directory = ws.root / RAW_DIR
        name = f"{result.batch_id}{raw_from.suffix.lower()}"
        partial = raw.partial = directory / (name + PARTIAL)
        try:
            directory.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(raw_from, partial)
        except BaseException:  # a disk that filled up during the copy keeps no half of it
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
            raise
        raw_copy = f"{RAW_DIR}/{name}"
    log = {
        "batch_id": result.batch_id,
        "table_name": t.name,
        "file": result.file,
        "file_hash": result.file_hash,
        "rows_read": result.rows_read,
        "rows_loaded": result.rows_loaded,
        "rows_rejected": result.rows_rejected,
        "unmapped_columns": ", ".join(result.unmapped_columns) or None,
        "derived_key": result.derived_key,
        "raw_copy": raw_copy,
        "started_at": started,
        "finished_at": _utcnow(),
    }
    phases.run(
        "writing",
        store.engine,
        lambda: store.write_batch(t, ident(accepted), ident(quarantine), log),
    )
    return raw_copy


def create_reps(ws: Connection, names: tuple[str, ...], label: str) -> str | None:
    """Load a rep per owner name a file gave (``rep_id`` and ``name`` = the name), as a batch of
    its own; its batch id, None when there is no name."""
    if not names:
        return None
    data = pa.table({"rep_id": list(names), "name": list(names)})
    return load_arrow(ws, "reps", data, source=f"owners named in {label}").batch_id


def recover_raw_copies(store: Store) -> None:
    """Finish or remove raw copies left by an import that was killed around its commit."""
    _recover_raw_copies(store.root, store.logged)
