"""What a viewer sees of each kind of personal value: in full, masked, or not at all.

One function per kind — ID number, phone, birth date, name, sensitive tags — and one place
(``viewer``) that turns the permission table (``core.roles``) into the decisions for a page.
Pages (through the ``linli`` template tags), the API, exports and notifications call these;
none decides by itself, so the same person sees the same thing everywhere.

The rules (PIPL Arts. 28, 31; GB/T 35273 "masked by default"):
- ID number: the region code only (``110105************``) for everyone; the full number
  through ``resident_reveal`` (office, a reason, an event). No viewer sees more digits, because
  the birth date and gender shown beside the mask are digits 7-14 and 17 of the number.
- Phone: in full to those who keep the record (``resident.phone``) or, on a request, to the
  office (``ticket.requester_phone``); ``138****5678`` to everyone else.
- Birth date: in full to those who keep the record, the office and the household itself;
  the age to others (a street supervisor).
- A child under 14: name (``张**``) and birth date (age only) masked for everyone but the office
  and the child's own household (``policy.sees_minors``).
- Sensitive tags (``Tag.sensitive``: health, disability, income): office only.

Decisions are taken once for the object a page or export is about, so a list of a thousand
residents costs no query per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from django.db.models import Model

from . import personal, policy
from .actors import Actor


class Person(Protocol):
    """What these functions read of a resident (``registry.Resident``; core does not import
    it). Read-only members, so a model's fields and properties both fit."""

    @property
    def pk(self) -> int | None: ...
    @property
    def name(self) -> str: ...
    @property
    def birth_date(self) -> dt.date | None: ...
    @property
    def id_number_masked(self) -> str: ...

    def age(self) -> int | None: ...


class Placed(Protocol):
    """A row of a list across places: where it lives."""

    @property
    def community_id(self) -> int | None: ...
    @property
    def household_id(self) -> int | None: ...


class _Tag(Protocol):
    @property
    def sensitive(self) -> bool: ...


_T = TypeVar("_T", bound=_Tag)

# Who sees a full phone number depends on what it is attached to: a registered resident's
# record (its keepers), or a request (the office, who call back).
PHONE_ACTIONS = {"tickets.ticket": "ticket.requester_phone"}
DEFAULT_PHONE_ACTION = "resident.phone"


@dataclass(frozen=True)
class Viewer:
    """What one person may see in full on one page (or export)."""

    full_phone: bool = False
    birth_dates: bool = False  # adults' full birth dates (else the age)
    minors: bool = False  # children's names and birth dates
    sensitive: bool = False  # sensitive tags


MASKED = Viewer()
OFFICE = Viewer(full_phone=True, birth_dates=True, minors=True, sensitive=True)


def sees_full_phone(actor: Actor | None, on: Model) -> bool:
    """The one rule for "who sees this phone number in full", for pages and the API."""
    action = PHONE_ACTIONS.get(on._meta.label_lower, DEFAULT_PHONE_ACTION)
    return policy.can(actor, action, on)


def sees_minors(actor: Actor | None, on: Model) -> bool:
    """Whether children's names and birth dates under ``on`` are shown in full."""
    return policy.sees_minors(actor, on)


def viewer(actor: Actor | None, on: Model) -> Viewer:
    """The decisions for everything shown under ``on`` (a household, building, community,
    resident): the actor's roles at that place decide for every row of the page."""
    minors = policy.sees_minors(actor, on)
    return Viewer(
        full_phone=sees_full_phone(actor, on),
        birth_dates=minors or policy.can(actor, "resident.birth_date", on),
        minors=minors,
        sensitive=policy.can(actor, "resident.sensitive", on),
    )


def viewer_of_rows(actor: Actor | None) -> Callable[[Placed], Viewer]:
    """For a list across places (search): ``of(resident)`` → that row's ``Viewer``, from the
    actor's memberships alone (no query per row). Phones stay masked in such lists."""
    office = {m.community_id for m in policy.allowed_memberships(actor, "resident.reveal")}
    homes = {
        m.household_id for m in policy.memberships(actor) if m.role == "resident" and m.household_id
    }

    def of(resident: Placed) -> Viewer:
        if resident.community_id in office:
            return Viewer(birth_dates=True, minors=True, sensitive=True)
        if resident.household_id in homes:
            return Viewer(birth_dates=True, minors=True)
        return MASKED

    return of


# --- one function per kind of value ---------------------------------------------------------


def id_number(resident: Person) -> str:
    """The same for every viewer: the region code and stars (``—`` when none is on file)."""
    return resident.id_number_masked


def phone(v: Viewer, value: str) -> str:
    return value if v.full_phone else personal.mask_phone(value)


def masks_minor(v: Viewer, resident: Person) -> bool:
    return not v.minors and bool(getattr(resident, "is_minor_under_14", False))


def name(v: Viewer, resident: Person) -> str:
    return personal.mask_name(resident.name) if masks_minor(v, resident) else resident.name


def birth_date(v: Viewer, resident: Person) -> dt.date | None:
    """The full birth date, or None where the viewer sees the age only."""
    if masks_minor(v, resident) or not v.birth_dates:
        return None
    return resident.birth_date


def age(resident: Person) -> int | None:
    return resident.age()


def tags(v: Viewer, tags: Iterable[_T]) -> list[_T]:
    """The tags this viewer may see: sensitive ones only for the office."""
    return [t for t in tags if v.sensitive or not t.sensitive]
