"""A workspace: a folder with ``salesmetrics.toml`` and the backend holding its tables."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis

from salesmetrics import schema
from salesmetrics.config import CONFIG_FILE, Config, config_from_dict, load_config, render_config
from salesmetrics.errors import UserError

if TYPE_CHECKING:
    import datetime as dt

    import pandas as pd
    from duckdb import DuckDBPyConnection
    from ibis.backends import BaseBackend

    from salesmetrics.derived import Derived
    from salesmetrics.ingest.importer import ImportResult
    from salesmetrics.metrics.result import MetricResult

ENV_WORKSPACE = "SALESMETRICS_WORKSPACE"


def resolve_dir(directory: str | Path | None) -> Path:
    """The workspace folder: ``directory``, else ``$SALESMETRICS_WORKSPACE``, else the cwd."""
    if directory is not None:
        return Path(directory)
    return Path(os.environ.get(ENV_WORKSPACE) or ".")


class Workspace:
    """An open workspace: its folder, its configuration and its backend connection."""

    def __init__(self, root: Path, config: Config) -> None:
        self.root = root
        self.config = config
        self._tables: dict[str, ibis.Table] = {}

    def __repr__(self) -> str:
        from salesmetrics.backends import display_url

        return f"Workspace({str(self.root)!r}, backend={display_url(self.config.backend)!r})"

    # -- backend ---------------------------------------------------------------------------

    @cached_property
    def backend(self) -> BaseBackend:
        """The Ibis backend holding the canonical tables (opened on first use; see
        :mod:`salesmetrics.backends`)."""
        from salesmetrics.backends import connect

        return connect(self.config, self.root)

    @property
    def duckdb(self) -> DuckDBPyConnection:
        """The raw DuckDB connection behind :attr:`backend`, for DuckDB workspaces only (code
        that must work on every backend goes through :attr:`backend` or an import store)."""
        if self.config.backend_scheme != "duckdb":
            raise UserError(
                f"backend {self.config.backend!r}: this operation needs a duckdb:// workspace"
            )
        return self.backend.con  # type: ignore[no-any-return]

    @cached_property
    def derived(self) -> Derived:
        """The whole-history intermediates materialised in :attr:`backend` (see
        :mod:`salesmetrics.derived`)."""
        from salesmetrics.derived import Derived

        # a DuckDB file is opened by one process at a time: its whole-history tables are kept
        # in it for the next session (see salesmetrics.kept)
        return Derived(lambda: self.backend, keep=self.config.backend_scheme == "duckdb")

    def table(self, name: str) -> ibis.Table:
        """The canonical (or internal) table ``name`` as an Ibis table expression.

        Looked up once per connection: the tables are created with the workspace from the
        declarative schema and never change shape, and a lookup is a catalog query (an
        evaluation reads some sixty tables).
        """
        table = self._tables.get(name)
        if table is None:
            if name not in schema.SCHEMA and name not in {t.name for t in schema.INTERNAL_TABLES}:
                schema.table(name)  # raises the one-line error with suggestions
            table = self._tables[name] = self.backend.table(name)
        return table

    def count(self, name: str) -> int:
        """Number of rows in table ``name``."""
        return int(self.table(name).count().execute())

    def close(self) -> None:
        """Close the backend connection, if it was opened."""
        if "derived" in self.__dict__:
            self.derived.clear()
        self._tables.clear()
        if "backend" in self.__dict__:
            self.backend.disconnect()
            del self.__dict__["backend"]

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- operations (each lives in its own module) -----------------------------------------

    def import_file(self, table: str, path: str | Path, **options: Any) -> ImportResult:
        """Import ``path`` into canonical table ``table`` (see ``salesmetrics.ingest``)."""
        from salesmetrics.ingest import import_file

        return import_file(self, table, path, **options)

    def metrics(
        self,
        metrics: str | Sequence[str] | None = None,
        *,
        period: str | None = None,
        from_period: str | None = None,
        to_period: str | None = None,
        grain: str | None = None,
        by: str | Sequence[str] | None = None,
        compare: str | None = None,
        basis: Mapping[str, str] | None = None,
    ) -> MetricResult:
        """Compute ``metrics`` (default: every metric with data) for ``period`` (or
        ``from_period``..``to_period``) split by ``grain``, grouped ``by`` dimensions, compared
        with the ``previous`` period or last ``year``; see
        :func:`salesmetrics.metrics.engine.evaluate`."""
        from salesmetrics.metrics.engine import evaluate

        return evaluate(
            self,
            metrics,
            period=period,
            from_period=from_period,
            to_period=to_period,
            grain=grain,
            by=by,
            compare=compare,
            basis=basis,
        )

    def pipeline(
        self,
        *,
        as_of: dt.date,
        by: str | Sequence[str] = (),
        grain: str = "quarter",
    ) -> pd.DataFrame:
        """The deals open at the start of ``as_of`` (state from opportunity history) by stage and
        close period; see :func:`salesmetrics.pipeline.snapshot.open_pipeline`."""
        from salesmetrics.pipeline.snapshot import open_pipeline

        return open_pipeline(self, as_of, [by] if isinstance(by, str) else by, grain)

    def drill(self, row: Mapping[str, Any]) -> ibis.Table:
        """The deals, leads, customers or reps a result row was computed from; see
        :func:`salesmetrics.metrics.drill.drill`."""
        from salesmetrics.metrics.drill import drill

        return drill(self, row)

    def export(self, directory: str | Path) -> list[Path]:
        """Write every table to Parquet files in ``directory``; returns the files written."""
        from salesmetrics.transfer import export_workspace

        return export_workspace(self, Path(directory))

    def restore(self, directory: str | Path) -> dict[str, int]:
        """Load an export into this (empty) workspace; returns rows per table."""
        from salesmetrics.transfer import restore_workspace

        return restore_workspace(self, Path(directory))


def init_workspace(
    directory: str | Path | None = None,
    *,
    backend: str | None = None,
    base_currency: str | None = None,
    force: bool = False,
) -> Workspace:
    """Create a workspace in ``directory``: write ``salesmetrics.toml`` and create the tables."""
    root = resolve_dir(directory)
    config_path = root / CONFIG_FILE
    if config_path.exists() and not force:
        raise UserError(f"{config_path} exists already; open it, or pass --force to overwrite it")
    settings: dict[str, Any] = {}
    if backend:
        settings["backend"] = backend
    if base_currency:
        settings["base_currency"] = base_currency
    config = config_from_dict(settings, "options")
    root.mkdir(parents=True, exist_ok=True)
    ws = Workspace(root, config)
    # Connect first (creating the database or schema and its tables): a server that cannot be
    # reached leaves no salesmetrics.toml behind, so the same init can simply be run again.
    ws.backend  # noqa: B018
    config_path.write_text(render_config(config), encoding="utf-8")
    return ws


def open_workspace(directory: str | Path | None = None) -> Workspace:
    """Open the workspace in ``directory`` (else ``$SALESMETRICS_WORKSPACE``, else the cwd)."""
    root = resolve_dir(directory)
    return Workspace(root, load_config(root / CONFIG_FILE))
