"""P4: the web app served in a child process, a bounded run of page and API requests, the
first answers after an import; and the bar's verdict."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.p4_web import Latencies, WebRun

from bench import cache, p4_web
from tests.demos import DemoBuild


@pytest.mark.slow  # a server started, an import and its warm: half a minute or more
def test_a_brief_run_on_the_small_demo_records_every_figure(
    demo_build: DemoBuild, tmp_path: Path
) -> None:
    root = cache.copy_workspace(demo_build.root, tmp_path)
    result = p4_web.run(root, tmp_path / "new", clients=3, requests=8)
    assert (result.page.count, result.api.count) == (4, 4)
    assert result.page.errors == result.api.errors == 0, result.page.first_error
    assert all(s > 0 for s in result.page.seconds + result.api.seconds)
    assert result.period == str(demo_build.year)
    assert set(result.first_after_import) == {"page", "api"}
    assert result.loaded == result.rows and all(result.rows.values())
    fig = p4_web.figure(result)
    assert fig.bar == "P4" and fig.ratio is not None and fig.ratio > 0
    details = fig.details
    assert {"page", "api", "ratios", "first_after_import_seconds", "server"} <= set(details)
    for kind in ("page", "api"):
        assert details[kind]["requests"] == 4 and details[kind]["errors"] == 0
        assert 0 < details[kind]["p50_ms"] <= details[kind]["p95_ms"] <= details[kind]["max_ms"]
    assert "3 clients, 8 requests" in fig.measured and "first dashboard" in fig.measured


def test_each_client_alternates_pages_and_api_calls() -> None:
    plans = p4_web.plans(3, 8)
    assert [len(p) for p in plans] == [3, 3, 2]
    assert plans[0][:2] == ["page", "api"] and plans[1][:2] == ["api", "page"]
    assert sum(p.count("page") for p in plans) == 4


def test_quantiles_are_nearest_rank() -> None:
    times = Latencies(tuple(i / 100 for i in range(1, 101)))
    assert times.quantile(0.95) == 0.95 and times.quantile(0.5) == 0.5
    assert Latencies((0.3,)).quantile(0.95) == 0.3 and Latencies(()).quantile(0.95) == 0.0


def _run(page: float, api: float, errors: int = 0) -> WebRun:
    return WebRun(Latencies((page,) * 10), Latencies((api,) * 10, errors, "boom"), 20, 1.0, "2025")


@pytest.mark.parametrize(
    ("page", "api", "errors", "ratio", "holds"),
    [
        (0.15, 0.10, 0, 0.5, True),
        (0.45, 0.10, 0, 1.5, False),  # the page over its 300 ms
        (0.15, 0.30, 0, 1.5, False),  # the API over its 200 ms
        (0.15, 0.10, 1, 0.5, False),  # fast, but an error
    ],
)
def test_the_verdict_is_the_worse_p95_against_its_limit_and_no_error(
    page: float, api: float, errors: int, ratio: float, holds: bool
) -> None:
    fig = p4_web.figure(_run(page, api, errors))
    assert fig.ratio == pytest.approx(ratio) and fig.holds is holds
    assert ("boom" in fig.note) is bool(errors)
