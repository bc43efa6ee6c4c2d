"""Personal data: sealing (encryption at rest), blind indexes, masking, ID-number validation.

Sensitive values (ID numbers, health notes) are stored only as Fernet tokens. Nothing decrypts
them implicitly: a service that reveals one checks the permission and records an event.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def _derive(purpose: str) -> bytes:
    return hashlib.sha256(f"linli:{purpose}:{settings.SECRET_KEY}".encode()).digest()


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    keys: list[str | bytes] = list(settings.FIELD_ENCRYPTION_KEYS) or [
        base64.urlsafe_b64encode(_derive("field-key"))
    ]
    return MultiFernet([Fernet(k) for k in keys])


def seal(value: str) -> str:
    if not value:
        return ""
    return _fernet().encrypt(value.encode()).decode()


def unseal(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("personal data could not be decrypted with the configured keys") from None


def blind_index(value: str) -> str:
    """A keyed digest for equality look-ups (import de-duplication) without the plain value."""
    if not value:
        return ""
    key = _derive("blind-index")
    return hmac.new(key, value.upper().encode(), hashlib.sha256).hexdigest()[:40]


# How much of an ID number is ever shown or stored in clear: the 6-digit region code (the
# county of first registration). Digits 7-14 are the birth date and 15-17 a sequence number
# whose last digit is the gender; digit 18 is a check digit over the rest. The registry keeps
# birth date and gender in clear, so showing (or storing) any of digits 7-18 next to them gives
# the number back: the sequence digits are the only secret part. See docs/architecture.md.
ID_REGION_DIGITS = 6


def id_number_region(value: str) -> str:
    """The part of an ID number that may be kept in clear: its region code."""
    value = (value or "").strip().upper()
    return value[:ID_REGION_DIGITS] if len(value) == 18 else ""


def mask_id_number(value: str) -> str:
    """``110105194912310021`` → ``110105************``: the region code only."""
    if not value:
        return ""
    return masked_id_from_region(id_number_region(value))


def masked_id_from_region(region: str) -> str:
    """The masked display of an ID number whose region code is ``region``."""
    if not region:
        return "*" * 18
    return region + "*" * (18 - len(region))


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """``张小明`` → ``张**``: for minors and public boards."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)


_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def validate_id_number(value: str) -> str:
    """Validate a resident ID number (GB 11643-1999); return it normalised (upper-case X)."""
    value = (value or "").strip().upper()
    if len(value) != 18:
        raise ValidationError(_("An ID number has 18 characters."), code="id_length")
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError(
            _("An ID number is 17 digits followed by a digit or X."), code="id_chars"
        )
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date inside the ID number is not a real date."), code="id_date"
        ) from None
    if id_check_digit(value[:17]) != value[17]:
        raise ValidationError(
            _("The ID number's check digit is wrong; please check the number."), code="id_check"
        )
    return value


def birth_date_from_id(value: str) -> dt.date:
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
