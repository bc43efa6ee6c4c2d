"""Start-up checks of the settings that would otherwise fail late or silently.

``settings.py`` parses the environment with these functions and refuses to start on a
malformed value (gunicorn runs no system checks); the system check below applies the same rules
to the settings in force, so ``linli check --deploy`` reports them whatever set them.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks

# A rate limit: count/period, the period s, m, h or d with an optional multiplier ("10/5m").
RATE = re.compile(r"^\d+/\d*[smhd]$")


def fernet_key_problems(keys: Iterable[str]) -> list[tuple[int, str]]:
    """(1-based position, what is wrong) for each value that is not a Fernet key: 32 bytes in
    URL-safe base64 (44 characters)."""
    problems = []
    for i, key in enumerate(keys, start=1):
        try:
            raw = base64.urlsafe_b64decode(key.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raw = b""
        if len(raw) != 32:
            problems.append(
                (
                    i,
                    "is not a Fernet key (32 bytes in URL-safe base64, 44 characters); make one"
                    " with: python -c 'from cryptography.fernet import Fernet;"
                    " print(Fernet.generate_key().decode())'",
                )
            )
    return problems


def parse_networks(
    values: Iterable[str],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Addresses or CIDR networks (``10.0.0.5``, ``10.0.0.0/24``, ``::1``); a ValueError names
    the first that is neither."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address or network (CIDR)") from None
    return tuple(networks)


@checks.register(checks.Tags.security, deploy=False)
def check_settings(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    from django.conf import settings

    errors: list[checks.CheckMessage] = []
    for i, problem in fernet_key_problems(getattr(settings, "FIELD_ENCRYPTION_KEYS", [])):
        errors.append(checks.Error(f"LINLI_FIELD_KEYS: key {i} {problem}", id="linli.E001"))
    if getattr(settings, "PRODUCTION", False):
        if "*" in settings.ALLOWED_HOSTS:
            errors.append(
                checks.Error(
                    "LINLI_ALLOWED_HOSTS must name the site's host(s), not '*'",
                    hint="e.g. LINLI_ALLOWED_HOSTS=linli.example.org",
                    id="linli.E002",
                )
            )
        if not settings.FIELD_ENCRYPTION_KEYS:
            errors.append(
                checks.Error("LINLI_FIELD_KEYS must hold at least one Fernet key", id="linli.E003")
            )
    try:
        parse_networks(getattr(settings, "LINLI_TRUSTED_PROXIES", []))
    except ValueError as exc:
        errors.append(checks.Error(f"LINLI_TRUSTED_PROXIES: {exc}", id="linli.E004"))
    return errors
