"""Requests JSON API (``/api/tickets/``): the same queries, services and policy as the pages.

A requester gets the public view of their request (never internal notes, never who handles
it by name); staff in scope get the full view; internal notes only for those allowed
``ticket.note``. Refusals are ``DomainError``s, answered by the one API handler
(``linli.api.api``) as ``{"detail", "code"}`` with their HTTP code; an impossible transition
(409) names the ``allowed`` ones.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja import Status as Reply
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from linli.core import disclosure, fastpath, policy
from linli.core.events import verb_label
from linli.core.personal import mask_phone
from linli.core.public import scrub_public_text
from linli.core.ratelimit import rate_limit
from linli.core.roles import ROLE_LEVEL
from linli.registry.models import Building, Household, Unit

from . import handler_names, queries, services
from .models import (
    OPEN_STATES,
    Category,
    Channel,
    CommentKind,
    HandlingTeam,
    Status,
    Ticket,
    TicketComment,
    TicketQuerySet,
)
from .sight import Can, sight
from .verbs import PUBLIC_VERBS
from .workflow import TicketError, allowed_actions

router = Router(tags=["tickets"])


# --- schemas -------------------------------------------------------------------------------

# ``get_<field>_display()`` without its per-call rebuild of the choices (a tenth of a ms a call).
_STATUS_LABELS: dict[str, Any] = dict(Status.choices)
_CHANNEL_LABELS: dict[str, Any] = dict(Channel.choices)


def _label(labels: dict[str, Any], value: str) -> str:
    return str(labels.get(value, value))


class ErrorOut(Schema):
    """A refusal (``core.errors.DomainError`` through the one API handler): the translated
    message, a short code, and for a move not possible now the ``allowed`` actions."""

    detail: str
    code: str | None = None
    allowed: list[str] | None = None


class CategoryRef(Schema):
    id: int
    code: str
    name: str

    @staticmethod
    def resolve_name(obj):
        # A category, or a category already dumped (a detail is built from a list row's
        # dump): its name, never the dict's string form.
        if isinstance(obj, dict):
            return obj.get("name", "")
        return str(obj)


class TicketFields(Schema):
    id: int
    community: str
    category: CategoryRef
    status: str
    status_label: str
    is_open: bool
    emergency: bool
    description: str
    place: str
    created_at: dt.datetime
    respond_by: dt.datetime
    resolve_by: dt.datetime
    overdue: bool
    version: int


class TicketOut(TicketFields):
    """One row of a list, read straight from the model."""

    @staticmethod
    def resolve_community(obj):
        return obj.community.code

    @staticmethod
    def resolve_status_label(obj):
        return _label(_STATUS_LABELS, obj.status)

    @staticmethod
    def resolve_place(obj):
        # A requester whose report was merged in does not read another household's place.
        return "" if getattr(obj, "details_hidden", False) else obj.place_label

    @staticmethod
    def resolve_description(obj):
        return "" if getattr(obj, "details_hidden", False) else obj.description

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue


class CommentOut(Schema):
    id: int
    kind: str
    kind_label: str
    body: str
    author: str | None
    created_at: dt.datetime


class EventOut(Schema):
    verb: str
    label: str
    actor: str | None
    created_at: dt.datetime


class RequesterOut(Schema):
    name: str
    phone: str
    anonymous: bool
    primary: bool


class TicketDetailOut(TicketFields):
    # "staff"; "public" (the requester's); or "joined" (someone whose own report was merged
    # into it: its status, public replies scrubbed, and their own report's number only)
    view: str
    joined_from: list[int] = []
    channel: str
    channel_label: str
    contact_preference: str
    attributes: dict[str, Any]
    hold_until: dt.date | None
    hold_reason: str
    rating: str
    rating_comment: str
    rated_at: dt.datetime | None
    reopen_count: int
    duplicate_of: int | None
    referred_to: str
    referral_reason: str
    assignee: str | None
    # Who handles it, as this reader may see it: the assignee for staff; for the requester
    # the team and the handler's public name as the community chose (never a phone).
    handled_by: str
    requesters: list[RequesterOut] | None
    comments: list[CommentOut]
    timeline: list[EventOut]
    actions: list[str]


class TicketIn(Schema):
    category_id: int
    description: str
    channel: str = Channel.WEB  # "web": a resident for themselves; else staff intake
    household_id: int | None = None
    building_id: int | None = None
    unit_id: int | None = None
    location_text: str = ""
    lat: Decimal | None = None
    long: Decimal | None = None
    contact_preference: str = "in_app"
    emergency: bool = False
    attributes: dict[str, Any] = {}
    requester_name: str = ""
    requester_phone: str = ""
    anonymous: bool = False
    private: bool = False  # keep it off public lists and Open311


class TransitionIn(Schema):
    action: str
    version: int | None = None
    user_id: int | None = None
    team_id: int | None = None
    external_handler: str = ""
    external_contact: str = ""
    reason: str = ""
    until: dt.date | None = None
    days: int | None = None
    result: str = ""
    body: str = ""
    rating: str = ""
    comment: str = ""
    original_id: int | None = None
    to: str = ""


class CommentIn(Schema):
    kind: str = CommentKind.PROGRESS
    body: str


class ReplyIn(Schema):
    body: str
    version: int | None = None


class RatingIn(Schema):
    rating: str
    comment: str = ""
    version: int | None = None


# --- helpers -------------------------------------------------------------------------------

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _comment(c: TicketComment, *, staff: bool, scrub=None) -> dict:
    return {
        "id": c.pk,
        "kind": c.kind,
        "kind_label": str(c.get_kind_display()),
        "body": scrub(c.body) if scrub else c.body,
        "created_at": c.created_at,
        "author": (c.author.get_full_name() if c.author_id else None) if staff else None,
    }


def _comments(
    t: Ticket, *, staff: bool, notes: bool, known: list | None = None, scrub=None
) -> list[dict]:
    if known is not None:
        return [
            _comment(c, staff=staff, scrub=scrub)
            for c in known
            if notes or c.kind != CommentKind.NOTE
        ]
    qs = t.comments.select_related("author") if staff else t.comments.all()
    if not notes:
        qs = qs.exclude(kind=CommentKind.NOTE)
    return [_comment(c, staff=staff, scrub=scrub) for c in qs]


def _joined_scrub(t: Ticket):
    """Texts as a joined requester reads them: without another household's names, phones
    and rooms."""
    return lambda text: scrub_public_text(text, community=t.community_id)


def _detail(
    actor,
    t: Ticket,
    *,
    can: Can | None = None,
    events: list | None = None,
    comments: list | None = None,
    requesters: list | None = None,
) -> dict:
    """The body of ``TicketDetailOut``. ``can``, ``events``, ``comments``, ``requesters``:
    what the caller knows already (a request it has just created); the rest is read."""
    can = can or policy.checker(actor).on(t)
    seen = sight(can)
    staff, notes, details = seen.staff, seen.notes, seen.details
    scrub = None if details else _joined_scrub(t)
    joined_from: list[int] = []
    if not details:
        t.details_hidden = True
        joined_from = list(
            t.requesters.filter(user_id=actor.pk, primary=False)
            .exclude(joined_from=None)
            .values_list("joined_from_id", flat=True)
        )
    if events is None:
        events = queries.ticket_events(t, public_only=not staff)
    else:  # as ticket_events reads them
        shown = [e for e in events if staff or e.verb in PUBLIC_VERBS]
        events = sorted(shown, key=lambda e: (e.created_at, e.pk))[:500]
    shown_requesters = None
    if staff:
        full_phone = disclosure.sees_full_phone(actor, t)
        if requesters is None:
            requesters = t.requesters.select_related("user")
        shown_requesters = [
            {
                "name": r.display_name,
                "phone": "" if r.anonymous else (r.phone if full_phone else mask_phone(r.phone)),
                "anonymous": r.anonymous,
                "primary": r.primary,
            }
            for r in requesters
        ]
    attributes = dict(t.attributes or {}) if details else {}
    if not staff:
        attributes.pop("open311", None)
    return {
        **_fields(t),
        "view": seen.view,
        "joined_from": joined_from,
        "channel": t.channel,
        "channel_label": _label(_CHANNEL_LABELS, t.channel),
        "contact_preference": t.contact_preference,
        "attributes": attributes,
        "hold_until": t.hold_until,
        "hold_reason": scrub(t.hold_reason) if scrub else t.hold_reason,
        "rating": t.rating,
        "rating_comment": t.rating_comment if details else "",
        "rated_at": t.rated_at,
        "reopen_count": t.reopen_count,
        "duplicate_of": t.duplicate_of_id,
        "referred_to": t.referred_to,
        "referral_reason": scrub(t.referral_reason) if scrub else t.referral_reason,
        "assignee": (t.assignee_label or None) if staff else None,
        "handled_by": handler_names.staff_label(t) if staff else handler_names.resident_label(t),
        "requesters": shown_requesters,
        "comments": _comments(t, staff=staff, notes=notes, known=comments, scrub=scrub),
        "timeline": [
            {
                "verb": e.verb,
                "label": verb_label(e.verb),
                "created_at": e.created_at,
                "actor": (e.actor_name or None) if staff else None,
            }
            for e in events
        ],
        "actions": [a for a in allowed_actions(t.status) if can(f"ticket.{a}")],
    }


def _fields(t: Ticket) -> dict:
    """``TicketOut.model_validate(t).model_dump()``, written out: the fields of a detail, with
    the values pydantic would give them (a submit's answer is not validated again: see
    ``ticket_create``)."""
    hidden = getattr(t, "details_hidden", False)
    category = t.category
    return {
        "id": t.pk,
        "community": t.community.code,
        "category": {"id": category.pk, "code": category.code, "name": str(category)},
        "status": str(t.status),
        "status_label": _label(_STATUS_LABELS, t.status),
        "is_open": t.is_open,
        "emergency": t.emergency,
        "description": "" if hidden else t.description,
        "place": "" if hidden else t.place_label,
        "created_at": t.created_at,
        "respond_by": t.respond_by,
        "resolve_by": t.resolve_by,
        "overdue": t.is_overdue,
        "version": t.version,
    }


def _created_can(
    actor, t: Ticket, new: services.Created, teams: dict[int, bool] | None = None
) -> Can:
    """``policy.can`` for a request ``actor`` has just created, telling the policy the
    personal relations known from what was written: its requesters, and whether the actor is
    in its team (``teams``: team id → member?, read with the category). So a resident
    reporting for themselves is answered without a query."""
    mine = [r for r in new.requesters if r.user_id == actor.pk]
    known = {"requester": any(r.primary for r in mine), "joined": False}
    if t.assignee_team_id is not None and t.assignee_team_id in (teams or {}):
        known["team"] = teams[t.assignee_team_id]
    return lambda action: policy.can(actor, action, t, known=known)


def _created_detail(actor, t: Ticket, teams: dict[int, bool] | None = None) -> dict:
    """The detail of a request just created, from the objects in hand: the same body as a
    ``GET`` of it returns (tests/tickets/test_submit_fast.py). A new request has no comments."""
    new = services.created(t)
    if new is None:
        return _detail(actor, queries.ticket_get_for(actor, t.pk))
    return _detail(
        actor,
        t,
        can=_created_can(actor, t, new, teams),
        events=new.events,
        comments=[],
        requesters=new.requesters,
    )


def _get(request, pk: int, action: str = "ticket.view") -> Ticket:
    return queries.ticket_get_for(request.user, pk, action)


def _one(model, pk: int | None, message: str):
    """``model`` (or a queryset of it) row ``pk``; None for None; a 400 if there is none."""
    if pk is None:
        return None
    qs = model._default_manager.all() if isinstance(model, type) else model
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise TicketError(message)
    return obj


MAX_PAGE_SIZE = 100


class _Pages(PageNumberPagination):
    """ninja's page numbers, bounded: a page past any database's OFFSET range is a 422, not a
    500 (found by the API fuzzer); a page of more than MAX_PAGE_SIZE rows is a 422 too, so one
    call cannot ask for the whole table."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)


# --- endpoints -----------------------------------------------------------------------------


@router.get("/", response=list[TicketOut], summary="Requests I may see")
@paginate(_Pages, page_size=50)
def ticket_list(request, status: str = "", category: str = "", overdue: bool | None = None):
    """Scoped exactly like the pages. ``status``: one or more (comma-separated) of the
    statuses, or ``open``; ``category``: a category code; ``overdue``: true/false."""
    actor = request.user
    # A request the actor may not read the details of (their own report was merged into it):
    # listed without its text and place (TicketOut).
    details = policy.scope_filter(
        actor, Ticket.objects.filter(pk=OuterRef("pk")), "ticket.view_details"
    )
    qs = (
        queries.tickets_for(actor)
        .annotate(details_hidden=~Exists(details))
        .select_related("community", "category", "building", "unit", "household")
    )
    wanted = [s.strip() for s in status.split(",") if s.strip()]
    if wanted:
        states: set[str] = set()
        for s in wanted:
            if s == "open":
                states |= OPEN_STATES
            elif s in Status.values:
                states.add(s)
            else:
                raise HttpError(400, _("Unknown status: %(status)s") % {"status": s[:30]})
        qs = qs.filter(status__in=states)
    if category:
        qs = qs.filter(category__code=category)
    if overdue is not None:
        rows = cast(TicketQuerySet, qs)
        qs = rows.overdue() if overdue else rows.not_overdue()
    return qs.order_by("-created_at", "-id")


@router.get("/{ticket_id}", response={200: TicketDetailOut, **ERRORS}, summary="One request")
def ticket_detail(request, ticket_id: int):
    return Reply(200, _detail(request.user, _get(request, ticket_id)))


def _reported_by_resident(request, kwargs) -> bool:
    # Staff taking phone calls during a burst pipe are not limited (the API limit still is).
    return getattr(kwargs.get("payload"), "channel", None) == Channel.WEB


def _emergency_payload(request, kwargs) -> bool:
    return bool(getattr(kwargs.get("payload"), "emergency", False))


@router.post(
    "/", response={201: TicketDetailOut, 429: ErrorOut, **ERRORS}, summary="Report or take in"
)
@rate_limit("submit", when=_reported_by_resident)
@rate_limit("emergency", when=_emergency_payload)
def ticket_create(request, payload: TicketIn):
    """``channel`` ``web``: a resident reports for themselves; any other channel (phone,
    walk-in, patrol, …): staff, a building leader or a grid worker takes a request in."""
    actor = _person(request)
    # With its community and default team, and whether the actor is in that team: part of
    # what the actor may do on the new request (``_created_can``).
    category = _category_in_scope(actor, payload.category_id)
    if category is None:
        raise TicketError(_("Please choose one of this community's request categories."))
    # Each with the building (and unit) it is in: one query, the building read once.
    place = {
        "household": _row(Household, "household", payload.household_id, _("Unknown room.")),
        "building": _row(Building, "building", payload.building_id, _("Unknown building.")),
        "unit": _row(Unit, "unit", payload.unit_id, _("Unknown unit.")),
        "location_text": payload.location_text,
        "lat": payload.lat,
        "long": payload.long,
    }
    common = {
        "category": category,
        "description": payload.description,
        **place,
        "contact_preference": payload.contact_preference,
        "emergency": payload.emergency,
        "attributes": payload.attributes,
        "private": payload.private,
    }
    if payload.channel == Channel.WEB:
        t = services.ticket_submit(actor=actor, **common)
    else:
        t = services.ticket_intake(
            actor=actor,
            channel=payload.channel,
            requester_name=payload.requester_name,
            requester_phone=payload.requester_phone,
            anonymous=payload.anonymous,
            **common,
        )
    in_team = bool(getattr(category, "actor_in_team", False))  # annotated by the read
    teams = {category.default_team_id: in_team} if category.default_team_id else {}
    body = _created_detail(actor, t, teams)
    # Rendered as it is, not validated against ``TicketDetailOut`` and dumped again (two
    # pydantic passes over a body built here from the schema's fields: a tenth of a submit's
    # CPU). It is the body a GET of the request returns, through the schema
    # (tests/tickets/test_submit_fast.py).
    from linli.api.api import api  # (which mounts this router)

    return api.create_response(request, body, status=201)


def _person(request):
    """``request.user`` itself rather than Django's lazy proxy of it: a submit reads the actor
    some 140 times, each read through the proxy costing a failed attribute lookup first."""
    user = request.user
    if isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        return user._wrapped
    return user


# What a report reads before it writes, as statements compiled once (core/fastpath.py): a
# report is the most frequent write, and building these querysets on every one cost more
# than running them (docs/performance.md, "Session 5: submit").
_ID_RANGE = range(-(2**63), 2**63)


def _category_query(pk: int, user_id: int):
    in_team = HandlingTeam.members.through.objects.filter(
        handlingteam_id=OuterRef("default_team_id"), user_id=user_id
    )
    return (
        Category.objects.select_related("community", "default_team")
        .annotate(actor_in_team=Exists(in_team))
        .filter(pk=pk)
    )


_PLACE_QUERIES = {
    "household": lambda pk: Household.objects.select_related("building", "unit").filter(pk=pk),
    "building": lambda pk: Building.objects.filter(pk=pk),
    "unit": lambda pk: Unit.objects.select_related("building").filter(pk=pk),
}


def _category_in_scope(actor, pk: int) -> Category | None:
    """``policy.in_scope(actor, <categories with community, team, actor_in_team>)`` for one
    key, the row read by its key alone and placed from the actor's memberships as loaded:
    every path of ``Category.SCOPE_PATHS`` goes through its community, which a membership
    reaches when the community is the place (or the place's community, or the street office
    is the community's) — the same answer (tests/tickets/test_submit_fast.py)."""
    if pk not in _ID_RANGE or not actor.is_authenticated:
        return _category_orm(actor, pk)
    found = fastpath.objects(Category, "tickets.submit.category", _category_query, pk, actor.pk)
    if not found:
        return None
    category = found[0]
    placed = _reaches(actor, category.community)
    if placed is None:
        return _category_orm(actor, pk)
    return category if placed else None


def _category_orm(actor, pk: int) -> Category | None:
    categories = (
        _category_query(pk, actor.pk) if actor.is_authenticated else Category.objects.none()
    )
    return policy.in_scope(actor, categories).first()


def _reaches(actor, community) -> bool | None:
    """Whether one of the actor's memberships covers ``community`` (as ``Category``'s scope
    paths read it); None if that would take a query."""
    for m in policy.memberships(actor):
        level = ROLE_LEVEL[m.role]
        if m.place_id is None:
            continue
        if level == "street":
            if m.street_office_id == community.street_office_id:
                return True
        elif level == "community":
            if m.community_id == community.pk:
                return True
        else:
            field: Any = type(m)._meta.get_field(level)  # grid, building or household
            if not field.is_cached(m):
                return None
            place = field.get_cached_value(m)
            if place is not None and getattr(place, "community_id", None) == community.pk:
                return True
    return False


def _row(model, name: str, pk: int | None, message: str):
    """``_one`` for a report's place, read with the statement compiled once."""
    if pk is None:
        return None
    if pk not in _ID_RANGE:
        return _one(_PLACE_QUERIES[name](pk), pk, message)
    found = fastpath.objects(model, f"tickets.submit.{name}", _PLACE_QUERIES[name], pk)
    if not found:
        raise TicketError(message)
    return found[0]


def _act(request, t: Ticket, action: str, version: int | None, **fields) -> Reply:
    """``action`` through the one dispatch pages share (``services.ticket_act``), answered
    with the request as it is now."""
    services.ticket_act(
        actor=request.user, ticket=t, action=action, expected_version=version, **fields
    )
    return Reply(200, _detail(request.user, _get(request, t.pk)))


def _transition_fields(actor, p: TransitionIn) -> dict:
    """The payload's fields for ``services.ticket_act``, the people, team and original
    request it names looked up (an unknown one is a 400; an original the actor may not see a
    404)."""
    fields = p.dict(exclude={"action", "version", "user_id", "team_id", "original_id"})
    if p.action == "assign":
        fields["user"] = _one(get_user_model(), p.user_id, _("Unknown person."))
        fields["team"] = _one(HandlingTeam, p.team_id, _("Unknown team."))
    if p.action == "mark_duplicate" and p.original_id is not None:
        fields["original"] = queries.ticket_get_for(actor, p.original_id)
    return fields


ACTIONS = services.TICKET_ACTIONS


@router.post(
    "/{ticket_id}/transitions",
    response={200: TicketDetailOut, **ERRORS},
    summary="Move a request on",
)
def ticket_transition(request, ticket_id: int, payload: TransitionIn):
    """``action`` is one of accept, assign, claim, start, hold, resume, extend, resolve,
    reply, rate, revisit, close, mark_duplicate, refer, withdraw, with its fields;
    ``version`` (from the copy you read) refuses a change built on a stale copy (409)."""
    t = _get(request, ticket_id)
    if payload.action not in ACTIONS:
        raise TicketError(
            _("Unknown action: %(action)s") % {"action": payload.action[:30]},
            code="unknown_action",
            extra={"allowed": allowed_actions(t.status)},
        )
    fields = _transition_fields(request.user, payload)
    return _act(request, t, payload.action, payload.version, **fields)


@router.get(
    "/{ticket_id}/comments",
    response={200: list[CommentOut], **ERRORS},
    summary="Replies, progress updates (and internal notes, for those allowed)",
)
def ticket_comments(request, ticket_id: int):
    t = _get(request, ticket_id)
    seen = sight(policy.checker(request.user).on(t))
    scrub = None if seen.details else _joined_scrub(t)
    return Reply(200, _comments(t, staff=seen.staff, notes=seen.notes, scrub=scrub))


@router.post(
    "/{ticket_id}/comments",
    response={201: CommentOut, **ERRORS},
    summary="Add a progress update or an internal note",
)
def ticket_comment_add(request, ticket_id: int, payload: CommentIn):
    t = _get(request, ticket_id)
    c = services.ticket_comment(actor=request.user, ticket=t, body=payload.body, kind=payload.kind)
    return Reply(201, _comment(c, staff=True))


@router.post(
    "/{ticket_id}/replies",
    response={200: TicketDetailOut, **ERRORS},
    summary="Reply to the requester",
)
def ticket_reply(request, ticket_id: int, payload: ReplyIn):
    return _act(request, _get(request, ticket_id), "reply", payload.version, body=payload.body)


@router.post(
    "/{ticket_id}/rating",
    response={200: TicketDetailOut, **ERRORS},
    summary="Rate the result (the requester)",
)
def ticket_rate(request, ticket_id: int, payload: RatingIn):
    t = _get(request, ticket_id)
    return _act(request, t, "rate", payload.version, rating=payload.rating, comment=payload.comment)
