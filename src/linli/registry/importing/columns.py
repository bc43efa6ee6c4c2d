"""What an import can fill in: the fields, the headers offices write for them, the words they
use for choices, and the messages a row's problems are told with.

The spreadsheet's format (headers and values) is Chinese whatever the interface language, so
files travel between users; English aliases are accepted."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, override

from linli.core import text
from linli.core.errors import Conflict, DomainError, StrOrPromise

from ..models import Gender, Occupancy, Relation, Tenure

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 20_000
MAX_COLUMNS = 40  # a row is read up to this column: a sheet cannot make us read 16,384 cells
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # a small zip can inflate enormously
MAX_STORED_ERRORS = 500

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # as in the template
    aliases: tuple[str, ...]  # the headers offices write for it, besides ``header``
    label: Promise
    help: Promise
    required: bool = False
    width: int = 12
    text: bool = False  # formatted as text in the template, so Excel keeps leading zeros
    template: bool = True  # a column of the template (``address`` is read, never written)


COLUMNS: tuple[Column, ...] = (
    Column(
        "building",
        "楼栋",
        ("building", "楼号", "楼", "栋号", "栋", "楼栋号", "幢", "幢号", "楼幢", "楼宇"),
        gettext_lazy("Building"),
        gettext_lazy("Building number, e.g. 3 (“3号楼” also works). Required."),
        required=True,
        width=8,
        text=True,
    ),
    Column(
        "unit",
        "单元",
        ("unit", "单元号"),
        gettext_lazy("Unit"),
        gettext_lazy("Unit number, e.g. 2. Leave blank if the building has no units."),
        width=8,
        text=True,
    ),
    Column(
        "room",
        "房号",
        ("room", "室号", "门牌号", "房间号", "房间", "户室号", "室"),
        gettext_lazy("Room"),
        gettext_lazy("Room number, e.g. 501 (“1-101” or “1单元101室” also give the unit)."),
        required=True,
        width=8,
        text=True,
    ),
    Column(
        "address",
        "住址",
        ("address", "地址", "家庭住址", "居住地址", "现住址", "现居住地址", "房屋地址", "门牌地址"),
        gettext_lazy("Address"),
        gettext_lazy("Building, unit and room in one cell: “3号楼2单元501室” or “3-2-501”."),
        template=False,
    ),
    Column(
        "floor_area",
        "面积(m²)",
        ("面积", "建筑面积", "住房面积", "房屋面积", "area", "floor area", "floor_area"),
        gettext_lazy("Floor area"),
        gettext_lazy("Floor area in square metres, e.g. 75.5 (at most two decimals)."),
    ),
    Column(
        "occupancy",
        "居住状态",
        ("occupancy", "房屋状态", "房屋用途", "住房状态"),
        gettext_lazy("Occupancy"),
        gettext_lazy("One of 自住, 出租, 空置, 其他 (or owner, rented, vacant, other)."),
    ),
    Column(
        "name",
        "姓名",
        ("name", "名字", "居民姓名", "成员姓名", "人员姓名"),
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
        ("birth date", "birth_date", "date of birth", "生日", "出生年月", "出生年月日", "出生时间"),
        gettext_lazy("Birth date"),
        gettext_lazy(
            "A date, e.g. 1980-05-31, or a month, e.g. 1980-05. Taken from the ID number "
            "when blank."
        ),
    ),
    Column(
        "phone",
        "电话",
        ("phone", "手机", "手机号", "手机号码", "联系电话", "联系方式", "电话号码", "联系号码"),
        gettext_lazy("Phone"),
        gettext_lazy("Digits only, e.g. 13812345678."),
        width=14,
        text=True,
    ),
    Column(
        "id_number",
        "身份证号",
        (
            "id number",
            "id_number",
            "身份证",
            "身份证号码",
            "公民身份号码",
            "公民身份证号码",
            "证件号码",
            "身份证件号码",
        ),  # fmt: skip
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
        ("relation", "relationship", "关系", "与户主的关系", "家庭关系", "户主关系"),
        gettext_lazy("Relation"),
        gettext_lazy("As in the household register: 户主, 妻, 长子, 次女, 儿媳, 孙子, 母亲, 婆婆…"),
    ),
    Column(
        "tenure",
        "业主/租户",
        ("tenure", "业主租户", "业主或租户", "产权性质"),
        gettext_lazy("Owner or tenant"),
        gettext_lazy("One of 业主, 租户, 业主家属, 其他."),
    ),
    Column(
        "guardian_name",
        "监护人",
        ("guardian", "监护人姓名", "法定监护人"),
        gettext_lazy("Guardian"),
        gettext_lazy("For a child: the parent or other guardian to contact."),
        width=10,
        template=False,  # read when present; the template and the export do not carry it yet
    ),
    Column(
        "other_phone",
        "其他电话",
        ("other phone", "备用电话", "联系电话2", "电话2", "座机", "固定电话", "家庭电话"),
        gettext_lazy("Other phone"),
        gettext_lazy("A second number to call, e.g. a landline or a family member's mobile."),
        width=14,
        text=True,
        template=False,
    ),
    Column(
        "guardian_phone",
        "监护人电话",
        ("guardian phone", "监护人联系电话", "监护人手机", "监护人联系方式"),
        gettext_lazy("Guardian's phone"),
        gettext_lazy("Digits only, e.g. 13812345678."),
        width=14,
        text=True,
        template=False,
    ),
    Column(
        "tags",
        "标签",
        ("tags", "人员类别", "人员类型", "特殊人群"),
        gettext_lazy("Tags"),
        gettext_lazy(
            "Tag names or codes separated by 、 or commas, e.g. 空巢老人、党员. "
            "When given, they replace the resident's tags. A column “是否空巢老人” with 是 or "
            "否 sets or clears one tag."
        ),
        width=20,
    ),
)
COLUMN = {c.key: c for c in COLUMNS}
TEMPLATE_COLUMNS = tuple(c for c in COLUMNS if c.template)
TAG_PREFIX = "tag:"  # a yes/no column for one tag is mapped to "tag:<code>"

# The spreadsheet's words for choices; codes and the English labels are accepted too.
OCCUPANCY_ZH = {"owner": "自住", "rented": "出租", "vacant": "空置", "other": "其他"}
GENDER_ZH = {"M": "男", "F": "女"}
RELATION_ZH = {
    "head": "户主",
    "spouse": "配偶",
    "child": "子女",
    "child_in_law": "儿媳/女婿",
    "parent": "父母",
    "parent_in_law": "公婆/岳父母",
    "grandchild": "孙子女",
    "grandparent": "祖父母",
    "sibling": "兄弟姐妹",
    "other": "其他",
}
TENURE_ZH = {"owner": "业主", "tenant": "租户", "family": "业主家属", "other": "其他"}
STATUS_ZH = {"active": "在住", "moved_out": "已迁出", "deceased": "已故"}

# The relations as the household register (户口簿) writes them.
_RELATION_WORDS = {
    "head": "本人 户主本人 户主",
    "spouse": "妻 妻子 夫 丈夫 配偶 爱人 老伴 夫妻",
    "child": "子 长子 次子 三子 四子 五子 独子 独生子 养子 继子 儿子 "
    "女 长女 次女 三女 四女 五女 独女 独生女 养女 继女 女儿 子女 儿女",
    "child_in_law": "儿媳 女婿 媳妇 儿媳妇 长媳 次媳 长婿 次婿",
    "parent": "父 母 父亲 母亲 父母 继父 继母 养父 养母 爸爸 妈妈",
    "parent_in_law": "公公 婆婆 岳父 岳母 公婆 岳父母",
    "grandchild": "孙 孙子 孙女 外孙 外孙子 外孙女 孙子女 外孙子女 曾孙 曾孙子 曾孙女 重孙",
    "grandparent": "祖父 祖母 外祖父 外祖母 爷爷 奶奶 外公 外婆 姥爷 姥姥 祖父母",
    "sibling": "兄 弟 姐 妹 哥哥 弟弟 姐姐 妹妹 兄弟 姐妹 兄弟姐妹",
    "other": "其他 其它 侄子 侄女 外甥 外甥女 叔叔 伯父 姑姑 舅舅 阿姨 亲属 保姆 朋友",
}
_EXTRA_ALIASES = {
    "occupancy": {
        "闲置": "vacant",
        "租住": "rented",
        "出租房": "rented",
        "owner-occupied": "owner",
    },
    "gender": {"男性": "M", "女性": "F", "male": "M", "female": "F"},
    "relation": {w: code for code, words in _RELATION_WORDS.items() for w in words.split()},
    "tenure": {"租客": "tenant", "家属": "family", "房东": "owner"},
}
_CHOICES = {
    "occupancy": (Occupancy, OCCUPANCY_ZH),
    "gender": (Gender, GENDER_ZH),
    "relation": (Relation, RELATION_ZH),
    "tenure": (Tenure, TENURE_ZH),
}
CHOICE_KEYS = tuple(_CHOICES)

# Tag names offices use in a yes/no column header ("是否低保户"), besides the tags' own names.
TAG_WORDS = {
    "空巢": "empty_nest",
    "空巢老人": "empty_nest",
    "独居": "living_alone",
    "独居老人": "living_alone",
    "留守儿童": "left_behind_child",
    "退役军人": "veteran",
    "老兵": "veteran",
    "军人": "veteran",
    "党员": "party_member",
    "中共党员": "party_member",
    "残疾": "disability",
    "残疾人": "disability",
    "低保": "low_income",
    "低保户": "low_income",
    "低收入": "low_income",
}
YES_WORDS = {"是", "有", "y", "yes", "true", "1", "√", "✓", "✔", "是的"}
NO_WORDS = {"否", "无", "不是", "n", "no", "false", "0", "×", "✗", "-", "/", "—", "——"}

HOUSEHOLD_KEYS = ("floor_area", "occupancy")
RESIDENT_KEYS = ("gender", "birth_date", "phone", "relation", "tenure", "guardian_name",
                 "guardian_phone", "other_phone")  # fmt: skip
HOUSEHOLD_CELLS = {"building", "unit", "room", "address", *HOUSEHOLD_KEYS}
PERSON_KEYS = {*RESIDENT_KEYS, "id_number", "tags"}


def choice_words(key: str) -> str:
    return "、".join(_CHOICES[key][1].values())


@lru_cache(maxsize=8)
def choice_map(key: str) -> dict[str, str]:
    choices, zh = _CHOICES[key]
    m: dict[str, str] = {}
    for value, label in choices.choices:
        m[value.lower()] = value
        for lang in ("en", "zh-hans"):
            with override(lang):
                m[str(label).lower()] = value
    for code, word in zh.items():
        m[word.lower()] = code
        for part in word.split("/"):
            m[part.lower()] = code
    m.update(_EXTRA_ALIASES.get(key, {}))
    return m


def norm_header(value: Any) -> str:
    """A header as compared: width-folded, lower case, without spaces ("姓  名" is 姓名),
    stars (required marks) or a parenthesised note ("面积(m²)", "出生日期（年月日）")."""
    s = unicodedata.normalize("NFKC", str(value or "")).strip().lower()
    s = re.sub(r"[(（\[【].*?[)）\]】]", "", s)
    return re.sub(r"[\s_*:：]+", "", s)


@lru_cache(maxsize=1)
def header_map() -> dict[str, str]:
    m: dict[str, str] = {}
    for c in COLUMNS:
        for name in (c.header, *c.aliases):
            m[norm_header(name)] = c.key
    return m


# --- errors ----------------------------------------------------------------------------------

# Stored as codes with parameters and translated when shown, so a preview reads in the language
# of whoever looks at it. The ID-number messages are personal.validate_id_number's msgids.
MESSAGES: dict[str, Promise] = {
    "missing_column": gettext_lazy(
        "No column is mapped to this field, and it is required. Choose its column on the "
        "mapping page."
    ),
    "duplicate_column": gettext_lazy("This column appears more than once in the header row."),
    "no_header": gettext_lazy(
        "No header row was recognised (rows %(first)s to %(last)s were tried). Choose the "
        "header row and the columns on the mapping page."
    ),
    "required": gettext_lazy("This value is required."),
    "too_long": gettext_lazy("At most %(max)s characters."),
    "invisible_characters": text.NAME_MESSAGE,
    "bad_number": gettext_lazy("Use up to 10 letters or digits, no spaces or hyphens."),
    "bad_address": gettext_lazy(
        "Not an address Linli can split; write it as 3号楼2单元501室 or 3-2-501."
    ),
    "unit_conflict": gettext_lazy(
        "The room says unit %(room_unit)s but the unit column says %(unit)s."
    ),
    "bad_decimal": gettext_lazy("Not a floor area in square metres, e.g. 75.5."),
    "decimal_places": gettext_lazy("Use at most two decimal places."),
    "not_positive": gettext_lazy("The floor area must be greater than zero."),
    "area_conflict": gettext_lazy("Row %(row)s gives this room a different floor area."),
    "occupancy_conflict": gettext_lazy("Row %(row)s gives this room a different occupancy."),
    "bad_choice": gettext_lazy("“%(value)s” is not one of: %(choices)s."),
    "bad_yes_no": gettext_lazy("“%(value)s”: write 是 or 否."),
    "bad_date": gettext_lazy(
        "Not a date; write it as 1980-05-31, or 1980-05 when only the month is known."
    ),
    "future_date": gettext_lazy("The birth date is in the future."),
    "bad_phone": gettext_lazy("Digits only, e.g. 13812345678."),
    "formula": gettext_lazy(
        "Cell %(cell)s holds a formula; Linli imports only typed values. Copy the column and "
        "paste it as values."
    ),
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
    "two_heads": gettext_lazy(
        "Row %(row)s is already the head of household of %(label)s. Are two flats read as one "
        "(is the unit column mapped)?"
    ),
    "ambiguous_room": gettext_lazy(
        "Building %(building)s has room %(room)s in several units (%(units)s); map the unit "
        "column or write the unit."
    ),
    "same_id_elsewhere": gettext_lazy(
        "Is this the same person? This ID number is already recorded for %(name)s in "
        "%(label)s. Move that resident in Linli first, or correct the number."
    ),
    "same_name_other_id": gettext_lazy(
        "Is this the same person? %(label)s already has a resident called %(name)s with "
        "another ID number. Correct the number, or the name if they are two people."
    ),
    "service": gettext_lazy("%(message)s"),
}

# Notes: true of a row and worth saying, but nothing to fix.
NOTES: dict[str, Promise] = {
    "second_phone": gettext_lazy(
        "Two numbers: %(first)s is stored as the phone and %(second)s as the other phone."
    ),
    "month_only": gettext_lazy("Only the month of birth is known; it is stored as %(month)s."),
}


@dataclass
class RowError:
    row: int
    column: str  # the header as written in the file (the field's name when not in the file)
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    sheet: str = ""

    def as_json(self) -> dict[str, Any]:
        d = {"row": self.row, "column": self.column, "code": self.code, "params": self.params}
        if self.sheet:
            d["sheet"] = self.sheet
        return d


def message(code: str, params: dict | None, table: dict[str, Promise] = MESSAGES) -> str:
    template = table.get(code) or MESSAGES["service"]
    try:
        return str(template) % params if params else str(template)
    except (KeyError, TypeError, ValueError):
        return str(template)


class ImportRejected(DomainError):
    """The upload is not something we will read at all (type, size, rows)."""

    code = "import_rejected"

    def __init__(self, message: StrOrPromise):
        super().__init__(message, field="file")


class ImportHasErrors(DomainError):
    """The file has per-row errors (found again at commit); nothing was saved."""

    code = "import_has_errors"

    def __init__(self, message: StrOrPromise | None = None):
        super().__init__(message or gettext_lazy("The file has errors now; nothing was saved."))


class ImportAlreadyDone(Conflict):
    """The import was applied (or started) before; applying it again is refused."""

    code = "import_done"

    def __init__(self, message: StrOrPromise | None = None):
        super().__init__(message or gettext_lazy("This file has already been imported."))
