"""Reads in Care: scope-filtered through the one policy, a fixed number of queries whatever the
number of rows, and every read of a person's care record written down (``record_reads``) where
it is read, so that it shows on their "My data"."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import access, policy
from linli.core.actors import Actor
from linli.core.lists import Listing, Sort, list_page
from linli.registry.models import Community, ResidentStatus

from .models import CarePerson, Outcome, Visit

PER_PAGE = 30


def overdue_q(now: dt.datetime | None = None) -> Q:
    """The SQL rule for "overdue": a major event's deadline passed, or the due day passed."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    return Q(due_by__isnull=False, due_by__lt=now) | Q(due_by__isnull=True, due_on__lt=today)


def overdue_first(now: dt.datetime | None = None) -> Case:
    return Case(When(overdue_q(now), then=Value(0)), default=Value(1))


def with_status(qs: QuerySet[CarePerson], now: dt.datetime | None = None) -> QuerySet[CarePerson]:
    """Annotate ``overdue`` (SQL) on people who are still visited."""
    return qs.filter(resident__status=ResidentStatus.ACTIVE).annotate(
        overdue=Case(
            When(overdue_q(now), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )  # fmt: skip
    )


def _base() -> QuerySet[CarePerson]:
    return CarePerson.objects.select_related(
        "resident", "resident__household", "resident__household__building"
    )


# --- a visitor's own list --------------------------------------------------------------------


def assigned_to(actor: Actor) -> QuerySet[CarePerson]:
    """The people assigned to the actor as a visitor (the "self:visitor" relation)."""
    if not actor.is_authenticated:
        return CarePerson.objects.none()
    return CarePerson.objects.filter(visitors__user=actor)


def my_visits(actor: Actor, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """ "My visits": overdue first, then due within the week, and the visits done this month."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    people = list(
        with_status(_base().filter(pk__in=assigned_to(actor).values("pk")), now)
        .filter(overdue_q(now) | Q(due_on__lte=today + dt.timedelta(days=7)))
        .order_by(overdue_first(now), "due_by", "due_on", "id")[:200]
    )
    month_start = today.replace(day=1)
    done = list(
        Visit.objects.filter(visitor_id=actor.pk, visited_on__gte=month_start)
        .select_related("person__resident__household")
        .order_by("-visited_on", "-id")[:100]
    )
    access.record_reads(
        actor, [p.resident for p in people] + [v.person.resident for v in done],
        kind=access.LISTED, purpose="care.my_visits",
    )  # fmt: skip
    return {
        "overdue": [p for p in people if p.overdue],  # type: ignore[attr-defined]
        "due": [p for p in people if not p.overdue],  # type: ignore[attr-defined]
        "done": done,
    }


def my_visit_counts(actor: Actor) -> dict[str, int] | None:
    """For the home card: None for someone with no one to visit."""
    if not getattr(actor, "is_authenticated", False):
        return None
    today = timezone.localdate()
    agg = with_status(assigned_to(actor)).aggregate(
        n=Count("id"),
        overdue=Count("id", filter=overdue_q()),
        due=Count("id", filter=Q(due_on__lte=today + dt.timedelta(days=7))),
    )
    if not agg["n"]:
        return None
    return {"people": agg["n"], "overdue": agg["overdue"], "due": agg["due"]}


# --- one person --------------------------------------------------------------------------------


def person_get_for(actor: Actor, pk: int, action: str = "care.view", *, purpose: str) -> CarePerson:
    """One person's care record (404 outside the actor's places, 403 not theirs), recorded."""
    person = policy.get_for(actor, _base(), action, pk=pk)
    access.record_reads(actor, [person.resident], kind=access.VIEWED, purpose=purpose)
    return person


def person_page(actor: Actor, person: CarePerson) -> dict[str, Any]:
    visits = list(
        person.visits.select_related("visitor", "ticket").order_by("-visited_on", "-id")[:50]
    )
    return {
        "visits": visits,
        "tiers": list(person.tier_history.select_related("set_by")[:20]),
        "contacts": list(person.contacts.all()),
        "visitors": list(person.visitors.select_related("user")),
        "consents": list(person.consents.all()),
        "follow_ups": [v for v in visits if v.follow_up],
    }


# --- the office's register ----------------------------------------------------------------


def register_for(request: HttpRequest, community: Community) -> Listing:
    """The office's register: scoped (``care.manage``), filtered by tier, tag, grid, building
    and overdue (``filters.RegisterFilter``; an invalid value is shown on the form and
    ignored), sorted, paginated; the page's rows recorded as read. Fixed queries whatever the
    number of rows."""
    listing = _register(
        request,
        community,
        _base().prefetch_related("visitors__user"),
        action="care.manage",
        per_page=PER_PAGE,
    )
    access.record_reads(
        request.user, [p.resident for p in listing.page.object_list],
        kind=access.LISTED, purpose="care.register",
    )  # fmt: skip
    return listing


def register_filtered_for(request: HttpRequest, community: Community) -> QuerySet[CarePerson]:
    """What the register shows with the same filters and order, every page (for the export)."""
    return _register(request, community, _base(), action="care.export").queryset


def _register(
    request: HttpRequest,
    community: Community,
    people: QuerySet[CarePerson],
    *,
    action: str,
    **options: Any,
) -> Listing:
    """The community's register as the request filters and sorts it (page and export alike)."""
    from .filters import RegisterFilter

    return list_page(
        request,
        with_status(people.filter(community=community)),
        actor=request.user,
        action=action,
        filterset=RegisterFilter,
        filterset_kwargs={"community": community},
        sorts=REGISTER_SORTS,
        default_sort="due",
        **options,
    )


REGISTER_SORTS = {
    "due": Sort(_("Due first"), ("-overdue", "due_on", "id")),
    "room": Sort(
        _("By room"),
        ("resident__household__building__number", "resident__household__label", "id"),
    ),
}


def unvisited_for(
    actor: Actor, community: Community, month: dt.date, *, dim: str = "", value: str = ""
) -> list[CarePerson]:
    """The people of a coverage line not reached in ``month`` (office only)."""
    from .coverage import due_in_month, visited_in_month

    start, end = month_bounds(month)
    qs = due_in_month(
        policy.scope_filter(actor, _base(), "care.unvisited").filter(community=community),
        start,
        end,
    ).exclude(visited_in_month(start, end))
    if dim == "tier":
        qs = qs.filter(tier=value)
    elif dim == "grid":
        qs = qs.filter(resident__household__building__grid__number=value)
    elif dim == "building":
        qs = qs.filter(resident__household__building__number=value)
    elif dim == "visitor":
        qs = qs.filter(visitors__user_id=int(value) if value.isdigit() else 0)
    people = list(qs.order_by("resident__household__building__number", "id")[:500])
    access.record_reads(
        actor, [p.resident for p in people], kind=access.LISTED, purpose="care.unvisited"
    )
    return people


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    start = month.replace(day=1)
    nxt = (start + dt.timedelta(days=32)).replace(day=1)
    return start, nxt - dt.timedelta(days=1)


def week_sheet(actor: Actor, *, now: dt.datetime | None = None) -> list[CarePerson]:
    """The visitor's printable sheet: everyone assigned, by building and room."""
    people = list(
        with_status(_base().filter(pk__in=assigned_to(actor).values("pk")), now)
        .select_related("resident__community")
        .prefetch_related("contacts")
        .order_by("resident__household__building__number", "resident__household__room")[:300]
    )
    access.record_reads(
        actor, [p.resident for p in people], kind=access.LISTED, purpose="care.sheet"
    )
    return people


def reached_exists(start: dt.date, end: dt.date) -> Exists:
    return Exists(
        Visit.objects.filter(
            person=OuterRef("pk"), outcome=Outcome.REACHED, visited_on__range=(start, end)
        )
    )


# --- love lunches ------------------------------------------------------------------------------


def meal_roster(actor: Actor, community: Community, *, week_of: dt.date) -> dict[str, Any]:
    """The week's love-lunch days (cooks, deliveries) and the recipients with their dietary
    notes; fixed queries whatever the size."""
    from .models import MealDay, MealRecipient

    monday = week_of - dt.timedelta(days=week_of.weekday())
    days = list(
        MealDay.objects.filter(
            community=community, day__range=(monday, monday + dt.timedelta(days=6))
        )
        .prefetch_related("cooks", "deliveries")
        .order_by("day")
    )
    recipients = list(
        MealRecipient.objects.filter(person__community=community, active=True)
        .select_related("person__resident__household")
        .order_by("person__resident__household__label")
    )
    access.record_reads(
        actor, [r.person.resident for r in recipients], kind=access.LISTED, purpose="care.meals"
    )
    for d in days:
        d.status_of = {x.person_id: x.status for x in d.deliveries.all()}  # type: ignore[attr-defined]
    return {"days": days, "recipients": recipients, "monday": monday}
