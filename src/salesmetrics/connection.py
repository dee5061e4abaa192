"""The low-level connection every layer below the API takes: a workspace's folder, its
configuration, its backend, its tables and the cache of intermediates computed from them.

:class:`salesmetrics.workspace.Workspace` is the facade built on it (import, metrics, drill,
export); nothing internal imports the facade, everything internal takes a :class:`Connection`.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from salesmetrics import schema
from salesmetrics.config import Config
from salesmetrics.errors import UserError

if TYPE_CHECKING:
    import ibis
    from duckdb import DuckDBPyConnection
    from ibis.backends import BaseBackend

    from salesmetrics.derived import Derived

ENV_WORKSPACE = "SALESMETRICS_WORKSPACE"


def resolve_dir(directory: str | Path | None) -> Path:
    """The workspace folder: ``directory``, else ``$SALESMETRICS_WORKSPACE``, else the cwd."""
    if directory is not None:
        return Path(directory)
    return Path(os.environ.get(ENV_WORKSPACE) or ".")


class Connection:
    """An open workspace's folder, configuration and backend connection (opened on first use)."""

    def __init__(self, root: Path, config: Config) -> None:
        self.root = root
        self.config = config
        self._tables: dict[str, ibis.Table] = {}

    def __repr__(self) -> str:
        from salesmetrics.backends import display_url

        name = type(self).__name__
        return f"{name}({str(self.root)!r}, backend={display_url(self.config.backend)!r})"

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
