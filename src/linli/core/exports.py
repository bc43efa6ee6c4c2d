"""One exporter for lists: CSV and XLSX from the same columns and rows (pretix's
``ListExporter`` shape), with formula neutralisation in one place.

A cell a spreadsheet program would run as a formula — text starting with ``= + - @ | %`` or a
tab or carriage return (OWASP's CSV-injection list) — is written with a leading apostrophe, as
text; numbers and dates given as numbers and dates stay what they are. ``defusedcsv`` escapes
a narrower set (not tab or CR) and turns every value into text, which would lose XLSX's dates
and numbers, so the rule lives here and both writers call it.

    export = ListExport(
        [Column(_("Household")), Column(_("Visited on"), kind="date")],
        rows,  # an iterable of sequences, streamed
        title=_("Answers"),
        filename="survey-12-answers-20261203",
    )
    return export.response("xlsx")   # or "csv"
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any, Literal

from django.http import FileResponse, HttpResponse
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

Format = Literal["csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx")
FORMULA_START = ("=", "+", "-", "@", "|", "%", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: Any) -> Any:
    """A value that no spreadsheet program will run: formula-like text gets a leading
    apostrophe; characters XLSX cannot hold are dropped; numbers and dates are kept."""
    if isinstance(value, Promise):
        value = str(value)
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_START):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    header: str | Promise
    width: int = 14
    kind: Literal["text", "date", "datetime", "number"] = "text"


def _csv_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else neutralise(value)


class ListExport:
    """Columns and rows, written as CSV (UTF-8 with a BOM, so spreadsheet programs read
    Chinese) or XLSX (write-only, streamed from ``rows``). ``rows`` is consumed once."""

    def __init__(
        self,
        columns: Sequence[Column],
        rows: Iterable[Sequence[Any]],
        *,
        title: str | Promise,
        filename: str,
    ) -> None:
        self.columns = list(columns)
        self.rows = rows
        self.title = str(title)
        self.filename = filename
        self.written = 0

    def _checked(self, row: Sequence[Any]) -> Sequence[Any]:
        if len(row) != len(self.columns):
            raise ValueError(f"row has {len(row)} cells for {len(self.columns)} columns")
        self.written += 1
        return row

    def csv(self, *, bom: bool = True) -> str:
        out = io.StringIO()
        if bom:
            out.write("\ufeff")
        w = csv.writer(out)
        w.writerow([neutralise(c.header) for c in self.columns])
        for row in self.rows:
            w.writerow([_csv_value(v) for v in self._checked(row)])
        return out.getvalue()

    def xlsx(self) -> IO[bytes]:
        """The workbook in a spooled file positioned at 0 (memory up to 8 MB, then disk)."""
        wb = Workbook(write_only=True)
        # Sheet titles: at most 31 characters, none of []:*?/\
        ws = wb.create_sheet(re.sub(r"[\[\]:*?/\\]", " ", self.title)[:31] or "Sheet")
        for i, c in enumerate(self.columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = c.width
        ws.append([neutralise(c.header) for c in self.columns])
        formats = {
            "date": "yyyy-mm-dd",  # not Excel's default, which shows a time of 00:00
            "datetime": "yyyy-mm-dd hh:mm",
        }
        for row in self.rows:
            cells = []
            for c, v in zip(self.columns, self._checked(row), strict=True):
                v = neutralise(v)
                if isinstance(v, dt.datetime) and v.tzinfo is not None:
                    v = v.replace(tzinfo=None)  # XLSX has no time zones: local time
                if isinstance(v, Decimal):
                    v = float(v)
                if v is not None and c.kind in formats:
                    cell = WriteOnlyCell(ws, value=v)
                    cell.number_format = formats[c.kind]
                    cells.append(cell)
                else:
                    cells.append(v)
            ws.append(cells)
        out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - returned
        wb.save(out)
        out.seek(0)
        return out

    def response(self, fmt: Format) -> HttpResponse | FileResponse:
        """A download of the export, never cached (exports hold personal data)."""
        resp: HttpResponse | FileResponse
        if fmt == "xlsx":
            resp = FileResponse(
                self.xlsx(),
                as_attachment=True,
                filename=f"{self.filename}.xlsx",
                content_type=XLSX_TYPE,
            )
        elif fmt == "csv":
            resp = HttpResponse(self.csv(), content_type="text/csv; charset=utf-8")
            resp["Content-Disposition"] = f'attachment; filename="{self.filename}.csv"'
        else:
            raise ValueError(f"unknown export format {fmt!r}")
        resp["Cache-Control"] = "no-store"
        return resp
