"""Import: files (CSV, TSV, XLSX, Parquet, JSON lines) and Arrow data into the canonical tables.

``import_file`` reads a file (as its :class:`ImportOptions` ask), maps its columns (``--map``,
presets, or matching names), converts and validates every value in SQL, quarantines rejected rows
with their reasons, and writes the batch atomically with its import log row. ``load_arrow`` is the
bulk path for data that already has canonical column names (the demo generator), validated and
written the same way.
"""

from salesmetrics.ingest.importer import ImportResult, import_file, load_arrow
from salesmetrics.ingest.options import ImportOptions

__all__ = ["ImportOptions", "ImportResult", "import_file", "load_arrow"]
