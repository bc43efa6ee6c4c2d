"""The inbox, grouped: unread notifications about the same thing (one request, one vote) are
one entry with their count, the newest on top — a request that moved five times while its
requester was away shows as "5 new" once, not five times (issue 11, item 13).

Delivery is unchanged (``core/notifications.py`` still writes one row per event, so e-mail,
SMS and the digest say everything); only the inbox's query groups. Two queries a page (its
rows and the paginator's count), whatever the number of notifications:

- an unread row is left out when a newer unread row is about the same object (``Exists``);
- each row left carries ``group_unread`` — how many unread rows are about its object (a
  correlated count; 1 for a read row or a row about nothing in particular).

``group_mark_read`` marks the whole group read from the entry's button.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import Notification
from .notifications import PER_PAGE, inbox_for

if TYPE_CHECKING:
    from .actors import User


def _same_object_unread(actor: User) -> QuerySet[Notification]:
    return inbox_for(actor).filter(
        read_at__isnull=True,
        object_type=OuterRef("object_type"),
        object_id=OuterRef("object_id"),
    )


def grouped_inbox_for(actor: User, *, page: int | str = 1) -> Page[Notification]:
    """The actor's in-app notifications, newest first, unread ones grouped by their object."""
    newer_unread = _same_object_unread(actor).filter(pk__gt=OuterRef("pk"))
    unread_count = (
        _same_object_unread(actor)
        .order_by()
        .values("object_type", "object_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    in_group = Q(read_at__isnull=True, object_id__isnull=False)
    qs = (
        inbox_for(actor)
        .only("pk", "title", "body", "message", "url", "created_at", "read_at", "object_id")
        .exclude(in_group & Exists(newer_unread))
        .annotate(
            group_unread=Coalesce(
                Subquery(unread_count, output_field=IntegerField()),
                Value(1),
            )
        )
        .order_by("-created_at", "-pk")
    )
    return Paginator(qs, PER_PAGE).get_page(page)  # type: ignore[return-value] # annotated rows


def group_mark_read(*, actor: User, notification_id: int) -> int:
    """Mark one of the actor's notifications read, with every unread one about the same
    object; anyone else's is a 404. Returns how many were marked."""
    n = get_object_or_404(inbox_for(actor), pk=notification_id)
    qs = inbox_for(actor).filter(read_at__isnull=True)
    if n.object_id is None:
        qs = qs.filter(pk=n.pk)
    else:
        qs = qs.filter(object_type_id=n.object_type_id, object_id=n.object_id)
    return qs.update(read_at=timezone.now())
