"""Text as people typed it, made safe to store and show: one function for names, one for free
text, and model fields that apply them on every write.

- Everything is NFC-normalised (the same 张 typed two ways is one string, for search too).
- Names (residents, requesters, speakers, accounts) refuse bidirectional controls (a
  right-to-left override shows ``王\\u202e五`` as another order) and zero-width characters
  (``梁\\u200b洁`` looks like 梁洁 but is not found by a search for it): a clear error.
- Other free text (requests, replies, forum opinions, minutes, survey answers) has them
  removed: a zero-width joiner inside an emoji is not worth a refusal.
- NUL is refused everywhere (PostgreSQL cannot store it; SQLite would, silently).

Why the model field is the one place: every write — a web form, the JSON API, Open311, an
Excel import, a management command, ``bulk_create`` and ``QuerySet.update`` — reaches the
database through the field (``pre_save`` for the object, ``get_prep_value`` for updates), while
forms, schemas and services are many. Services that run ``full_clean`` (the registry, accounts)
get the name error on the form through the field's validator; elsewhere the write is refused
with the same message (``TextRefused``: a 400 page or JSON answer). The fields deconstruct as
Django's own, so they need no migration.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# Bidirectional embeddings, overrides and isolates, and marks (Unicode category Cf, by name).
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Zero-width and invisible characters: space, non-joiner, joiner, word joiner, invisible
# operators, soft hyphen, Mongolian vowel separator, byte-order mark.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\u00ad\u180e\ufeff"
_INVISIBLE = re.compile(f"[{BIDI_CONTROLS}{ZERO_WIDTH}]")

NUL_MESSAGE = _("The text contains a NUL character, which cannot be stored.")
NAME_MESSAGE = _(
    "A name cannot contain invisible characters (right-to-left marks or zero-width spaces). "
    "Please type it again."
)


class TextRefused(ValidationError):
    """A write refused by these rules where no form caught it first: a 400 with the message
    (``core.middleware.RefusedTextMiddleware``), never a 500."""


def _refuse_nul(value: str) -> None:
    if "\x00" in value:
        raise ValidationError(NUL_MESSAGE, code="null_characters_not_allowed")


def clean_name(value: str) -> str:
    """A person's name, NFC; invisible characters or NUL: ``ValidationError``."""
    if not value:
        return value
    value = unicodedata.normalize("NFC", value)
    _refuse_nul(value)
    if _INVISIBLE.search(value):
        raise ValidationError(NAME_MESSAGE, code="invisible_characters")
    return value


def clean_text(value: str) -> str:
    """Free text, NFC, with bidirectional controls and zero-width characters removed; NUL:
    ``ValidationError``."""
    if not value:
        return value
    value = unicodedata.normalize("NFC", value)
    _refuse_nul(value)
    return _INVISIBLE.sub("", value)


def clean_json_text(value: Any) -> Any:
    """``clean_text`` on every string inside a JSON value (survey answers, attributes)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_json_text(v) for v in value]
    if isinstance(value, dict):
        return {clean_json_text(k): clean_json_text(v) for k, v in value.items()}
    return value


def validate_name(value: str) -> None:
    clean_name(value)


def validate_text(value: str) -> None:
    clean_text(value)


if TYPE_CHECKING:
    from django.db.models.expressions import Combinable

    # The mixin always comes before a Django field class: for the checker it is a field
    # (``super()`` calls and ``self.name`` resolve). Django's field classes take no type
    # parameters at run time, so the parametrised bases exist for the checker only.
    _FieldBase = models.Field[Any, Any]
    _CharField = models.CharField[str | int | Combinable, str]
    _TextField = models.TextField[str | Combinable, str]
else:
    _FieldBase = object
    _CharField = models.CharField
    _TextField = models.TextField


class _Cleaned(_FieldBase):
    """Applies ``cleaner`` to the value on every save (and on ``update``/look-ups)."""

    cleaner = staticmethod(clean_text)
    django_path = ""

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = super().pre_save(model_instance, add)
        if isinstance(value, str) or self.cleaner is clean_json_text:
            try:
                cleaned = self.cleaner(value)
            except ValidationError as exc:
                raise TextRefused({self.name: exc.messages}) from None
            if cleaned is not value:
                setattr(model_instance, self.attname, cleaned)
            value = cleaned
        return value

    def get_prep_value(self, value: Any) -> Any:
        # ``update()`` and look-ups: normalised without refusing (a search box must not fail
        # on a pasted zero-width space); saves were refused in ``pre_save`` already.
        value = super().get_prep_value(value)
        if isinstance(value, str) and value:
            return _INVISIBLE.sub("", unicodedata.normalize("NFC", value))
        return value

    def deconstruct(self) -> tuple[str, str, Any, Any]:
        name, _path, args, kwargs = super().deconstruct()
        return name, self.django_path, args, kwargs


class NameField(_Cleaned, _CharField):
    """A person's name: invisible characters refused."""

    cleaner = staticmethod(clean_name)
    django_path = "django.db.models.CharField"
    default_validators = [validate_name]


class TextLineField(_Cleaned, _CharField):
    """A one-line free text (a title): invisible characters removed."""

    django_path = "django.db.models.CharField"
    default_validators = [validate_text]


class FreeTextField(_Cleaned, _TextField):
    """Free text (a description, a reply, an opinion): invisible characters removed."""

    django_path = "django.db.models.TextField"
    default_validators = [validate_text]


class FreeTextJSONField(_Cleaned, models.JSONField):
    """A JSON value whose strings are free text (survey answers)."""

    cleaner = staticmethod(clean_json_text)
    django_path = "django.db.models.JSONField"
