"""Reading one cell as a value: the words, dates, numbers and phones offices write.

Every text is width-folded (NFKC) before it is checked, so a full-width Ｘ or ３ reads as X or 3;
names only get NFC and lose the spaces typed to line them up ("张　三")."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import override
from openpyxl.utils.datetime import from_excel

from linli.core import personal
from linli.core import text as core_text
from linli.core.errors import DomainError

from .. import models
from ..models import Community, Tag
from ..search import normalise_name
from ..tags import builtin_label
from .columns import MESSAGES, NO_WORDS, TAG_WORDS, YES_WORDS, choice_map, choice_words
from .sheets import Formula

NUMBER_RE = re.compile(r"^[0-9A-Za-z]{1,10}$")
PHONE_RE = re.compile(models.PHONE_RE)
NO_PHONE = {"无", "/", "-", "—", "——", "暂无", "没有", "空", "无电话", "不详", "0", "none", "n/a"}
_PHONE_SPLIT = re.compile(r"[,，/、;；\s]+|(?<=\d)[或和](?=\d)")
_ADDRESS_RE = re.compile(
    r"(?P<b>[0-9A-Za-z]+)\s*(?:号楼|栋|幢|座|号|楼)[\s-]*"
    r"(?:(?P<u>[0-9A-Za-z]+)\s*单元[\s-]*)?"
    r"(?P<r>[0-9A-Za-z]+)\s*(?:室|号|房)?$"
)
_DASHED_RE = re.compile(r"^(?P<b>[0-9A-Za-z]+)-(?:(?P<u>[0-9A-Za-z]+)-)?(?P<r>[0-9A-Za-z]+)$")
_ROOM_RE = re.compile(
    r"^(?:(?P<u>[0-9A-Za-z]+)(?:\s*单元[\s-]*|-))?(?P<r>[0-9A-Za-z]+)\s*(?:室|号|房)?$"
)


class CellError(DomainError):
    """A cell the import cannot read: ``code`` says why; the report words it per column."""

    def __init__(self, code: str, **params):
        super().__init__(code, code=code)
        self.params = params


class Skip(CellError):
    """A cell to leave out, as if blank."""

    def __init__(self):
        super().__init__("skip")


def text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, Formula):
        raise CellError("formula")
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, dt.datetime):
        v = v.date()
    s = unicodedata.normalize("NFKC", str(v)).strip()
    # Undo the guard our export puts in front of formula-like text, so a round trip is exact.
    if len(s) > 1 and s[0] == "'" and s[1] in "=+-@\t\r":
        s = s[1:]
    return s


def name(v: Any) -> str:
    if isinstance(v, Formula):
        raise CellError("formula")
    raw = str(v if v is not None else "")
    try:
        core_text.clean_name(raw)  # the rule of every name field (issue 9, finding 14)
    except ValidationError:
        raise CellError("invisible_characters") from None
    s = normalise_name(raw)
    if len(s) > 50:
        raise CellError("too_long", max=50)
    return s  # stored as text; templates escape it


def _strip_suffix(s: str, suffixes: Iterable[str]) -> str:
    for suf in suffixes:
        if s.endswith(suf) and len(s) > len(suf):
            return s[: -len(suf)]
    return s


def number(v: Any, suffixes: tuple[str, ...]) -> str:
    s = _strip_suffix(text(v).replace(" ", ""), suffixes)
    if not NUMBER_RE.match(s):
        raise CellError("bad_number")
    return s


def building(v: Any) -> str:
    return number(v, ("号楼", "栋", "幢", "座", "楼", "号"))


def unit(v: Any) -> str:
    return number(v, ("单元",))


def room(v: Any) -> tuple[str, str]:
    """(unit or "", room): "501", "501室", "1-101", "1单元101室"."""
    s = text(v).replace(" ", "")
    m = _ROOM_RE.match(s)
    if not m or len(m["r"]) > 10:
        raise CellError("bad_number")
    return m["u"] or "", m["r"]


def address(v: Any) -> tuple[str, str, str]:
    """(building, unit or "", room) from "3号楼2单元501室", "新村3栋501", "3-2-501"."""
    s = text(v).replace(" ", "")
    m = _DASHED_RE.match(s) or _ADDRESS_RE.search(s)
    if not m or any(len(x or "") > 10 for x in (m["b"], m["u"], m["r"])):
        raise CellError("bad_address")
    return m["b"], m["u"] or "", m["r"]


def decimal(v: Any) -> Decimal:
    if isinstance(v, bool):
        raise CellError("bad_decimal")
    if isinstance(v, Formula):
        raise CellError("formula")
    try:
        if isinstance(v, Decimal | int):
            d = Decimal(v)
        elif isinstance(v, float):
            d = Decimal(repr(v))
        else:
            s = text(v).replace(",", "")
            for suf in ("平方米", "平米", "㎡", "m²", "m2"):
                s = s.removesuffix(suf).strip()
            d = Decimal(s)
    except InvalidOperation:
        raise CellError("bad_decimal") from None
    if not d.is_finite():
        raise CellError("bad_decimal")
    if d <= 0:
        raise CellError("not_positive")
    if d != d.quantize(Decimal("0.01")):
        raise CellError("decimal_places")
    if d >= Decimal("10000000"):
        raise CellError("bad_decimal")
    return d.quantize(Decimal("0.01"))


def birth_date(v: Any) -> tuple[dt.date, bool]:
    """(date, month only). A month alone ("1978.05", "1978年5月") is its first day."""
    if isinstance(v, Formula):
        raise CellError("formula")
    month_only = False
    if isinstance(v, dt.datetime):
        d = v.date()
    elif isinstance(v, dt.date):
        d = v
    elif isinstance(v, float) and not v.is_integer() and 1900 <= v < 2100:
        # "1978.05" typed into a number cell is the float 1978.05 (and "1978.10" is 1978.1)
        s = repr(v)
        year, frac = s.split(".")
        month = int(frac) * (10 if len(frac) == 1 else 1)
        d, month_only = _month(int(year), month), True
    elif isinstance(v, int | float) and not isinstance(v, bool):
        n = int(v)
        if 10_000_000 <= n <= 99_999_999:
            d = _parse_date_text(str(n))
        elif 190_001 <= n <= 210_012:  # 197805
            d, month_only = _month(n // 100, n % 100), True
        elif 0 < n < 100_000:  # a date cell Excel lost its date format on: a day serial
            d = from_excel(n).date()
        else:
            raise CellError("bad_date")
    else:
        d, month_only = _parse_date_or_month(text(v))
    if d.year < 1900:
        raise CellError("bad_date")
    if d > timezone.localdate():
        raise CellError("future_date")
    return d, month_only


def _month(year: int, month: int) -> dt.date:
    try:
        return dt.date(year, month, 1)
    except ValueError:
        raise CellError("bad_date") from None


def _parse_date_or_month(s: str) -> tuple[dt.date, bool]:
    s = s.strip().split(" ")[0].split("T")[0]
    s = re.sub(r"[年月/.\-]", "-", s).rstrip("日号-")
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(s, fmt).date(), False
        except ValueError:
            continue
    m = re.fullmatch(r"(\d{4})-?(\d{1,2})", s)
    if m and (len(m[2]) == 2 or "-" in s):
        return _month(int(m[1]), int(m[2])), True
    raise CellError("bad_date")


def _parse_date_text(s: str) -> dt.date:
    d, month_only = _parse_date_or_month(s)
    if month_only:
        raise CellError("bad_date")
    return d


def choice(key: str, v: Any) -> str:
    s = text(v).replace(" ", "")
    value = choice_map(key).get(s.lower())
    if value is None:
        raise CellError("bad_choice", value=s[:40], choices=choice_words(key))
    return value


def phones(v: Any) -> list[str]:
    """The phone numbers of a cell: none for "无", "/" or blank; two for "138… / 139…"."""
    if isinstance(v, Formula):
        raise CellError("formula")
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = text(v)
    if s.lower() in NO_PHONE or not s:
        return []
    parts = [p for p in _PHONE_SPLIT.split(s) if p]
    if len(parts) > 1 and all(PHONE_RE.match(p) and len(re.sub(r"\D", "", p)) >= 7 for p in parts):
        return parts
    s = re.sub(r"\s", "", s)
    if len(s) > 20:
        raise CellError("too_long", max=20)
    if not PHONE_RE.match(s):
        raise CellError("bad_phone")
    return [s]


def id_number(v: Any) -> str:
    if isinstance(v, Formula):
        raise CellError("formula")
    if isinstance(v, int | float) and not isinstance(v, bool):
        # 18 digits do not fit a double: Excel has already rounded the last ones away.
        raise CellError("id_as_number")
    s = re.sub(r"\s", "", text(v)).upper()
    try:
        return personal.validate_id_number(s)
    except ValidationError as e:
        code = e.error_list[0].code
        if code in MESSAGES:
            raise CellError(code) from None
        raise CellError("service", message=e.messages[0]) from None


def yes_no(v: Any) -> bool | None:
    s = text(v).replace(" ", "").lower()
    if not s:
        return None
    if s in YES_WORDS:
        return True
    if s in NO_WORDS:
        return False
    raise CellError("bad_yes_no", value=s[:20])


def tag_map(community: Community) -> dict[str, Tag]:
    m: dict[str, Tag] = {}
    tags = list(Tag.objects.filter(Q(community__isnull=True) | Q(community=community)))
    by_code = {t.code: t for t in tags if t.community_id is None}
    for t in tags:
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
    for word, code in TAG_WORDS.items():
        if word not in m and code in by_code:
            m[word] = by_code[code]
    return m


def tags(v: Any, tags_by_word: dict[str, Tag]) -> list[Tag]:
    out: list[Tag] = []
    for part in re.split(r"[,，、;；\n]+", text(v)):
        part = part.strip()
        if not part:
            continue
        tag = tags_by_word.get(part.lower())
        if tag is None:
            raise CellError("unknown_tag", value=part[:40])
        if tag not in out:
            out.append(tag)
    return out


def masked(v: Any) -> bool:
    """A masked value from an export (138****5678): leave the stored one alone."""
    return not isinstance(v, Formula) and "*" in str(v or "")
