"""Care's JSON API: a visitor's due visits and recording a visit (scoped like the pages)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema
from ninja import Status as Reply

from . import queries, services

router = Router(tags=["care"])


class DueOut(Schema):
    id: int
    room: str
    tier: str
    due_on: dt.date | None
    due_by: dt.datetime | None
    overdue: bool
    last_reached_on: dt.date | None


class VisitIn(Schema):
    visited_on: dt.date | None = None  # none: today (recorded at the door)
    method: str = "home"
    outcome: str = "reached"
    health: list[str] = []
    safety: list[str] = []
    needs: list[str] = []
    finances_ok: bool = True
    family_contact: bool = True
    family_reminded: bool = False
    note: str = ""
    follow_up: str = ""
    refer_to: str = ""
    follow_up_text: str = ""
    category_id: int | None = None
    minutes: int | None = None


class VisitOut(Schema):
    id: int
    person_id: int
    visited_on: dt.date
    outcome: str
    ticket_id: int | None
    next_due_on: dt.date | None


@router.get("/due", response=list[DueOut], summary="My due and overdue visits")
def due(request: HttpRequest) -> list[dict[str, Any]]:
    data = queries.my_visits(request.user)
    return [
        {
            "id": p.pk,
            "room": p.resident.household.label,
            "tier": p.tier,
            "due_on": p.due_on,
            "due_by": p.due_by,
            "overdue": p.overdue,
            "last_reached_on": p.last_reached_on,
        }
        for p in data["overdue"] + data["due"]
    ]


@router.post("/people/{person_id}/visits", response={201: VisitOut}, summary="Record a visit")
def visit(request: HttpRequest, person_id: int, payload: VisitIn) -> Reply[dict[str, Any]]:
    person = queries.person_get_for(request.user, person_id, "care.visit", purpose="care.api")
    category = None
    if payload.category_id is not None:
        from linli.tickets.models import Category

        category = Category.objects.filter(
            pk=payload.category_id, community_id=person.community_id, active=True
        ).first()
        if category is None:
            raise services.CareError(_("Choose the kind of request."), field="category")
    data = payload.dict(exclude={"category_id"})
    data["visited_on"] = payload.visited_on or timezone.localdate()
    v = services.visit_record(actor=request.user, person=person, category=category, **data)
    person.refresh_from_db(fields=["due_on"])
    return Reply(
        201,
        {
            "id": v.pk,
            "person_id": person.pk,
            "visited_on": v.visited_on,
            "outcome": v.outcome,
            "ticket_id": v.ticket_id,
            "next_due_on": person.due_on,
        },
    )
