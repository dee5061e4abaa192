"""The Hypothesis profiles: the gate's counts as stated, the deep profile's scaled up."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

from tests.depth import DEEP_FACTOR, GATE_EXAMPLES, PROFILE_ENV, examples


@pytest.fixture
def restore_profile() -> Iterator[None]:
    yield
    settings.load_profile(os.environ.get(PROFILE_ENV, "gate"))


@pytest.mark.usefixtures("restore_profile")
def test_examples_follow_the_profile() -> None:
    settings.load_profile("gate")
    assert settings.default is not None
    assert settings.default.max_examples == GATE_EXAMPLES
    assert (examples(8), examples(100)) == (8, 100)
    assert settings.default.derandomize  # the gate tries the same examples every run
    settings.load_profile("deep")
    assert (examples(8), examples(100)) == (8 * DEEP_FACTOR, 100 * DEEP_FACTOR)
    assert settings.default is not None and settings.default.deadline is None
    assert not settings.default.derandomize  # the deep run explores
