"""Spark workspaces: ``pyspark://MASTER[?storage=URL&spark.KEY=VALUE...]``.

``MASTER`` is what follows the scheme:

* ``local[N]`` (or ``local``, ``local[*]``): Spark in this process's JVM, N worker threads;
* ``spark://HOST:PORT``: a standalone cluster's master;
* ``sc://HOST:PORT``: a Spark Connect server (``spark.remote``; needs ``pyspark[connect]``);
* ``yarn``, ``k8s://...``: those cluster managers, configured as Spark usually is.

The query string takes ``storage=`` (where the tables' Parquet lives, see
:mod:`.spark_storage`) and any ``spark.*`` setting (e.g. ``spark.driver.memory=4g``), applied
when the session is created.

Session settings, chosen for correct and DuckDB-equal results rather than left to a cluster's
defaults: session time zone UTC (timestamps are stored as naive UTC); ANSI SQL mode on (the
default of Spark 4, pinned so that an overflow or a bad cast raises instead of silently giving
null, on any cluster; the metric definitions never divide by zero or cast text, so they need no
laxer mode); "double quotes" around identifiers as in standard SQL (the same SQL text reads the
same on DuckDB, PostgreSQL and Spark); Spark's in-memory catalog (no Hive metastore, no Derby
files); the UI and console progress off; logs at ERROR. In local mode also: few shuffle
partitions (the default 200 is meant for clusters), the driver bound to 127.0.0.1, and every file
Spark writes (scratch, warehouse, Java temp) under ``.spark/`` in the workspace folder, never the
current directory.

One SparkContext serves a whole process: each workspace opened gets its own session
(:meth:`SparkSession.newSession`: its own settings and views) on the first context's JVM, and
closing a workspace drops its views but leaves the context to the next one.
"""

from __future__ import annotations

import logging
import os
import re
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import ibis
import ibis.backends.pyspark
from ibis.backends.sql.compilers.pyspark import PySparkCompiler

from salesmetrics.backends.spark_storage import SparkStorage, all_tables
from salesmetrics.errors import UserError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from salesmetrics.config import Config

SCHEME = "pyspark://"
_LOCAL = re.compile(r"local(\[(\*|\d+)(,\d+)?\])?")
_HOST_PORT = re.compile(r"(?P<host>\[[0-9A-Fa-f:.]+\]|[^:/;\[\]]+)(:(?P<port>\d+))?")
_FIX = (
    "fix backend in salesmetrics.toml, e.g. pyspark://local[2], pyspark://spark://host:7077 or"
    " pyspark://sc://host:15002"
)
CONNECT_PORT = 15002
STANDALONE_PORT = 7077

#: Settings every session gets (see the module docstring for why).
SESSION_SETTINGS = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "true",
    "spark.sql.ansi.doubleQuotedIdentifiers": "true",
}
#: Settings fixed when the context starts (classic sessions only).
CONTEXT_SETTINGS = {
    "spark.app.name": "salesmetrics",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.catalogImplementation": "in-memory",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}

LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
logger.gateway.name = org.apache.spark.api.python.PythonGatewayServer
logger.gateway.level = error
logger.submit.name = org.apache.spark.deploy.SparkSubmit
logger.submit.level = error
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
"""


@dataclass(frozen=True)
class SparkTarget:
    """What a ``pyspark://`` URL asks for."""

    kind: str  # "local", "cluster" or "connect"
    master: str  # local[N], spark://..., yarn, k8s://... or the sc:// URL
    storage: str | None = None
    settings: dict[str, str] = field(default_factory=dict)

    @property
    def cores(self) -> int | None:
        """Worker threads of a ``local[N]`` master (None for ``local[*]`` and clusters)."""
        found = _LOCAL.fullmatch(self.master)
        if not found:
            return None
        if not found.group(2):
            return 1
        return None if found.group(2) == "*" else int(found.group(2))


def parse_url(url: str) -> SparkTarget:
    """Parse a ``pyspark://`` backend URL; a one-line error says what is wrong with it."""
    if not url.startswith(SCHEME):
        raise UserError(f"backend {url!r} is not a pyspark:// URL; {_FIX}")
    rest = url[len(SCHEME) :]
    master, _, query = rest.partition("?")
    if not master:
        raise UserError(f"backend {url!r}: name a Spark master after pyspark://; {_FIX}")
    if _LOCAL.fullmatch(master):
        kind = "local"
    elif master.startswith("sc://"):
        kind = "connect"
        _host_port(url, master.removeprefix("sc://").split("/", 1)[0], CONNECT_PORT)
    elif master.startswith("spark://"):
        kind = "cluster"
        for address in master.removeprefix("spark://").split(","):
            _host_port(url, address, STANDALONE_PORT)
    elif master == "yarn" or master.startswith("k8s://"):
        kind = "cluster"
    else:
        raise UserError(f"backend {url!r}: {master!r} is not a Spark master; {_FIX}")
    settings = dict(parse_qsl(query, keep_blank_values=True))
    storage = settings.pop("storage", None)
    unknown = [k for k in settings if not k.startswith("spark.")]
    if unknown:
        raise UserError(
            f"backend {url!r}: unknown option {unknown[0]!r}; the query string takes storage="
            " and spark.* settings"
        )
    if storage == "":
        raise UserError(f"backend {url!r}: storage= is empty; name a folder or a URL")
    return SparkTarget(kind, master, storage, settings)


def _host_port(url: str, address: str, default_port: int) -> tuple[str, int]:
    found = _HOST_PORT.fullmatch(address)
    if not found:
        raise UserError(f"backend {url!r}: {address!r} is not HOST[:PORT]; {_FIX}")
    return found.group("host").strip("[]"), int(found.group("port") or default_port)


def _check_reachable(url: str, target: SparkTarget) -> None:
    """Fail fast, in one line, when a master or Connect server does not answer (Spark itself
    would retry for minutes, or hang waiting for executors)."""
    if target.kind == "connect":
        addresses = [target.master.removeprefix("sc://").split("/", 1)[0]]
        port, what = CONNECT_PORT, "Spark Connect server"
    elif target.master.startswith("spark://"):
        addresses = target.master.removeprefix("spark://").split(",")
        port, what = STANDALONE_PORT, "Spark master"
    else:
        return
    errors = []
    for address in addresses:
        host, number = _host_port(url, address, port)
        try:
            with socket.create_connection((host, number), timeout=5):
                return
        except OSError as err:
            errors.append(f"{host}:{number} ({err.strerror or err})")
    raise UserError(
        f"cannot reach the {what} at {', '.join(errors)}; start it, or fix backend in"
        " salesmetrics.toml"
    )


def context_settings(target: SparkTarget, root: Path) -> dict[str, str]:
    """Every setting a new classic SparkContext for the workspace in ``root`` starts with."""
    work = (root / ".spark").resolve()
    for sub in ("tmp", "warehouse"):
        (work / sub).mkdir(parents=True, exist_ok=True)
    log4j = work / "log4j2.properties"
    if not log4j.exists() or log4j.read_text(encoding="utf-8") != LOG4J:
        log4j.write_text(LOG4J, encoding="utf-8")
    java = f"-Dlog4j2.configurationFile=file:{log4j} -Djava.io.tmpdir={work / 'tmp'}"
    settings = {
        **CONTEXT_SETTINGS,
        "spark.master": target.master,
        "spark.sql.warehouse.dir": str(work / "warehouse"),
        "spark.driver.extraJavaOptions": java,
        **SESSION_SETTINGS,
    }
    if target.kind == "local":
        settings |= {
            "spark.local.dir": str(work / "tmp"),
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
            "spark.sql.shuffle.partitions": _shuffle_partitions(target),
        }
    return settings | target.settings


def session_for(target: SparkTarget, root: Path, url: str) -> SparkSession:
    """A new Spark session for the workspace in ``root``, on the process's context (started
    with :func:`context_settings` if there is none yet) or on the Connect server."""
    from pyspark.sql import SparkSession

    _check_reachable(url, target)
    _quiet_python_loggers()
    try:
        if target.kind == "connect":
            builder = SparkSession.builder.remote(target.master)
            for key, value in (SESSION_SETTINGS | target.settings).items():
                builder = builder.config(key, value)
            session: SparkSession = builder.create()
        else:
            _check_same_context(url, target)
            builder = SparkSession.builder
            for key, value in context_settings(target, root).items():
                builder = builder.config(key, value)
            session = builder.getOrCreate().newSession()
        for key, value in (SESSION_SETTINGS | _session_level(target)).items():
            session.conf.set(key, value)
        session.sql("SELECT 1").collect()
    except UserError:
        raise
    except ImportError as err:
        raise UserError(
            f"backend {url!r}: Spark Connect needs pyspark's connect extras ({err.name or err}"
            " is missing); pip install 'pyspark[connect]', or use a local[N] or spark:// master"
        ) from None
    except Exception as err:  # py4j, gRPC and PySpark errors have no common base
        hint = "; install Java 17 or set JAVA_HOME" if "JAVA_GATEWAY" in str(err) else ""
        raise UserError(f"cannot start Spark for {url!r}: {_first_line(err)}{hint}") from None
    return session


def _check_same_context(url: str, target: SparkTarget) -> None:
    """One SparkContext per process: a workspace on another master needs its own process."""
    from pyspark import SparkContext

    running = SparkContext._active_spark_context
    if running is not None and running.master != target.master:
        raise UserError(
            f"backend {url!r}: this process already runs Spark on {running.master!r}; open"
            " workspaces on another master in another process"
        )


def _session_level(target: SparkTarget) -> dict[str, str]:
    """SQL settings of a new session (a session made by ``newSession`` on a context started
    for another workspace does not have them)."""
    settings = {k: v for k, v in target.settings.items() if k.startswith("spark.sql.")}
    if target.kind == "local":
        return {"spark.sql.shuffle.partitions": _shuffle_partitions(target)} | settings
    return settings


def _shuffle_partitions(target: SparkTarget) -> str:
    """Two shuffle partitions per local core: enough to use them, few enough for small data."""
    return str(max(2, target.cores or os.cpu_count() or 2) * 2)


def _quiet_python_loggers() -> None:
    """PySpark logs every failed query's plan at ERROR on its Python side too (as JSON); the
    failure itself reaches the user as an exception, so those loggers stay silent."""
    from pyspark.logger import PySparkLogger

    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL)


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


class SparkCompiler(PySparkCompiler):  # type: ignore[misc]
    """Ibis's Spark SQL compiler, with ``count(where=...)`` meaning what it means on DuckDB and
    PostgreSQL: Ibis writes it as ``SUM(CAST(cond AS BIGINT))``, which is NULL, not 0, over no
    rows (or only null conditions); ``count_if`` counts the true ones and is 0 then."""

    def visit_CountStar(self, op: Any, *, arg: Any, where: Any) -> Any:  # noqa: N802 - Ibis name
        """``COUNT(*)``, or ``count_if(where)`` with a filter."""
        if where is not None:
            return self.f.count_if(where)
        return super().visit_CountStar(op, arg=arg, where=where)


class SparkBackend(ibis.backends.pyspark.Backend):  # type: ignore[misc]
    """Ibis's PySpark backend for one workspace: its session, its storage, its views."""

    compiler = SparkCompiler()
    storage: SparkStorage

    def disconnect(self) -> None:
        """Drop this workspace's views; the process's SparkContext stays for the next one."""
        for t in all_tables():
            self._session.catalog.dropTempView(t.name)

    def refresh(self, names: list[str] | None = None) -> None:
        """Re-read the manifest and re-register tables ``names`` (default: all)."""
        self.storage.register(self._session, names)


def connect(config: Config, root: Path) -> SparkBackend:
    """Open the Spark workspace in ``root``: a session, and every table registered as a view."""
    target = parse_url(config.backend)
    session = session_for(target, root, config.backend)
    ibis.pyspark  # noqa: B018 - loading the backend this way registers ibis.options.pyspark
    con: SparkBackend = SparkBackend().connect(session)
    con.storage = SparkStorage.of(root, target.storage)
    con.refresh()
    return con


def backend_of(con: Any) -> SparkBackend:
    """``con`` as a :class:`SparkBackend` (a one-line error for any other backend)."""
    if not isinstance(con, SparkBackend):
        raise UserError(f"this operation needs a pyspark:// workspace, not {type(con).__name__}")
    return con


__all__ = [
    "SparkBackend",
    "SparkTarget",
    "backend_of",
    "connect",
    "context_settings",
    "parse_url",
    "session_for",
]
