"""Benchmark harness (see bench/__main__.py)."""
