"""Uploaded files waiting to be imported: kept in the workspace's ``uploads/`` folder under an
unguessable name between the preview and the import, and removed after it.

An upload larger than :func:`max_bytes` (``SALESMETRICS_MAX_UPLOAD_MB``, default 200 MB) is
refused (413): the upload routes' request bodies are capped at that size plus 1 MiB of form
(:func:`body_limit`, read when the server starts, so a larger body is refused before it is
spooled to disk), and the file itself is checked against the limit as it is stored. A larger
file is imported with the command line (``salesmetrics import``), which reads any size.
Uploads left over (a preview never imported) are removed a day later, by the next upload.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from pathlib import Path

from fastapi import HTTPException, UploadFile

from salesmetrics.errors import UserError

DIRECTORY = "uploads"
ENV_MAX_MB = "SALESMETRICS_MAX_UPLOAD_MB"
DEFAULT_MAX_MB = 200
KEEP_SECONDS = 24 * 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_CHUNK = 1 << 20


def max_bytes() -> int:
    """The largest upload accepted, in bytes."""
    try:
        megabytes = float(os.environ.get(ENV_MAX_MB) or DEFAULT_MAX_MB)
    except ValueError:
        megabytes = DEFAULT_MAX_MB
    return int(megabytes * 1024 * 1024)


def body_limit() -> int:
    """The largest request body of an upload route: the file's limit and 1 MiB of form."""
    return max_bytes() + (1 << 20)


def _folder(root: Path) -> Path:
    return root / DIRECTORY


def _sweep(root: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    folder = _folder(root)
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        try:
            if entry.stat().st_mtime < cutoff:
                shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            continue


async def receive(root: Path, upload: UploadFile) -> tuple[str, Path]:
    """Store ``upload`` under a new token; the token and the stored file. Its name is kept
    (made safe), since the importer reads the format from the suffix and the import log shows
    the name."""
    _sweep(root)
    name = _UNSAFE.sub("_", Path(upload.filename or "upload.csv").name).strip("._") or "upload"
    token = secrets.token_urlsafe(16)
    folder = _folder(root) / token
    folder.mkdir(parents=True, mode=0o700)
    path = folder / name
    limit, size = max_bytes(), 0
    try:
        with path.open("wb") as handle:
            while chunk := await upload.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise HTTPException(
                        413,
                        detail=f"the file is larger than {limit // (1024 * 1024)} MB; import it"
                        " with the command line: salesmetrics import TABLE FILE",
                    )
                handle.write(chunk)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if size == 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise UserError("the uploaded file is empty; choose a file")
    return token, path


def stored(root: Path, token: str) -> Path:
    """The file stored under ``token``; a UserError when there is none (or it was imported)."""
    folder = _folder(root) / token
    files = sorted(folder.iterdir()) if _TOKEN.fullmatch(token) and folder.is_dir() else []
    if not files:
        raise UserError(
            "this upload is gone (imported already, or older than a day); upload it again"
        )
    return files[0]


def discard(root: Path, token: str) -> None:
    """Remove the upload stored under ``token``."""
    if _TOKEN.fullmatch(token):
        shutil.rmtree(_folder(root) / token, ignore_errors=True)
