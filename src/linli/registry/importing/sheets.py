"""Reading an uploaded file into sheets of rows, and finding each sheet's header row.

A workbook's every sheet is read (one sheet per building is common); a CSV file is one sheet,
in UTF-8 or GBK. Formula cells are kept as ``Formula`` markers, never as their cached value, so
a formula never becomes data. Cells of a merged range all read as its first cell (a household's
room merged over its residents' rows)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter, range_boundaries

from .columns import (
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_UNCOMPRESSED_BYTES,
    TAG_PREFIX,
    ImportRejected,
    header_map,
    norm_header,
)

HEADER_SEARCH_ROWS = 15  # the header is looked for among a sheet's first rows


class Formula(str):
    """A formula cell's text (``=A1&B1``): an error wherever it is read as a value."""


@dataclass
class Sheet:
    name: str
    rows: list[tuple[int, tuple]] = field(default_factory=list)  # non-blank, Excel numbers

    def row(self, number: int) -> tuple:
        for n, r in self.rows:
            if n == number:
                return r
        return ()

    def header_candidates(self) -> list[tuple[int, tuple]]:
        return self.rows[:HEADER_SEARCH_ROWS]


def cell_name(col: int, row: int) -> str:
    return f"{get_column_letter(col + 1)}{row}"


def blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


# --- the kind of file ------------------------------------------------------------------------


def read(data: bytes, name: str = "") -> list[Sheet]:
    """Every sheet of the file. Raises ``ImportRejected`` for what cannot be read at all."""
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise ImportRejected(
            _(
                "This is an old-style .xls file, which Linli cannot read. Open it in Excel or "
                "WPS, choose File → Save As → Excel Workbook (.xlsx), and upload that file."
            )
        )
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if name.lower().endswith((".csv", ".txt")):
        return [_read_csv(data, name)]
    raise ImportRejected(_("This is not an Excel file (.xlsx) or a CSV file."))


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except zipfile.BadZipFile:
        raise ImportRejected(_("This is not an Excel file (.xlsx).")) from None
    if "xl/workbook.xml" not in {i.filename for i in infos}:
        raise ImportRejected(_("This is not an Excel file (.xlsx)."))
    if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES:
        raise ImportRejected(_("This file is too large to import."))


def _too_many() -> ImportRejected:
    return ImportRejected(
        _("The file has more than %(max)s rows. Split it into smaller files.")
        % {"max": f"{MAX_ROWS:,}"}
    )


def check_row_count(n: int) -> None:
    """At most MAX_ROWS data rows (the rows above the header rows are not counted)."""
    if n > MAX_ROWS:
        raise _too_many()


def _read_xlsx(data: bytes) -> list[Sheet]:
    _check_zip(data)
    try:
        # data_only=False: a formula cell reads as its formula, never as a cached value
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged file; all mean "not readable"
        raise ImportRejected(_("This Excel file could not be read. Is it damaged?")) from None
    sheets: list[Sheet] = []
    total = 0
    try:
        for ws in wb.worksheets:
            sheet = Sheet(str(ws.title))
            merged = _merged_ranges(wb, ws)
            covered = {n for r1, _c1, r2, _c2 in merged for n in range(r1 + 1, r2 + 1)}
            for number, cells in enumerate(ws.iter_rows(max_col=MAX_COLUMNS), start=1):
                values = _trimmed([_cell_value(c) for c in cells])
                if number not in covered and all(blank(v) for v in values):
                    continue
                sheet.rows.append((number, values))
                total += 1
                if total > MAX_ROWS + HEADER_SEARCH_ROWS * len(wb.worksheets):
                    raise _too_many()
            if merged:
                _fill_merged(sheet, merged)
            sheets.append(sheet)
    except ImportRejected:
        raise
    except Exception:
        raise ImportRejected(_("This Excel file could not be read. Is it damaged?")) from None
    finally:
        wb.close()
    return sheets


def _trimmed(values: list) -> tuple:
    # read-only rows are padded to max_col; keep a row only as long as its last value
    n = len(values)
    while n and values[n - 1] is None:
        n -= 1
    return tuple(values[:n])


def _cell_value(c) -> Any:
    v = getattr(c, "value", None)
    if getattr(c, "data_type", None) == "f" or (v is not None and not _plain(v)):
        return Formula(str(getattr(v, "text", v)))  # ArrayFormula and data-table formulas too
    return v


def _plain(v: Any) -> bool:
    import datetime as dt
    from decimal import Decimal

    return isinstance(v, str | int | float | Decimal | bool | dt.date | dt.time | dt.timedelta)


def _merged_ranges(wb, ws) -> list[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col), columns 0-based. Read-only worksheets do not parse
    merged cells, so the sheet's <mergeCells> element is read from the archive."""
    path = getattr(ws, "_worksheet_path", None)
    archive = getattr(wb, "_archive", None)
    if not path or archive is None:
        return []
    # The parser openpyxl reads the same sheet with (defusedxml's when installed); expat
    # refuses entity amplification, and the archive's size was checked.
    from openpyxl.xml.functions import iterparse

    out = []
    try:
        with archive.open(path) as f:
            for _event, el in iterparse(f):  # noqa: S314
                tag = el.tag.rsplit("}", 1)[-1]
                if tag == "mergeCell":
                    ref = el.get("ref") or ""
                    try:
                        c1, r1, c2, r2 = range_boundaries(ref)
                    except (TypeError, ValueError):
                        continue
                    if None not in (c1, r1, c2, r2) and r2 - r1 <= MAX_ROWS:
                        out.append((r1, c1 - 1, r2, min(c2, MAX_COLUMNS) - 1))
                elif tag == "c":
                    el.clear()  # cells are not kept: a sheet may be large
    except Exception:
        return []
    return out


def _fill_merged(sheet: Sheet, merged: list[tuple[int, int, int, int]]) -> None:
    index = {n: i for i, (n, _r) in enumerate(sheet.rows)}
    for r1, c1, r2, c2 in merged:
        if r1 not in index:
            continue
        top = sheet.rows[index[r1]][1]
        for n in range(r1 + 1, r2 + 1):
            i = index.get(n)
            if i is None:
                continue
            values = list(sheet.rows[i][1])
            for c in range(c1, c2 + 1):
                if c < len(top):
                    while len(values) <= c:
                        values.append(None)
                    values[c] = top[c]
            sheet.rows[i] = (n, tuple(values))


def _read_csv(data: bytes, name: str) -> Sheet:
    text = None
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030 reads GBK and GB2312
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise ImportRejected(_("This CSV file is neither UTF-8 nor GBK; save it as UTF-8."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    sheet = Sheet(re.sub(r"\.[^.]*$", "", name)[:31] or "CSV")
    for number, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        values = tuple(_csv_value(v) for v in row[:MAX_COLUMNS])
        if all(blank(v) for v in values):
            continue
        sheet.rows.append((number, values))
        if len(sheet.rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
            raise _too_many()
    return sheet


_SIGNED_NUMBER = re.compile(r"^[+-][0-9 ().-]*$")


def _csv_value(v: str) -> Any:
    # What a spreadsheet would run as a formula is one here too; "+86 138…" and "-5" are not.
    s = v.strip()
    if s[:1] in ("=", "@") or (s[:1] in "+-" and s[1:] and not _SIGNED_NUMBER.match(s)):
        return Formula(s)
    return v


# --- the header row --------------------------------------------------------------------------


def header_score(row: tuple, known: dict[str, str] | None = None) -> int:
    """How many different fields a row's cells name."""
    known = known if known is not None else header_map()
    fields = set()
    for v in row:
        if isinstance(v, str) and not isinstance(v, Formula):
            key = known.get(norm_header(v)) or guess_tag_header(v, None)
            if key:
                fields.add(key)
    return len(fields)


def guess_header_row(sheet: Sheet, known: dict[str, str] | None = None) -> int | None:
    """The first of the sheet's first rows naming the most fields (two at least); merged
    title rows ("白源街新村社区居民信息登记表") name none and are passed over."""
    best, best_score = None, 1
    for number, row in sheet.header_candidates():
        score = header_score(row, known)
        if score > best_score:
            best, best_score = number, score
    return best


def guess_tag_header(header: Any, tag_words: dict[str, str] | None) -> str | None:
    """ "是否空巢老人" → "tag:empty_nest"; ``tag_words`` maps lower-case tag words to codes
    (the built-in words when None)."""
    from .columns import TAG_WORDS

    s = norm_header(header)
    if not s.startswith("是否"):
        return None
    s = s.removeprefix("是否")
    s = re.sub(r"(是/否|是否)$", "", s)
    words = tag_words if tag_words is not None else TAG_WORDS
    code = words.get(s) or TAG_WORDS.get(s)
    return TAG_PREFIX + code if code else None
