"""API connectors: ``salesmetrics sync hubspot|salesforce|pipedrive|stripe``.

One module per vendor turns the vendor's documented REST payloads into canonical rows
(:mod:`~salesmetrics.sync.pull`); :mod:`~salesmetrics.sync.http` is the one HTTP client (paging
is each vendor's, retries, rate limits and timeouts are shared); :mod:`~salesmetrics.sync.run`
hands each table to the importer as one batch (the same validation and quarantine as a file)
and keeps the incremental cursors (:mod:`~salesmetrics.sync.state`).
"""

from salesmetrics.sync.http import Retry, SyncError
from salesmetrics.sync.run import SOURCES, SyncResult, sync, url_env

__all__ = ["SOURCES", "Retry", "SyncError", "SyncResult", "sync", "url_env"]
