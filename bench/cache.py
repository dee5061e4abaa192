"""Demo workspaces built once and cached: the benchmark's under ``bench/cache/``, the test suite's
in a folder of its own (``tests/demos.py``).

A cached workspace carries a stamp: a digest of everything that decides its contents (the
sources named by ``inputs``, the scale, the seed and the DuckDB version), and what the build
loaded. A missing or different stamp means the workspace is rebuilt. Builds are safe when
several processes ask at once (pytest-xdist workers, two bench runs): one builds under a file
lock while the others wait, and the workspace is built in a scratch folder renamed into place
with its stamp, so a build that dies half-way never looks current.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb

import salesmetrics
from salesmetrics.conventions import CONFIG_FILE
from salesmetrics.workspace import init_workspace

CACHE = Path(__file__).resolve().parent / "cache"
STAMP = "bench-stamp.json"
_PACKAGE = Path(salesmetrics.__file__).resolve().parent
#: The sources whose changes change the demo database (relative to the package). The bench
#: rebuilds only when these change: its medium and large builds take minutes.
_INPUTS = ("demo", "ingest", "schema.py", "config.py", "conventions.py")
#: Every source of the package: for caches that must never outlive any change of the code.
WHOLE_PACKAGE = (".",)


def inputs_digest(
    scale: str, seed: int, package: Path = _PACKAGE, inputs: Sequence[str] = _INPUTS
) -> str:
    """A digest of the generator's inputs: the ``inputs`` sources (relative to ``package``),
    the scale, the seed, DuckDB's version."""
    digest = hashlib.sha256(f"{scale}:{seed}:{duckdb.__version__}".encode())
    for name in inputs:
        path = package / name
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            digest.update(file.relative_to(package).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def read_stamp(root: Path) -> dict[str, Any]:
    """The stamp of the cached workspace ``root`` (empty when it has none)."""
    stamp = root / STAMP
    if not stamp.exists() or not (root / CONFIG_FILE).exists():
        return {}
    found: dict[str, Any] = json.loads(stamp.read_text(encoding="utf-8"))
    return found


def is_current(root: Path, digest: str) -> bool:
    """Whether ``root`` holds a finished demo built from inputs with ``digest``."""
    return bool(read_stamp(root).get("digest") == digest)


@contextlib.contextmanager
def _exclusive(lock: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file ``lock`` (waiting for it); no lock where ``fcntl`` is
    missing (Windows), where the rename below still keeps a half-built folder out of sight."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def demo_workspace(
    scale: str, seed: int = 7, cache: Path = CACHE, inputs: Sequence[str] = _INPUTS
) -> Path:
    """The folder of a demo workspace of ``scale``/``seed`` under ``cache``, building it unless
    it is current for the ``inputs`` sources."""
    root = cache / f"{scale}-seed{seed}"
    digest = inputs_digest(scale, seed, inputs=inputs)
    if is_current(root, digest):
        return root
    cache.mkdir(parents=True, exist_ok=True)
    with _exclusive(cache / f"{root.name}.lock"):
        if is_current(root, digest):  # built by another process while this one waited
            return root
        _build(root, scale, seed, digest)
    return root


def _build(root: Path, scale: str, seed: int, digest: str) -> None:
    """Build the demo in a scratch folder beside ``root``, stamp it, and rename it to ``root``
    (the stale folder removed first: a large demo takes gigabytes)."""
    from salesmetrics.demo import build_demo

    scratch = root.with_name(f".{root.name}.building-{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    print(f"building the {scale} demo (seed {seed}) in {root} ...", flush=True)
    try:
        with init_workspace(scratch) as ws:
            result = build_demo(ws, scale, seed)
        stamp = {"digest": digest, "scale": scale, "seed": seed}
        stamp["result"] = dataclasses.asdict(result)
        (scratch / STAMP).write_text(json.dumps(stamp), encoding="utf-8")
        shutil.rmtree(root, ignore_errors=True)
        scratch.rename(root)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def copy_workspace(root: Path, directory: Path) -> Path:
    """A copy of the cached workspace ``root`` under ``directory``, for a bar that writes (the
    cached one is never written but by its build); its lock file is left out."""
    target = directory / root.name
    shutil.copytree(root, target, ignore=shutil.ignore_patterns("*.lock"))
    return target
