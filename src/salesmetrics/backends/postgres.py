"""PostgreSQL workspaces: ``postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME]``.

With ``?schema=NAME`` the workspace's tables live in that schema (created if missing), so several
workspaces can share one database; without it, in the connection's default schema (``public``).
Other query parameters (``sslmode``, ``connect_timeout``, ...) are passed to libpq unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

import ibis
import psycopg

from salesmetrics import schema
from salesmetrics.backends import display_url
from salesmetrics.errors import UserError

if TYPE_CHECKING:
    from ibis.backends.postgres import Backend

    from salesmetrics.config import Config

DIALECT = "postgres"
DEFAULT_SCHEMA = "public"
_SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_FIX = "fix backend in salesmetrics.toml, e.g. postgresql://user@host:5432/db?schema=acme"

#: Session settings every connection starts with (libpq ``options``; a URL's own ``options``
#: come after, so they win). JIT off: the engine's queries are long (recognized revenue is
#: about a thousand lines) and their range joins inflate the planner's cost estimates past
#: ``jit_above_cost``, so PostgreSQL compiled them with full optimisation: on a single invoice
#: line, 50 s of compiling for a few milliseconds of execution (EXPLAIN ANALYZE, PostgreSQL 15).
#: JIT never changes a result.
SESSION_OPTIONS = "-c jit=off"


@dataclass(frozen=True)
class Target:
    """Where a ``postgresql://`` URL points: connection settings and the workspace's schema."""

    host: str
    port: int
    user: str | None
    password: str | None
    database: str
    schema: str | None
    options: dict[str, str] = field(default_factory=dict)

    @property
    def where(self) -> str:
        """``host:port/database[?schema=...]``, for messages (never the password)."""
        at = f"{self.user}@" if self.user else ""
        sch = f"?schema={self.schema}" if self.schema else ""
        return f"postgresql://{at}{self.host}:{self.port}/{self.database}{sch}"

    def connect_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of :func:`ibis.postgres.connect` for this target."""
        kwargs: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "database": self.database,
            "connect_timeout": 10,
            **self.options,
            "options": " ".join(filter(None, (SESSION_OPTIONS, self.options.get("options")))),
        }
        if self.user:
            kwargs["user"] = self.user
        if self.password:
            kwargs["password"] = self.password
        if self.schema:
            kwargs["schema"] = self.schema
        return kwargs


def parse_url(url: str) -> Target:
    """Parse a ``postgresql://`` backend URL; a one-line error says what is wrong with it."""
    parts = urlsplit(url)
    try:
        port = parts.port or 5432
    except ValueError:
        raise UserError(f"backend {display_url(url)!r}: the port is not a number; {_FIX}") from None
    database = unquote(parts.path.lstrip("/"))
    if not database or "/" in database:
        raise UserError(f"backend {display_url(url)!r}: name one database after the host; {_FIX}")
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    schema_name = options.pop("schema", None)
    if schema_name is not None and not _SCHEMA_NAME.fullmatch(schema_name):
        raise UserError(
            f"backend {display_url(url)!r}: schema {schema_name!r} must be letters, digits and _"
            f" (not starting with a digit, at most 63); {_FIX}"
        )
    return Target(
        host=parts.hostname or "localhost",
        port=port,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        database=database,
        schema=schema_name,
        options=options,
    )


def connect(config: Config, root: Path) -> Backend:
    """Connect to the workspace's database, creating its schema and tables if missing."""
    target = parse_url(config.backend)
    try:
        con = ibis.postgres.connect(**target.connect_kwargs())
    except psycopg.Error as err:
        raise UserError(
            f"cannot connect to PostgreSQL at {target.where}: {_first_line(err)}; check that the"
            " server is running and accepts this user, or fix backend in salesmetrics.toml"
        ) from None
    try:
        ensure_tables(con.con, target.schema)
    except psycopg.Error as err:
        con.disconnect()
        raise UserError(
            f"cannot create the workspace tables in {target.where}: {_first_line(err)}; the user"
            " needs the CREATE privilege on the database (or on the schema)"
        ) from None
    return con


def ensure_tables(con: psycopg.Connection[Any], schema_name: str | None) -> None:
    """Create the schema and every canonical and internal table that is missing, in one
    transaction (serialised by an advisory lock, so two processes opening a new workspace at
    once do not race on the catalog)."""
    namespace = schema_name or DEFAULT_SCHEMA
    with con.transaction(), con.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"salesmetrics:{namespace}",))
        cur.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", (namespace,))
        found = cur.fetchone()
        if schema_name and not (found and found[0]):
            # only when missing: CREATE SCHEMA needs the CREATE privilege even with IF NOT EXISTS,
            # which a user that only reads and writes an existing workspace does not have
            cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema_name}"')
        cur.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
        present = {str(r[0]) for r in cur.fetchall()}
        for t in schema.TABLES:
            if t.name not in present:
                cur.execute(schema.create_table_sql(t, dialect=DIALECT))
        for t in schema.INTERNAL_TABLES:
            if t.name not in present:
                cur.execute(schema.internal_create_sql(t, dialect=DIALECT))
        cur.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema()"
        )
        stored = {(str(r[0]), str(r[1])) for r in cur.fetchall()}
        for t in (*schema.TABLES, *schema.INTERNAL_TABLES):
            for c in t.columns:
                if (t.name, c.name) not in stored:  # a column a later version declared
                    cur.execute(
                        f'ALTER TABLE "{t.name}" ADD COLUMN IF NOT EXISTS "{c.name}"'
                        f" {schema.dialect_type(c.sql, DIALECT)}"
                    )


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
