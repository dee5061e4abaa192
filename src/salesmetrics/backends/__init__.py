"""Opening a workspace's backend: one module per kind of database, chosen by the URL's scheme.

``duckdb:///FILE`` is the embedded default (:mod:`.embedded`), ``postgresql://...`` a PostgreSQL
database or one schema of it (:mod:`.postgres`), ``pyspark://...`` a Spark session
(:mod:`.spark`). Each module's ``connect(config, root)`` returns an Ibis backend whose canonical
and internal tables exist.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from salesmetrics.errors import UserError

if TYPE_CHECKING:
    from ibis.backends import BaseBackend

    from salesmetrics.config import Config

#: The module that opens each backend scheme (``postgres`` is normalised to ``postgresql``).
MODULES = {
    "duckdb": "salesmetrics.backends.embedded",
    "postgresql": "salesmetrics.backends.postgres",
    "pyspark": "salesmetrics.backends.spark",
}


def display_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` (for messages and output)."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def connect(config: Config, root: Path) -> BaseBackend:
    """The Ibis backend of the workspace in ``root`` configured by ``config`` (tables created)."""
    scheme = config.backend_scheme
    module_name = MODULES[scheme]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        if err.name not in (module_name, "pyspark"):
            raise
        raise UserError(
            f"backend {config.backend!r}: {scheme} workspaces are not available in this"
            f" installation ({err.name} is missing); install salesmetrics[spark] or use a"
            " duckdb:// or postgresql:// backend"
        ) from None
    con: BaseBackend = module.connect(config, root)
    return con


def fetch_rows(backend: BaseBackend, sql: str) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` (compiled by Ibis for ``backend``) sent as it is: a query run often
    need not be compiled each time. Spark gives a DataFrame to collect, PostgreSQL a cursor of
    its own to close; DuckDB runs it on the connection itself."""
    result = backend.raw_sql(sql)
    collect = getattr(result, "collect", None)
    if collect is not None:
        return [tuple(row) for row in collect()]
    try:
        return [tuple(row) for row in result.fetchall()]
    finally:
        if result is not getattr(backend, "con", None):
            result.close()
