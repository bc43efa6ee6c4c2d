"""Name → pinyin keys for search (``zs`` and ``zhangsan`` both find 张三)."""

from functools import lru_cache

from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=65536)
def pinyin_of(name: str) -> str:
    return "".join(lazy_pinyin(name, errors="ignore")).lower()[:200]


@lru_cache(maxsize=65536)
def initials_of(name: str) -> str:
    return "".join(
        p[0] for p in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore") if p
    ).lower()[:50]
