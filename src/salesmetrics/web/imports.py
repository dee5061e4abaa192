"""Imports in the browser and the API: upload a file, map its columns with a preview, import it,
see the rejected rows and the import log.

The import is the command line's (:meth:`Workspace.import_file`: the same reading, mapping,
validation, quarantine and atomic write); the mapping assistant is ``import --suggest``'s, saved
mappings and presets are the same. Admins import; executives see the log and the rejects; managers
and reps neither (a file may hold every team's data). While an import runs the dashboards keep
answering from the data as they were (see :mod:`salesmetrics.web.desk`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel

from salesmetrics import schema
from salesmetrics.ingest import ImportResult
from salesmetrics.ingest import saved as saved_mappings
from salesmetrics.ingest.batch_log import LoggedBatch, list_batches
from salesmetrics.ingest.options import ImportOptions, SavedMapping
from salesmetrics.ingest.presets import PRESETS
from salesmetrics.ingest.quarantine import Batch, find_batch, rejected_rows
from salesmetrics.ingest.suggest import Suggestion
from salesmetrics.web import desk as writes
from salesmetrics.web import uploads
from salesmetrics.web.api import ERRORS, Problem
from salesmetrics.web.auth import api_user, csrf_protect, page_user
from salesmetrics.web.desk import allow, desk
from salesmetrics.web.models import answer_of, model_of
from salesmetrics.web.render import render
from salesmetrics.web.users import Role, User
from salesmetrics.workspace import Workspace

router = APIRouter(include_in_schema=False, max_body_size=uploads.body_limit())
api_router = APIRouter(tags=["imports"], responses=ERRORS, max_body_size=uploads.body_limit())

PageUser = Annotated[User, Depends(page_user)]
ApiUser = Annotated[User, Depends(api_user)]
CSRF = [Depends(csrf_protect)]

#: Rows of the file shown in the preview; rejected rows shown after an import.
PREVIEW_ROWS = 10
REJECTS_SHOWN = 100
LOG_SHOWN = 50
_READERS = (Role.ADMIN, Role.EXECUTIVE)
#: The upload routes' answer to a file over the limit.
TOO_LARGE: dict[int | str, dict[str, Any]] = {
    413: {"model": Problem, "description": "a file over the upload limit"}
}


def _tables() -> list[str]:
    return [t.name for t in schema.TABLES]


def _presets_of(table: str | None = None) -> list[str]:
    return [name for name, p in PRESETS.items() if table is None or table in p.tables]


def _options(root: Path, table: str, mapping_name: str, given: dict[str, Any]) -> ImportOptions:
    """The import's options from the fields of a form (an empty field is not given), with the
    mapping saved as ``mapping_name`` (if any) under them."""
    options = ImportOptions(**{k: v for k, v in given.items() if v not in ("", None)})
    if mapping_name:
        return options.with_saved(saved_mappings.load_mapping(root, mapping_name, table))
    return options


def _reading(sheet: str, delimiter: str, encoding: str) -> dict[str, Any]:
    """How to read the file (empty: detected)."""
    given = {"sheet": sheet.strip(), "delimiter": delimiter, "encoding": encoding.strip()}
    return {k: v for k, v in given.items() if v}


def _run_import(
    request: Request, table: str, token: str, options: ImportOptions, email: str
) -> ImportResult:
    """Import the upload ``token`` in the writer process, then remove it; a batch that landed
    is followed by a warm in the background, as the command line's import (``--warm``), unless
    the app says not to (``app.state.warm_imports = False``)."""
    found = desk(request)
    path = uploads.stored(found.root, token)
    schema.table(table)
    options = replace(options, label=f"{path.name} (uploaded by {email})")
    try:
        result: ImportResult = found.write(writes.import_file, table, str(path), options)
    finally:
        uploads.discard(found.root, token)
    if result.written and getattr(request.app.state, "warm_imports", True):
        found.warm_later()
    return result


def _log(ws: Workspace, table: str | None = None) -> tuple[list[LoggedBatch], int]:
    return list_batches(ws, table=table, limit=LOG_SHOWN)


# -- pages ------------------------------------------------------------------------------------


@router.get("/imports", response_class=HTMLResponse)
def imports_page(request: Request, user: PageUser) -> Response:
    """The upload form (admins) and the import log."""
    allow(user, *_READERS)
    found = desk(request)
    batches, total = found.read(_log)
    return render(
        request,
        "imports.html.j2",
        tables=_tables(),
        presets=_presets_of(),
        mappings=saved_mappings.names(found.root),
        batches=batches,
        total=total,
        max_mb=uploads.max_bytes() // (1024 * 1024),
    )


@router.post("/imports/preview", response_class=HTMLResponse, dependencies=CSRF)
async def preview_page(
    request: Request,
    user: PageUser,
    table: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
    preset: Annotated[str, Form()] = "",
    mapping_name: Annotated[str, Form()] = "",
    sheet: Annotated[str, Form()] = "",
    delimiter: Annotated[str, Form()] = "",
    encoding: Annotated[str, Form()] = "",
) -> Response:
    """The uploaded file's first rows and the proposed mapping, to check before importing."""
    allow(user, Role.ADMIN)
    t = schema.table(table)
    found = desk(request)
    token, path = await uploads.receive(found.root, file)
    try:
        reading = _reading(sheet, delimiter, encoding)
        suggestion: Suggestion = found.write(
            writes.suggest, table, str(path), ImportOptions(**reading)
        )
        shown = replace(suggestion.import_options(), preset=preset or None)
        if mapping_name:  # the saved mapping's choices over the proposal's
            saved = saved_mappings.load_mapping(found.root, mapping_name, table)
            shown = saved.options().over(replace(shown, mapping={}))
        # a preset maps the columns; a choice made here overrides it
        chosen = {} if shown.preset else shown.mapping
    except BaseException:
        uploads.discard(found.root, token)
        raise
    return render(
        request,
        "import_preview.html.j2",
        table=t,
        token=token,
        file=path.name,
        suggestion=suggestion,
        rows=suggestion.sample[:PREVIEW_ROWS],
        chosen=chosen,
        preset=shown.preset or "",
        mapping_name=mapping_name,
        date_format=shown.date_format or "",
        decimal=shown.decimal,
        reading=reading,
    )


@router.post("/imports/run", response_class=HTMLResponse, dependencies=CSRF)
async def run_page(request: Request, user: PageUser) -> Response:
    """Import the previewed upload with the mapping chosen; the summary and the rejects."""
    allow(user, Role.ADMIN)
    form = await request.form()
    table = str(form.get("table") or "")
    token = str(form.get("token") or "")
    t = schema.table(table)
    maps = [
        f"{c}={form.get('map:' + c)}"
        for c in t.column_names
        if str(form.get("map:" + c) or "").strip()
    ]
    value_maps = [v.strip() for v in str(form.get("value_map") or "").splitlines() if v.strip()]
    given = {
        "preset": str(form.get("preset") or ""),
        "mapping": maps,
        "value_map": value_maps,
        "date_format": str(form.get("date_format") or ""),
        "decimal": str(form.get("decimal") or "."),
    }
    reading = _reading(
        str(form.get("sheet") or ""),
        str(form.get("delimiter") or ""),
        str(form.get("encoding") or ""),
    )
    root = desk(request).root
    options = _options(root, table, str(form.get("mapping_name") or ""), given | reading)
    save_as = str(form.get("save_as") or "").strip()
    if save_as:  # checked before importing: a bad name must not leave a half-done request
        saved_mappings.check_name(save_as)
    result = await _threaded(request, table, token, options, user.email)
    if save_as and result.written:
        saved_mappings.save_mapping(root, save_as, SavedMapping.of(table, options))
    return _result_page(request, result, saved_as=save_as if result.written else "")


async def _threaded(
    request: Request, table: str, token: str, options: ImportOptions, email: str
) -> ImportResult:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_run_import, request, table, token, options, email)


def _result_page(request: Request, result: ImportResult, saved_as: str = "") -> Response:
    rows: list[tuple[int, str, str | None, str]] = []
    total = 0
    if result.written and result.rows_rejected:
        found = desk(request)
        batch = result.batch_id
        rows, total = found.read(lambda ws: rejected_rows(ws, find_batch(ws, batch), REJECTS_SHOWN))
    return render(
        request,
        "import_result.html.j2",
        result=result,
        lines=result.summary_lines(),
        rejects=rows,
        total=total,
        saved_as=saved_as,
    )


@router.get("/imports/batches/{batch_id}", response_class=HTMLResponse)
def batch_page(request: Request, batch_id: str, user: PageUser) -> Response:
    """One batch of the import log and its rejected rows (row, column, value, reason)."""
    allow(user, *_READERS)

    def read(ws: Workspace) -> tuple[Any, list[tuple[int, str, str | None, str]], int]:
        batch = find_batch(ws, batch_id)
        rows, total = rejected_rows(ws, batch, REJECTS_SHOWN)
        return batch, rows, total

    batch, rows, total = desk(request).read(read)
    return render(request, "import_batch.html.j2", batch=batch, rejects=rows, total=total)


# -- API --------------------------------------------------------------------------------------


class Reject(BaseModel):
    """A rejected row's problem: file row (the header is row 1), column, value, reason."""

    row: int
    column: str
    value: str | None
    reason: str


ImportAnswer = model_of(
    "ImportAnswer",
    "What an import did (the command line's summary, as data).",
    ImportResult,
    (
        "batch_id",
        "table",
        "file",
        "rows_read",
        "rows_loaded",
        "rows_rejected",
        "issues",
        "written",
        "dry_run",
        "already_imported",
        "unmapped_columns",
        "mapping",
        "warnings",
    ),
    module=__name__,
    summary=list[str],
    rejects=list[Reject],
)
SuggestAnswer = model_of(
    "SuggestAnswer",
    "The mapping assistant's proposal and the file's first rows.",
    Suggestion,
    ("table", "mapping", "missing", "unmapped", "options", "headers"),
    module=__name__,
    rows=list[list[str | None]],
)
BatchRow = model_of(
    "BatchRow",
    "One batch of the import log (``salesmetrics imports --format json``).",
    LoggedBatch,
    module=__name__,
    started_at=str | None,  # ISO 8601 text (LoggedBatch.to_dict)
)
BatchRejects = model_of(
    "BatchRejects",
    "A batch and its rejected rows.",
    Batch,
    module=__name__,
    total=int,
    rejects=list[Reject],
)


class ImportLog(BaseModel):
    """The import log, newest first."""

    total: int
    batches: list[BatchRow]  # type: ignore[valid-type]  # a model made at import time


def _rejects(rows: Sequence[tuple[int, str, str | None, str]]) -> list[dict[str, Any]]:
    return [dict(zip(Reject.model_fields, r, strict=True)) for r in rows]


def _answer(request: Request, result: ImportResult) -> dict[str, Any]:
    rejects: Sequence[tuple[int, str, str | None, str]] = result.sample_rejects
    if result.written and result.rows_rejected:
        batch = result.batch_id
        rejects, _ = desk(request).read(
            lambda ws: rejected_rows(ws, find_batch(ws, batch), REJECTS_SHOWN)
        )
    return answer_of(
        ImportAnswer, result, summary=result.summary_lines(), rejects=_rejects(rejects)
    )


@api_router.post(
    "/api/imports", response_model=ImportAnswer, responses=TOO_LARGE, dependencies=CSRF
)
async def api_import(
    request: Request,
    user: ApiUser,
    table: Annotated[str, Form(description="canonical table", examples=["opportunities"])],
    file: Annotated[UploadFile, File(description="CSV, TSV, XLSX, Parquet or JSON lines")],
    preset: Annotated[str | None, Form()] = None,
    mapping_name: Annotated[str | None, Form(description="a saved mapping's name")] = None,
    map: Annotated[list[str] | None, Form(description="FIELD=COLUMN (repeatable)")] = None,
    value_map: Annotated[list[str] | None, Form(description="FIELD:FROM=TO (repeatable)")] = None,
    date_format: Annotated[str | None, Form()] = None,
    decimal: Annotated[str, Form()] = ".",
    sheet: Annotated[str | None, Form(description="XLSX sheet name or number")] = None,
    delimiter: Annotated[str | None, Form(description=", ; | or a tab (default: detected)")] = None,
    encoding: Annotated[str | None, Form(description="e.g. latin-1 (default: detected)")] = None,
    dry_run: Annotated[bool, Form()] = False,
) -> Response:
    """Import a file as ``salesmetrics import`` does (admins only): the summary and the first
    rejected rows. The file may be at most ``SALESMETRICS_MAX_UPLOAD_MB`` (default 200) MB."""
    allow(user, Role.ADMIN)
    schema.table(table)
    found = desk(request)
    given = {
        "preset": preset,
        "mapping": map or [],
        "value_map": value_map or [],
        "date_format": date_format,
        "decimal": decimal,
        "dry_run": dry_run,
    }
    reading = _reading(sheet or "", delimiter or "", encoding or "")
    options = _options(found.root, table, mapping_name or "", given | reading)
    token, _ = await uploads.receive(found.root, file)
    try:
        result = await _threaded(request, table, token, options, user.email)
    finally:
        uploads.discard(found.root, token)
    return JSONResponse(_answer(request, result))


@api_router.post(
    "/api/imports/suggest", response_model=SuggestAnswer, responses=TOO_LARGE, dependencies=CSRF
)
async def api_suggest(
    request: Request,
    user: ApiUser,
    table: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
) -> Response:
    """The mapping assistant (``import --suggest``) and the file's first rows; loads nothing."""
    allow(user, Role.ADMIN)
    schema.table(table)
    found = desk(request)
    token, path = await uploads.receive(found.root, file)
    try:
        s: Suggestion = found.write(writes.suggest, table, str(path), ImportOptions())
    finally:
        uploads.discard(found.root, token)
    rows = s.sample[:PREVIEW_ROWS]
    return JSONResponse(answer_of(SuggestAnswer, s, rows=rows))


@api_router.get("/api/imports", response_model=ImportLog)
def api_imports(request: Request, user: ApiUser, table: str | None = None) -> Response:
    """The import log, newest first (``salesmetrics imports --format json``)."""
    allow(user, *_READERS)
    if table is not None:
        schema.table(table)
    batches, total = desk(request).read(lambda ws: _log(ws, table))
    return JSONResponse({"total": total, "batches": [b.to_dict() for b in batches]})


@api_router.get("/api/imports/{batch_id}/rejects", response_model=BatchRejects)
def api_rejects(request: Request, batch_id: str, user: ApiUser) -> Response:
    """A batch's rejected rows (``salesmetrics rejects BATCH``)."""
    allow(user, *_READERS)

    def read(ws: Workspace) -> dict[str, Any]:
        batch = find_batch(ws, batch_id)
        rows, total = rejected_rows(ws, batch, REJECTS_SHOWN)
        return answer_of(BatchRejects, batch, total=total, rejects=_rejects(rows))

    return JSONResponse(desk(request).read(read))
