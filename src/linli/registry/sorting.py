"""Natural order for the numbers people read: building 9 before building 10, room 201 before
room 1101.

Numbers are stored as text (``3A``, ``B2``, ``01``), which sorts 1, 10, 11, 2. Each numbered
model stores a sort key beside its number: every run of digits zero-padded to ten places (the
number validators allow at most ten characters) and letters lower-cased, so ``9`` →
``0000000009`` and ``10A`` → ``0000000010a``. The key holds only digits and lower-case letters,
which every collation (SQLite's binary, PostgreSQL's C or a locale's) orders the same way, so
``ORDER BY sort_key`` is natural on both databases, with an index if one is wanted.

``SortKeyField`` fills the key from its source field on every insert and ``save()`` —
``bulk_create`` included (Django calls ``pre_save`` for each object) — so the demo generator,
the importer and the services need not remember it.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import models

_DIGITS = re.compile(r"[0-9]+")
WIDTH = 10


def natural_key(value: str) -> str:
    """The sort key of a number as typed: digit runs padded to ``WIDTH``, letters lower-cased,
    anything else dropped (the validators allow only letters and digits)."""
    s = re.sub(r"[^0-9a-z]", "", (value or "").strip().lower())
    # Leading zeros dropped first, so 01 and 1 sort together and a longer run stays longer.
    return _DIGITS.sub(lambda m: (m.group(0).lstrip("0") or "0").rjust(WIDTH, "0"), s)


class SortKeyField(models.CharField):
    """A ``CharField`` holding ``natural_key`` of ``source``; deconstructs as a plain
    ``CharField`` (no migration needed for the behaviour)."""

    def __init__(self, *args: Any, source: str = "number", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = natural_key(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs
