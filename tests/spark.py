"""Spark for tests: one local[2] SparkContext per test session, shared by every Spark workspace.

Each workspace opened on ``pyspark://local[2]`` gets its own Spark session (settings and views)
on that context; the context is started by :func:`spark_url` in a scratch folder of its own, with
a 4 GiB driver heap, and stopped at the end of the test session.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

URL = "pyspark://local[2]"
#: The shared context's driver heap: the default 1 GiB runs out on the month-by-rep parity cases.
CONTEXT_URL = f"{URL}?spark.driver.memory=4g"


@pytest.fixture(scope="session")
def spark_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The backend URL of a Spark workspace (``pyspark://local[2]``), its context started."""
    pytest.importorskip("pyspark")
    from pyspark import SparkContext

    from salesmetrics import init_workspace

    first = init_workspace(tmp_path_factory.mktemp("spark-context"), backend=CONTEXT_URL)
    yield URL
    first.close()
    context = SparkContext._active_spark_context
    if context is not None:
        context.stop()
