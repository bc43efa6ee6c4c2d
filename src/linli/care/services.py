"""Every write in Care: ``noun_verb(*, actor, …)``. Each authorises through the one policy,
validates before writing, runs in one transaction and records an event (never a personal
value: field names and codes only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import personal, policy
from linli.core.actors import Actor
from linli.core.errors import DomainError
from linli.core.events import log_event
from linli.core.models import lock_row
from linli.core.roles import OFFICE, VOLUNTEERING, Role
from linli.registry.models import Community, Resident, ResidentStatus

from . import due as due_rule
from .models import (
    HEALTH_CONCERNS,
    NEEDS,
    SAFETY_CONCERNS,
    CareContact,
    CarePerson,
    CareSettings,
    CareVisitor,
    Consent,
    ConsentMethod,
    ConsentSubject,
    DeliveryStatus,
    FollowUp,
    Frequency,
    HelpSession,
    MajorEvent,
    MealDay,
    MealDelivery,
    Method,
    Outcome,
    ReferTo,
    Tier,
    TierChange,
    Visit,
    VisitorKind,
)

if TYPE_CHECKING:
    from linli.accounts.models import User


def _me(actor: Actor) -> User:
    """The signed-in person acting (the policy has already refused anyone else)."""
    if not actor.is_authenticated:
        raise PermissionDenied
    return actor


class CareError(DomainError):
    code = "care"


class ConsentMissing(CareError):
    code = "consent_missing"


# --- settings and the due date -------------------------------------------------------------


def settings_for(community_id: int) -> CareSettings:
    found = CareSettings.objects.filter(community_id=community_id).first()
    return found or CareSettings(community_id=community_id)


def frequency_of(person: CarePerson, cs: CareSettings) -> int:
    return int(person.frequency_days or cs.days_for(person.tier))


def stopped(resident: Resident) -> bool:
    return resident.status != ResidentStatus.ACTIVE


def _windows(person: CarePerson, events: Iterable[MajorEvent]) -> list[due_rule.EventWindow]:
    return [due_rule.EventWindow(e.declared_at, e.within_hours(person.tier)) for e in events]


def _apply_due(
    person: CarePerson,
    cs: CareSettings,
    events: Iterable[MajorEvent],
    last_visit: dt.date | None,
    last_reached: dt.date | None,
) -> None:
    person.last_visit_on, person.last_reached_on = last_visit, last_reached
    d = due_rule.next_due(
        enrolled_on=person.enrolled_on,
        frequency_days=frequency_of(person, cs),
        last_reached_on=last_reached,
        events=_windows(person, events),
        stopped=stopped(person.resident),
        tz=timezone.get_current_timezone(),
    )
    person.due_on = d.on if d else None
    person.due_by = d.by if d else None
    person.due_reason = d.reason if d else ""


def _events_since(community_id: int, day: dt.date | None) -> list[MajorEvent]:
    qs = MajorEvent.objects.filter(community_id=community_id)
    if day is not None:
        qs = qs.filter(declared_at__date__gte=day)
    return list(qs.order_by())


DUE_FIELDS = ["last_visit_on", "last_reached_on", "due_on", "due_by", "due_reason"]


def person_refresh_due(person: CarePerson) -> CarePerson:
    """Recompute the stored next due visit from the raw visits (call inside a transaction
    holding the person's row lock, as ``visit_record`` does)."""
    from django.db.models import Max, Q

    agg = Visit.objects.filter(person=person).aggregate(
        last=Max("visited_on"), reached=Max("visited_on", filter=Q(outcome=Outcome.REACHED))
    )
    since = agg["reached"] or person.enrolled_on
    _apply_due(
        person,
        settings_for(person.community_id),
        _events_since(person.community_id, since),
        agg["last"],
        agg["reached"],
    )
    CarePerson.objects.filter(pk=person.pk).update(**{f: getattr(person, f) for f in DUE_FIELDS})
    return person


def community_refresh_due(community_id: int, *, only: Iterable[int] | None = None) -> int:
    """Recompute every person's due visit in a community (a new event, new settings, a
    resident who moved out): in bulk, a fixed number of queries."""
    from django.db.models import Max, Q

    qs = CarePerson.objects.filter(community_id=community_id).select_related("resident")
    if only is not None:
        qs = qs.filter(pk__in=list(only))
    people = list(
        qs.annotate(
            _last=Max("visits__visited_on"),
            _reached=Max("visits__visited_on", filter=Q(visits__outcome=Outcome.REACHED)),
        )
    )
    if not people:
        return 0
    cs = settings_for(community_id)
    earliest = min((p._reached or p.enrolled_on) for p in people)
    events = _events_since(community_id, earliest)
    for p in people:
        since = p._reached or p.enrolled_on
        relevant = [e for e in events if timezone.localtime(e.declared_at).date() >= since]
        _apply_due(p, cs, relevant, p._last, p._reached)
    CarePerson.objects.bulk_update(people, DUE_FIELDS, batch_size=500)
    return len(people)


# --- the register ----------------------------------------------------------------------------


def _has_consent(person: CarePerson, subject: str) -> bool:
    return person.consents.filter(subject=subject, withdrawn_on__isnull=True).exists()


def _missing_minor_consent() -> ConsentMissing:
    return ConsentMissing(
        _(
            "A child's data needs their guardian's separate consent: record who gave it, "
            "when, and how (on paper, orally or online) first."
        ),
        field="consent_given_by",
    )


def _consent_fields(data: dict[str, Any] | None) -> dict[str, Any] | None:
    if not data:
        return None
    by = (data.get("given_by") or "").strip()
    on, method = data.get("given_on"), data.get("method")
    if not (by and on and method):
        return None
    return {"given_by": by, "given_on": on, "method": method, "relation": data.get("relation", "")}


@transaction.atomic
def person_enroll(
    *,
    actor: Actor,
    resident: Resident,
    tier: str,
    reason: str,
    frequency_days: int | None = None,
    consent: dict[str, Any] | None = None,
) -> CarePerson:
    """Add a resident to the care register. A child under 14 needs the guardian's separate
    consent (PIPL Art. 31) recorded with it, or nothing is saved."""
    policy.authorize(actor, "care.manage", resident)
    if not resident.is_active:
        raise CareError(_("This resident no longer lives here."))
    if CarePerson.objects.filter(resident=resident).exists():
        raise CareError(_("This resident is already in the care register."))
    tier, reason = _check_tier(tier, reason)
    consent_data = _consent_fields(consent)
    if resident.is_minor_under_14 and consent_data is None:
        raise _missing_minor_consent()
    if frequency_days is not None:  # None: the tier's default
        _check_frequency(frequency_days, field="frequency_days")
    person = CarePerson(
        community_id=resident.community_id,
        resident=resident,
        frequency_days=frequency_days,
        enrolled_on=timezone.localdate(),
    )
    _tier_record(actor, person, tier, reason)
    if consent_data is not None:
        _consent_create(actor, person, ConsentSubject.MINOR, consent_data)
    log_event(actor=actor, verb="care.enrolled", obj=person, data={"tier": tier})
    person.resident = resident
    return person_refresh_due(person)


def _check_frequency(days: int, field: str | None = None) -> None:
    """A visit frequency is one of ``Frequency``."""
    if days not in Frequency.values:
        raise CareError(_("Choose one of the visit frequencies."), field=field)


def _check_tier(tier: str, reason: str) -> tuple[str, str]:
    if tier not in Tier.values:
        raise CareError(_("Choose a risk tier: high, key or general."), field="tier")
    reason = (reason or "").strip()
    if not reason:
        raise CareError(
            _("Say why this risk tier (e.g. lives alone, fell last winter)."), field="reason"
        )
    return tier, reason


def _tier_record(actor: Actor, person: CarePerson, tier: str, reason: str) -> None:
    """Set the person's tier (a new person: save them) and keep the setting in its history."""
    now = timezone.now()
    person.tier, person.tier_reason, person.tier_set_by, person.tier_set_at = (
        tier,
        reason,
        _me(actor),
        now,
    )
    if person.pk is None:
        person.save(force_insert=True)
    else:
        person.save(update_fields=["tier", "tier_reason", "tier_set_by", "tier_set_at"])
    TierChange.objects.create(
        person=person, tier=tier, reason=reason, set_by=_me(actor), set_at=now
    )


def _locked(person: CarePerson) -> CarePerson:
    """The person's row, locked for a change that recomputes their due visit."""
    return CarePerson.objects.select_for_update().select_related("resident").get(pk=person.pk)


@transaction.atomic
def person_set_tier(*, actor: Actor, person: CarePerson, tier: str, reason: str) -> CarePerson:
    policy.authorize(actor, "care.manage", person)
    tier, reason = _check_tier(tier, reason)
    locked = _locked(person)
    old = locked.tier
    _tier_record(actor, locked, tier, reason)
    log_event(actor=actor, verb="care.tier_set", obj=locked, data={"from": old, "to": tier})
    return person_refresh_due(locked)


@transaction.atomic
def person_set_frequency(
    *, actor: Actor, person: CarePerson, frequency_days: int | None
) -> CarePerson:
    policy.authorize(actor, "care.manage", person)
    if frequency_days is not None:  # None: the tier's default
        _check_frequency(frequency_days, field="frequency_days")
    locked = _locked(person)
    locked.frequency_days = frequency_days
    locked.save(update_fields=["frequency_days"])
    log_event(actor=actor, verb="care.frequency_set", obj=locked, data={"days": frequency_days})
    return person_refresh_due(locked)


@transaction.atomic
def settings_save(
    *, actor: Actor, community: Community, high_days: int, key_days: int, general_days: int
) -> CareSettings:
    policy.authorize(actor, "care.manage", community)
    for d in (high_days, key_days, general_days):
        _check_frequency(d)
    cs, _created = CareSettings.objects.update_or_create(
        community=community,
        defaults={"high_days": high_days, "key_days": key_days, "general_days": general_days},
    )
    community_refresh_due(community.pk)
    return cs


def _visitor_may_be(user: Actor, person: CarePerson, kind: str) -> bool:
    """The assignee holds a role in the person's community that fits ``kind``."""
    res = person.resident
    building = res.household.building
    for m in policy.memberships(user):
        if m.community_id != person.community_id:
            continue
        if kind == VisitorKind.GRID_WORKER and m.role == Role.GRID_WORKER:
            return m.grid_id == building.grid_id
        if kind == VisitorKind.BUILDING_LEADER and m.role == Role.BUILDING_LEADER:
            return m.building_id == building.pk
        if kind == VisitorKind.VOLUNTEER and m.role in VOLUNTEERING:
            return True
        if kind == VisitorKind.STAFF and m.role in OFFICE:
            return True
    return False


@transaction.atomic
def visitor_assign(*, actor: Actor, person: CarePerson, user: Any, kind: str) -> CareVisitor:
    policy.authorize(actor, "care.manage", person)
    if kind not in VisitorKind.values:
        raise CareError(_("Say whether they visit as grid worker, building leader or volunteer."))
    if not _visitor_may_be(user, person, kind):
        raise CareError(
            _("This person holds no such role for this resident's building or grid."),
            field="user",
        )
    visitor, created = CareVisitor.objects.get_or_create(
        person=person, user=user, defaults={"kind": kind}
    )
    if created:
        log_event(actor=actor, verb="care.visitor_assigned", obj=person, data={"kind": kind})
    return visitor


@transaction.atomic
def visitor_remove(*, actor: Actor, person: CarePerson, user_id: int) -> None:
    policy.authorize(actor, "care.manage", person)
    deleted, _by = CareVisitor.objects.filter(person=person, user_id=user_id).delete()
    if deleted:
        log_event(actor=actor, verb="care.visitor_removed", obj=person, data={})


@transaction.atomic
def contact_add(
    *, actor: Actor, person: CarePerson, kind: str, name: str, phone: str = "", lives_in: str = ""
) -> CareContact:
    policy.authorize(actor, "care.manage", person)
    name = (name or "").strip()
    if not name:
        raise CareError(_("Give the contact's name."), field="name")
    phone = "".join(c for c in (phone or "") if c.isdigit() or c == "+")[:20]
    c = CareContact.objects.create(
        person=person,
        kind=kind,
        name=name,
        phone=phone,
        lives_in=(lives_in or "").strip(),
        resident=_contact_resident(person, name, phone),
    )
    log_event(actor=actor, verb="care.contact_added", obj=person, data={"kind": kind})
    return c


def _contact_resident(person: CarePerson, name: str, phone: str) -> Resident | None:
    """The contact's registry record: an active resident of the person's community with the
    same name and either the same phone or the person's household — only when exactly one
    matches (never a guess between two)."""
    from django.db.models import Q as _Q

    if not name:
        return None
    same = _Q(household_id=person.resident.household_id)
    if phone:
        same |= _Q(phone=phone)
    found = list(
        Resident.objects.filter(
            _Q(community_id=person.community_id, status=ResidentStatus.ACTIVE, name=name) & same
        )
        .exclude(pk=person.resident_id)
        .order_by("id")[:2]
    )
    return found[0] if len(found) == 1 else None


def _consent_create(
    actor: Actor, person: CarePerson, subject: str, data: dict[str, Any]
) -> Consent:
    given_on = data["given_on"]
    if given_on > timezone.localdate():
        raise CareError(_("A consent cannot be dated in the future."), field="given_on")
    if data["method"] not in ConsentMethod.values:
        raise CareError(_("Say how the consent was given: on paper, orally or online."))
    c = Consent.objects.create(
        person=person,
        subject=subject,
        given_by=data["given_by"],
        relation=(data.get("relation") or "").strip(),
        given_on=given_on,
        method=data["method"],
        recorded_by=_me(actor),
    )
    log_event(
        actor=actor,
        verb="care.consent_recorded",
        obj=person,
        data={"subject": subject, "method": data["method"]},
    )
    return c


@transaction.atomic
def consent_record(
    *, actor: Actor, person: CarePerson, subject: str, given_by: str, given_on: dt.date,
    method: str, relation: str = "",
) -> Consent:  # fmt: skip
    policy.authorize(actor, "care.manage", person)
    if subject not in ConsentSubject.values:
        raise CareError(_("Say what the consent is for."))
    data = _consent_fields(
        {"given_by": given_by, "given_on": given_on, "method": method, "relation": relation}
    )
    if data is None:
        raise CareError(_("Record who gave the consent, when, and how."))
    return _consent_create(actor, person, subject, data)


@transaction.atomic
def health_note_set(*, actor: Actor, person: CarePerson, note: str) -> CarePerson:
    """The visitors' health note (sealed at rest). Only with the person's separate consent
    to health notes (PIPL Art. 29); a child's also with the guardian's (Art. 31)."""
    policy.authorize(actor, "care.manage", person)
    if not _has_consent(person, ConsentSubject.HEALTH):
        raise ConsentMissing(
            _(
                "A health note needs the person's separate consent to health notes: record "
                "who gave it, when, and how (on paper, orally or online) first."
            )
        )
    person.health_note_sealed = personal.seal((note or "").strip()) if note.strip() else ""
    person.save(update_fields=["health_note_sealed"])
    log_event(actor=actor, verb="care.health_note_set", obj=person, data={"changed": ["note"]})
    return person


def health_note_of(person: CarePerson) -> str:
    return personal.unseal(person.health_note_sealed) if person.health_note_sealed else ""


# --- major events -----------------------------------------------------------------------------


@transaction.atomic
def event_declare(
    *,
    actor: Actor,
    community: Community,
    kind: str,
    title: str = "",
    others_within_hours: int | None = None,
    declared_at: dt.datetime | None = None,
) -> MajorEvent:
    """A cold wave, heatwave, storm, outbreak or festival: every high-risk person is due a
    visit within 24 hours (the others within ``others_within_hours``, or not at all)."""
    policy.authorize(actor, "care.manage", community)
    from .models import EventKind

    if kind not in EventKind.values:
        raise CareError(_("Choose the kind of event."), field="kind")
    if others_within_hours is not None and not 1 <= others_within_hours <= 24 * 14:
        raise CareError(
            _("Give the others between 1 hour and 14 days."), field="others_within_hours"
        )
    ev = MajorEvent.objects.create(
        community=community,
        kind=kind,
        title=(title or "").strip(),
        declared_at=declared_at or timezone.now(),
        declared_by=_me(actor),
        others_within_hours=others_within_hours,
    )
    log_event(actor=actor, verb="care.event_declared", obj=ev, data={"kind": kind})
    community_refresh_due(community.pk)
    return ev


# --- visits ------------------------------------------------------------------------------------


def _clean_choices(values: Iterable[str] | None, allowed: dict[str, Any]) -> list[str]:
    return [v for v in allowed if v in set(values or ())]


@transaction.atomic
def visit_record(
    *,
    actor: Actor,
    person: CarePerson,
    visited_on: dt.date,
    method: str,
    outcome: str = Outcome.REACHED,
    health: Iterable[str] = (),
    finances_ok: bool = True,
    family_contact: bool = True,
    safety: Iterable[str] = (),
    needs: Iterable[str] = (),
    family_reminded: bool = False,
    note: str = "",
    follow_up: str = "",
    refer_to: str = "",
    follow_up_text: str = "",
    category: Any = None,
    minutes: int | None = None,
) -> Visit:
    """Record a visit (or an attempt: not at home, refused — visits that do not count as
    reached). A follow-up request is taken through the requests service, at the person's
    home. Everything is checked before anything is written."""
    policy.authorize(actor, "care.visit", person)
    res = person.resident
    today = timezone.localdate()
    if visited_on > today:
        raise CareError(_("A visit cannot be dated in the future."), field="visited_on")
    if res.moved_in_on and visited_on < res.moved_in_on:
        raise CareError(
            _("This date is before the person moved in (%(day)s).") % {"day": res.moved_in_on},
            field="visited_on",
        )
    end = res.deceased_on or res.moved_out_on
    if end and visited_on > end:
        raise CareError(
            _("This person no longer lived here on that date; visits have stopped."),
            field="visited_on",
        )
    if method not in Method.values:
        raise CareError(_("Say how: at home, by phone or by video."), field="method")
    if outcome not in Outcome.values:
        raise CareError(_("Say whether the person was visited."), field="outcome")
    if follow_up not in FollowUp.values:
        raise CareError(_("Choose a follow-up."), field="follow_up")
    follow_up_text = (follow_up_text or "").strip()
    if follow_up == FollowUp.REFERRAL and refer_to not in ReferTo.values:
        raise CareError(_("Say where the referral goes."), field="refer_to")
    if follow_up in (FollowUp.REQUEST, FollowUp.NOTE) and not follow_up_text:
        raise CareError(_("Describe the follow-up."), field="follow_up_text")
    if follow_up == FollowUp.REQUEST and category is None:
        raise CareError(_("Choose the kind of request."), field="category")
    if minutes is not None and not 1 <= minutes <= 600:
        raise CareError(_("Give the minutes spent (1 to 600)."), field="minutes")
    # The row lock serialises two visitors on the same person: both visits are kept, and the
    # due date is computed after each from every visit.
    lock_row(CarePerson, person.pk)
    ticket = None
    if follow_up == FollowUp.REQUEST:
        from linli.tickets import services as ticket_services
        from linli.tickets.models import Channel

        ticket = ticket_services.ticket_intake(
            actor=actor,
            category=category,
            channel=Channel.PHONE if method == Method.PHONE else Channel.PATROL,
            description=follow_up_text,
            requester_name=res.name,
            requester_phone=res.phone,
            household=res.household,
            contact_preference="phone",
            authorized=True,  # care.visit was authorised above, for this person's home
        )
    event = (
        MajorEvent.objects.filter(
            community_id=person.community_id, declared_at__date__lte=visited_on
        )
        .order_by("-declared_at")
        .first()
        if person.due_reason == due_rule.EVENT
        else None
    )
    visit = Visit.objects.create(
        community_id=person.community_id,
        person=person,
        visitor=_me(actor),
        visited_on=visited_on,
        method=method,
        outcome=outcome,
        health=_clean_choices(health, HEALTH_CONCERNS),
        finances_ok=bool(finances_ok),
        family_contact=bool(family_contact),
        safety=_clean_choices(safety, SAFETY_CONCERNS),
        needs=_clean_choices(needs, NEEDS),
        family_reminded=bool(family_reminded),
        note=(note or "").strip(),
        follow_up=follow_up,
        refer_to=refer_to if follow_up == FollowUp.REFERRAL else "",
        follow_up_text=follow_up_text,
        ticket=ticket,
        minutes=minutes,
        event=event,
    )
    log_event(
        actor=actor,
        verb="care.visit_recorded",
        obj=visit,
        parent=person,
        data={
            "outcome": outcome,
            "method": method,
            "follow_up": follow_up,
            "late": visited_on < today,
        },
    )
    if _visit_hours(actor, visit):
        visit.hours_entered = True
        visit.save(update_fields=["hours_entered"])
    person_refresh_due(person)
    return visit


# --- love lunches and home help -------------------------------------------------------------


@transaction.atomic
def meal_day_save(
    *, actor: Actor, community: Community, day: dt.date, cooks: Iterable[Any], menu: str = ""
) -> MealDay:
    policy.authorize(actor, "care.manage", community)
    md, _created = MealDay.objects.update_or_create(
        community=community, day=day, defaults={"menu": (menu or "").strip()}
    )
    md.cooks.set(list(cooks))
    return md


@transaction.atomic
def meal_deliver(*, actor: Actor, day: MealDay, person: CarePerson, status: str) -> MealDelivery:
    policy.authorize(actor, "care.meals", person)
    if status not in DeliveryStatus.values:
        raise CareError(_("Say whether the lunch was delivered."))
    if day.community_id != person.community_id:
        raise CareError(_("This person is not in this community."))
    d, _created = MealDelivery.objects.update_or_create(
        day=day, person=person, defaults={"status": status, "by": _me(actor), "at": timezone.now()}
    )
    log_event(actor=actor, verb="care.meal_delivered", obj=person, data={"status": status})
    return d


@transaction.atomic
def help_record(
    *,
    actor: Actor,
    community: Community,
    kind: str,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    person: CarePerson | None = None,
    note: str = "",
) -> HelpSession:
    """Care work done (cleaning, home help, cooking): kept with its duration; its hours go
    to the volunteers' hours ledger when that is there (``_hours_to_ledger``)."""
    from .models import HelpKind

    policy.authorize(actor, "care.meals", person or community)
    if kind not in HelpKind.values:
        raise CareError(_("Say what work was done."), field="kind")
    if ended_at <= started_at:
        raise CareError(_("The end must be after the start."), field="ended_at")
    if ended_at > timezone.now():
        raise CareError(_("Care work cannot be recorded ahead of time."), field="ended_at")
    if ended_at - started_at > dt.timedelta(hours=12):
        raise CareError(_("One session is at most 12 hours."), field="ended_at")
    s = HelpSession.objects.create(
        community=community,
        helper=_me(actor),
        person=person,
        kind=kind,
        started_at=started_at,
        ended_at=ended_at,
        note=(note or "").strip(),
    )
    log_event(actor=actor, verb="care.help_recorded", obj=s, data={"kind": kind})
    s.hours_entered = _hours_to_ledger(actor, s)
    if s.hours_entered:
        s.save(update_fields=["hours_entered"])
    return s


def _hours_to_ledger(actor: Actor, s: HelpSession) -> bool:
    """Pending hours in the volunteers' ledger (#10)."""
    from linli.volunteers.services import hours_add_pending

    hours_add_pending(
        actor=actor,
        user=s.helper,
        community=s.community,
        started_at=s.started_at,
        ended_at=s.ended_at,
        source="care",
        source_object=s,
        description=str(s.get_kind_display()),
    )
    return True


def _visit_hours(actor: Actor, visit: Visit) -> bool:
    """A volunteer's visit made today with its minutes given: that time goes to the hours
    ledger as pending hours (ending when it was recorded). Time that overlaps other recorded
    service (two visits entered at once) is left out of the ledger, never the visit."""
    from linli.volunteers.services import hours_add_pending

    if not visit.minutes or visit.visited_on != timezone.localdate(visit.entered_at):
        return False
    if not policy.holds_role_in(actor, VOLUNTEERING, visit):
        return False
    try:
        with transaction.atomic():
            hours_add_pending(
                actor=actor,
                user=_me(actor),
                community=visit.person.community,
                started_at=visit.entered_at - dt.timedelta(minutes=visit.minutes),
                ended_at=visit.entered_at,
                source="care",
                source_object=visit,
                description=str(_("Care visit")),
            )
    except DomainError as e:
        if e.code != "overlap":
            raise
        return False
    return True
