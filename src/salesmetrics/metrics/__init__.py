"""Metrics: the registry, the component families and the engine.

Importing this package is cheap (no backend): the engine is imported where it is used.
"""
