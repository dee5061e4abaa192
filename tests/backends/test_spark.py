"""Spark workspaces: URL parsing, session settings, one-line connection errors, and (slow) a live
local[2] session: its settings, files kept in the workspace folder, one session per workspace."""

from __future__ import annotations

import importlib.util
import socket
from pathlib import Path

import pytest

from salesmetrics import UserError, init_workspace
from salesmetrics.backends.spark import SparkBackend, context_settings, parse_url
from salesmetrics.backends.spark_storage import SparkStorage
from tests.cli.test_workspace_cli import run
from tests.ingest.conftest import rows, write


@pytest.mark.parametrize(
    ("url", "kind", "master", "cores"),
    [
        ("pyspark://local[2]", "local", "local[2]", 2),
        ("pyspark://local", "local", "local", 1),
        ("pyspark://local[*]", "local", "local[*]", None),
        ("pyspark://local[4,2]", "local", "local[4,2]", 4),
        ("pyspark://spark://head:7077", "cluster", "spark://head:7077", None),
        ("pyspark://spark://a:7077,b:7077", "cluster", "spark://a:7077,b:7077", None),
        ("pyspark://yarn", "cluster", "yarn", None),
        ("pyspark://sc://spark.example:15002", "connect", "sc://spark.example:15002", None),
        ("pyspark://sc://h/;token=abc", "connect", "sc://h/;token=abc", None),
    ],
)
def test_the_master_follows_the_scheme(url: str, kind: str, master: str, cores: int | None) -> None:
    target = parse_url(url)
    assert (target.kind, target.master, target.cores) == (kind, master, cores)
    assert target.storage is None and target.settings == {}


def test_the_query_string_takes_storage_and_spark_settings() -> None:
    target = parse_url("pyspark://spark://h:7077?storage=hdfs://nn/sales&spark.driver.memory=4g")
    assert target.master == "spark://h:7077"
    assert target.storage == "hdfs://nn/sales"
    assert target.settings == {"spark.driver.memory": "4g"}


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("pyspark://", "name a Spark master"),
        ("pyspark://localhost", "'localhost' is not a Spark master"),
        ("pyspark://local[two]", "is not a Spark master"),
        ("pyspark://spark://h:port", "'h:port' is not HOST[:PORT]"),
        ("pyspark://local[2]?colour=red", "unknown option 'colour'"),
        ("pyspark://local[2]?storage=", "storage= is empty"),
    ],
)
def test_a_bad_url_is_one_line_naming_the_problem(url: str, problem: str) -> None:
    with pytest.raises(UserError, match=problem.replace("[", r"\[")) as err:
        parse_url(url)
    assert "\n" not in str(err.value) and "pyspark://local[2]" in str(err.value)


def test_local_settings_keep_every_file_in_the_workspace(tmp_path: Path) -> None:
    settings = context_settings(
        parse_url("pyspark://local[2]?spark.sql.shuffle.partitions=3"), tmp_path
    )
    assert settings["spark.master"] == "local[2]"
    assert settings["spark.sql.session.timeZone"] == "UTC"
    assert settings["spark.sql.ansi.enabled"] == "true"
    assert settings["spark.ui.enabled"] == "false"
    assert settings["spark.sql.catalogImplementation"] == "in-memory"
    assert settings["spark.sql.shuffle.partitions"] == "3"  # the URL's own setting wins
    work = str((tmp_path / ".spark").resolve())
    assert settings["spark.local.dir"].startswith(work)
    assert settings["spark.sql.warehouse.dir"].startswith(work)
    assert f"-Djava.io.tmpdir={work}" in settings["spark.driver.extraJavaOptions"]
    assert not any("jars.packages" in k for k in settings)  # nothing is ever downloaded


def test_cluster_settings_leave_scratch_space_to_the_cluster(tmp_path: Path) -> None:
    settings = context_settings(parse_url("pyspark://spark://h:7077"), tmp_path)
    assert "spark.local.dir" not in settings and "spark.driver.host" not in settings
    assert settings["spark.sql.session.timeZone"] == "UTC"


def test_storage_defaults_to_the_workspace_folder(tmp_path: Path) -> None:
    assert SparkStorage.of(tmp_path, None).location == str((tmp_path / "spark-data").resolve())
    assert SparkStorage.of(tmp_path, "data").location == str((tmp_path / "data").resolve())
    assert SparkStorage.of(tmp_path, "file:///mnt/shared").location == "/mnt/shared"
    remote = SparkStorage.of(tmp_path, "hdfs://nn:8020/sales/")
    assert (remote.location, remote.local) == ("hdfs://nn:8020/sales", False)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    ("scheme", "says"), [("spark", "Spark master"), ("sc", "Spark Connect server")]
)
def test_an_unreachable_cluster_is_one_line_and_leaves_no_config(
    scheme: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"pyspark://{scheme}://127.0.0.1:{_closed_port()}"
    code, _, err = run(["init", str(tmp_path / "w"), "--backend", url], capsys)
    assert code == 1 and err.startswith("error: ") and err.count("\n") == 1
    assert f"cannot reach the {says} at 127.0.0.1:" in err and "Traceback" not in err
    assert not (tmp_path / "w" / "salesmetrics.toml").exists()


@pytest.mark.skipif(importlib.util.find_spec("grpc") is not None, reason="Connect extras present")
def test_spark_connect_without_its_extras_says_what_to_install(tmp_path: Path) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        with pytest.raises(UserError, match=r"pip install 'pyspark\[connect\]'") as err:
            init_workspace(tmp_path / "w", backend=f"pyspark://sc://127.0.0.1:{port}")
    assert "\n" not in str(err.value)


@pytest.mark.slow
def test_a_live_session_is_pinned_and_writes_nothing_outside_the_workspace(
    tmp_path: Path, spark_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    with init_workspace(tmp_path / "ws", backend=spark_url) as ws:
        con = ws.backend
        assert isinstance(con, SparkBackend)
        conf = con._session.conf
        assert conf.get("spark.sql.session.timeZone") == "UTC"
        assert conf.get("spark.sql.ansi.enabled") == "true"
        assert conf.get("spark.sql.shuffle.partitions") == "4"
        assert ws.count("opportunities") == 0
        ws.import_file("reps", write(tmp_path / "r.csv", "rep_id,name\nr1,Ana\n"))
    assert list(cwd.iterdir()) == []  # no spark-warehouse, metastore_db or derby.log here


@pytest.mark.slow
def test_each_workspace_has_its_own_session_and_closing_one_keeps_the_others(
    tmp_path: Path, spark_url: str
) -> None:
    a = init_workspace(tmp_path / "a", backend=spark_url)
    b = init_workspace(tmp_path / "b", backend=spark_url)
    a.import_file("reps", write(tmp_path / "r.csv", "rep_id,name\nr1,Ana\n"))
    assert rows(a, "reps", "rep_id") == [("r1",)]
    assert rows(b, "reps", "rep_id") == []
    a.close()
    assert rows(b, "reps", "rep_id") == []
    b.close()


LEADS = (
    "lead_id,created_at,converted_at\n"
    "L1,2024-01-31 23:30,\n"  # Jakarta wall time: 16:30 UTC the same day
    "L2,2024-02-01 03:00,2024-02-03 10:00\n"  # 2024-01-31 20:00 UTC: February in Jakarta
    "L3,2024-02-29 23:59,\n"
)


@pytest.mark.slow
def test_dates_in_a_non_utc_timezone_match_duckdb(tmp_path: Path, spark_url: str) -> None:
    csv = write(tmp_path / "leads.csv", LEADS)
    results = []
    for name, backend in (("duck", None), ("spark", spark_url)):
        with init_workspace(tmp_path / name, backend=backend) as ws:
            ws.config = ws.config.model_copy(update={"timezone": "Asia/Jakarta"})
            ws.import_file("leads", csv)
            res = ws.metrics(
                ["lead_conversion_rate"], from_period="2024-01", to_period="2024-02", grain="month"
            )
            results.append(res.frame[["period", "value", "components"]].to_dict("records"))
    duck, spark = results
    assert spark == duck
    created = {r["period"]: r["components"]["created"] for r in duck}
    assert created == {"2024-01": 1, "2024-02": 2}
