"""The volunteers' JSON API: activities (list, detail), sign-up and cancel, my hours. Scoped
exactly like the pages; refusals are the services' ``DomainError`` (one handler in api/api.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from ninja import Router, Schema
from ninja import Status as Reply
from ninja.pagination import PageNumberPagination, paginate

from linli.core import policy

from . import queries
from .models import Activity, ActivityStatus, Shift, SignUp, SignUpStatus
from .services.activities import signup_cancel, signup_create

router = Router(tags=["volunteers"])


class ErrorOut(Schema):
    detail: str
    code: str = ""


ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class ShiftOut(Schema):
    id: int
    label: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    places: int
    signed_up: int
    waiting: int


class ActivityOut(Schema):
    id: int
    title: str
    team: str | None
    place: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    audience: str


class ActivityDetailOut(ActivityOut):
    description: str
    bring: str
    shifts: list[ShiftOut]


class SignUpOut(Schema):
    id: int
    shift: int
    status: str


class HoursOut(Schema):
    community: str
    number: str
    verified_minutes: int
    pending_minutes: int


def _activity(a: Activity) -> dict[str, Any]:
    return {
        "id": a.pk,
        "title": a.title,
        "team": a.team.name if a.team else None,
        "place": a.place,
        "starts_at": a.starts_at,
        "ends_at": a.ends_at,
        "status": a.status,
        "audience": a.audience,
    }


@router.get("/activities", response=list[ActivityOut], summary="Activities I may see")
@paginate(PageNumberPagination, page_size=50)
def activity_list(request: HttpRequest, upcoming: bool = True) -> Any:
    qs = (
        policy.scope_filter(request.user, Activity.objects.all(), "activity.view")
        .exclude(status=ActivityStatus.DRAFT)
        .select_related("team")
        .order_by("starts_at", "id")
    )
    if upcoming:
        from django.utils import timezone

        qs = qs.filter(ends_at__gte=timezone.now())
    return [_activity(a) for a in qs]


@router.get(
    "/activities/{activity_id}", response={200: ActivityDetailOut, **ERRORS}, summary="One activity"
)
def activity_detail(request: HttpRequest, activity_id: int) -> Any:
    a = policy.get_for(
        request.user, Activity.objects.select_related("team"), "activity.view", pk=activity_id
    )
    shifts = a.shifts.annotate(
        n_signed=Count("signups", filter=Q(signups__status=SignUpStatus.SIGNED)),
        n_waiting=Count("signups", filter=Q(signups__status=SignUpStatus.WAITING)),
    ).order_by("starts_at", "id")
    out = {
        **_activity(a),
        "description": a.description,
        "bring": a.bring,
        "shifts": [
            {
                "id": s.pk,
                "label": s.label,
                "starts_at": s.starts_at,
                "ends_at": s.ends_at,
                "places": s.places,
                "signed_up": s.n_signed,
                "waiting": s.n_waiting,
            }
            for s in shifts
        ],  # fmt: skip
    }
    return Reply(200, out)


@router.post("/shifts/{shift_id}/signup", response={201: SignUpOut, **ERRORS}, summary="Sign up")
def signup(request: HttpRequest, shift_id: int) -> Any:
    """A place while there is one, else the waiting list (``status``: signed / waiting)."""
    shift = policy.get_for(
        request.user, Shift.objects.select_related("activity"), "activity.view", pk=shift_id
    )
    s = signup_create(actor=request.user, shift=shift)
    return Reply(201, {"id": s.pk, "shift": s.shift_id, "status": s.status})


@router.post("/signups/{signup_id}/cancel", response={200: SignUpOut, **ERRORS}, summary="Cancel")
def cancel(request: HttpRequest, signup_id: int) -> Any:
    s = policy.get_for(
        request.user,
        SignUp.objects.select_related("shift__activity"),
        "signup.cancel",
        pk=signup_id,
    )
    s = signup_cancel(actor=request.user, signup=s)
    return Reply(200, {"id": s.pk, "shift": s.shift_id, "status": s.status})


@router.get("/my-hours", response=list[HoursOut], summary="My service hours")
def my_hours(request: HttpRequest) -> Any:
    """Only ever the actor's own: no parameter names another person."""
    user = request.user
    if not user.is_authenticated:
        return []
    return [
        {"community": p.community.code, "number": p.number,
         "verified_minutes": t["verified"], "pending_minutes": t["pending"]}
        for p in user.volunteer_profiles.select_related("community")
        for t in [queries.totals_for_profile(p)]
    ]  # fmt: skip
