"""Public text: what may leave the community's own pages (Open311, public boards, results).

``scrub_public_text(text, community=…)`` removes what identifies a person or a home from free
text before anyone outside the people handling it reads it (PIPL Art. 25; FixMyStreet's
practice of moderated public reports): phone numbers and other long digit runs, ID numbers,
e-mail addresses, room addresses in the ways people write them (``3号楼2单元501室``,
``3栋2单元501``, ``3-2-501``, ``501室``), and the names of the community's registered
residents (and any ``names`` the caller adds, e.g. a request's requesters), also in the form
``梁阿姨``. Each is replaced by ``REMOVED``. It errs on the side of removing too much: staff
can edit a scrubbed text by hand (the request page's moderation).

Names come from sources a domain app registers (``register_name_source``; the registry
registers its residents), loaded once per community and kept in this process until a
source's model changes (a version in the shared cache, bumped on save and delete) or for
``NAMES_TTL`` seconds. Matching is a set look-up per position and name length, not a query
or a regular expression per name. Core imports no domain app: the sources are registered.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

REMOVED = "***"

# Digits as people type them: ASCII and full-width.
_D = "[0-9０-９]"
# Building and unit numbers may be written in Chinese numerals too (三号楼二单元).
_N = "[0-9０-９一二三四五六七八九十零〇两]"
_NOT_DIGIT_BEFORE = r"(?<![0-9０-９])"
_NOT_DIGIT_AFTER = r"(?![0-9０-９])"

_PATTERNS: tuple[re.Pattern[str], ...] = (
    # E-mail addresses.
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    # ID numbers: 18 characters (the last may be X) or the old 15 digits.
    re.compile(_NOT_DIGIT_BEFORE + _D + r"{17}[0-9０-９Xx]" + r"(?![0-9０-９A-Za-z])"),
    # A masked phone as people copy it (138****1234).
    re.compile(_D + r"{3}[*＊]{4}" + _D + r"{4}"),
    # Phone numbers and any other long run of digits (bank cards, house-hold numbers …),
    # with the spaces and hyphens people put between groups.
    # A date (2026-11-25) is left alone.
    re.compile(
        r"\+?"
        + _NOT_DIGIT_BEFORE
        + r"(?!(?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}(?!\d))"
        + _D
        + r"(?:[\s-]?"
        + _D
        + r"){6,}"
        + _NOT_DIGIT_AFTER
    ),
    # Room addresses: 3号楼2单元501室, 3栋2单元501, 3幢501号, 3号楼501, 3#2-501 …
    re.compile(
        _N
        + r"{1,3}\s*(?:号楼|号|栋|幢|座|#|＃)\s*(?:"
        + _N
        + r"{1,2}\s*(?:单元|门)\s*(?:"
        + _D
        + r"{1,2}\s*(?:楼|层)\s*)?"
        + _D
        + r"{2,4}\s*(?:室|房|号|户)?|"
        + _N
        + r"{1,2}\s*[-－—]\s*"
        + _D
        + r"{2,4}|"
        + _D
        + r"{3,4}\s*(?:室|房|号|户)?)"
        + _NOT_DIGIT_AFTER
    ),
    # Room labels: 3-2-501, 3-501 (building-unit-room, building-room).
    re.compile(
        _NOT_DIGIT_BEFORE
        + _D
        + r"{1,3}\s*[-－—]\s*(?:"
        + _D
        + r"{1,2}\s*[-－—]\s*)?"
        + _D
        + r"{3,4}"
        + _NOT_DIGIT_AFTER
    ),
    # A room alone: 501室, 501房, 1202号房.
    re.compile(_NOT_DIGIT_BEFORE + _D + r"{3,4}\s*(?:号房|室|房|户)"),
)

# How a person is addressed after their surname: 梁阿姨, 王师傅 …
_HONORIFICS = (
    "阿姨",
    "叔叔",
    "大爷",
    "大妈",
    "大娘",
    "奶奶",
    "爷爷",
    "婆婆",
    "伯伯",
    "阿婆",
    "阿公",
    "老师",
    "师傅",
    "先生",
    "女士",
    "小姐",
    "大姐",
    "大哥",
    "老人",
    "老太",
)


# --- names -----------------------------------------------------------------------------------

NameSource = Callable[[int], Iterable[str]]
_SOURCES: list[NameSource] = []
NAMES_TTL = 300.0
_VERSION_KEY = "linli:public-names:v:{}"


@dataclass(frozen=True)
class Names:
    """A community's names, by length, for matching at each position of a text."""

    by_length: dict[int, frozenset[str]]
    surnames: frozenset[str]

    @classmethod
    def of(cls, names: Iterable[str]) -> Names:
        by_length: dict[int, set[str]] = {}
        surnames: set[str] = set()
        for raw in names:
            name = (raw or "").strip()
            if len(name) < 2:  # a single character matches everywhere
                continue
            by_length.setdefault(len(name), set()).add(name)
            if _is_han(name[0]):
                surnames.add(name[0])
        return cls({n: frozenset(s) for n, s in by_length.items()}, frozenset(surnames))

    def __or__(self, other: Names) -> Names:
        lengths = self.by_length.keys() | other.by_length.keys()
        return Names(
            {
                n: self.by_length.get(n, frozenset()) | other.by_length.get(n, frozenset())
                for n in lengths
            },
            self.surnames | other.surnames,
        )


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


_LOADED: dict[int, tuple[object, float, Names]] = {}


def register_name_source(source: NameSource, *, models: Iterable[type[Model]] = ()) -> None:
    """``source(community_id)`` gives the names to remove from that community's public text;
    a save or delete of any of ``models`` (each with a ``community_id``) reloads them."""
    _SOURCES.append(source)
    for model in models:
        post_save.connect(_changed, sender=model, dispatch_uid=f"public-names-save-{model}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"public-names-del-{model}")


def _changed(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    community_id = getattr(instance, "community_id", None)
    if community_id is not None:
        forget_names(community_id)


def forget_names(community_id: int) -> None:
    """The community's names changed: every process reloads them on their next use."""
    _LOADED.pop(community_id, None)
    key = _VERSION_KEY.format(community_id)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, None)


def community_names(community_id: int) -> Names:
    """The names of ``community_id``, loaded once and kept while unchanged."""
    version = cache.get(_VERSION_KEY.format(community_id), 0)
    now = time.monotonic()
    hit = _LOADED.get(community_id)
    if hit is not None and hit[0] == version and now - hit[1] < NAMES_TTL:
        return hit[2]
    names = Names.of(n for source in _SOURCES for n in source(community_id))
    _LOADED[community_id] = (version, now, names)
    return names


def _names_out(text: str, names: Names) -> str:
    if not names.by_length and not names.surnames:
        return text
    lengths = sorted(names.by_length, reverse=True)  # the longest name first
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        for length in lengths:
            if i + length <= n and text[i : i + length] in names.by_length[length]:
                out.append(REMOVED)
                i += length
                break
        else:
            if text[i] in names.surnames:
                honorific = next((h for h in _HONORIFICS if text.startswith(h, i + 1)), None)
                if honorific is not None:
                    out.append(REMOVED + honorific)
                    i += 1 + len(honorific)
                    continue
            out.append(text[i])
            i += 1
    return "".join(out)


# --- the scrubber ------------------------------------------------------------------------------


def scrub_public_text(
    text: str,
    *,
    community: Model | int | None = None,
    names: Iterable[str] = (),
    known: Names | None = None,
) -> str:
    """``text`` without phone numbers, ID numbers, e-mails, room addresses and the names of
    ``community``'s residents (``community``: a Community or its id; ``names``: more names
    to remove; ``known``: names the caller has loaded already)."""
    if not text:
        return ""
    for pattern in _PATTERNS:
        text = pattern.sub(REMOVED, text)
    found = known
    if found is None and community is not None:
        found = community_names(community.pk if isinstance(community, Model) else community)
    extra = Names.of(names)
    if found is None:
        found = extra
    elif extra.by_length:
        found = found | extra
    text = _names_out(text, found)
    # Neighbouring removals read as one.
    return re.sub(re.escape(REMOVED) + r"(?:\s*" + re.escape(REMOVED) + ")+", REMOVED, text)
