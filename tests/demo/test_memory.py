"""Bounded memory: generating more blocks of a bigger demo does not need more memory."""

from __future__ import annotations

import tracemalloc

import pyarrow as pa
import pytest

from salesmetrics.demo import generate

#: Blocks of the medium demo measured after the company-wide tables.
BLOCKS = 3


@pytest.mark.slow
def test_peak_memory_per_block_does_not_grow() -> None:
    """numpy memory (traced) and Arrow memory (its pool) per block stay flat over 3 blocks
    (a medium block costs some 8 CPU s under tracemalloc; three show the trend as well)."""
    tracemalloc.start()
    try:
        peaks: list[int] = []
        arrow_after: list[int] = []
        stream = generate("medium", 7)
        previous = None
        for name, _batch in stream:
            if name == "accounts" and previous != "accounts":
                peaks.append(tracemalloc.get_traced_memory()[1])
                arrow_after.append(pa.total_allocated_bytes())
                tracemalloc.reset_peak()
                if len(peaks) == 1 + BLOCKS:  # the company-wide tables, then the blocks
                    break
            previous = name
        stream.close()
    finally:
        tracemalloc.stop()
    # peaks[0] covers the company-wide tables; peaks[k] the k-th block.
    blocks = peaks[1:]
    assert max(blocks) < 1.5 * min(blocks)
    assert max(arrow_after[1:]) < 1.5 * min(arrow_after[1:]) + 64 * 2**20
