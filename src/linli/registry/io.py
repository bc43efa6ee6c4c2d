"""Excel import and export of households and residents.

Import is two steps. ``import_upload`` checks the file (type, size, rows), stores it sealed (it
holds plain ID numbers) and runs a dry run whose result — counts and per-row errors — is the
import's ``summary``. ``import_commit`` parses the stored file again and applies it in one
transaction through the registry services, so every rule and every event is the same as for a
change made by hand.

Re-importing a file changes nothing: a household is keyed by its room label, a resident by ID
number (else by name) within the household. A blank cell leaves a value as it is, and residents
absent from the file are never touched. The spreadsheet format (headers and values) is Chinese
whatever the interface language, so files travel between users; English aliases are accepted.

Export writes the residents the actor may see, masked, with formula-like text neutralised.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import secrets
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import IO, Any

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from linli.core import access, personal, policy
from linli.core.events import log_event

from . import services
from .models import (
    Building,
    Community,
    Gender,
    Household,
    ImportStatus,
    Occupancy,
    RegistryImport,
    Relation,
    Resident,
    ResidentTag,
    Tag,
    Tenure,
    Unit,
)
from .tags import builtin_label

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 20_000
MAX_COLUMNS = 40  # a row is read up to this column: a sheet cannot make us read 16,384 cells
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # a small zip can inflate enormously
MAX_STORED_ERRORS = 500
FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")
NUMBER_RE = re.compile(r"^[0-9A-Za-z]{1,10}$")
PHONE_RE = re.compile(r"^\+?[0-9-]{5,20}$")

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


# --- the columns ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # as in the template; the file's format is Chinese in every interface language
    aliases: tuple[str, ...]
    label: Promise
    help: Promise
    required: bool = False
    width: int = 12
    text: bool = False  # formatted as text in the template, so Excel keeps leading zeros


COLUMNS: tuple[Column, ...] = (
    Column(
        "building",
        "楼栋",
        ("building", "楼号", "楼"),
        gettext_lazy("Building"),
        gettext_lazy("Building number, e.g. 3 (“3号楼” also works). Required."),
        required=True,
        width=8,
        text=True,
    ),
    Column(
        "unit",
        "单元",
        ("unit",),
        gettext_lazy("Unit"),
        gettext_lazy("Unit number, e.g. 2. Leave blank if the building has no units."),
        width=8,
        text=True,
    ),
    Column(
        "room",
        "房号",
        ("room", "室号", "门牌号"),
        gettext_lazy("Room"),
        gettext_lazy("Room number, e.g. 501. Required."),
        required=True,
        width=8,
        text=True,
    ),
    Column(
        "floor_area",
        "面积(m²)",
        ("面积", "建筑面积", "area", "floor area", "floor_area"),
        gettext_lazy("Floor area"),
        gettext_lazy("Floor area in square metres, e.g. 75.5 (at most two decimals)."),
    ),
    Column(
        "occupancy",
        "居住状态",
        ("occupancy",),
        gettext_lazy("Occupancy"),
        gettext_lazy("One of 自住, 出租, 空置, 其他 (or owner, rented, vacant, other)."),
    ),
    Column(
        "name",
        "姓名",
        ("name",),
        gettext_lazy("Name"),
        gettext_lazy("The resident's name. Leave blank to register only the household."),
        required=True,
        width=10,
    ),
    Column(
        "gender",
        "性别",
        ("gender", "sex"),
        gettext_lazy("Gender"),
        gettext_lazy("男 or 女 (or M, F)."),
        width=6,
    ),
    Column(
        "birth_date",
        "出生日期",
        ("birth date", "birth_date", "date of birth", "生日"),
        gettext_lazy("Birth date"),
        gettext_lazy("A date, e.g. 1980-05-31. Taken from the ID number when blank."),
    ),
    Column(
        "phone",
        "电话",
        ("phone", "手机", "手机号", "联系电话"),
        gettext_lazy("Phone"),
        gettext_lazy("Digits only, e.g. 13812345678."),
        width=14,
        text=True,
    ),
    Column(
        "id_number",
        "身份证号",
        ("id number", "id_number", "身份证", "身份证号码"),
        gettext_lazy("ID number"),
        gettext_lazy(
            "18 characters, checked with its check digit. Format the column as "
            "text so Excel does not round it."
        ),
        width=22,
        text=True,
    ),
    Column(
        "relation",
        "与户主关系",
        ("relation", "relationship", "关系"),
        gettext_lazy("Relation"),
        gettext_lazy("One of 户主, 配偶, 子女, 父母, 孙子女, 兄弟姐妹, 其他."),
    ),
    Column(
        "tenure",
        "业主/租户",
        ("tenure", "业主租户"),
        gettext_lazy("Owner or tenant"),
        gettext_lazy("One of 业主, 租户, 业主家属, 其他."),
    ),
    Column(
        "tags",
        "标签",
        ("tags",),
        gettext_lazy("Tags"),
        gettext_lazy(
            "Tag names or codes separated by 、 or commas, e.g. 空巢老人、党员. "
            "When given, they replace the resident's tags."
        ),
        width=20,
    ),
)
COLUMN = {c.key: c for c in COLUMNS}
EXPORT_EXTRA = (("label", "户号"), ("status", "状态"))  # ignored when a file is imported

# The spreadsheet's words for choices; codes and the English labels are accepted too.
OCCUPANCY_ZH = {"owner": "自住", "rented": "出租", "vacant": "空置", "other": "其他"}
GENDER_ZH = {"M": "男", "F": "女"}
RELATION_ZH = {
    "head": "户主",
    "spouse": "配偶",
    "child": "子女",
    "parent": "父母",
    "grandchild": "孙子女",
    "sibling": "兄弟姐妹",
    "other": "其他",
}
TENURE_ZH = {"owner": "业主", "tenant": "租户", "family": "业主家属", "other": "其他"}
STATUS_ZH = {"active": "在住", "moved_out": "已迁出", "deceased": "已故"}
_EXTRA_ALIASES = {
    "occupancy": {"闲置": "vacant", "租住": "rented", "owner-occupied": "owner"},
    "gender": {"男性": "M", "女性": "F", "male": "M", "female": "F"},
    "relation": {
        "本人": "head",
        "妻子": "spouse",
        "丈夫": "spouse",
        "儿子": "child",
        "女儿": "child",
        "父亲": "parent",
        "母亲": "parent",
        "孙子": "grandchild",
        "孙女": "grandchild",
        "外孙": "grandchild",
        "外孙女": "grandchild",
        "兄弟": "sibling",
        "姐妹": "sibling",
    },
    "tenure": {"租客": "tenant", "家属": "family"},
}
_CHOICES = {
    "occupancy": (Occupancy, OCCUPANCY_ZH),
    "gender": (Gender, GENDER_ZH),
    "relation": (Relation, RELATION_ZH),
    "tenure": (Tenure, TENURE_ZH),
}

HOUSEHOLD_KEYS = ("floor_area", "occupancy")
RESIDENT_KEYS = ("gender", "birth_date", "phone", "relation", "tenure")
HOUSEHOLD_CELLS = {"building", "unit", "room", *HOUSEHOLD_KEYS}
PERSON_KEYS = {*RESIDENT_KEYS, "id_number", "tags"}


@lru_cache(maxsize=8)
def _choice_map(key: str) -> dict[str, str]:
    choices, zh = _CHOICES[key]
    m: dict[str, str] = {}
    for value, label in choices.choices:
        m[value.lower()] = value
        for lang in ("en", "zh-hans"):
            with override(lang):
                m[str(label).lower()] = value
    m.update({word.lower(): code for code, word in zh.items()})
    m.update(_EXTRA_ALIASES.get(key, {}))
    return m


def _norm_header(value: Any) -> str:
    s = str(value or "").strip().lower()
    s = re.sub(r"[(（].*?[)）]", "", s)  # 面积(m²), 面积（平方米）
    return re.sub(r"[\s_*]+", " ", s).strip()


@lru_cache(maxsize=1)
def _header_map() -> dict[str, str]:
    m: dict[str, str] = {}
    for c in COLUMNS:
        for name in (c.header, *c.aliases):
            m[_norm_header(name)] = c.key
    return m


# --- errors --------------------------------------------------------------------------------

# Stored as codes with parameters and translated when shown, so a preview reads in the language
# of whoever looks at it. The ID-number messages are personal.validate_id_number's msgids.
MESSAGES: dict[str, Promise] = {
    "missing_column": gettext_lazy("This column is required but is missing from the first row."),
    "duplicate_column": gettext_lazy("This column appears more than once in the first row."),
    "required": gettext_lazy("This value is required."),
    "too_long": gettext_lazy("At most %(max)s characters."),
    "bad_number": gettext_lazy("Use up to 10 letters or digits, no spaces or hyphens."),
    "bad_decimal": gettext_lazy("Not a floor area in square metres, e.g. 75.5."),
    "decimal_places": gettext_lazy("Use at most two decimal places."),
    "not_positive": gettext_lazy("The floor area must be greater than zero."),
    "area_conflict": gettext_lazy("Row %(row)s gives this room a different floor area."),
    "occupancy_conflict": gettext_lazy("Row %(row)s gives this room a different occupancy."),
    "bad_choice": gettext_lazy("“%(value)s” is not one of: %(choices)s."),
    "bad_date": gettext_lazy("Not a date; write it as 1980-05-31."),
    "future_date": gettext_lazy("The birth date is in the future."),
    "bad_phone": gettext_lazy("Digits only, e.g. 13812345678."),
    "id_as_number": gettext_lazy(
        "Excel stored this ID number as a number and may have rounded it; format the column "
        "as text and type the number again."
    ),
    "id_length": gettext_lazy("An ID number has 18 characters."),
    "id_chars": gettext_lazy("An ID number is 17 digits followed by a digit or X."),
    "id_date": gettext_lazy("The birth date inside the ID number is not a real date."),
    "id_check": gettext_lazy("The ID number's check digit is wrong; please check the number."),
    "id_birth_mismatch": gettext_lazy("The birth date differs from the one in the ID number."),
    "unknown_tag": gettext_lazy("Unknown tag “%(value)s”."),
    "unknown_building": gettext_lazy(
        "Building %(number)s does not exist in this community, and you may not add buildings."
    ),
    "unknown_unit": gettext_lazy(
        "Unit %(number)s of building %(building)s does not exist, and you may not add units."
    ),
    "no_name": gettext_lazy("A name is needed when a resident's other details are given."),
    "duplicate_person": gettext_lazy("The same person is already in row %(row)s."),
    "duplicate_id": gettext_lazy("This ID number is already in row %(row)s."),
    "ambiguous_name": gettext_lazy(
        "Several residents of %(label)s are called %(name)s; add the ID number to say which."
    ),
    "service": gettext_lazy("%(message)s"),
}


@dataclass
class RowError:
    row: int
    column: str  # the header as written in the file (the template's header when missing)
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "code": self.code, "params": self.params}


class ImportRejected(Exception):
    """The upload is not something we will read at all (type, size, rows)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ImportHasErrors(Exception):
    """The file has per-row errors (found again at commit); nothing was saved."""


class ImportAlreadyDone(Exception):
    """The import was applied before; applying it again is refused."""


def describe_errors(summary: dict) -> list[dict[str, Any]]:
    """The stored errors as rows for a page, in the current language."""
    out = []
    for e in summary.get("errors", []):
        template = MESSAGES.get(e.get("code"), MESSAGES["service"])
        params = e.get("params") or {}
        try:
            message = str(template) % params if params else str(template)
        except (KeyError, TypeError, ValueError):
            message = str(template)
        out.append({"row": e.get("row"), "column": e.get("column", ""), "message": message})
    return out


# --- reading the file ----------------------------------------------------------------------


def _check_bytes(data: bytes) -> None:
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise ImportRejected(
            _(
                "This is an old-style .xls file. Open it in Excel or WPS, save "
                "it as .xlsx (Excel Workbook) and upload it again."
            )
        )
    if data[:4] != b"PK\x03\x04":
        raise ImportRejected(_("This is not an Excel file (.xlsx)."))
    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            infos = z.infolist()
    except zipfile.BadZipFile:
        raise ImportRejected(_("This is not an Excel file (.xlsx).")) from None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise ImportRejected(_("This is not an Excel file (.xlsx)."))
    if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES:
        raise ImportRejected(_("This file is too large to import."))


def _read(data: bytes) -> tuple[tuple, list[tuple[int, tuple]]]:
    """The header row and the non-blank data rows, each with its row number as in Excel."""
    _check_bytes(data)
    try:
        wb = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file; all mean "not readable"
        raise ImportRejected(_("This Excel file could not be read. Is it damaged?")) from None
    try:
        if not wb.worksheets:
            return (), []
        it = wb.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS)
        header = next(it, None) or ()
        rows: list[tuple[int, tuple]] = []
        # read-only worksheets yield a row for every row number, blank ones included
        for number, row in enumerate(it, start=2):
            if all(_blank(v) for v in row):
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportRejected(
                    _("The file has more than %(max)s rows. Split it into smaller files.")
                    % {"max": f"{MAX_ROWS:,}"}
                )
            rows.append((number, row))
    except ImportRejected:
        raise
    except Exception:
        raise ImportRejected(_("This Excel file could not be read. Is it damaged?")) from None
    finally:
        wb.close()
    return header, rows


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, dt.datetime):
        v = v.date()
    s = str(v).strip()
    # Undo the guard our export puts in front of formula-like text, so a round trip is exact.
    if len(s) > 1 and s[0] == "'" and s[1] in "=+-@\t\r":
        s = s[1:]
    return s


def _strip_suffix(s: str, suffixes: Iterable[str]) -> str:
    for suf in suffixes:
        if s.endswith(suf) and len(s) > len(suf):
            return s[: -len(suf)]
    return s


class _CellError(Exception):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params


def _number(v: Any, suffixes: tuple[str, ...]) -> str:
    s = _strip_suffix(_text(v), suffixes)
    if not NUMBER_RE.match(s):
        raise _CellError("bad_number")
    return s


def _decimal(v: Any) -> Decimal:
    if isinstance(v, bool):
        raise _CellError("bad_decimal")
    try:
        if isinstance(v, Decimal | int):
            d = Decimal(v)
        elif isinstance(v, float):
            d = Decimal(repr(v))
        else:
            s = str(v).strip().replace(",", "")
            for suf in ("平方米", "平米", "㎡", "m²", "m2"):
                s = s.removesuffix(suf).strip()
            d = Decimal(s)
    except InvalidOperation:
        raise _CellError("bad_decimal") from None
    if not d.is_finite():
        raise _CellError("bad_decimal")
    if d <= 0:
        raise _CellError("not_positive")
    if d != d.quantize(Decimal("0.01")):
        raise _CellError("decimal_places")
    if d >= Decimal("10000000"):
        raise _CellError("bad_decimal")
    return d.quantize(Decimal("0.01"))


def _date(v: Any) -> dt.date:
    if isinstance(v, dt.datetime):
        d = v.date()
    elif isinstance(v, dt.date):
        d = v
    elif isinstance(v, int | float) and not isinstance(v, bool):
        n = int(v)
        if 10_000_000 <= n <= 99_999_999:
            d = _parse_date_text(str(n))
        elif 0 < n < 100_000:  # a date cell Excel lost its date format on: a day serial
            d = from_excel(n).date()
        else:
            raise _CellError("bad_date")
    else:
        d = _parse_date_text(str(v))
    if d.year < 1900:
        raise _CellError("bad_date")
    if d > timezone.localdate():
        raise _CellError("future_date")
    return d


def _parse_date_text(s: str) -> dt.date:
    s = s.strip().split(" ")[0].split("T")[0]
    s = re.sub(r"[年月/.]", "-", s).rstrip("日")
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    raise _CellError("bad_date")


def _choice(key: str, v: Any) -> str:
    s = _text(v)
    value = _choice_map(key).get(s.lower())
    if value is None:
        zh = _CHOICES[key][1]
        raise _CellError("bad_choice", value=s[:40], choices="、".join(zh.values()))
    return value


def _phone(v: Any) -> str:
    s = re.sub(r"\s", "", _text(v))
    if len(s) > 20:
        raise _CellError("too_long", max=20)
    if not PHONE_RE.match(s):
        raise _CellError("bad_phone")
    return s


def _id_number(v: Any) -> str:
    if isinstance(v, int | float) and not isinstance(v, bool):
        # 18 digits do not fit a double: Excel has already rounded the last ones away.
        raise _CellError("id_as_number")
    s = re.sub(r"\s", "", _text(v))
    try:
        return personal.validate_id_number(s)
    except ValidationError as e:
        code = e.error_list[0].code
        if code in MESSAGES:
            raise _CellError(code) from None
        raise _CellError("service", message=e.messages[0]) from None


def _tag_map(community: Community) -> dict[str, Tag]:
    m: dict[str, Tag] = {}
    for t in Tag.objects.filter(Q(community__isnull=True) | Q(community=community)):
        keys = {t.code.lower(), t.name.lower()}
        label = builtin_label(t.code) if t.community_id is None else None
        if label is not None:
            for lang in ("en", "zh-hans"):
                with override(lang):
                    keys.add(str(label).lower())
        for k in keys:
            # a community's own tag never hides a built-in one of the same name
            if k not in m or t.community_id is None:
                m[k] = t
    return m


def _tags(v: Any, tag_map: dict[str, Tag]) -> list[Tag]:
    out: list[Tag] = []
    for part in re.split(r"[,，、;；\n]+", _text(v)):
        part = part.strip()
        if not part:
            continue
        tag = tag_map.get(part.lower())
        if tag is None:
            raise _CellError("unknown_tag", value=part[:40])
        if tag not in out:
            out.append(tag)
    return out


# --- the plan: what importing the file would do ---------------------------------------------


@dataclass
class HouseholdPlan:
    label: str
    building: str
    unit: str
    room: str
    row: int
    values: dict[str, Any] = field(default_factory=dict)
    value_rows: dict[str, int] = field(default_factory=dict)
    existing: Household | None = None
    action: str = CREATE
    household: Household | None = None  # set when applied


@dataclass
class ResidentPlan:
    row: int
    label: str
    name: str
    values: dict[str, Any]
    id_number: str = ""
    tags: list[Tag] | None = None
    existing: Resident | None = None
    action: str = CREATE


@dataclass
class Plan:
    headers: dict[str, str] = field(default_factory=dict)  # key → header as in the file
    ignored_columns: list[str] = field(default_factory=list)
    rows: int = 0
    households: dict[str, HouseholdPlan] = field(default_factory=dict)
    residents: list[ResidentPlan] = field(default_factory=list)
    buildings: dict[str, Building] = field(default_factory=dict)
    units: dict[tuple[str, str], Unit] = field(default_factory=dict)
    buildings_to_create: set[str] = field(default_factory=set)
    units_to_create: set[tuple[str, str]] = field(default_factory=set)
    errors: list[RowError] = field(default_factory=list)

    def error(self, row: int, key: str, code: str, /, **params) -> None:
        header = self.headers.get(key) or (COLUMN[key].header if key in COLUMN else key)
        self.errors.append(RowError(row, header, code, params))

    def counts(self) -> dict[str, Any]:
        def tally(items) -> dict[str, int]:
            c = {CREATE: 0, UPDATE: 0, UNCHANGED: 0}
            for i in items:
                c[i.action] += 1
            return {"created": c[CREATE], "updated": c[UPDATE], "unchanged": c[UNCHANGED]}

        return {
            "rows": self.rows,
            "households": tally(self.households.values()),
            "residents": tally(self.residents),
            "buildings_created": len(self.buildings_to_create),
            "units_created": len(self.units_to_create),
        }

    def summary(self) -> dict[str, Any]:
        return {
            "counts": self.counts(),
            "ignored_columns": self.ignored_columns,
            "buildings_to_create": sorted(self.buildings_to_create),
            "units_to_create": sorted("-".join(u) for u in self.units_to_create),
            "error_count": len(self.errors),
            "errors": [e.as_json() for e in self.errors[:MAX_STORED_ERRORS]],
        }


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _map_headers(plan: Plan, header: tuple) -> dict[str, int]:
    index: dict[str, int] = {}
    known = _header_map()
    for i, raw in enumerate(header):
        if _blank(raw):
            continue
        key = known.get(_norm_header(raw))
        if key is None:
            plan.ignored_columns.append(str(raw).strip()[:40])
        elif key in index:
            plan.errors.append(RowError(1, str(raw).strip()[:40], "duplicate_column"))
        else:
            index[key] = i
            plan.headers[key] = str(raw).strip()[:40]
    for c in COLUMNS:
        if c.required and c.key not in index:
            plan.error(1, c.key, "missing_column")
    return index


def build_plan(
    *, actor, community: Community, header: tuple, rows: list[tuple[int, tuple]]
) -> Plan:
    """Parse and validate every row and compare it with the registry. Saves nothing."""
    plan = Plan(rows=len(rows))
    index = _map_headers(plan, header)
    if plan.errors:
        return plan  # without its key columns no row can be read meaningfully

    plan.buildings = {b.number: b for b in Building.objects.filter(community=community)}
    plan.units = {
        (u.building.number, u.number): u
        for u in Unit.objects.filter(community=community).select_related("building")
    }
    may_structure = policy.can(actor, "registry.structure", community)
    tag_map = _tag_map(community) if "tags" in index else {}
    pending: list[tuple[ResidentPlan, str]] = []  # with the resident's ID digest

    for number, row in rows:
        cells = {k: row[i] if i < len(row) else None for k, i in index.items()}
        parsed: dict[str, Any] = {}
        failed: set[str] = set()  # keys of the cells with errors
        for key, raw in cells.items():
            if _blank(raw):
                continue
            try:
                parsed[key] = _parse_cell(key, raw, tag_map)
            except _Skip:
                continue
            except _CellError as e:
                plan.error(number, key, e.code, **e.params)
                failed.add(key)
        for key in ("building", "room"):
            if key not in parsed and _blank(cells.get(key)):
                plan.error(number, key, "required")
                failed.add(key)
        if "name" not in parsed and _blank(cells.get("name")) and PERSON_KEYS & parsed.keys():
            plan.error(number, "name", "no_name")
            failed.add("name")
        if (
            parsed.get("birth_date")
            and parsed.get("id_number")
            and personal.birth_date_from_id(parsed["id_number"]) != parsed["birth_date"]
        ):
            plan.error(number, "birth_date", "id_birth_mismatch")
            failed.add("birth_date")
        # A household is still checked when only its resident's cells are wrong: more errors
        # are found in one pass (a room's conflicting areas, say).
        if failed & HOUSEHOLD_CELLS:
            continue

        hp = _add_household(plan, number, parsed, may_structure)
        if hp is None or failed or not parsed.get("name"):
            continue
        rp = ResidentPlan(
            row=number,
            label=hp.label,
            name=parsed["name"],
            values={k: parsed[k] for k in RESIDENT_KEYS if k in parsed},
            id_number=parsed.get("id_number", ""),
            tags=parsed.get("tags"),
        )
        pending.append((rp, personal.blind_index(rp.id_number) if rp.id_number else ""))

    _compare_households(plan, community)
    _compare_residents(plan, community, pending)
    plan.errors.sort(key=lambda e: e.row)
    return plan


class _Skip(_CellError):
    """A cell to leave out, as if blank."""

    def __init__(self):
        super().__init__("skip")


def _parse_cell(key: str, raw: Any, tag_map: dict[str, Tag]) -> Any:
    if key == "building":
        return _number(raw, ("号楼", "栋", "幢", "楼"))
    if key == "unit":
        return _number(raw, ("单元",))
    if key == "room":
        return _number(raw, ("室", "号"))
    if key == "floor_area":
        return _decimal(raw)
    if key in _CHOICES:
        return _choice(key, raw)
    if key == "name":
        s = _text(raw)
        if len(s) > 50:
            raise _CellError("too_long", max=50)
        return s  # stored as text; templates escape it
    if key == "birth_date":
        return _date(raw)
    if key == "phone":
        if "*" in _text(raw):  # a masked phone from an export: leave the stored one alone
            raise _Skip
        return _phone(raw)
    if key == "id_number":
        if "*" in _text(raw):  # a masked ID number from an export
            raise _Skip
        return _id_number(raw)
    if key == "tags":
        return _tags(raw, tag_map)
    raise KeyError(key)


def _add_household(
    plan: Plan, number: int, parsed: dict, may_structure: bool
) -> HouseholdPlan | None:
    b, u, room = parsed["building"], parsed.get("unit", ""), parsed["room"]
    if b not in plan.buildings:
        if not may_structure:
            plan.error(number, "building", "unknown_building", number=b)
            return None
        plan.buildings_to_create.add(b)
    if u and (b, u) not in plan.units:
        if not may_structure:
            plan.error(number, "unit", "unknown_unit", number=u, building=b)
            return None
        plan.units_to_create.add((b, u))
    label = Household.make_label(b, u or None, room)
    hp = plan.households.get(label)
    if hp is None:
        hp = plan.households[label] = HouseholdPlan(label, b, u, room, number)
    conflict = False
    for key, code in (("floor_area", "area_conflict"), ("occupancy", "occupancy_conflict")):
        if key not in parsed:
            continue
        if key in hp.values and hp.values[key] != parsed[key]:
            plan.error(number, key, code, row=hp.value_rows[key])
            conflict = True
        elif key not in hp.values:
            hp.values[key], hp.value_rows[key] = parsed[key], number
    return None if conflict else hp


def _compare_households(plan: Plan, community: Community) -> None:
    labels = list(plan.households)
    existing: dict[str, Household] = {}
    for chunk in _chunks(labels):
        for hh in Household.objects.filter(community=community, label__in=chunk):
            existing[hh.label] = hh
    for label, hp in plan.households.items():
        hh = existing.get(label)
        if hh is None:
            continue
        hp.existing = hp.household = hh
        changed = any(getattr(hh, k) != v for k, v in hp.values.items())
        hp.action = UPDATE if changed else UNCHANGED


def _compare_residents(
    plan: Plan, community: Community, pending: list[tuple[ResidentPlan, str]]
) -> None:
    hh_ids = [hp.existing.pk for hp in plan.households.values() if hp.existing]
    by_household: dict[int, list[Resident]] = defaultdict(list)
    tag_ids: dict[int, set[int]] = defaultdict(set)
    for chunk in _chunks(hh_ids):
        for r in Resident.objects.filter(community=community, household_id__in=chunk):
            by_household[r.household_id].append(r)
        for rid, tid in ResidentTag.objects.filter(resident__household_id__in=chunk).values_list(
            "resident_id", "tag_id"
        ):
            tag_ids[rid].add(tid)

    seen_keys: dict[tuple, int] = {}
    seen_ids: dict[str, int] = {}
    matched: dict[int, int] = {}  # existing resident pk → row
    for rp, digest in pending:
        hp = plan.households[rp.label]
        key = (rp.label, "id", digest) if digest else (rp.label, "name", rp.name)
        if key in seen_keys:
            plan.error(rp.row, "name", "duplicate_person", row=seen_keys[key])
            continue
        if digest and digest in seen_ids:
            plan.error(rp.row, "id_number", "duplicate_id", row=seen_ids[digest])
            continue
        seen_keys[key] = rp.row
        if digest:
            seen_ids[digest] = rp.row

        candidates = by_household.get(hp.existing.pk, []) if hp.existing else []
        r = next((c for c in candidates if digest and c.id_number_digest == digest), None)
        if r is None:
            # By name; with an ID number given, only someone recorded without one.
            same = [
                c for c in candidates if c.name == rp.name and not (digest and c.id_number_digest)
            ]
            if len(same) > 1:
                plan.error(rp.row, "name", "ambiguous_name", label=rp.label, name=rp.name)
                continue
            r = same[0] if same else None
        if r is not None:
            if r.pk in matched:
                plan.error(rp.row, "name", "duplicate_person", row=matched[r.pk])
                continue
            matched[r.pk] = rp.row
            rp.existing = r
            r.household = hp.existing  # saves a query per resident when the services log
            changed = (
                r.name != rp.name
                or any(getattr(r, k) != v for k, v in rp.values.items())
                or (digest and digest != r.id_number_digest)
                or (rp.tags is not None and {t.pk for t in rp.tags} != tag_ids[r.pk])
            )
            rp.action = UPDATE if changed else UNCHANGED
        plan.residents.append(rp)


# --- applying the plan ---------------------------------------------------------------------


def _apply(*, actor, community: Community, plan: Plan) -> None:
    """Write the plan through the registry services. Caller holds the transaction."""
    for number in sorted(plan.buildings_to_create):
        try:
            b = services.building_create(actor=actor, community=community, number=number)
        except ValidationError as e:
            _raise_row(plan, _first_row(plan, building=number), e)
        plan.buildings[number] = b
    if plan.units_to_create:
        # There is no unit service (units come with building_create, numbered 1…n), and a
        # file may name any unit, so they are added here under the same permission.
        policy.authorize(actor, "registry.structure", community)
    for b_number, u_number in sorted(plan.units_to_create):
        u = Unit.objects.create(
            community=community, building=plan.buildings[b_number], number=u_number
        )
        log_event(
            actor=actor,
            verb="unit.created",
            obj=u,
            parent=u.building,
            data={"number": u_number, "source": "import"},
        )
        plan.units[(b_number, u_number)] = u

    for hp in plan.households.values():
        try:
            if hp.action == CREATE:
                hp.household = services.household_create(
                    actor=actor,
                    building=plan.buildings[hp.building],
                    unit=plan.units[(hp.building, hp.unit)] if hp.unit else None,
                    room=hp.room,
                    **hp.values,
                )
            elif hp.action == UPDATE:
                services.household_update(actor=actor, household=hp.existing, **hp.values)
        except ValidationError as e:
            _raise_row(plan, hp.row, e)

    for rp in plan.residents:
        try:
            if rp.action == CREATE:
                services.resident_create(
                    actor=actor,
                    household=plan.households[rp.label].household,
                    name=rp.name,
                    id_number=rp.id_number,
                    tags=rp.tags,
                    **rp.values,
                )
            elif rp.action == UPDATE:
                services.resident_update(
                    actor=actor,
                    resident=rp.existing,
                    id_number=rp.id_number or None,
                    tags=rp.tags,
                    name=rp.name,
                    **rp.values,
                )
        except ValidationError as e:
            _raise_row(plan, rp.row, e)


class _ApplyFailed(Exception):
    pass


def _first_row(plan: Plan, *, building: str) -> int:
    return min((hp.row for hp in plan.households.values() if hp.building == building), default=1)


def _raise_row(plan: Plan, row: int, e: ValidationError) -> None:
    # The dry run checks what the services check, so this is rare (a rule added to a service,
    # or a concurrent change); the error still lands on its row.
    if hasattr(e, "error_dict"):
        for key, msgs in e.message_dict.items():
            for m in msgs:
                plan.error(row, key if key in COLUMN else "name", "service", message=m)
    else:
        for m in e.messages:
            plan.error(row, "name", "service", message=m)
    raise _ApplyFailed


# --- the import, as services ---------------------------------------------------------------


def _media_path(rel: str) -> Path:
    return Path(settings.MEDIA_ROOT) / rel


def _store(data: bytes) -> str:
    rel = f"imports/{secrets.token_urlsafe(24)}.xlsx.sealed"
    path = _media_path(rel)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(personal.seal(base64.b64encode(data).decode("ascii")), encoding="ascii")
    return rel


def _load(rel: str) -> bytes:
    try:
        token = _media_path(rel).read_text(encoding="ascii")
        return base64.b64decode(personal.unseal(token))
    except (OSError, ValueError):  # removed, or sealed with a key since retired
        raise ImportRejected(
            _("The uploaded file is no longer available; please upload it again.")
        ) from None


def import_upload(
    *, actor, community: Community, upload: IO[bytes], name: str = "", size: int | None = None
) -> RegistryImport:
    """Check an uploaded file, store it and record its dry run. Raises ``ImportRejected``."""
    policy.authorize(actor, "registry.import", community)
    limit = settings.LINLI_MAX_UPLOAD_BYTES
    if size is not None and size > limit:
        raise _too_big(limit)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_big(limit)
    if not data:
        raise ImportRejected(_("The file is empty."))
    header, rows = _read(data)
    plan = build_plan(actor=actor, community=community, header=header, rows=rows)
    rel = _store(data)
    try:
        return RegistryImport.objects.create(
            community=community,
            uploaded_by=actor,
            original_name=(name or "")[:200],
            file_path=rel,
            status=ImportStatus.PREVIEWED,
            summary=plan.summary(),
        )
    except Exception:
        _media_path(rel).unlink(missing_ok=True)
        raise


def _too_big(limit: int) -> ImportRejected:
    return ImportRejected(
        _("The file is larger than %(size)s MB. Split it into smaller files.")
        % {"size": f"{limit / (1024 * 1024):.3g}"}
    )


def import_commit(*, actor, registry_import: RegistryImport) -> RegistryImport:
    """Apply a checked import in one transaction. Raises ``ImportHasErrors`` (nothing saved),
    ``ImportAlreadyDone`` or ``ImportRejected`` (the stored file is gone)."""
    policy.authorize(actor, "registry.import", registry_import)
    plan: Plan | None = None
    try:
        with transaction.atomic():
            imp = (
                RegistryImport.objects.select_for_update()
                .select_related("community")
                .get(pk=registry_import.pk)
            )
            if imp.status != ImportStatus.PREVIEWED:
                raise ImportAlreadyDone
            header, rows = _read(_load(imp.file_path))
            plan = build_plan(actor=actor, community=imp.community, header=header, rows=rows)
            if plan.errors:
                raise _ApplyFailed
            _apply(actor=actor, community=imp.community, plan=plan)
            counts = plan.counts()
            imp.status = ImportStatus.COMMITTED
            imp.committed_at = timezone.now()
            imp.summary = {**plan.summary(), "committed": counts}
            imp.save(update_fields=["status", "committed_at", "summary"])
            log_event(
                actor=actor,
                verb="registry.imported",
                obj=imp,
                data={**counts, "file": imp.original_name},
            )
    except _ApplyFailed:
        # Rolled back; keep the errors so the preview shows why.
        RegistryImport.objects.filter(pk=registry_import.pk).update(summary=plan.summary())
        registry_import.refresh_from_db(fields=["summary"])
        raise ImportHasErrors from None
    # The data is in the registry now; the file's plain ID numbers need not be kept.
    _media_path(imp.file_path).unlink(missing_ok=True)
    return imp


def import_list_for(actor, community: Community, limit: int = 10) -> list[RegistryImport]:
    qs = policy.scope_filter(
        actor, RegistryImport.objects.filter(community=community), "registry.import"
    )
    return list(qs.select_related("uploaded_by")[:limit])


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
    """A value as a spreadsheet cell that cannot run as a formula (CSV/formula injection)."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(FORMULA_CHARS):
            return "'" + value
    return value


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
        .order_by("household__label", "id")
    )


def _date_cell(ws, value: dt.date | None):
    if value is None:
        return None
    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = "yyyy-mm-dd"  # not Excel's default, which shows a time of 00:00
    return cell


def registry_export(*, actor, community: Community) -> tuple[IO[bytes], str]:
    """Write the export workbook; returns an open file positioned at 0 and its file name.

    The caller has authorised ``registry.export`` on the community (``policy.get_for``)."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("住户")
    headers = [c.header for c in COLUMNS] + [h for _k, h in EXPORT_EXTRA]
    for i, c in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = c.width
    ws.append(headers)
    n = 0
    for r in export_residents(actor, community).iterator(chunk_size=2000):
        hh = r.household
        row = [
            hh.building.number,
            hh.unit.number if hh.unit_id else "",
            hh.room,
            hh.floor_area,
            OCCUPANCY_ZH.get(hh.occupancy, hh.occupancy),
            r.name,
            GENDER_ZH.get(r.gender, ""),
            _date_cell(ws, r.birth_date),
            r.phone_masked,
            r.id_number_masked,
            RELATION_ZH.get(r.relation, r.relation),
            TENURE_ZH.get(r.tenure, r.tenure),
            "、".join(link.tag.name for link in r.tag_links.all()),
            hh.label,
            STATUS_ZH.get(r.status, r.status),
        ]
        ws.append([safe_cell(v) for v in row])
        n += 1
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - returned
    wb.save(out)
    out.seek(0)
    # One read per resident in the file, in one INSERT … SELECT (their "My data" shows it).
    access.record_reads(
        actor, export_residents(actor, community), kind=access.EXPORTED, purpose="registry.export"
    )
    log_event(
        actor=actor,
        verb="registry.exported",
        obj=community,
        community_id=community.pk,
        data={"rows": n},
    )
    name = f"{community.code}-residents-{timezone.localdate():%Y%m%d}.xlsx"
    return out, name


def purge_stale_uploads(*, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Delete stored uploads that were checked but never imported (they hold ID numbers).
    The import record stays, so the preview says the file must be uploaded again."""
    cutoff = timezone.now() - older_than
    stale = RegistryImport.objects.filter(status=ImportStatus.PREVIEWED, created_at__lt=cutoff)
    removed = 0
    for rel in stale.exclude(file_path="").values_list("file_path", flat=True).iterator():
        path = _media_path(rel)
        if path.exists():
            path.unlink()
            removed += 1
    stale.update(file_path="")
    return removed
