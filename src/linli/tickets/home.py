"""The cards residents' requests add to the home page (registered in ``TicketsConfig.ready``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, Count, Q, Value, When
from django.utils import timezone

from linli.core import policy
from linli.core.home import register_home_card
from linli.core.roles import Role

from .models import OPEN_STATES, WORKING_STATES, HandlingTeam, Status, Ticket, overdue_q


def my_requests_card(user) -> dict | None:
    """A resident's own requests, and the button to report a problem."""
    if not policy.has_any(user, "ticket.submit"):
        return None
    return {"can_submit_ticket": True}


def queue_card(user) -> dict | None:
    """The open and overdue counts of those who handle requests."""
    if not policy.has_any(user, "ticket.queue"):
        return None
    from . import metrics
    from .queries import tickets_for

    return {"ticket_queue": metrics.open_counts(tickets_for(user, "ticket.queue"))}


def tiles_card(user) -> dict | None:
    """This month's figures for those who may see the metrics (a street supervisor sees each
    community's instead, in ``communities_card``)."""
    if not policy.has_any(user, "ticket.metrics") or _street_view(user):
        return None
    from . import metrics

    return {"ticket_tiles": metrics.home_tiles(user)}


# --- my tasks and the street's communities side by side (issue 11, item 9) -----------------

TASKS_SHOWN = 5
DUE_SOON = dt.timedelta(days=2)


def _works(user) -> bool:
    """Whether the person holds a role that can be given requests (not a plain resident)."""
    from .queries import HANDLER_ROLES

    return any(m.role in HANDLER_ROLES for m in policy.memberships(user))


def tasks_card(user) -> dict | None:
    """The open requests given to the person or to a team they belong to: how many, how many
    overdue (``models.overdue_q``, the one definition) and due within two days, and the
    most urgent few. Two queries however many requests there are."""
    if not _works(user):
        return None

    now = timezone.now()
    teams = HandlingTeam.objects.filter(members=user).values("pk")
    mine = Ticket.objects.filter(
        Q(assignee_user_id=user.pk) | Q(assignee_team_id__in=teams), status__in=WORKING_STATES
    )
    overdue = overdue_q(now)
    counts = mine.order_by().aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=overdue),
        due_soon=Count("pk", filter=~overdue & Q(resolve_by__lt=now + DUE_SOON)),
    )
    rows: list[Any] = list(
        mine.annotate(
            # ``late``, not ``is_overdue``: that is Ticket's property (the same rule in Python).
            late=Case(When(overdue, then=Value(True)), default=Value(False)),
            late_first=Case(When(overdue, then=Value(0)), default=Value(1)),
        )
        .select_related("category", "household", "building", "unit")
        .order_by("late_first", "resolve_by", "id")[:TASKS_SHOWN]
    )
    labels = dict(Status.choices)
    for t in rows:
        t.status_label = labels.get(t.status, t.status)
    return {"my_tasks": {"counts": counts, "rows": rows, "more": counts["total"] > len(rows)}}


def _street_view(user) -> bool:
    return any(
        m.role == Role.STREET_SUPERVISOR for m in policy.allowed_memberships(user, "ticket.metrics")
    )


def communities_card(user) -> dict | None:
    """A street supervisor's communities side by side — this month's rates, open and overdue
    requests of each — instead of their sum. Three queries however many communities."""
    if not _street_view(user):
        return None
    from linli.registry.models import Community

    from . import metrics

    now = timezone.now()
    start = metrics.month_start(now)
    month = {
        row["community_id"]: metrics._fill(metrics.Stats(), dict(row))
        for row in metrics.scope(user, start, metrics.next_month(start))
        .order_by()
        .values("community_id")
        .annotate(**metrics._aggregates(now))
    }
    current: dict[int, dict[str, Any]] = {
        row["community_id"]: dict(row)
        for row in metrics.in_scope(user)
        .filter(status__in=OPEN_STATES)
        .order_by()
        .values("community_id")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=overdue_q(now)))
    }
    rows = []
    for c in policy.scope_filter(user, Community.objects.all(), "ticket.metrics").order_by("name"):
        m = month.get(c.pk) or metrics.Stats()
        now_row = current.get(c.pk, {})
        rows.append(
            {
                "community": c,
                "month": m,
                "open": now_row.get("open", 0),
                "overdue": now_row.get("overdue", 0),
            }
        )
    return {"street_rows": rows, "street_start": start}


def register() -> None:
    register_home_card(
        "tickets.mine",
        template="tickets/home/mine.html",
        context=my_requests_card,
        section="resident",
        order=10,
    )
    register_home_card(
        "tickets.tasks", template="tickets/home/tasks.html", context=tasks_card, order=5
    )
    register_home_card(
        "tickets.communities",
        template="tickets/home/communities.html",
        context=communities_card,
        order=20,
    )
    register_home_card(
        "tickets.queue", template="tickets/home/queue.html", context=queue_card, order=10
    )
    register_home_card(
        "tickets.tiles", template="tickets/home/tiles.html", context=tiles_card, order=20
    )
