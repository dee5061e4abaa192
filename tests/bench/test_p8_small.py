"""P8S: the first review as built and a new shape on warm data, each against its limit."""

from __future__ import annotations

import pytest

from bench import p8_small
from salesmetrics import Workspace


def test_it_starts_from_what_the_build_keeps_only(tiny: Workspace) -> None:
    tiny.metrics("win_rate", period="2024-Q1", by="team")  # a request the build would not warm
    tiny.close()
    kept = tiny.root / "workspace.duckdb.cache"
    assert kept.is_dir() and any(kept.rglob("*.parquet"))
    assert (kept / "requests.json").is_file()
    assert p8_small.as_built(tiny.root) > 0
    # forgotten: the warm computed the build's default reviews (the latest year), not it
    assert not (kept / "requests.json").exists() or "2024-Q1" not in (
        kept / "requests.json"
    ).read_text(encoding="utf-8")
    assert any(kept.rglob("*.parquet"))
    result = p8_small.run(tiny.root, "2025")
    assert result.first_seconds > 0 and result.new_shape_seconds > 0 and result.warm_seconds > 0


@pytest.mark.parametrize(
    ("first", "new", "ratio", "holds"),
    [(1.2, 0.5, 0.8, True), (1.2, 1.5, 1.5, False), (3.0, 0.5, 2.0, False)],
)
def test_the_ratio_is_the_worse_of_the_two_against_their_limits(
    first: float, new: float, ratio: float, holds: bool
) -> None:
    fig = p8_small.figure(p8_small.SmallRun(first, new), "2025")
    assert fig.bar == "P8S" and fig.ratio == pytest.approx(ratio) and fig.holds is holds
    assert fig.details["first_review_seconds"] == first
    assert "≤ 1.5" in fig.measured and "by month, by rep" in fig.measured
