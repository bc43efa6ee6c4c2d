"""Which column of the file fills which field: guessed from the headers, confirmed or changed
by the office, and remembered per community for its next file.

A field's source is a column (by its header, so one mapping reads every sheet), one fixed value
for every row, or the sheet's name (one sheet per building). A yes/no column for a tag is the
field ``tag:<code>``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..models import Community, ImportMapping
from .columns import COLUMN, TAG_PREFIX, header_map, norm_header
from .sheets import Formula, Sheet, blank, guess_header_row, guess_tag_header

# The fields a mapping offers, in the order of the mapping page.
FIELDS = (
    "building",
    "unit",
    "room",
    "address",
    "floor_area",
    "occupancy",
    "name",
    "gender",
    "birth_date",
    "phone",
    "other_phone",
    "id_number",
    "relation",
    "tenure",
    "guardian_name",
    "guardian_phone",
    "tags",
)
IGNORE_PREFIX = "!ignore:"  # an override key: the column after it is read as nothing
_SHEET_BUILDING = re.compile(r"^\s*([0-9A-Za-z]{1,10})\s*(?:号楼|号|栋|幢|座|楼)?\s*$")


@dataclass
class Mapping:
    sheets: list[str] = field(default_factory=list)  # the sheets read, in workbook order
    header_rows: dict[str, int | None] = field(default_factory=dict)
    # field → {"header": normalised header, "label": as written} | {"value": v} | {"sheet": 1}
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (sheet, header)
    ignored: list[str] = field(default_factory=list)  # headers not mapped

    def as_json(self) -> dict[str, Any]:
        return {
            "sheets": self.sheets,
            "header_rows": self.header_rows,
            "mapping": self.fields,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Mapping:
        return cls(
            sheets=list(d.get("sheets") or []),
            header_rows=dict(d.get("header_rows") or {}),
            fields={k: dict(v) for k, v in (d.get("mapping") or {}).items()},
        )

    def header_label(self, key: str) -> str:
        src = self.fields.get(key) or {}
        if "label" in src:
            return src["label"]
        if key.startswith(TAG_PREFIX):
            return key
        return COLUMN[key].header if key in COLUMN else key


def sheet_building(name: str) -> str | None:
    m = _SHEET_BUILDING.match(name or "")
    return m[1] if m else None


def headers_of(sheet: Sheet, header_row: int | None) -> list[tuple[int, str]]:
    """(column index, header as written) of a sheet's header row."""
    if header_row is None:
        return []
    return [
        (i, str(v).strip()[:40])
        for i, v in enumerate(sheet.row(header_row))
        if not blank(v) and not isinstance(v, Formula)
    ]


def remembered(community: Community) -> ImportMapping | None:
    return ImportMapping.objects.filter(community=community).first()


def guess(
    sheets: list[Sheet],
    *,
    memory: ImportMapping | None = None,
    tag_words: dict[str, str] | None = None,
    header_row: int | None = None,
    only_sheets: list[str] | None = None,
    overrides: dict[str, dict[str, Any]] | None = None,
) -> Mapping:
    """The mapping Linli proposes for these sheets: the community's last one where its headers
    recur, else the known headers; ``header_row``/``only_sheets``/``overrides`` are the
    office's (or the command line's) choices."""
    known = dict(header_map())
    if memory:
        known.update(memory.columns)
    m = Mapping()
    for s in sheets:
        row = header_row if header_row is not None else guess_header_row(s, known)
        m.header_rows[s.name] = row
        wanted = only_sheets is None or s.name in only_sheets
        if wanted and row is not None:
            m.sheets.append(s.name)
    for s in sheets:
        if s.name not in m.sheets:
            continue
        taken: dict[str, str] = {}
        for _i, label in headers_of(s, m.header_rows[s.name]):
            norm = norm_header(label)
            key = known.get(norm) or guess_tag_header(label, tag_words)
            if key is None:
                if label not in m.ignored:
                    m.ignored.append(label)
                continue
            if key in taken and taken[key] != norm:
                m.duplicates.append((s.name, label))
                continue
            taken[key] = norm
            m.fields.setdefault(key, {"header": norm, "label": label})
    if memory:
        for key, value in memory.fixed.items():
            m.fields.setdefault(key, {"value": value})
    has_place = {"building", "address"} & m.fields.keys()
    if not has_place and len(m.sheets) > 1 and all(sheet_building(n) for n in m.sheets):
        m.fields["building"] = {"sheet": 1}
    for key, src in (overrides or {}).items():
        if key.startswith(IGNORE_PREFIX):  # a column read as nothing
            header = norm_header(key.removeprefix(IGNORE_PREFIX))
            m.fields = {k: v for k, v in m.fields.items() if v.get("header") != header}
        elif src:
            if "header" in src:  # one column fills one field
                m.fields = {k: v for k, v in m.fields.items() if v.get("header") != src["header"]}
            m.fields[key] = src
        else:
            m.fields.pop(key, None)
    mapped = {src.get("header") for src in m.fields.values()}
    m.ignored = [h for h in m.ignored if norm_header(h) not in mapped]
    return m


def remember(community: Community, mapping: Mapping) -> None:
    """Keep a confirmed mapping for the community's next file."""
    columns: dict[str, str] = {}
    fixed: dict[str, str] = {}
    for key, src in mapping.fields.items():
        if "header" in src:
            columns[src["header"]] = key
        elif "value" in src:
            fixed[key] = src["value"]
    ImportMapping.objects.update_or_create(
        community=community, defaults={"columns": columns, "fixed": fixed}
    )


@dataclass
class Record:
    """One data row: the raw value of each mapped field, with where it came from."""

    sheet: str
    row: int
    cells: dict[str, Any]
    columns: dict[str, int]  # field → column index (for naming a cell)


def records(sheets: list[Sheet], mapping: Mapping) -> list[Record]:
    out: list[Record] = []
    for s in sheets:
        if s.name not in mapping.sheets:
            continue
        header_row = mapping.header_rows.get(s.name)
        if header_row is None:
            continue
        index = {norm_header(label): i for i, label in reversed(headers_of(s, header_row))}
        columns: dict[str, int] = {}
        fixed: dict[str, Any] = {}
        for key, src in mapping.fields.items():
            if "header" in src and src["header"] in index:
                columns[key] = index[src["header"]]
            elif "value" in src and str(src["value"]).strip():
                fixed[key] = src["value"]
            elif "sheet" in src:
                fixed[key] = sheet_building(s.name) or s.name
        for number, row in s.rows:
            if number <= header_row:
                continue
            cells = {k: (row[i] if i < len(row) else None) for k, i in columns.items()}
            if all(blank(v) for v in cells.values()):
                continue
            for k, v in fixed.items():
                if blank(cells.get(k)):
                    cells[k] = v
            out.append(Record(s.name, number, cells, columns))
    return out


def chosen(
    sheets: list[Sheet], options: dict[str, Any], *, tag_words: dict[str, str] | None = None
) -> Mapping:
    """The mapping an office confirmed (``RegistryImport.options``), with the headers it leaves
    unmapped worked out again from the file."""
    m = Mapping.from_json(options)
    names = {s.name for s in sheets}
    m.sheets = [n for n in m.sheets if n in names]
    for s in sheets:
        if s.name not in m.header_rows:
            m.header_rows[s.name] = guess_header_row(s)
    mapped = {src.get("header") for src in m.fields.values()}
    for s in sheets:
        if s.name not in m.sheets:
            continue
        for _i, label in headers_of(s, m.header_rows.get(s.name)):
            if norm_header(label) not in mapped and label not in m.ignored:
                m.ignored.append(label)
    return m


def column_choices(sheets: list[Sheet], mapping: Mapping) -> list[tuple[str, str]]:
    """(normalised header, as written) of every column of the sheets read, in order."""
    out: dict[str, str] = {}
    for s in sheets:
        if s.name not in mapping.sheets:
            continue
        for _i, label in headers_of(s, mapping.header_rows.get(s.name)):
            out.setdefault(norm_header(label), label)
    return list(out.items())
