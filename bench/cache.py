"""The benchmark's demo workspaces, built once and cached under ``bench/cache/``.

A cached workspace carries a stamp: a digest of everything that decides its contents (the demo
generator's and importer's source files, the schema, the scale, the seed and the DuckDB
version). A missing or different stamp means the workspace is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb

import salesmetrics
from salesmetrics.config import CONFIG_FILE
from salesmetrics.workspace import Workspace, init_workspace, open_workspace

CACHE = Path(__file__).resolve().parent / "cache"
STAMP = "bench-stamp.json"
_PACKAGE = Path(salesmetrics.__file__).resolve().parent
#: The sources whose changes change the demo database (relative to the package).
_INPUTS = ("demo", "ingest", "schema.py", "config.py")


def inputs_digest(scale: str, seed: int, package: Path = _PACKAGE) -> str:
    """A digest of the generator's inputs: its sources, the scale, the seed, DuckDB's version."""
    digest = hashlib.sha256(f"{scale}:{seed}:{duckdb.__version__}".encode())
    for name in _INPUTS:
        path = package / name
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            digest.update(file.relative_to(package).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def is_current(root: Path, digest: str) -> bool:
    """Whether ``root`` holds a finished demo built from inputs with ``digest``."""
    stamp = root / STAMP
    if not stamp.exists() or not (root / CONFIG_FILE).exists():
        return False
    return bool(json.loads(stamp.read_text(encoding="utf-8")).get("digest") == digest)


def demo_workspace(scale: str, seed: int = 7, cache: Path = CACHE) -> Path:
    """The folder of a demo workspace of ``scale``/``seed``, building it unless it is current."""
    root = cache / f"{scale}-seed{seed}"
    digest = inputs_digest(scale, seed)
    if is_current(root, digest):
        return root
    from salesmetrics.demo import build_demo

    (root / STAMP).unlink(missing_ok=True)
    print(f"building the {scale} demo (seed {seed}) in {root} ...", flush=True)
    ws: Workspace = open_workspace(root) if (root / CONFIG_FILE).exists() else init_workspace(root)
    try:
        build_demo(ws, scale, seed, replace=True)
    finally:
        ws.close()
    (root / STAMP).write_text(json.dumps({"digest": digest, "scale": scale, "seed": seed}))
    return root
