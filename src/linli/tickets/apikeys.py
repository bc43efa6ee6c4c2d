"""Open311 API keys and the Open311 way in: keys are created, checked and revoked here, and a
request posted with a valid key becomes a ticket through ``services._create``.

A key is a random ``secrets.token_urlsafe(32)`` shown once; only its SHA-256 hash is stored,
with its first characters (``prefix``) so people can tell keys apart and revoke one. A key is
bound to one community: it can only post to that community's categories.
"""

from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from linli.core.events import log_event, register_verbs
from linli.registry.models import Building, Community, Household

from . import services
from .models import ApiKey, Category, Channel, ContactPreference, Ticket
from .workflow import TicketError

PREFIX_LENGTH = 8

register_verbs(
    {
        "open311.key_created": _lazy("Open311 API key created"),
        "open311.key_revoked": _lazy("Open311 API key revoked"),
    }
)


class Open311Error(TicketError):
    """A protocol-level error with the HTTP code the GeoReport spec asks for."""

    def __init__(self, message, status_code: int = 400):
        super().__init__(message, status=status_code)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


# --- keys ----------------------------------------------------------------------------------


def apikey_create(*, name: str, community: Community) -> tuple[ApiKey, str]:
    """A new key for ``community``; returns the row and the raw key (shown once, never
    stored)."""
    name = (name or "").strip()[:100]
    if not name:
        raise TicketError(_("Give the key a name (who uses it)."))
    for _attempt in range(5):
        raw = secrets.token_urlsafe(32)
        if raw.startswith("-"):  # a prefix starting with "-" reads as an option on the CLI
            continue
        try:
            with transaction.atomic():
                key = ApiKey.objects.create(
                    community=community, name=name, prefix=raw[:PREFIX_LENGTH], key_hash=_hash(raw)
                )
                log_event(
                    actor=None,
                    verb="open311.key_created",
                    obj=key,
                    data={"name": name, "prefix": key.prefix},
                )
        except IntegrityError:  # the same prefix already exists: draw again
            continue
        return key, raw
    raise RuntimeError("could not draw a unique API key")


def apikey_revoke(*, prefix: str) -> ApiKey:
    key = ApiKey.objects.filter(prefix=prefix).first()
    if key is None:
        raise TicketError(_("No API key starts with “%(prefix)s”.") % {"prefix": prefix})
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        log_event(actor=None, verb="open311.key_revoked", obj=key, data={"prefix": key.prefix})
    return key


def apikey_authenticate(raw: str | None) -> ApiKey:
    """The active key ``raw`` is, or ``Open311Error`` 403 (missing, unknown or revoked)."""
    key = None
    if raw:
        key = (
            ApiKey.objects.select_related("community")
            .filter(key_hash=_hash(raw), revoked_at__isnull=True)
            .first()
        )
    if key is None:
        raise Open311Error(_("Invalid api_key received: cannot create the request."), 403)
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key


# --- posting a request ---------------------------------------------------------------------


def split_service_code(code: str) -> tuple[str | None, str]:
    """``xincun.water`` → (``xincun``, ``water``); a bare ``water`` → (None, ``water``).
    Community and category codes cannot contain a dot, so the split is unambiguous."""
    if "." in code:
        community, category = code.split(".", 1)
        return community, category
    return None, code


def qualified_code(category: Category) -> str:
    return f"{category.community.code}.{category.code}"


def resolve_address_id(community: Community, address_id: str) -> dict:
    """``building:3`` → a building; digits → a household id; otherwise a room label
    (``3-2-501``) — always within ``community``."""
    value = address_id.strip()
    if value.startswith("building:"):
        b = Building.objects.filter(
            community=community, number=value.removeprefix("building:")
        ).first()
        if b is not None:
            return {"building": b}
    else:
        households = Household.objects.select_related("building", "unit")
        hh = None
        if value.isdigit() and len(value) <= 18:
            hh = households.filter(community=community, pk=int(value)).first()
        if hh is None:
            hh = households.filter(community=community, label=value).first()
        if hh is not None:
            return {"household": hh}
    raise Open311Error(_("Unknown address_id: %(id)s") % {"id": value[:40]}, 400)


def _coordinate(raw: str, name: str) -> Decimal:
    try:
        value = Decimal(raw.strip())
        if value.is_finite() and abs(value) <= 180:
            return value.quantize(Decimal("0.000001"))
    except (InvalidOperation, AttributeError):
        pass
    raise Open311Error(_("%(name)s is not a number.") % {"name": name}, 400)


def open311_ticket_create(
    *,
    key: ApiKey,
    service_code: str,
    description: str = "",
    lat: str = "",
    long: str = "",
    address_string: str = "",
    address_id: str = "",
    attributes: dict[str, Any] | None = None,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    email: str = "",
    device_id: str = "",
    account_id: str = "",
    media_url: str = "",
    private: bool = False,
) -> Ticket:
    """A request posted by an Open311 client with ``key``: into the key's community only.
    The rules (description, category of this community, a place, extra questions) are the
    services' own; here only the GeoReport parameters are translated into them."""
    community = key.community
    community_code, code = split_service_code((service_code or "").strip())
    if not code:
        raise Open311Error(_("service_code is required."), 400)
    if community_code is not None and community_code != community.code:
        raise Open311Error(_("This api_key is for another community's services."), 403)
    category = (
        Category.objects.select_related("community")
        .filter(community=community, code=code, active=True)
        .first()
    )
    if category is None:
        raise Open311Error(_("Unknown service_code: %(code)s") % {"code": service_code[:60]}, 400)

    place: dict[str, Any] = {}
    if (lat or "").strip() or (long or "").strip():
        if not ((lat or "").strip() and (long or "").strip()):
            raise Open311Error(_("lat and long are both required."), 400)
        place["lat"], place["long"] = _coordinate(lat, "lat"), _coordinate(long, "long")
    if (address_id or "").strip():
        place.update(resolve_address_id(community, address_id))
    if (address_string or "").strip():
        place["location_text"] = address_string.strip()[:200]
    if not place:
        raise Open311Error(
            _("A location is required: lat and long, address_string or address_id."), 400
        )

    name = " ".join(p for p in ((first_name or "").strip(), (last_name or "").strip()) if p)
    digits = "".join(c for c in (phone or "") if c.isdigit() or c == "+")[:20]
    requester = {"name": name[:50], "phone": digits, "anonymous": not (name or digits)}
    # Who posted it, for the office: the key, and the client's own contact fields.
    client = {
        k: v.strip()[:200]
        for k, v in (("email", email), ("device_id", device_id), ("account_id", account_id))
        if (v or "").strip()
    }
    extra: dict[str, Any] = {"open311": {"key": key.prefix, **client}}
    if (media_url or "").strip():
        extra["media_url"] = media_url.strip()[:500]  # kept as text: never fetched

    with transaction.atomic():
        ticket = services._create(
            actor=None,
            community=community,
            category=category,
            channel=Channel.OPEN311,
            description=description,
            place=services._place(
                community,
                household=place.get("household"),
                building=place.get("building"),
                unit=None,
                location_text=place.get("location_text", ""),
                lat=place.get("lat"),
                long=place.get("long"),
            ),
            requester=requester,
            emergency=False,
            contact_preference=ContactPreference.PHONE if digits else ContactPreference.NONE,
            attributes=attributes,
            photos=(),
            private=private,
        )
        ticket.attributes = {**ticket.attributes, **extra}
        ticket.save(update_fields=["attributes"])
    return ticket
