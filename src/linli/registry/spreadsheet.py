"""The registry's spreadsheet: its columns (the import's headers, in the template's order, and
what an export adds), the Chinese words its choice cells hold, and the one rule for a cell
(never a formula). Read by the import template (``importing.template``), the importer
(``importing``) and the export (``exporting``)."""

from __future__ import annotations

from typing import Any

from linli.core.exports import Column as ExportColumn
from linli.core.exports import neutralise

from .importing.columns import (
    _CHOICES,
    GENDER_ZH,
    MAX_ROWS,
    OCCUPANCY_ZH,
    RELATION_ZH,
    STATUS_ZH,
    TENURE_ZH,
    XLSX_CONTENT_TYPE,
)
from .importing.columns import TEMPLATE_COLUMNS as COLUMNS

# Ignored when a file is imported. 年龄: the age, shown instead of a birth date to those who
# may not see it (the street supervisor).
EXPORT_EXTRA = (("label", "户号"), ("status", "状态"), ("age", "年龄"))

__all__ = [
    "CHOICES",
    "COLUMNS",
    "EXPORT_EXTRA",
    "GENDER_ZH",
    "MAX_ROWS",
    "OCCUPANCY_ZH",
    "RELATION_ZH",
    "STATUS_ZH",
    "TENURE_ZH",
    "XLSX_CONTENT_TYPE",
    "export_columns",
    "safe_cell",
]

CHOICES = _CHOICES  # column key → (field, {value: the word written in the sheet})


def safe_cell(value: Any) -> Any:
    """A value as a spreadsheet cell that cannot run as a formula: the one rule of every
    export (``core.exports.neutralise``)."""
    return neutralise(value)


def export_columns() -> list[ExportColumn]:
    """The export's columns: the import's, then what only an export writes."""
    return [
        ExportColumn(c.header, width=c.width, kind="date" if c.key == "birth_date" else "text")
        for c in COLUMNS
    ] + [ExportColumn(header) for _key, header in EXPORT_EXTRA]
