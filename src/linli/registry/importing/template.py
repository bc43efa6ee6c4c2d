"""The import template: an empty sheet in the import's format, with a second sheet
explaining its columns."""

from __future__ import annotations

from io import BytesIO

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..models import Tag
from ..spreadsheet import CHOICES as _CHOICES
from ..spreadsheet import COLUMNS, MAX_ROWS


def import_template() -> bytes:
    """An empty import sheet with the headers, and a second sheet explaining them."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "住户登记"
    ws.append([c.header for c in COLUMNS])
    bold = Font(bold=True)
    for i, c in enumerate(COLUMNS, start=1):
        ws.cell(row=1, column=i).font = bold
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = c.width
        if c.text:
            ws.column_dimensions[letter].number_format = "@"
    ws.freeze_panes = "A2"
    for key in _CHOICES:
        i = [c.key for c in COLUMNS].index(key) + 1
        letter = get_column_letter(i)
        dv = DataValidation(
            type="list",
            formula1='"' + ",".join(_CHOICES[key][1].values()) + '"',
            allow_blank=True,
            showErrorMessage=False,
        )
        dv.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
        ws.add_data_validation(dv)

    help_ws = wb.create_sheet(_("Instructions")[:31])
    wrap = Alignment(wrap_text=True, vertical="top")
    help_ws.append([_("How to fill in this sheet")])
    help_ws["A1"].font = Font(bold=True, size=14)
    for line in (
        _(
            "One row is one resident. Rows with the same building, unit and room belong to the "
            "same household; a row without a name registers only the household."
        ),
        _(
            "Keep the first row (the column headers) as it is. Columns may be in any order; "
            "columns with other headers are ignored."
        ),
        _(
            "A blank cell leaves what is already recorded unchanged. Importing the same file "
            "twice changes nothing, and residents missing from the file are never removed."
        ),
        _(
            "Residents are matched by ID number within their room, or by name when there is no "
            "ID number. Masked values (with *) from an export are ignored."
        ),
        _(
            "After uploading you see what would change and every error, by row. Nothing is "
            "saved until you confirm, and then either everything is saved or nothing."
        ),
    ):
        help_ws.append([line])
    help_ws.append([])
    help_ws.append([_("Column"), _("Required"), _("What to write")])
    for cell in help_ws[help_ws.max_row]:
        cell.font = bold
    for c in COLUMNS:
        help_ws.append([c.header, _("Yes") if c.required else "", f"{c.label}: {c.help}"])
    tag_names = "、".join(Tag.objects.filter(community__isnull=True).values_list("name", flat=True))
    help_ws.append([])
    help_ws.append([_("Built-in tags: %(tags)s") % {"tags": tag_names}])
    help_ws.column_dimensions["A"].width = 16
    help_ws.column_dimensions["B"].width = 10
    help_ws.column_dimensions["C"].width = 90
    for row in help_ws.iter_rows():
        for cell in row:
            cell.alignment = wrap
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
