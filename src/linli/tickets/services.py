"""Every write to a request: ``ticket_<verb>(*, actor, ticket, …)``.

Each service authorises through the one policy, locks the ticket row, checks the transition
table (``workflow.py``), saves in one transaction, records an event and schedules
notifications on commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import fastpath, notifications, policy
from linli.core.calendar import add_workdays
from linli.core.events import log_event
from linli.core.models import Event
from linli.core.public import scrub_public_text
from linli.core.roles import EVERYONE
from linli.registry.models import Building, Community, Household, Unit

from . import notifying
from .models import (
    Category,
    Channel,
    CommentKind,
    HandlingTeam,
    PhotoStage,
    Rating,
    Status,
    Ticket,
    TicketComment,
    TicketPhoto,
    TicketRequester,
)
from .photos import process_photos
from .workflow import StaleTicket, TicketError, transition


def _lock(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().select_related("community").get(pk=ticket.pk)


def _authorize(actor, action: str, ticket: Ticket) -> None:
    policy.authorize(actor, f"ticket.{action}", ticket)


# --- intake --------------------------------------------------------------------------------


def _check_attributes(category: Category, values: dict[str, Any] | None) -> dict[str, Any]:
    values = dict(values or {})
    clean: dict[str, Any] = {}
    for attr in category.attributes or []:
        code = attr.get("code")
        raw = values.get(code)
        if raw in (None, "", []):
            if attr.get("required"):
                raise TicketError(_("Please answer: %(q)s") % {"q": attr.get("description", code)})
            continue
        allowed = {str(v.get("key")) for v in attr.get("values", [])}
        if attr.get("datatype") == "singlevaluelist" and allowed and str(raw) not in allowed:
            raise TicketError(_("“%(v)s” is not one of the choices.") % {"v": str(raw)[:40]})
        if attr.get("datatype") == "multivaluelist":
            raw = raw if isinstance(raw, list) else [raw]
            if allowed and not {str(r) for r in raw} <= allowed:
                raise TicketError(_("One of the answers is not one of the choices."))
        clean[code] = raw if isinstance(raw, list) else str(raw)[:500]
    return clean


def _place(
    community: Community,
    *,
    household: Household | None,
    building: Building | None,
    unit: Unit | None,
    location_text: str,
    lat,
    long,
) -> dict:
    if household is not None:
        if household.community_id != community.pk:
            raise TicketError(_("This room is not in this community."))
        building, unit = household.building, household.unit
    if unit is not None:
        if unit.community_id != community.pk:
            raise TicketError(_("This unit is not in this community."))
        if building is None or building.pk != unit.building_id:  # else: the same row, in hand
            building = unit.building
    if building is not None and building.community_id != community.pk:
        raise TicketError(_("This building is not in this community."))
    if (lat is None) != (long is None):
        raise TicketError(_("A map position needs both latitude and longitude."))
    if lat is not None and not (
        Decimal(-90) <= Decimal(lat) <= Decimal(90)
        and Decimal(-180) <= Decimal(long) <= Decimal(180)
    ):
        raise TicketError(_("The map position is not valid."))
    location_text = (location_text or "").strip()[:200]
    if not (household or building or location_text or lat is not None):
        raise TicketError(_("Please say where: a room, a building, or a place in the estate."))
    return {
        "household": household,
        "building": building,
        "unit": unit,
        "location_text": location_text,
        "lat": lat,
        "long": long,
    }


@dataclass(frozen=True)
class Created:
    """What creating a request wrote besides its row: its requesters and events, in order.
    Kept on the new ticket (``created(ticket)``) so a caller can show it without reading
    them back."""

    requesters: list[TicketRequester]
    events: list[Event]


def created(ticket: Ticket) -> Created | None:
    """What ``ticket_submit``/``ticket_intake`` wrote with ``ticket``; None for a ticket read
    from the database."""
    return getattr(ticket, "_linli_created", None)


def _team(category: Category) -> dict:
    """The category's default team for a new request, without fetching it if not loaded."""
    if Category.default_team.is_cached(category):
        return {"assignee_team": category.default_team}
    return {"assignee_team_id": category.default_team_id}


def _create(
    *,
    actor,
    community: Community,
    category: Category,
    channel: str,
    description: str,
    place: dict,
    requester: dict,
    emergency: bool,
    contact_preference: str,
    attributes: dict | None,
    photos,
    private: bool = False,
) -> Ticket:
    if category.community_id != community.pk or not category.active:
        raise TicketError(_("Please choose one of this community's request categories."))
    description = (description or "").strip()
    if not description:
        raise TicketError(_("Please describe the problem."))
    if len(description) > 2000:
        raise TicketError(_("The description is too long (at most 2,000 characters)."))
    if channel not in Channel.values:
        raise TicketError(_("Unknown channel."))
    attrs = _check_attributes(category, attributes)
    images = process_photos(photos)  # before any write: a bad file saves nothing
    # What the public may read of it (if it is ever public): the words without who and where.
    public_text = scrub_public_text(
        description, community=community, names=[requester.get("name") or ""]
    )
    now = timezone.now()
    # Before the transaction, so the calendar may come from the cache (calendar.py); in UTC,
    # as the database gives it back (the answer shows the row as a later read does).
    resolve_by = add_workdays(now, category.resolve_within_workdays, community.pk).astimezone(
        dt.UTC
    )
    respond_by = category.respond_by(now, emergency=emergency)
    # Who asked hears that it was received: their notification preferences are read before
    # the write transaction (on SQLite it holds the one write lock; docs/performance.md).
    who = requester.get("user")
    told = [who] if who is not None and who.is_active else []
    preferences = notifications.preferences_for(told) if told else None
    # Rows built before the transaction too; written by ``fastpath.insert``: ``save()``'s
    # values and signals with its SQL compiled once (a report is the most frequent write).
    ticket = Ticket(
        community=community,
        category=category,
        channel=channel,
        description=description,
        public_text=public_text,
        private=bool(private),
        attributes=attrs,
        emergency=emergency,
        contact_preference=contact_preference,
        created_at=now,
        respond_by=respond_by,
        resolve_by=resolve_by,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **_team(category),
        **place,
    )
    with transaction.atomic():
        fastpath.insert(ticket)
        asked = fastpath.insert(TicketRequester(ticket=ticket, primary=True, **requester))
        for img in images:
            TicketPhoto.objects.create(
                ticket=ticket, image=img, stage=PhotoStage.REPORT, uploaded_by=ticket.created_by
            )
        events = [
            log_event(
                actor=actor,
                verb="ticket.submitted",
                obj=ticket,
                data={
                    "channel": channel,
                    "category": category.code,
                    "emergency": emergency,
                    "photos": len(images),
                    "private": bool(private),
                },
            )
        ]
        # Who asked is the requester just written: told without reading it back.
        requesters = [asked.user] if asked.user_id else []
        if emergency:
            # Never left in a queue: accepted at once and every office member is alerted.
            events.append(transition(ticket, "accept", actor=None, data={"emergency": True}))
            notifying.emergency(ticket, requesters=requesters, preferences=preferences)
        else:
            notifying.submitted(ticket, requesters=requesters, preferences=preferences)
    ticket._linli_created = Created(requesters=[asked], events=events)
    return ticket


def ticket_submit(
    *,
    actor,
    category: Category,
    description: str,
    household=None,
    building=None,
    unit=None,
    location_text: str = "",
    lat=None,
    long=None,
    contact_preference: str = "in_app",
    emergency: bool = False,
    attributes: dict | None = None,
    photos=(),
    channel: str = Channel.WEB,
    private: bool = False,
) -> Ticket:
    """A resident reports something themselves (web, or an Open311 client on their behalf).
    ``private``: they asked that it never be shown publicly."""
    own = [
        m
        for m in policy.allowed_memberships(actor, "ticket.submit")
        if m.community_id == category.community_id
    ]
    if not own:
        raise PermissionDenied
    if household is not None and household.pk not in {m.household_id for m in own}:
        # As on the web form: a resident names their own home; another place is a building,
        # a unit or a spot (someone else's flat is the office's to record, by intake).
        raise TicketError(
            _("You can name only your own home; for another place choose the building or a spot.")
        )
    community = category.community
    place = _place(
        community,
        household=household,
        building=building,
        unit=unit,
        location_text=location_text,
        lat=lat,
        long=long,
    )
    requester = {
        "user": actor,
        "resident_id": getattr(actor, "resident_id", None),  # the id only: no fetch
        "name": actor.get_full_name()[:50],
        "phone": (actor.phone or "")[:20],
    }
    return _create(
        actor=actor,
        community=community,
        category=category,
        channel=channel,
        description=description,
        place=place,
        requester=requester,
        emergency=emergency,
        contact_preference=contact_preference,
        attributes=attributes,
        photos=photos,
        private=private,
    )


def ticket_intake(
    *,
    actor,
    category: Category,
    channel: str,
    description: str,
    requester_name: str = "",
    requester_phone: str = "",
    anonymous: bool = False,
    requester_user=None,
    household=None,
    building=None,
    unit=None,
    location_text: str = "",
    lat=None,
    long=None,
    contact_preference="phone",
    emergency: bool = False,
    attributes=None,
    photos=(),
    private: bool = False,
    authorized: bool = False,
) -> Ticket:
    """Staff, a building leader or a grid worker takes a request for someone else.
    ``authorized``: the calling service has already authorised the actor for this place under
    a permission of its own (a care visitor's follow-up from a visit, ``care.visit``)."""
    community = category.community
    place = _place(
        community,
        household=household,
        building=building,
        unit=unit,
        location_text=location_text,
        lat=lat,
        long=long,
    )
    target = place["household"] or place["building"] or community
    if not authorized:
        policy.authorize(actor, "ticket.intake", target)
    if channel == Channel.WEB:
        raise TicketError(_("Say how the request came in (phone, walk-in, patrol …)."))
    name = (requester_name or "").strip()[:50]
    phone = "".join(c for c in (requester_phone or "") if c.isdigit() or c == "+")[:20]
    if not anonymous and not (name or phone or requester_user):
        raise TicketError(_("Give the requester's name or phone, or mark it anonymous."))
    requester = {
        "user": requester_user,
        "name": "" if anonymous else name,
        "phone": "" if anonymous else phone,
        "anonymous": anonymous,
    }
    return _create(
        actor=actor,
        community=community,
        category=category,
        channel=channel,
        description=description,
        place=place,
        requester=requester,
        emergency=emergency,
        contact_preference=contact_preference,
        attributes=attributes,
        photos=photos,
        private=private,
    )


# --- what the public reads -------------------------------------------------------------------


@transaction.atomic
def ticket_moderate(*, actor, ticket: Ticket, public_text: str, hidden: bool) -> Ticket:
    """The office edits what the public reads of a request (before or after it shows) or
    hides it. Phone numbers, ID numbers, e-mails and rooms are removed again (typed back in
    by mistake, they still do not show); names are not, so that the office can put back a
    word the scrubber took for a resident's name. The event records that it was moderated,
    never the text (events hold no personal values)."""
    _authorize(actor, "moderate", ticket)
    text = (public_text or "").strip()
    if len(text) > 2000:
        raise TicketError(_("The public text is too long (at most 2,000 characters)."))
    t = _lock(ticket)
    t.public_text = scrub_public_text(text)
    t.public_hidden = bool(hidden)
    t.public_moderated_at = timezone.now()
    t.save(update_fields=["public_text", "public_hidden", "public_moderated_at", "updated_at"])
    log_event(
        actor=actor,
        verb="ticket.moderated",
        obj=t,
        data={"hidden": t.public_hidden, "length": len(t.public_text)},
    )
    return t


# --- dispatch ------------------------------------------------------------------------------


@transaction.atomic
def ticket_accept(*, actor, ticket: Ticket, expected_version: int | None = None) -> Ticket:
    _authorize(actor, "accept", ticket)
    t = _lock(ticket)
    transition(t, "accept", actor=actor, expected_version=expected_version)
    notifying.accepted(t)
    return t


@transaction.atomic
def ticket_assign(
    *,
    actor,
    ticket: Ticket,
    user=None,
    team: HandlingTeam | None = None,
    external_handler: str = "",
    external_contact: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """To a person, a team's pool, or an outside contractor/agency (with contact)."""
    _authorize(actor, "assign", ticket)
    t = _lock(ticket)
    chosen = sum(bool(x) for x in (user, team, external_handler.strip()))
    if chosen != 1:
        raise TicketError(_("Choose one: a person, a team, or an outside contractor."))
    if user is not None and not policy.holds_role_in(user, EVERYONE, t):
        raise TicketError(_("This person holds no role in this community."))
    if team is not None and (team.community_id != t.community_id or not team.active):
        raise TicketError(_("This team is not one of this community's teams."))
    if external_handler.strip() and not external_contact.strip():
        raise TicketError(_("Give the contractor's contact (phone or address)."))
    if t.status == Status.SUBMITTED:
        transition(t, "accept", actor=actor, expected_version=expected_version)
        expected_version = t.version
    t.assignee_user, t.assignee_team = user, team
    t.external_handler = external_handler.strip()[:100]
    t.external_contact = external_contact.strip()[:100]
    transition(
        t,
        "assign",
        actor=actor,
        expected_version=expected_version,
        data={"to": t.assignee_label, "status": Status.ASSIGNED},
        fields=["assignee_user", "assignee_team", "external_handler", "external_contact"],
    )
    notifying.assigned(t)
    return t


@transaction.atomic
def ticket_claim(*, actor, ticket: Ticket, expected_version: int | None = None) -> Ticket:
    """A member of the team whose pool holds the request takes it on."""
    _authorize(actor, "claim", ticket)
    t = _lock(ticket)
    if t.assignee_user_id and t.assignee_user_id != actor.pk:
        raise TicketError(
            _("%(name)s has already taken this on.") % {"name": t.assignee_user.get_full_name()}
        )
    t.assignee_user = actor
    transition(t, "claim", actor=actor, expected_version=expected_version, fields=["assignee_user"])
    return t


@transaction.atomic
def ticket_start(*, actor, ticket: Ticket, expected_version: int | None = None) -> Ticket:
    _authorize(actor, "start", ticket)
    t = _lock(ticket)
    transition(t, "start", actor=actor, expected_version=expected_version)
    return t


@transaction.atomic
def ticket_hold(
    *, actor, ticket: Ticket, reason: str, until: dt.date, expected_version: int | None = None
) -> Ticket:
    _authorize(actor, "hold", ticket)
    t = _lock(ticket)
    reason = (reason or "").strip()
    if not reason:
        raise TicketError(_("Say why the request is on hold."))
    if until <= timezone.localdate():
        raise TicketError(_("The new date must be in the future."))
    t.hold_from, t.hold_reason, t.hold_until = t.status, reason[:300], until
    transition(
        t,
        "hold",
        actor=actor,
        expected_version=expected_version,
        data={"reason": reason[:300], "until": until.isoformat()},
        fields=["hold_from", "hold_reason", "hold_until"],
    )
    notifying.held(t)
    return t


@transaction.atomic
def ticket_resume(*, actor, ticket: Ticket, expected_version: int | None = None) -> Ticket:
    _authorize(actor, "resume", ticket)
    t = _lock(ticket)
    back = t.hold_from or Status.ACCEPTED
    t.hold_from, t.hold_until = "", None
    transition(
        t,
        "resume",
        actor=actor,
        expected_version=expected_version,
        to=back,
        fields=["hold_from", "hold_until"],
    )
    return t


@transaction.atomic
def ticket_extend(
    *, actor, ticket: Ticket, days: int, reason: str, expected_version: int | None = None
) -> Ticket:
    """More working days to resolve, with a reason the requester is told."""
    _authorize(actor, "extend", ticket)
    t = _lock(ticket)
    if expected_version is not None and expected_version != t.version:
        raise StaleTicket
    if not t.is_extendable:
        raise TicketError(_("Only a request still being worked on can be given more time."))
    reason = (reason or "").strip()
    if not reason or not (1 <= days <= 60):
        raise TicketError(_("Give a reason and between 1 and 60 working days."))
    old = t.resolve_by
    t.resolve_by = add_workdays(max(old, timezone.now()), days, t.community_id)
    t.extension_count += 1
    t.version += 1
    t.save()
    log_event(
        actor=actor,
        verb="ticket.extended",
        obj=t,
        data={
            "days": days,
            "reason": reason[:300],
            "from": old.isoformat(),
            "to": t.resolve_by.isoformat(),
        },
    )
    notifying.extended(t, reason)
    return t


# --- doing the work ------------------------------------------------------------------------


@transaction.atomic
def ticket_comment(*, actor, ticket: Ticket, body: str, kind: str) -> TicketComment:
    """A progress update (the requester sees it) or an internal note (never shown to them)."""
    if kind not in (CommentKind.PROGRESS, CommentKind.NOTE):
        raise TicketError(_("Unknown kind of note."))
    _authorize(actor, "progress" if kind == CommentKind.PROGRESS else "note", ticket)
    body = (body or "").strip()
    if not body:
        raise TicketError(_("The note is empty."))
    if len(body) > 2000:
        raise TicketError(_("The note is too long (at most 2,000 characters)."))
    t = _lock(ticket)
    c = TicketComment.objects.create(ticket=t, author=actor, kind=kind, body=body)
    # The event never carries an internal note's text: timelines may be shown to residents.
    log_event(actor=actor, verb=f"ticket.{kind}", obj=t, data={"comment": c.pk})
    if kind == CommentKind.PROGRESS:
        notifying.progress(t)
    return c


def ticket_resolve(
    *, actor, ticket: Ticket, result: str, photos=(), expected_version: int | None = None
) -> Ticket:
    _authorize(actor, "resolve", ticket)
    result = (result or "").strip()
    if not result:
        raise TicketError(_("Say what was done."))
    images = process_photos(photos)
    with transaction.atomic():
        t = _lock(ticket)
        t.resolved_at = timezone.now()
        transition(
            t, "resolve", actor=actor, expected_version=expected_version, fields=["resolved_at"]
        )
        TicketComment.objects.create(
            ticket=t, author=actor, kind=CommentKind.PROGRESS, body=result[:2000]
        )
        for img in images:
            TicketPhoto.objects.create(
                ticket=t, image=img, stage=PhotoStage.RESULT, uploaded_by=actor
            )
        notifying.resolved(t)
    return t


@transaction.atomic
def ticket_reply(
    *, actor, ticket: Ticket, body: str, expected_version: int | None = None
) -> Ticket:
    """The reply to the requester: required before a request can be closed."""
    _authorize(actor, "reply", ticket)
    body = (body or "").strip()
    if not body:
        raise TicketError(_("Write the reply to the requester."))
    t = _lock(ticket)
    t.replied_at = timezone.now()
    transition(t, "reply", actor=actor, expected_version=expected_version, fields=["replied_at"])
    TicketComment.objects.create(ticket=t, author=actor, kind=CommentKind.REPLY, body=body[:2000])
    notifying.replied(t)
    return t


_RATED_FIELDS = ["rating", "rating_comment", "rated_at", "rated_by_revisit"]


def _rated(
    actor, t: Ticket, rating: str, comment: str, *, action: str, expected_version: int | None = None
) -> Ticket:
    if rating not in Rating.values:
        raise TicketError(_("Choose satisfied, basically satisfied or unsatisfied."))
    now = timezone.now()
    t.rating, t.rating_comment, t.rated_at = rating, (comment or "").strip()[:500], now
    t.rated_by_revisit = action == "revisit"
    if rating == Rating.UNSATISFIED:
        # Unsatisfied reopens: back to the handler, counted.
        t.reopen_count += 1
        t.resolved_at = t.replied_at = None
        back = (
            Status.ASSIGNED
            if (t.assignee_user_id or t.assignee_team_id or t.external_handler)
            else Status.ACCEPTED
        )
        transition(
            t,
            action,
            actor=actor,
            to=back,
            expected_version=expected_version,
            data={"rating": rating, "reopened": True},
            fields=[*_RATED_FIELDS, "reopen_count", "resolved_at", "replied_at"],
        )
        notifying.reopened(t)
        notifying.reopened_for_joined(t)
    else:
        t.closed_at = now
        transition(
            t,
            action,
            actor=actor,
            to=Status.CLOSED,
            expected_version=expected_version,
            data={"rating": rating},
            fields=[*_RATED_FIELDS, "closed_at"],
        )
        notifying.closed(t)
    return t


@transaction.atomic
def ticket_rate(
    *, actor, ticket: Ticket, rating: str, comment: str = "", expected_version: int | None = None
) -> Ticket:
    _authorize(actor, "rate", ticket)
    return _rated(
        actor, _lock(ticket), rating, comment, action="rate", expected_version=expected_version
    )


@transaction.atomic
def ticket_revisit(
    *, actor, ticket: Ticket, rating: str, comment: str = "", expected_version: int | None = None
) -> Ticket:
    """Staff called or visited the requester (phone and walk-in requests) and record the
    rating they gave."""
    _authorize(actor, "revisit", ticket)
    return _rated(
        actor, _lock(ticket), rating, comment, action="revisit", expected_version=expected_version
    )


@transaction.atomic
def ticket_close(*, actor, ticket: Ticket, expected_version: int | None = None) -> Ticket:
    _authorize(actor, "close", ticket)
    t = _lock(ticket)
    t.closed_at = timezone.now()
    transition(t, "close", actor=actor, expected_version=expected_version, fields=["closed_at"])
    notifying.closed(t)
    return t


@transaction.atomic
def ticket_mark_duplicate(
    *, actor, ticket: Ticket, original: Ticket, expected_version: int | None = None
) -> Ticket:
    """Merge into ``original``: this request's requesters join the original's list."""
    _authorize(actor, "mark_duplicate", ticket)
    policy.authorize(actor, "ticket.mark_duplicate", original)
    t = _lock(ticket)
    orig = _lock(original)
    if orig.pk == t.pk or orig.community_id != t.community_id:
        raise TicketError(_("Choose another request of this community as the original."))
    if orig.status == Status.DUPLICATE or not orig.is_open:
        raise TicketError(_("The original must be a request that is still open."))
    existing = set(orig.requesters.exclude(user=None).values_list("user_id", flat=True))
    for r in t.requesters.all():
        if r.user_id and r.user_id in existing:
            continue
        TicketRequester.objects.create(
            ticket=orig,
            user=r.user,
            resident=r.resident,
            name=r.name,
            phone=r.phone,
            anonymous=r.anonymous,
            primary=False,
            joined_from=t,
        )
    t.duplicate_of = orig
    t.closed_at = timezone.now()
    transition(
        t,
        "mark_duplicate",
        actor=actor,
        expected_version=expected_version,
        data={"original": orig.pk},
        fields=["duplicate_of", "closed_at"],
    )
    log_event(actor=actor, verb="ticket.merged", obj=orig, data={"duplicate": t.pk})
    notifying.merged(t, orig)
    return t


@transaction.atomic
def ticket_refer(
    *, actor, ticket: Ticket, to: str, reason: str, expected_version: int | None = None
) -> Ticket:
    _authorize(actor, "refer", ticket)
    to, reason = (to or "").strip(), (reason or "").strip()
    if not to or not reason:
        raise TicketError(_("Say where the request was referred and why."))
    t = _lock(ticket)
    t.referred_to, t.referral_reason, t.closed_at = to[:100], reason[:300], timezone.now()
    transition(
        t,
        "refer",
        actor=actor,
        expected_version=expected_version,
        data={"to": to[:100], "reason": reason[:300]},
        fields=["referred_to", "referral_reason", "closed_at"],
    )
    notifying.referred(t)
    return t


@transaction.atomic
def ticket_withdraw(
    *, actor, ticket: Ticket, reason: str = "", expected_version: int | None = None
) -> Ticket:
    _authorize(actor, "withdraw", ticket)
    t = _lock(ticket)
    t.closed_at = timezone.now()
    transition(
        t,
        "withdraw",
        actor=actor,
        expected_version=expected_version,
        data={"reason": (reason or "")[:300]},
        fields=["closed_at"],
    )
    notifying.withdrawn(t)
    return t


# --- one entry for every action on a request (pages and API) ---------------------------------

# Every action a person can take on a request, in the order a request's page shows them: the
# transition table's moves and "extend" (more time; the status stays). Pages and the API
# dispatch through ``ticket_act``; each action's permission is "ticket.<action>".
TICKET_ACTIONS = (
    "accept",
    "assign",
    "claim",
    "start",
    "resolve",
    "reply",
    "rate",
    "revisit",
    "close",
    "hold",
    "resume",
    "extend",
    "mark_duplicate",
    "refer",
    "withdraw",
)


def ticket_act(
    *,
    actor,
    ticket: Ticket,
    action: str,
    expected_version: int | None = None,
    user=None,
    team: HandlingTeam | None = None,
    external_handler: str = "",
    external_contact: str = "",
    reason: str = "",
    until: dt.date | None = None,
    days: int | None = None,
    result: str = "",
    photos=(),
    body: str = "",
    rating: str = "",
    comment: str = "",
    original: Ticket | None = None,
    to: str = "",
) -> Ticket:
    """Run ``action`` (one of ``TICKET_ACTIONS``) with the fields it takes; every service
    compares ``expected_version`` with the row it locks (a stale page or copy → 409)."""
    common = {"actor": actor, "ticket": ticket, "expected_version": expected_version}
    if action not in TICKET_ACTIONS:
        raise LookupError(f"unknown ticket action {action!r}")
    if action == "assign":
        return ticket_assign(
            **common,
            user=user,
            team=team,
            external_handler=external_handler,
            external_contact=external_contact,
        )
    if action in ("accept", "claim", "start", "resume", "close"):
        return globals()[f"ticket_{action}"](**common)
    if action == "hold":
        if until is None:
            raise TicketError(_("Give the date the work should resume."))
        return ticket_hold(**common, reason=reason, until=until)
    if action == "extend":
        return ticket_extend(**common, days=days or 0, reason=reason)
    if action == "resolve":
        return ticket_resolve(**common, result=result, photos=photos)
    if action == "reply":
        return ticket_reply(**common, body=body)
    if action in ("rate", "revisit"):
        return globals()[f"ticket_{action}"](**common, rating=rating, comment=comment)
    if action == "mark_duplicate":
        if original is None:
            raise TicketError(_("Choose the original request."))
        return ticket_mark_duplicate(**common, original=original)
    if action == "refer":
        return ticket_refer(**common, to=to, reason=reason)
    return ticket_withdraw(**common, reason=reason)


def ticket_bulk_assign(*, actor, tickets, **target) -> tuple[list[Ticket], list[tuple]]:
    """Assign several; each in its own transaction, so one refusal does not undo the rest."""
    done, failed = [], []
    for t in tickets:
        try:
            done.append(ticket_assign(actor=actor, ticket=t, **target))
        except (TicketError, PermissionDenied) as e:
            failed.append((t, getattr(e, "message", _("Not allowed."))))
    return done, failed
