"""Reads of requests: scope-filtered through the one policy, paginated or aggregated in SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.paginator import Page, Paginator
from django.db import connections, router
from django.db.models import (
    Case,
    Count,
    Exists,
    ForeignKey,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.query import get_related_populators
from django.http import Http404
from django.utils import timezone

from linli.core import access, fastpath, policy, versions
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


# What a request's page shows of its relations (``ticket_get_for``).
TICKET_RELATED = (
    "community",
    "category",
    "household",
    "building",
    "unit",
    "assignee_user",
    "assignee_team",
)
_PK_MAX = 2**63 - 1  # a larger key is left to the ORM (it answers "no such row")


def ticket_get_for(actor, pk: int, action: str = "ticket.view") -> Ticket:
    """One request, authorised: outside the actor's places and not theirs → 404. Read with
    SQL the ORM compiled once per process (``_prepared``: compiling this 8-table select
    was ~30 % of a request page's CPU on a cache miss), placed and authorised by
    ``policy.get_for`` as any other read."""
    if type(pk) is not int or not 0 < pk <= _PK_MAX:
        return policy.get_for(actor, Ticket.objects.select_related(*TICKET_RELATED), action, pk=pk)

    def build(key: int) -> QuerySet[Ticket]:
        return Ticket.objects.select_related(*TICKET_RELATED).filter(pk=key).order_by()[:1]

    def fetch() -> Ticket | None:
        rows = _prepared("ticket_get_for", Ticket, build, pk)
        return rows[0] if rows else None

    return policy.get_for(actor, Ticket, action, fetch=fetch)


def ticket_events(ticket: Ticket, *, public_only: bool) -> list[Event]:
    # No join of the actor: a time line names them by ``actor_name``, kept on the event.
    def build(type_id: int, pk: int) -> QuerySet[Event]:
        qs = Event.objects.filter(object_type_id=type_id, object_id=pk).order_by("created_at", "id")
        if public_only:
            qs = qs.filter(verb__in=PUBLIC_VERBS)
        return qs[:500]

    type_id = ContentType.objects.get_for_model(Ticket).pk
    return _prepared(f"ticket_events:{public_only}", Event, build, type_id, ticket.pk)


def _converted(rows: list, converters: dict, conn) -> list:
    """The backend's conversions of the values read (SQLite's datetimes, booleans, JSON), as
    ``SQLCompiler.apply_converters`` makes them (they read the backend's settings only)."""
    if not converters:
        return rows
    out = []
    for row in rows:
        values = list(row)
        for pos, (funcs, expression) in converters.items():
            value = values[pos]
            for func in funcs:
                value = func(value, expression, conn)
            values[pos] = value
        out.append(values)
    return out


# --- prepared reads ------------------------------------------------------------------------
# The reads of one request's page have the same shape for every request; only its key
# changes. Building and compiling their querysets was most of their cost (a request page's
# four per-request reads: ~75 % of their time in ``as_sql``, docs/performance.md), so their
# SQL is compiled by the ORM once per process and database and run again with the new key.

_PREPARED: dict[tuple[str, str], tuple] = {}
_MARK = -7_319_000  # placeholder arguments while compiling (never a primary key)


def _prepared(
    name: str, model: type[Model], build, *args: int, parent: tuple | None = None
) -> list:
    """``list(build(*args))`` for a queryset that only ``args`` (integers) change, with the SQL
    the ORM compiled for it once; rows become instances as the ORM's ``ModelIterable`` makes
    them (with the rows of ``select_related``). ``parent``: (field name, object): the object
    each row's foreign key points to, set on it as a related manager sets it."""
    alias = router.db_for_read(model)
    key = (alias, name)
    hit = _PREPARED.get(key)
    if hit is None:
        marks = [_MARK - i for i in range(len(args))]
        qs = build(*marks).using(alias)
        compiler = qs.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slots: list[int | None] = []
        for value in params:
            found = [i for i, m in enumerate(marks) if value in (m, str(m))]
            slots.append(found[0] if found else None)
        placed = sorted(i for i in slots if i is not None)
        columns = [col[0] for col in compiler.select[0 : compiler.col_count]]
        if (
            placed != list(range(len(args)))
            or compiler.has_extra_select
            or compiler.has_composite_fields(columns)
        ):
            return list(build(*args))  # not a shape this can prepare: the ORM as usual
        info, select = compiler.klass_info, compiler.select
        start, end = info["select_fields"][0], info["select_fields"][-1] + 1
        fields = [col[0].target.attname for col in select[start:end]]
        populators = get_related_populators(info, select, alias)  # type: ignore[call-arg]
        converters = compiler.get_converters(columns)  # as ``results_iter`` applies them
        hit = (compiler, sql, slots, params, start, end, fields, populators, converters)
        _PREPARED[key] = hit
    compiler, sql, slots, params, start, end, fields, populators, converters = hit
    values = [
        (str(args[i]) if isinstance(p, str) else args[i]) if i is not None else p
        for i, p in zip(slots, params, strict=True)
    ]
    conn = connections[alias]
    with conn.cursor() as cursor:
        cursor.execute(sql, values)
        rows = cursor.fetchall()
    out = []
    link = cast(ForeignKey, model._meta.get_field(parent[0])) if parent else None
    for row in _converted(rows, converters, conn):
        obj = model.from_db(alias, fields, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        if link is not None and parent is not None:
            link.set_cached_value(obj, parent[1])
        out.append(obj)
    return out


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
# The columns of a request a row of the queue shows (its flags, labels and place): the
# other ~25 (texts, JSON answers, a dozen timestamps) cost their conversion on every row.
QUEUE_ROW_FIELDS = (
    "id",
    "community",
    "category",
    "channel",
    "status",
    "emergency",
    "description",
    "building",
    "unit",
    "household",
    "location_text",
    "assignee_user",
    "assignee_team",
    "external_handler",
    "created_at",
    "respond_by",
    "resolve_by",
)
# What a row shows of a request's room and unit (its label; a unit's name): the other
# columns of the two joined rows (notes, areas, timestamps) cost their conversion on every row.
QUEUE_ROW_RELATED = ("household__label", "unit__number")
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


_PREPARED_INT_MAX = 2**62  # a larger id from a form is left to the ORM


def _queue_shape(
    actor,
    action: str,
    *,
    category_id: int | None,
    building_id: int | None,
    channel: str,
    overdue: bool,
    assignee: str,
    emergency: bool,
    status: str,
) -> tuple[str | None, list[int | str], Callable[..., QuerySet[Ticket]]]:
    """The queue filtered as asked, as ``(shape, values, build)``: ``build(*values)`` is the
    filtered list (every filter, the status last); ``shape`` names everything else it is made
    of — the action, the actor's scope (``policy.scope_signature``), which filters are set —
    so that its SQL can be compiled once per shape (``fastpath.page_rows``). ``shape`` is
    None when it cannot: the overdue filter reads the clock."""
    values: list[int | str] = []
    parts = [action, policy.scope_signature(actor)]
    for name, value in (("category", category_id), ("building", building_id)):
        if value:
            values.append(int(value))
            parts.append(name)
    if channel:
        values.append(str(channel))
        parts.append("channel")
    parts += ["emergency"] * bool(emergency) + ["overdue"] * bool(overdue)
    kind = assignee if assignee in ("me", "none", "ext") else ""
    if assignee[:2] in ("u:", "t:") and assignee[2:].isdigit():
        kind = assignee[0]
        values.append(int(assignee[2:]))
    parts.append(f"assignee={kind}")
    n_filters = len(values)
    status_kind = "open" if status == "open" else ("one" if status else "")
    if status_kind == "one":
        values.append(str(status))
    parts.append(f"status={status_kind}")

    def build(*given: int | str, counted: bool = False) -> QuerySet[Ticket]:
        it = iter(given)
        qs = tickets_for(actor, action)
        if category_id:
            qs = qs.filter(category_id=next(it))
        if building_id:
            qs = qs.filter(building_id=next(it))
        if channel:
            qs = qs.filter(channel=next(it))
        if emergency:
            qs = qs.filter(emergency=True)
        if overdue:
            qs = cast(TicketQuerySet, qs).overdue()
        if kind == "me":
            qs = qs.filter(assignee_user_id=actor.pk)
        elif kind == "none":
            qs = qs.filter(
                assignee_user__isnull=True, assignee_team__isnull=True, external_handler=""
            )
        elif kind == "ext":
            qs = qs.exclude(external_handler="")
        elif kind in ("u", "t"):
            qs = qs.filter(**{"assignee_user_id" if kind == "u" else "assignee_team_id": next(it)})
        if counted:  # the per-status counts: every filter but the status
            return qs
        if status_kind == "open":
            qs = qs.filter(status__in=OPEN_STATES)
        elif status_kind == "one":
            qs = qs.filter(status=next(it))
        return qs

    big = any(isinstance(v, int) and not 0 < v <= _PREPARED_INT_MAX for v in values)
    shape = None if overdue or big else "|".join(parts)
    build.n_filters = n_filters  # type: ignore[attr-defined]
    return shape, values, build


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
    reads through ``ticket.export``, the office's own communities). The counts are read with
    SQL compiled once per shape of the filters (``_queue_shape``)."""
    shape, values, build = _queue_shape(
        actor,
        action,
        category_id=category_id,
        building_id=building_id,
        channel=channel,
        overdue=overdue,
        assignee=assignee,
        emergency=emergency,
        status=status,
    )
    n = build.n_filters  # type: ignore[attr-defined]

    def per_status(*given: int | str) -> QuerySet[Any]:
        return build(*given, counted=True).order_by().values("status").annotate(n=Count("*"))

    if shape is None:
        rows = list(per_status(*values[:n]))
    else:
        rows = fastpath.page_rows(Ticket, f"queue_counts|{shape}", per_status, *values[:n])
    counts = {row["status"]: row["n"] for row in rows}
    counts["open"] = sum(n for s, n in counts.items() if s in OPEN_STATES)
    total: int | None = None
    if not status:
        total = sum(n for s, n in counts.items() if s != "open")
    elif status == "open" or status in Status.values:
        total = counts.get(status, 0)
    return _urgent_first(build(*values)), counts, total


def queue_rows(
    actor, page: QuerySet[Ticket], filters: dict, action: str = "ticket.queue"
) -> list[Ticket]:
    """One page of the queue: ``page`` (the page's slice of ``queue_filtered``'s list for
    ``filters``, ordered) as ``list(page)`` gives it, each row with the columns a row shows
    (``QUEUE_ROW_FIELDS``, ``QUEUE_ROW_RELATED``), read with SQL compiled once per shape of
    the filters, the order and the slice."""
    kept = {k: v for k, v in filters.items() if k != "sort"}
    shape, values, build = _queue_shape(actor, action, **kept)
    q = page.query
    order = tuple(str(o) for o in q.order_by)

    def rows(*given: int | str) -> QuerySet[Ticket]:
        qs = _urgent_first(build(*given)).select_related("household", "unit")
        qs = qs.only(*QUEUE_ROW_FIELDS, *QUEUE_ROW_RELATED).order_by(*order)
        return qs[q.low_mark : q.high_mark]

    if shape is None or not all(isinstance(o, str) for o in q.order_by):
        return list(rows(*values))
    name = f"queue_rows|{shape}|{','.join(order)}|{q.low_mark}:{q.high_mark}"
    return fastpath.page_rows(Ticket, name, rows, *values)


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
    def build(pk: int) -> QuerySet[TicketComment]:
        qs = TicketComment.objects.filter(ticket_id=pk).select_related("author")
        if public_only:
            # Internal notes are not even loaded for a page the requester sees.
            qs = qs.exclude(kind=CommentKind.NOTE)
        return qs[:500]

    name = f"ticket_comments:{public_only}"
    return _prepared(name, TicketComment, build, ticket.pk, parent=("ticket", ticket))


def ticket_photos(ticket: Ticket) -> list[TicketPhoto]:
    def build(pk: int) -> QuerySet[TicketPhoto]:
        return TicketPhoto.objects.filter(ticket_id=pk)[:50]

    return _prepared("ticket_photos", TicketPhoto, build, ticket.pk, parent=("ticket", ticket))


def ticket_requesters(ticket: Ticket) -> list[TicketRequester]:
    def build(pk: int) -> QuerySet[TicketRequester]:
        return (
            TicketRequester.objects.filter(ticket_id=pk)
            .select_related("user")
            .order_by("-primary", "added_at", "id")
        )

    return _prepared(
        "ticket_requesters", TicketRequester, build, ticket.pk, parent=("ticket", ticket)
    )


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


def choices_version(community_id: int) -> int:
    """The community's choice-list counter (``core.versions``: bumped by every save of a
    category, team, building or membership of it)."""
    return versions.version_of([community_id], choices=True)


def assign_targets(community_id: int, version: int | None = None) -> tuple[list, list]:
    """Who a request of this community can be given to (``people_for``, ``teams_for``),
    kept per process while the community's choice-list counter (``version``, read when not
    given) is unchanged, at most ``LINLI_PAGE_CACHE_SECONDS``: as the queue's choices."""
    if not settings.LINLI_PAGE_CACHE:
        return people_for([community_id]), teams_for([community_id])
    if version is None:
        version = choices_version(community_id)
    key = f"tickets:assign_targets:{community_id}:{version}"
    store = caches["pages"]
    value = store.get(key)
    if value is None:
        value = (people_for([community_id]), teams_for([community_id]))
        store.set(key, value, settings.LINLI_PAGE_CACHE_SECONDS)
    return value


def communities_for(actor, action: str) -> list[Community]:
    return list(policy.scope_filter(actor, Community.objects.all(), action).order_by("name"))


def queue_choices(actor) -> dict:
    """What the queue's filters offer this actor: categories, buildings, teams, people; kept
    while the actor's roles and their communities' change counters are unchanged."""
    return versions.cached_for_scope("queue_choices", actor, lambda: read_queue_choices(actor))


def read_queue_choices(actor) -> dict:
    """``queue_choices`` as the database holds them now (for a caller that keeps them with
    what it makes of them, under the same key)."""
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
