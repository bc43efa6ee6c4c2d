"""Every write to the registry: ``noun_verb(*, actor, …)``.

Each service checks the permission, validates, runs in one transaction and records an event.
Views, the API, the importer and management commands all call these.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import access, personal, policy
from linli.core.errors import DomainError
from linli.core.events import log_event

from .models import Building, Household, Resident, ResidentStatus, ResidentTag, Tag, Unit
from .search import normalise_name

HOUSEHOLD_FIELDS = ("floor_area", "occupancy", "notes")
RESIDENT_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "birth_month_only",
    "phone",
    "relation",
    "tenure",
    "moved_in_on",
    "guardian_name",
    "guardian_phone",
    "other_phone",
)


class RegistryError(DomainError, ValidationError):  # type: ignore[misc]
    """A refusal of the registry's services: a ``DomainError`` (one API handler, one
    ``core.pages.form_page``) that is still the ``ValidationError`` it was, with its messages
    per field (``message_dict``; ``extra["errors"]`` for forms and the API), so the import
    reports it on the row and field it belongs to."""

    def __init__(self, errors: Any):
        ValidationError.__init__(self, errors)
        fields = self.message_dict if hasattr(self, "error_dict") else {}
        field, first = next(iter(fields.items()), (None, self.messages))
        DomainError.__init__(
            self, first[0], field=field, extra={"errors": fields} if fields else None
        )


def _clean(obj, **kwargs) -> None:
    """``obj.full_clean(**kwargs)``, its errors as the registry's refusal."""
    try:
        obj.full_clean(**kwargs)
    except ValidationError as e:
        raise RegistryError(e.message_dict if hasattr(e, "error_dict") else e.messages) from None


def _changes(obj, values: dict[str, Any], fields) -> dict[str, list]:
    changed = {}
    for f in fields:
        if f in values and getattr(obj, f) != values[f]:
            changed[f] = [_jsonable(getattr(obj, f)), _jsonable(values[f])]
            setattr(obj, f, values[f])
    return changed


def _jsonable(v):
    if isinstance(v, dt.date):
        return v.isoformat()
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    return str(v)


# --- households ---------------------------------------------------------------------------


@transaction.atomic
def household_create(
    *,
    actor,
    building: Building,
    unit: Unit | None,
    room: str,
    floor_area=None,
    occupancy: str = "owner",
    notes: str = "",
) -> Household:
    policy.authorize(actor, "household.create", building)
    if unit is not None and unit.building_id != building.pk:
        raise RegistryError({"unit": _("This unit is not in the chosen building.")})
    hh = Household(
        community_id=building.community_id,
        building=building,
        unit=unit,
        room=room.strip(),
        floor_area=floor_area,
        occupancy=occupancy,
        notes=notes,
    )
    hh.label = Household.make_label(building.number, unit.number if unit else None, hh.room)
    _clean(hh, exclude=["community", "building", "unit"], validate_unique=False)
    if Household.objects.filter(community_id=hh.community_id, label=hh.label).exists():
        raise RegistryError(
            {"room": _("Room %(label)s is already registered.") % {"label": hh.label}}
        )
    try:
        with transaction.atomic():
            hh.save()
    except IntegrityError:  # lost a race with another writer of the same label
        raise RegistryError(
            {"room": _("Room %(label)s is already registered.") % {"label": hh.label}}
        ) from None
    log_event(
        actor=actor,
        verb="household.created",
        obj=hh,
        data={"label": hh.label, "floor_area": _jsonable(hh.floor_area)},
    )
    return hh


@transaction.atomic
def household_update(*, actor, household: Household, **values) -> Household:
    policy.authorize(actor, "household.edit", household)
    changed = _changes(household, values, HOUSEHOLD_FIELDS)
    if changed:
        _clean(household, exclude=["community", "building", "unit"], validate_unique=False)
        household.save()
        log_event(actor=actor, verb="household.updated", obj=household, data={"changes": changed})
    return household


# --- residents ----------------------------------------------------------------------------


def _validate_resident(resident: Resident, id_number: str | None) -> str | None:
    errors: dict[str, list] = {}
    if id_number:
        try:
            id_number = personal.validate_id_number(id_number)
        except ValidationError as e:
            errors["id_number"] = e.messages
    try:
        # The two check constraints are tested here in Python, not as a query each (an import
        # writes thousands of residents); the database still enforces them.
        resident.full_clean(
            exclude=["community", "household", "tags"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as e:
        for k, v in e.message_dict.items():
            errors.setdefault(k, []).extend(v)
    if resident.status == ResidentStatus.DECEASED and not resident.deceased_on:
        errors.setdefault("deceased_on", []).append(_("The date of death is required."))
    if resident.status == ResidentStatus.MOVED_OUT and not resident.moved_out_on:
        errors.setdefault("moved_out_on", []).append(_("The date of moving out is required."))
    if resident.birth_date and resident.birth_date > timezone.localdate():
        errors.setdefault("birth_date", []).append(_("The birth date is in the future."))
    if errors:
        raise RegistryError(errors)
    return id_number


def _tag_codes(tags) -> dict:
    """What event data says about tags: the codes of ordinary tags, and only how many
    sensitive ones (health, disability, income are personal values: never in the log)."""
    tags = list(tags)
    return {
        "codes": sorted(t.code for t in tags if not t.sensitive),
        "sensitive": sum(1 for t in tags if t.sensitive),
    }


def _set_tags(actor, resident: Resident, tags: list[Tag] | None, *, log: bool) -> bool:
    """Set the resident's tags to ``tags``. Sensitive tags are the office's alone
    (``resident.sensitive``): anyone else cannot add or remove one, and the ones already set
    stay as they are (they never saw them)."""
    if tags is None:
        return False
    for t in tags:
        if t.community_id not in (None, resident.community_id):
            raise RegistryError({"tags": _("A tag of another community cannot be used here.")})
    current_tags = {t.pk: t for t in resident.tags.all()} if resident.pk else {}
    current = set(current_tags)
    wanted = {t.pk for t in tags}
    if not policy.can(actor, "resident.sensitive", resident):
        if any(t.sensitive for t in tags if t.pk not in current):
            raise RegistryError({"tags": _("Only the community office may set sensitive tags.")})
        wanted |= {pk for pk, t in current_tags.items() if t.sensitive}
    if current == wanted:
        return False
    ResidentTag.objects.filter(resident=resident, tag_id__in=current - wanted).delete()
    ResidentTag.objects.bulk_create(
        [
            ResidentTag(resident=resident, tag_id=t, community_id=resident.community_id)
            for t in wanted - current
        ]
    )
    if log:
        by_pk = {t.pk: t for t in Tag.objects.filter(pk__in=current | wanted)}
        added = _tag_codes(by_pk[t] for t in wanted - current)
        removed = _tag_codes(by_pk[t] for t in current - wanted)
        log_event(
            actor=actor,
            verb="resident.tags.changed",
            obj=resident,
            parent=resident.household,
            data={
                "added": added["codes"],
                "removed": removed["codes"],
                "sensitive_changed": added["sensitive"] + removed["sensitive"],
            },
        )
    return True


@transaction.atomic
def resident_create(
    *,
    actor,
    household: Household,
    name: str,
    id_number: str = "",
    health_note: str = "",
    tags: list[Tag] | None = None,
    **values,
) -> Resident:
    policy.authorize(actor, "resident.create", household)
    r = Resident(
        community_id=household.community_id, household=household, name=normalise_name(name)
    )
    for f in RESIDENT_FIELDS:
        if f in values and f != "name":
            setattr(r, f, values[f])
    if r.moved_in_on is None:
        r.moved_in_on = timezone.localdate()
    id_number = _validate_resident(r, id_number)
    if id_number:
        r.set_id_number(id_number)
        if not r.birth_date:
            r.birth_date = personal.birth_date_from_id(id_number)
    if health_note:
        _may_set_health_note(actor, household)
        r.set_health_note(health_note)
    r.refresh_derived()
    r.save()
    _set_tags(actor, r, tags, log=False)
    shown = _tag_codes(r.tags.all()) if tags else {"codes": [], "sensitive": 0}
    log_event(
        actor=actor,
        verb="resident.created",
        obj=r,
        parent=household,
        data={
            "household": household.label,
            "tag_codes": shown["codes"],
            "sensitive_tags": shown["sensitive"],
        },
    )
    return r


@transaction.atomic
def resident_update(
    *,
    actor,
    resident: Resident,
    id_number: str | None = None,
    health_note: str | None = None,
    tags: list[Tag] | None = None,
    **values,
) -> Resident:
    policy.authorize(actor, "resident.edit", resident)
    if resident.is_minor_under_14 and not policy.sees_minors(actor, resident):
        # A child's record is edited by the office or the family, who see it in full.
        raise PermissionDenied
    if "birth_date" in values:  # a date given without saying otherwise is a whole date
        values.setdefault("birth_month_only", False)
    if "name" in values:
        values["name"] = normalise_name(values["name"])
    changed = list(_changes(resident, values, RESIDENT_FIELDS))
    id_number = _validate_resident(resident, id_number)
    if id_number and personal.blind_index(id_number) != resident.id_number_digest:
        resident.set_id_number(id_number)
        changed.append("id_number")
    if health_note is not None and health_note.strip():
        _may_set_health_note(actor, resident)
        resident.set_health_note(health_note)
        changed.append("health_note")
    if changed:
        resident.refresh_derived()
        resident.save()
        # The names of the fields that changed, never their values: everything here is
        # the resident's personal data (core.events refuses the values).
        log_event(
            actor=actor,
            verb="resident.updated",
            obj=resident,
            parent=resident.household,
            data={"changed": changed},
        )
    _set_tags(actor, resident, tags, log=True)
    return resident


@transaction.atomic
def resident_move_out(
    *, actor, resident: Resident, on: dt.date, deceased: bool = False, note: str = ""
) -> Resident:
    """Moving out (or recording a death) keeps the record and its history."""
    policy.authorize(actor, "resident.move_out", resident)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if resident.status != ResidentStatus.ACTIVE:
        raise RegistryError(_("This resident no longer lives here."))
    if on > timezone.localdate():
        raise RegistryError({"on": _("The date cannot be in the future.")})
    if resident.moved_in_on and on < resident.moved_in_on:
        raise RegistryError({"on": _("The date is before the resident moved in.")})
    if deceased:
        resident.status, resident.deceased_on = ResidentStatus.DECEASED, on
        verb = "resident.deceased"
    else:
        resident.status, resident.moved_out_on = ResidentStatus.MOVED_OUT, on
        verb = "resident.moved_out"
    resident.save()
    log_event(
        actor=actor,
        verb=verb,
        obj=resident,
        parent=resident.household,
        data={"on": on.isoformat(), "note": note[:200]},
    )
    return resident


# --- personal data ------------------------------------------------------------------------


def _may_set_health_note(actor, obj) -> None:
    """Health notes, like sensitive tags, are written (and read) by the office only."""
    if not policy.can(actor, "resident.sensitive", obj):
        raise RegistryError(
            {"health_note": _("Only the community office may record health notes.")}
        )


@transaction.atomic
def resident_reveal(*, actor, resident: Resident, field: str, reason: str = "") -> str:
    policy.authorize(actor, "resident.reveal", resident)
    if field == "id_number":
        value = personal.unseal(resident.id_number_sealed)
    elif field == "health_note":
        value = personal.unseal(resident.health_note_sealed)
    else:
        raise ValueError(field)
    log_event(
        actor=actor,
        verb=f"resident.{field}.revealed",
        obj=resident,
        parent=resident.household,
        data={"reason": reason[:200]},
    )
    access.record_reads(actor, [resident], kind=access.REVEALED, purpose=f"registry.reveal.{field}")
    return value


# --- structure: grids, buildings, units, community tags -----------------------------------


@transaction.atomic
def building_create(
    *,
    actor,
    community,
    number: str,
    grid=None,
    name: str = "",
    floors: int | None = None,
    year_built: int | None = None,
    units: int = 0,
) -> Building:
    """A building and, optionally, its units numbered 1…``units``."""
    from .models import Grid

    policy.authorize(actor, "registry.structure", community)
    if grid is not None and grid.community_id != community.pk:
        raise RegistryError({"grid": _("This grid belongs to another community.")})
    b = Building(
        community=community,
        grid=grid,
        number=number.strip(),
        name=name,
        floors=floors,
        year_built=year_built,
    )
    _clean(b, exclude=["community", "grid"], validate_unique=False)
    if Building.objects.filter(community=community, number=b.number).exists():
        raise RegistryError(
            {"number": _("Building %(number)s already exists.") % {"number": b.number}}
        )
    b.save()
    Unit.objects.bulk_create(
        [Unit(community=community, building=b, number=str(i)) for i in range(1, units + 1)]
    )
    log_event(
        actor=actor,
        verb="building.created",
        obj=b,
        data={
            "number": b.number,
            "units": units,
            "grid": grid.number if isinstance(grid, Grid) else None,
        },
    )
    return b


@transaction.atomic
def grid_create(
    *,
    actor,
    community,
    number: str,
    name: str,
    area_description: str = "",
    supervision_phone: str = "",
):
    from .models import Grid

    policy.authorize(actor, "registry.structure", community)
    g = Grid(
        community=community,
        number=number.strip(),
        name=name.strip(),
        area_description=area_description,
        supervision_phone=supervision_phone,
    )
    _clean(g, exclude=["community"], validate_unique=False)
    if Grid.objects.filter(community=community, number=g.number).exists():
        raise RegistryError({"number": _("Grid %(number)s already exists.") % {"number": g.number}})
    g.save()
    log_event(actor=actor, verb="grid.created", obj=g, data={"number": g.number})
    return g


@transaction.atomic
def tag_create(*, actor, community, name: str, sensitive: bool = False) -> Tag:
    """A community's own tag (the built-in ones come with Linli)."""
    import uuid

    policy.authorize(actor, "registry.structure", community)
    name = name.strip()
    if not name:
        raise RegistryError({"name": _("Please give the tag a name.")})
    if Tag.objects.filter(community=community, name=name).exists():
        raise RegistryError({"name": _("This tag already exists.")})
    tag = Tag(
        community=community,
        name=name,
        sensitive=sensitive,
        code=f"c{community.pk}-{uuid.uuid4().hex[:8]}",
    )
    _clean(tag, exclude=["community"], validate_unique=False)
    tag.save()
    log_event(
        actor=actor, verb="tag.created", obj=tag, community_id=community.pk, data={"name": name}
    )
    return tag
