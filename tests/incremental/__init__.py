"""Kept intermediates brought up to date from the rows an import adds (salesmetrics.incremental).

One module per scenario family, so that pytest-xdist (a module at a time) spreads them over its
workers; :mod:`tests.incremental.grow` holds what they share, ``conftest.py`` the demo reviewed
once per session that they copy.
"""
