"""PostgreSQL workspaces: URL parsing, schema per workspace, tables, one-line connection errors."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from salesmetrics import UserError, init_workspace, open_workspace, schema
from salesmetrics.backends.postgres import parse_url


def test_url_names_host_port_database_schema_and_passes_other_options() -> None:
    t = parse_url("postgresql://ana:s%40cret@db.example:6543/sales?schema=acme&sslmode=require")
    assert (t.host, t.port, t.user, t.password, t.database, t.schema) == (
        "db.example",
        6543,
        "ana",
        "s@cret",
        "sales",
        "acme",
    )
    assert t.options == {"sslmode": "require"}
    assert "s@cret" not in t.where


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("postgresql://u@h:port/db", "port is not a number"),
        ("postgresql://u@h:5432", "name one database"),
        ("postgresql://u@h/db?schema=1bad-name", "schema '1bad-name' must be letters"),
    ],
)
def test_a_bad_url_is_one_line_naming_the_problem(url: str, problem: str) -> None:
    with pytest.raises(UserError, match=problem) as err:
        parse_url(url)
    assert "\n" not in str(err.value)


def test_a_password_never_appears_in_an_error(tmp_path: Path) -> None:
    with pytest.raises(UserError) as err:
        init_workspace(tmp_path, backend="postgresql://u:hunter2@127.0.0.1:9/db?schema=1x")
    assert "hunter2" not in str(err.value)


def test_an_unreachable_server_is_one_line_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"cannot connect to PostgreSQL at .*127\.0\.0\.1:9/") as e:
        init_workspace(tmp_path, backend="postgresql://postgres@127.0.0.1:9/test")
    assert "\n" not in str(e.value)
    assert "salesmetrics.toml" in str(e.value)


def test_sessions_start_with_jit_off_unless_the_url_says_otherwise(
    tmp_path: Path, pg_url: str
) -> None:
    # JIT compiled the engine's long queries for seconds to run them in milliseconds
    # (SESSION_OPTIONS); a URL's own options come after and win
    with init_workspace(tmp_path / "default", backend=pg_url) as ws:
        assert ws.backend.con.execute("SHOW jit").fetchone() == ("off",)
    on = f"{pg_url}&options=-c%20jit%3Don%20-c%20work_mem%3D8MB"
    with init_workspace(tmp_path / "on", backend=on) as ws:
        assert ws.backend.con.execute("SHOW jit").fetchone() == ("on",)
        assert ws.backend.con.execute("SHOW work_mem").fetchone() == ("8MB",)


def test_init_creates_the_schema_and_every_table(tmp_path: Path, pg_url: str) -> None:
    with init_workspace(tmp_path, backend=pg_url) as ws:
        assert set(schema.SCHEMA) | {"_import_log", "_quarantine"} == set(ws.backend.list_tables())
        assert ws.count("opportunities") == 0
        rate = ws.table("fx_rates").schema()["rate"]
        assert (rate.precision, rate.scale) == (18, 10)
    with open_workspace(tmp_path) as ws:  # reopening finds the tables and creates nothing
        assert ws.count("reps") == 0


def test_workspaces_sharing_a_database_keep_their_own_tables(tmp_path: Path, pg_url: str) -> None:
    other_schema = pg_url.rsplit("=", 1)[1] + "_b"
    other = pg_url.rsplit("=", 1)[0] + "=" + other_schema
    try:
        with (
            init_workspace(tmp_path / "a", backend=pg_url) as a,
            init_workspace(tmp_path / "b", backend=other) as b,
        ):
            b.backend.raw_sql(
                "INSERT INTO reps (rep_id, name, team) VALUES ('r1', 'Ana', 'East')"
            ).close()
            assert (a.count("reps"), b.count("reps")) == (0, 1)
    finally:
        with psycopg.connect(pg_url.split("?", 1)[0], autocommit=True) as con:
            con.execute(f'DROP SCHEMA IF EXISTS "{other_schema}" CASCADE')


def test_the_raw_duckdb_connection_is_refused_on_postgres(tmp_path: Path, pg_url: str) -> None:
    with init_workspace(tmp_path, backend=pg_url) as ws, pytest.raises(UserError, match="duckdb"):
        ws.duckdb  # noqa: B018


def test_a_user_who_may_only_read_and_write_uses_an_existing_workspace(
    tmp_path: Path, pg_url: str
) -> None:
    init_workspace(tmp_path / "admin", backend=pg_url).close()
    server, schema_name = pg_url.split("?schema=")
    role = f"{schema_name}_rw"
    with psycopg.connect(server, autocommit=True) as con:
        con.execute(f'CREATE ROLE "{role}" LOGIN')
        con.execute(f'GRANT USAGE ON SCHEMA "{schema_name}" TO "{role}"')
        con.execute(
            f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema_name}"'
            f' TO "{role}"'
        )
    try:
        as_role = pg_url.replace("://postgres@", f"://{role}@", 1)
        assert as_role != pg_url, "the test server URL must name the postgres user"
        (tmp_path / "leads.csv").write_text("lead_id,created_at\nL1,2024-01-05\n")
        with init_workspace(tmp_path / "rw", backend=as_role) as ws:
            assert ws.import_file("leads", tmp_path / "leads.csv").rows_loaded == 1
            assert ws.count("leads") == 1
    finally:
        with psycopg.connect(server, autocommit=True) as con:
            con.execute(f'DROP OWNED BY "{role}"')
            con.execute(f'DROP ROLE "{role}"')
