"""A plain-pandas implementation of the full review (quality bar P2), one module per family of
metrics, written from the spec (metrics.md) and the glossary without the engine's code."""
