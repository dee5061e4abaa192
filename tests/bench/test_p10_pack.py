"""P10: the pack's engine time and each format's rendering time, on a tiny workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import p10_pack
from salesmetrics import Workspace

pytestmark = pytest.mark.slow  # draws the pack's charts and lays out a PDF


def test_it_times_the_engine_and_every_format(tiny: Workspace, tmp_path: Path) -> None:
    result = p10_pack.run(tiny.root, "2025-Q2", tmp_path)
    assert result.engine_seconds > 0 and result.engine_calls >= 4
    assert set(result.write_seconds) == {".html", ".pdf", ".xlsx"}
    assert all(result.sizes[s] > 0 and (tmp_path / f"review{s}").exists() for s in p10_pack.FORMATS)
    fig = p10_pack.figure(result, "2025-Q2")
    slowest = max(result.rendering(s) for s in p10_pack.FORMATS)
    assert fig.ratio == pytest.approx(slowest / result.engine_seconds)
    assert fig.bar == "P10" and fig.target == 2.0 and fig.op == "<="
    assert "engine" in fig.measured and "pdf" in fig.measured
