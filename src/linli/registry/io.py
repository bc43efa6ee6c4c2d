"""Excel export of households and residents, and the import template.

Export writes the residents the actor may see, masked, with formula-like text neutralised. The
template is an empty sheet in the import's format; importing is ``registry.importing``.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from typing import IO, Any

import openpyxl
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from linli.core import access, disclosure, policy
from linli.core.events import log_event
from linli.core.exports import Column as ExportColumn
from linli.core.exports import ListExport, neutralise

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
from .models import Community, Resident, ResidentTag, Tag

# Ignored when a file is imported. 年龄: the age, shown instead of a birth date to those who
# may not see it (the street supervisor).
EXPORT_EXTRA = (("label", "户号"), ("status", "状态"), ("age", "年龄"))
__all__ = ["XLSX_CONTENT_TYPE", "import_template", "registry_export", "safe_cell"]


# --- the template --------------------------------------------------------------------------


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


# --- export --------------------------------------------------------------------------------


def safe_cell(value: Any) -> Any:
    """A value as a spreadsheet cell that cannot run as a formula: the one rule of every
    export (``core.exports.neutralise``)."""
    return neutralise(value)


def export_residents(actor, community: Community):
    """The residents of ``community`` the actor may see, with what the export writes."""
    qs = policy.scope_filter(actor, Resident.objects.filter(community=community), "resident.view")
    return (
        qs.select_related("household__building", "household__unit")
        .prefetch_related(
            Prefetch(
                "tag_links", queryset=ResidentTag.objects.select_related("tag").order_by("tag_id")
            )
        )
        .order_by(
            "household__building__sort_key",
            "household__unit__sort_key",
            "household__sort_key",
            "id",
        )
    )


def registry_export(*, actor, community: Community) -> tuple[IO[bytes], str]:
    """Write the export workbook; returns an open file positioned at 0 and its file name.

    The caller has authorised ``registry.export`` on the community (``policy.get_for``)."""
    columns = [
        ExportColumn(c.header, width=c.width, kind="date" if c.key == "birth_date" else "text")
        for c in COLUMNS
    ] + [ExportColumn(header) for _key, header in EXPORT_EXTRA]
    # The same rules as the pages (core.disclosure), decided once for the community: a street
    # supervisor's file has children's names masked, ages instead of birth dates and no
    # sensitive tags. Phones and ID numbers are masked in every export.
    v = disclosure.viewer(actor, community)

    def rows() -> Iterator[list[Any]]:
        for r in export_residents(actor, community).iterator(chunk_size=2000):
            hh = r.household
            tags = disclosure.tags(v, [link.tag for link in r.tag_links.all()])
            yield [
                hh.building.number,
                hh.unit.number if hh.unit_id else "",
                hh.room,
                hh.floor_area,
                OCCUPANCY_ZH.get(hh.occupancy, hh.occupancy),
                disclosure.name(v, r),
                GENDER_ZH.get(r.gender, ""),
                disclosure.birth_date(v, r),
                disclosure.phone(disclosure.MASKED, r.phone),
                disclosure.id_number(r),
                RELATION_ZH.get(r.relation, r.relation),
                TENURE_ZH.get(r.tenure, r.tenure),
                "、".join(t.name for t in tags),
                hh.label,
                STATUS_ZH.get(r.status, r.status),
                disclosure.age(r),
            ]

    stem = f"{community.code}-residents-{timezone.localdate():%Y%m%d}"
    export = ListExport(columns, rows(), title="住户", filename=stem)
    out = export.xlsx()
    # One read per resident in the file, in one INSERT … SELECT (their "My data" shows it).
    access.record_reads(
        actor, export_residents(actor, community), kind=access.EXPORTED, purpose="registry.export"
    )
    log_event(
        actor=actor,
        verb="registry.exported",
        obj=community,
        community_id=community.pk,
        data={"rows": export.written},
    )
    return out, f"{stem}.xlsx"
