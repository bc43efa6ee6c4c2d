"""What an import says back: its errors and notes in the reader's language, the preview row
by row, and the error file — the office's own sheet with a column saying what to fix."""

from __future__ import annotations

from collections import defaultdict
from io import BytesIO
from typing import Any

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.styles import Font

from linli.core.exports import neutralise

from ..models import RegistryImport
from .columns import COLUMN, ERROR, MESSAGES, NOTES, message
from .sheets import Formula

FILTERS = ("all", "create", "update", "unchanged", "error")


def _describe(items: list[dict], table) -> list[dict[str, Any]]:
    out = []
    for e in items:
        out.append(
            {
                "sheet": e.get("sheet", ""),
                "row": e.get("row"),
                "column": e.get("column", ""),
                "code": e.get("code"),
                "message": message(e.get("code"), e.get("params") or {}, table),
            }
        )
    return out


def describe_errors(summary: dict) -> list[dict[str, Any]]:
    """The stored errors as rows for a page, in the current language."""
    return _describe(summary.get("errors", []), MESSAGES)


def describe_notes(summary: dict) -> list[dict[str, Any]]:
    return _describe(summary.get("notes", []), NOTES)


def preview_rows(summary: dict, show: str = "all") -> list[dict[str, Any]]:
    """Each row of the file: new / changed (which fields, old → new) / unchanged / error."""
    problems: dict[tuple, list[str]] = defaultdict(list)
    for e in describe_errors(summary):
        problems[(e["sheet"], e["row"])].append(f"{e['column']}: {e['message']}")
    multi = summary.get("multi_sheet")
    fields = (summary.get("mapping") or {}).get("mapping") or {}

    def label(key: str) -> str:
        if key in fields and fields[key].get("label"):
            return fields[key]["label"]
        return str(COLUMN[key].label) if key in COLUMN else key

    out = []
    seen = set()
    for o in summary.get("rows", []):
        key = (o["sheet"] if multi else "", o["row"])
        seen.add(key)
        action = ERROR if key in problems else o["action"]
        if show != "all" and action != show:
            continue
        changes = {label(k): v for k, v in (o.get("changes") or {}).items()}
        out.append({**o, "action": action, "changes": changes, "problems": problems.get(key, [])})
    if show in ("all", ERROR):  # rows that never became a household or resident
        for key, msgs in problems.items():
            if key not in seen:
                out.append({"sheet": key[0], "row": key[1], "label": "", "name": "",
                            "action": ERROR, "changes": {}, "problems": msgs})  # fmt: skip
    out.sort(key=lambda o: (o["sheet"], o["row"] or 0))
    return out


def error_file(imp: RegistryImport, sheets) -> bytes:
    """The rows with errors, as the office wrote them (every sheet, its header row), with a
    column saying what to fix. ``sheets`` is the stored file, read again."""
    summary = imp.summary or {}
    multi = summary.get("multi_sheet")
    problems: dict[tuple, list[str]] = defaultdict(list)
    for e in describe_errors(summary):
        problems[(e["sheet"], e["row"])].append(
            f"{e['column']}: {e['message']}" if e["column"] else e["message"]
        )
    header_rows = (summary.get("mapping") or {}).get("header_rows") or {}
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for s in sheets:
        rows = [(n, r) for n, r in s.rows if problems.get((s.name if multi else "", n))]
        if not rows:
            continue
        ws = wb.create_sheet(s.name[:31])
        header_row = header_rows.get(s.name)
        header = list(s.row(header_row)) if header_row else []
        ws.append([_("Row in your file"), _("What to fix"), *[_cell(v) for v in header]])
        for cell in ws[1]:
            cell.font = bold
        for n, r in rows:
            fix = "；".join(problems[(s.name if multi else "", n)])
            ws.append([n, fix, *[_cell(v) for v in r]])
        ws.column_dimensions["B"].width = 60
        ws.freeze_panes = "C2"
    if not wb.worksheets:
        wb.create_sheet(_("No errors"))
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(v: Any) -> Any:
    # A formula goes back as its text, which cannot run; other values as they were.
    if isinstance(v, Formula):
        return "'" + str(v)
    return neutralise(v)
