"""How many examples a Hypothesis property draws, relative to the active profile.

The profiles are registered in tests/conftest.py: ``gate`` for ``make check``, ``make test`` and
CI, ``deep`` for an occasional longer run. A property that costs more or less per example than
most states its count at the gate with :func:`examples`, and a deeper profile scales it up in
proportion, so ``HYPOTHESIS_PROFILE=deep`` deepens every property alike.
"""

from __future__ import annotations

from hypothesis import settings

#: The environment variable naming the profile to load (``gate`` when unset).
PROFILE_ENV = "HYPOTHESIS_PROFILE"
#: The ``gate`` profile's examples per property (what :func:`examples` counts are relative to):
#: Hypothesis's own default, so a property that states no count keeps its usual depth.
GATE_EXAMPLES = 100
#: How many times deeper the ``deep`` profile goes.
DEEP_FACTOR = 10


def examples(at_gate: int) -> int:
    """``at_gate`` examples under the ``gate`` profile, scaled by the active profile's depth."""
    current = settings.default
    depth = current.max_examples if current is not None else GATE_EXAMPLES
    return max(1, round(at_gate * depth / GATE_EXAMPLES))
