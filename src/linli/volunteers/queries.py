"""Reads of the volunteers app: scoped by the policy, aggregated in SQL."""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear

from linli.core.actors import Actor
from linli.core.policy import scope_filter
from linli.registry.models import Community

from .models import (
    HourDispute,
    HourEntry,
    HourStatus,
    MemberStatus,
    TeamMember,
    VolunteerProfile,
    VolunteerTeam,
)


def totals_for_profile(profile: VolunteerProfile) -> dict[str, int]:
    """Verified minutes (credits and reversals) and pending minutes, in one query."""
    row = HourEntry.objects.filter(profile=profile).aggregate(
        verified=Coalesce(Sum("minutes", filter=Q(status=HourStatus.VERIFIED)), 0),
        pending=Coalesce(Sum("minutes", filter=Q(status=HourStatus.PENDING)), 0),
    )
    return {"verified": int(row["verified"]), "pending": int(row["pending"])}


def live_credits_of(profile: VolunteerProfile) -> QuerySet[HourEntry]:
    from .services.ledger import live_credits

    qs: QuerySet[HourEntry] = live_credits(profile.pk)
    return qs


def verified_entries(profile: VolunteerProfile, start: Any, end: Any) -> QuerySet[HourEntry]:
    """Verified entries (credits and reversals) of a person whose service started in
    [start, end): every minute a certificate states is one of these."""
    return HourEntry.objects.filter(
        profile=profile,
        status=HourStatus.VERIFIED,
        started_at__gte=start,
        started_at__lt=end,
    ).order_by("started_at", "id")


Grouping = Literal["volunteer", "team", "month", "year"]


def hours_totals(
    *, community: Community, year: int | None = None, by: Grouping = "volunteer"
) -> list[dict[str, Any]]:
    """Verified minutes of a community, per volunteer, team, month or year: one query.
    A reversal carries the period and team of what it reverses, so it cancels in the same
    group."""
    qs = HourEntry.objects.filter(community=community, status=HourStatus.VERIFIED)
    if year is not None:
        qs = qs.annotate(y=ExtractYear("started_at")).filter(y=year)
    # The group's key and label (a period is its own label), and the order of the rows.
    if by == "volunteer":
        group = {"key": F("profile_id"), "label": F("profile__number"), "name": F("profile__name")}
    elif by == "team":
        group = {"key": F("team_id"), "label": F("team__name")}
    elif by in ("month", "year"):
        period = ExtractMonth if by == "month" else ExtractYear
        qs, group = qs.annotate(period=period("started_at")), {"key": F("period")}
    else:
        raise ValueError(by)
    rows = (
        qs.values(**group)
        .annotate(minutes=Sum("minutes"))
        .order_by("label" if "label" in group else "key")
    )
    out: list[dict[str, Any]] = []
    for row in rows:
        r: dict[str, Any] = dict(row)
        r["minutes"] = int(r["minutes"] or 0)
        if by in ("month", "year"):
            r["label"] = str(r["key"])
        out.append(r)
    return out


def verification_queue_for(actor: Actor, community: Community | None = None) -> QuerySet[HourEntry]:
    """Pending entries the actor may verify (their teams', or all of the office's)."""
    qs = scope_filter(actor, HourEntry.objects.filter(status=HourStatus.PENDING), "hours.verify")
    if community is not None:
        qs = qs.filter(community=community)
    return qs.select_related("profile", "team").order_by("started_at", "id")


def open_disputes_for(actor: Actor) -> QuerySet[HourDispute]:
    qs = scope_filter(actor, HourDispute.objects.filter(status="open"), "hours.resolve")
    return qs.select_related("entry__profile", "entry__team").order_by("created_at")


def my_entries(actor: Actor) -> QuerySet[HourEntry]:
    if not actor.is_authenticated:
        return HourEntry.objects.none()
    return (
        HourEntry.objects.filter(profile__user=actor)
        .select_related("team", "reverses")
        .order_by("-started_at", "-id")
    )


def roster(team: VolunteerTeam) -> QuerySet[TeamMember]:
    """A team's current members with their profile, one query, whatever the size."""
    return (
        TeamMember.objects.filter(team=team, status=MemberStatus.ACTIVE)
        .select_related("profile")
        .order_by("-role", "profile__number")
    )


def teams_for(actor: Actor, community: Community | None = None) -> QuerySet[VolunteerTeam]:
    qs = scope_filter(actor, VolunteerTeam.objects.all(), "team.view")
    if community is not None:
        qs = qs.filter(community=community)
    return qs.annotate(
        n_members=Count("members", filter=Q(members__status=MemberStatus.ACTIVE), distinct=True)
    ).order_by("name")
