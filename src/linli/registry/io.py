"""The registry's spreadsheets, by their older address: the columns and cells are
``registry.spreadsheet``, the export ``registry.exporting``, the import template
``registry.importing.template`` (and importing ``registry.importing``)."""

from __future__ import annotations

from .exporting import export_residents, registry_export
from .importing.template import import_template
from .spreadsheet import COLUMNS, EXPORT_EXTRA, XLSX_CONTENT_TYPE, safe_cell

__all__ = [
    "COLUMNS",
    "EXPORT_EXTRA",
    "XLSX_CONTENT_TYPE",
    "export_residents",
    "import_template",
    "registry_export",
    "safe_cell",
]
