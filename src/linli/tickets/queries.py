"""Reads of requests: scope-filtered through the one policy, paginated or aggregated in SQL."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from linli.core import access, policy, versions
from linli.core.models import Event, Holiday
from linli.registry.models import Building, Community, Household, Resident, ResidentStatus, Unit

from .models import (
    OPEN_STATES,
    WORKING_STATES,
    Category,
    CommentKind,
    HandlingTeam,
    Status,
    Ticket,
    TicketComment,
    TicketPhoto,
    TicketQuerySet,
    TicketRequester,
)
from .roles import HANDLERS
from .verbs import PUBLIC_VERBS


def tickets_for(actor, action: str = "ticket.view") -> QuerySet[Ticket]:
    return policy.scope_filter(actor, Ticket.objects.all(), action)


def ticket_get_for(actor, pk: int, action: str = "ticket.view") -> Ticket:
    """One request, authorised: outside the actor's places and not theirs → 404."""
    return policy.get_for(
        actor,
        Ticket.objects.select_related(
            "community",
            "category",
            "household",
            "building",
            "unit",
            "assignee_user",
            "assignee_team",
            "duplicate_of",
        ),
        action,
        pk=pk,
    )


def ticket_events(ticket: Ticket, *, public_only: bool) -> list[Event]:
    qs = (
        Event.objects.filter(
            object_type=ContentType.objects.get_for_model(Ticket), object_id=ticket.pk
        )
        .select_related("actor")
        .order_by("created_at", "id")
    )
    if public_only:
        qs = qs.filter(verb__in=PUBLIC_VERBS)
    return list(qs[:500])


# --- pages ---------------------------------------------------------------------------------
# Added for the request pages. Everything below reads through the one policy, or through the
# actor's own relation to a request (asked for it, handles it), never by community by hand.

QUEUE_PAGE_SIZE = 25
QUEUE_SORTS: dict[str, tuple[str, ...]] = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "deadline": ("resolve_by", "id"),
    "category": ("category__sort", "category__name", "-created_at", "-id"),
}
# Roles whose holders can be given a request or join a handling team (not plain residents).
HANDLER_ROLES = sorted(HANDLERS)
# What a list of requests shows of each (the queue, its export).
LIST_RELATED = (
    "community",
    "category",
    "building",
    "unit",
    "household",
    "assignee_user",
    "assignee_team",
)


def _urgent_first(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Emergencies still being worked on come before everything else."""
    return qs.annotate(
        urgent=Case(
            When(emergency=True, status__in=WORKING_STATES, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    )


def tickets_requested_by(actor) -> QuerySet[Ticket]:
    """The requests the actor asked for (including duplicates they joined), newest first.
    ``joined_only``: they are on it only because their own report was merged into it — the
    list then shows neither its text nor its place (another household's)."""
    mine = TicketRequester.objects.filter(user_id=actor.pk).values("ticket_id")
    primary = TicketRequester.objects.filter(
        ticket_id=OuterRef("pk"), user_id=actor.pk, primary=True
    )
    return (
        Ticket.objects.filter(pk__in=mine)
        .annotate(joined_only=~Exists(primary))
        .select_related("category", "household", "building", "unit")
        .order_by("-created_at", "-id")
    )


def tasks_for(actor, limit: int = 50) -> list[Ticket]:
    """Open requests given to the actor in person or to a team they belong to."""
    teams = HandlingTeam.objects.filter(members=actor).values("pk")
    qs = Ticket.objects.filter(
        Q(assignee_user_id=actor.pk) | Q(assignee_team_id__in=teams), status__in=WORKING_STATES
    )
    return list(
        _urgent_first(qs)
        .select_related(*LIST_RELATED)
        .order_by("urgent", "resolve_by", "id")[:limit]
    )


def queue_filtered(
    actor,
    *,
    status: str = "",
    category_id: int | None = None,
    building_id: int | None = None,
    channel: str = "",
    overdue: bool = False,
    assignee: str = "",
    emergency: bool = False,
    sort: str = "newest",
    action: str = "ticket.queue",
) -> tuple[QuerySet[Ticket], dict[str, int], int | None]:
    """The staff queue, filtered (not ordered, not paginated), the count per status (one
    aggregate query, over every filter except the status itself) and the filtered list's
    length when those counts hold it (no second COUNT). ``action``: the scope (the export
    reads through ``ticket.export``, the office's own communities)."""
    qs = tickets_for(actor, action)
    if category_id:
        qs = qs.filter(category_id=category_id)
    if building_id:
        qs = qs.filter(building_id=building_id)
    if channel:
        qs = qs.filter(channel=channel)
    if emergency:
        qs = qs.filter(emergency=True)
    if overdue:
        qs = cast(TicketQuerySet, qs).overdue()
    if assignee == "me":
        qs = qs.filter(assignee_user_id=actor.pk)
    elif assignee == "none":
        qs = qs.filter(assignee_user__isnull=True, assignee_team__isnull=True, external_handler="")
    elif assignee == "ext":
        qs = qs.exclude(external_handler="")
    elif assignee[:2] in ("u:", "t:") and assignee[2:].isdigit():
        key = "assignee_user_id" if assignee[0] == "u" else "assignee_team_id"
        qs = qs.filter(**{key: int(assignee[2:])})
    counts = {
        row["status"]: row["n"] for row in qs.order_by().values("status").annotate(n=Count("*"))
    }
    counts["open"] = sum(n for s, n in counts.items() if s in OPEN_STATES)
    total: int | None = None
    if not status:
        total = sum(n for s, n in counts.items() if s != "open")
    elif status == "open" or status in Status.values:
        total = counts.get(status, 0)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATES)
    elif status:
        qs = qs.filter(status=status)
    return _urgent_first(qs), counts, total


def queue_sorts() -> dict[str, tuple[str, ...]]:
    """The queue's orders for ``core.lists``: emergencies being worked on always first."""
    return {k: ("urgent", *v) for k, v in QUEUE_SORTS.items()}


def attach(rows: list[Ticket], **known: list) -> list[Ticket]:
    """Set each row's relation ``name`` from objects the page has loaded already (the
    queue's filter choices hold its categories, buildings, teams and people), so the list
    query needs no join for them; any object not among them is fetched, all in one query
    per relation. Measured on the queue: 112 → 42 model instances per page."""
    for name, objs in known.items():
        field = Ticket._meta.get_field(name)
        by_id = {o.pk: o for o in objs}
        missing = {getattr(r, field.attname) for r in rows} - by_id.keys() - {None}
        if missing:
            by_id.update(field.related_model._default_manager.in_bulk(missing))
        for r in rows:
            value = getattr(r, field.attname)
            if value is not None:
                field.set_cached_value(r, by_id[value])
    return rows


def ticket_comments(ticket: Ticket, *, public_only: bool) -> list[TicketComment]:
    qs = ticket.comments.select_related("author")
    if public_only:
        # Internal notes are not even loaded for a page the requester sees.
        qs = qs.exclude(kind=CommentKind.NOTE)
    return list(qs[:500])


def ticket_photos(ticket: Ticket) -> list[TicketPhoto]:
    return list(ticket.photos.all()[:50])


def ticket_requesters(ticket: Ticket) -> list[TicketRequester]:
    return list(ticket.requesters.select_related("user").order_by("-primary", "added_at", "id"))


def photo_get_for(actor, pk: int) -> TicketPhoto:
    """A photo, only for someone who may see its request's details (404 outside their
    places; 403 for a requester whose own report was merged into it)."""
    photo = TicketPhoto.objects.select_related("ticket").filter(pk=pk).first()
    if photo is None:
        raise Http404
    policy.authorize(actor, "ticket.view_details", photo.ticket)
    return photo


def people_for(community_ids) -> list:
    """People holding a working role in these communities: who a request can be given to."""
    User = get_user_model()
    return list(
        User.objects.filter(
            is_active=True,
            memberships__active=True,
            memberships__community_id__in=community_ids,
            memberships__role__in=HANDLER_ROLES,
        )
        .distinct()
        .order_by("display_name", "username")
    )


def teams_for(community_ids, *, active_only: bool = True) -> list[HandlingTeam]:
    qs = HandlingTeam.objects.filter(community_id__in=community_ids).select_related("community")
    if active_only:
        qs = qs.filter(active=True)
    return list(qs)


def communities_for(actor, action: str) -> list[Community]:
    return list(policy.scope_filter(actor, Community.objects.all(), action).order_by("name"))


def queue_choices(actor) -> dict:
    """What the queue's filters offer this actor: categories, buildings, teams, people; kept
    while the actor's roles and their communities' change counters are unchanged."""
    return versions.cached_for_scope("queue_choices", actor, lambda: _queue_choices(actor))


def _queue_choices(actor) -> dict:
    communities = communities_for(actor, "ticket.queue")
    ids = [c.pk for c in communities]
    return {
        "communities": communities,
        "categories": list(
            policy.scope_filter(actor, Category.objects.all(), "ticket.queue").select_related(
                "community"
            )
        ),
        "buildings": list(
            policy.scope_filter(actor, Building.objects.all(), "ticket.queue")
            .select_related("community")
            .order_by("community_id", "sort_key")
        ),
        "teams": teams_for(ids),
        "people": people_for(ids),
    }


def resident_places(actor) -> tuple[Community | None, list[Household]]:
    """The community a resident reports in, and their own households in it."""
    homes = [
        m.household for m in policy.allowed_memberships(actor, "ticket.submit") if m.household_id
    ]
    if not homes:
        return None, []
    community = homes[0].community
    return community, [h for h in homes if h.community_id == community.pk]


def submit_categories(community: Community) -> list[Category]:
    return list(Category.objects.filter(community=community, active=True))


def estate_units(community: Community) -> tuple[list[Building], list[Unit]]:
    """The buildings and units of the estate, for "where is it?" (a resident may name any
    building of their own community, not only their own)."""
    buildings = list(Building.objects.filter(community=community).order_by("sort_key"))
    units = list(
        Unit.objects.filter(building__community=community)
        .select_related("building")
        .order_by("building__sort_key", "sort_key")
    )
    return buildings, units


def intake_choices(actor) -> dict:
    """Categories, buildings and units where the actor may take a request for someone."""
    buildings = list(
        policy.scope_filter(actor, Building.objects.all(), "ticket.intake")
        .select_related("community")
        .order_by("community_id", "sort_key")
    )
    units = list(
        Unit.objects.filter(building__in=[b.pk for b in buildings])
        .select_related("building")
        .order_by("building__sort_key", "sort_key")
    )
    return {
        "categories": list(
            policy.scope_filter(
                actor, Category.objects.filter(active=True), "ticket.intake"
            ).select_related("community")
        ),
        "buildings": buildings,
        "units": units,
    }


def households_by_label(actor, label: str) -> list[Household]:
    """Rooms called ``label`` (3-2-501) where the actor may take a request."""
    label = (label or "").strip()
    if not label:
        return []
    return list(
        policy.scope_filter(
            actor, Household.objects.filter(label=label), "ticket.intake"
        ).select_related("community", "building")
    )


def residents_of(actor, household: Household) -> list[Resident]:
    """The household's residents for the intake page's requester choice (a read of each)."""
    rows = list(
        policy.scope_filter(
            actor,
            Resident.objects.filter(household=household, status=ResidentStatus.ACTIVE),
            "resident.view",
        ).select_related("user")
    )
    access.record_reads(actor, rows, kind=access.LOOKED_UP, purpose="tickets.intake")
    return rows


def residents_by_phone(actor, phone: str) -> list[Resident]:
    """Residents living here whose phone is ``phone`` (the caller's number, typed any way), in
    rooms where the actor may take a request: the intake page's "who is calling?" (a read of
    each, as ``residents_of``)."""
    from linli.registry.search import phone_key

    key = phone_key(phone)
    if len(key) < 7:
        return []
    rooms = policy.scope_filter(actor, Household.objects.all(), "ticket.intake")
    rows = list(
        policy.scope_filter(
            actor,
            Resident.objects.filter(
                phone_key=key, status=ResidentStatus.ACTIVE, household__in=rooms
            ),
            "resident.view",
        )
        .select_related("user", "household")
        .order_by("id")[:20]
    )
    access.record_reads(actor, rows, kind=access.LOOKED_UP, purpose="tickets.intake")
    return rows


def category_admin(community: Community) -> dict:
    """The secretary's page: categories, teams with members, holidays from last year on."""
    since = timezone.localdate().replace(month=1, day=1) - dt.timedelta(days=366)
    return {
        "categories": list(
            Category.objects.filter(community=community).select_related("default_team")
        ),
        "teams": list(HandlingTeam.objects.filter(community=community).prefetch_related("members")),
        "holidays": list(
            Holiday.objects.filter(
                Q(community_id=community.pk) | Q(community_id=None), date__gte=since
            ).order_by("date")
        ),
    }


HISTORY_PER_PAGE = 10


def request_history_for(
    actor, *, household: Household | None = None, resident: Resident | None = None, page=1
) -> Page:
    """The requests about one household (its place) or asked by one resident (as the
    requester's registered record or their account), as far as the actor may see them
    (``ticket.view``: a resident sees the ones they asked), newest first, paginated: two
    queries whatever the number of requests."""
    if household is not None:
        qs = Ticket.objects.filter(household=household)
    elif resident is not None:
        asked = TicketRequester.objects.filter(
            Q(resident=resident) | Q(user__resident=resident)
        ).values("ticket_id")
        qs = Ticket.objects.filter(pk__in=asked)
    else:
        raise ValueError("request_history_for needs a household or a resident")
    qs = (
        policy.scope_filter(actor, qs, "ticket.view")
        .select_related("category")
        .only(
            "pk",
            "status",
            "created_at",
            "closed_at",
            "emergency",
            "category__name",
            "category__name_en",
            "community_id",
        )
        .order_by("-created_at", "-id")
    )
    return Paginator(qs, HISTORY_PER_PAGE).get_page(page)
