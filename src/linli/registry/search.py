"""Name → pinyin keys for search (``zs`` and ``zhangsan`` both find 张三), a name as stored,
and a phone number as looked up (``phone_key``).

Characters pypinyin does not know (rare name characters outside its tables, such as 𠮷) are
read through their common form (``VARIANTS``) or their compatibility form (NFKC), so 王𠮷 is
still found by "wangji"."""

import re
import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Name characters pypinyin has no reading for, and the common character read the same.
VARIANTS = {
    "𠮷": "吉",  # 吉 with a longer lower stroke, common in names
}
_CJK = "\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
_SPACE_IN_NAME = re.compile(rf"(?<=[{_CJK}·])\s+(?=[{_CJK}·])")
_DOTS = re.compile(r"[•‧・･∙⋅．.]")


def normalise_name(name: str) -> str:
    """A name as stored: NFC, trimmed, without the spaces typed to line names up ("张　三"),
    and with one kind of middle dot (阿依古丽·买买提)."""
    s = unicodedata.normalize("NFC", name or "").replace("\u3000", " ").strip()
    s = _SPACE_IN_NAME.sub("", s)
    if re.search(rf"[{_CJK}]", s):
        s = _DOTS.sub("·", s)
    return re.sub(r"\s+", " ", s)


def _unknown(chars: str) -> list[str]:
    out = []
    for ch in chars:
        common = VARIANTS.get(ch) or unicodedata.normalize("NFKC", ch)
        if common != ch:
            out.extend(lazy_pinyin(common, errors="ignore"))
    return out


def _first_letters(chars: str) -> list[str]:
    return [p[0] for p in _unknown(chars) if p]


@lru_cache(maxsize=65536)
def pinyin_of(name: str) -> str:
    return "".join(lazy_pinyin(name, errors=_unknown)).lower()[:200]


@lru_cache(maxsize=65536)
def initials_of(name: str) -> str:
    return "".join(
        p[0] for p in lazy_pinyin(name, style=Style.FIRST_LETTER, errors=_first_letters) if p
    ).lower()[:50]


def phone_key(phone: str) -> str:
    """A phone number as searched: digits only, a mainland mobile's +86 / 0086 dropped, so
    ``+86 191-8945-0883`` and ``19189450883`` are one key."""
    digits = "".join(c for c in (phone or "") if c.isdigit())
    for prefix in ("0086", "86"):
        if (
            digits.startswith(prefix)
            and len(digits) == len(prefix) + 11
            and digits[len(prefix)] == "1"
        ):
            return digits[len(prefix) :]
    return digits[:20]
