"""The card Care adds to the home page: a visitor's due and overdue visits."""

from __future__ import annotations

from typing import Any

from linli.core.home import register_home_card


def visits_card(user: Any) -> dict[str, Any] | None:
    from .queries import my_visit_counts

    counts = my_visit_counts(user)
    if counts is None:
        return None
    return {"care_visits": counts}


def own_card(user: Any) -> dict[str, Any] | None:
    """A resident's way to their own care page, or to the page of a child they are the
    recorded guardian of (the "self:subject" and "self:guardian" relations). Shows the room
    only: the card is not a read of the record; opening the page is (and is recorded)."""
    from django.db.models import Q

    from .models import CarePerson

    rows = list(
        CarePerson.objects.filter(
            Q(resident__user__id=user.pk)
            | Q(contacts__resident__user__id=user.pk, contacts__kind="guardian")
        )
        .distinct()
        .order_by("pk")
        .values("pk", "resident__user__id", "resident__household__label")[:5]
    )
    if not rows:
        return None
    return {
        "care_own": [
            {
                "pk": r["pk"],
                "mine": r["resident__user__id"] == user.pk,
                "room": r["resident__household__label"],
            }
            for r in rows
        ]
    }


def register() -> None:
    register_home_card(
        "care.own", template="care/home/own.html", context=own_card, section="resident", order=40
    )
    register_home_card(
        "care.visits", template="care/home/visits.html", context=visits_card, order=15
    )
