"""The volunteers' objects for the access scan (tests/security/test_access_scan.py): one of
each kind a volunteers URL names, in the given community."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from linli.volunteers import services
from linli.volunteers.models import (
    Activity,
    Certificate,
    Finding,
    HourEntry,
    Patrol,
    PatrolRoute,
    Shift,
    SignUp,
    TeamMember,
    VolunteerTeam,
)


def volunteer_objects(*, community, staff) -> dict:
    team = VolunteerTeam.objects.create(community=community, name="扫描志愿队")
    profile = services.profile_ensure(community=community, user=staff)
    start = timezone.now() + dt.timedelta(days=3)
    activity = Activity.objects.create(
        community=community, team=team, title="扫描活动", status="published",
        starts_at=start, ends_at=start + dt.timedelta(hours=2),
    )  # fmt: skip
    shift = Shift.objects.create(
        activity=activity, starts_at=start, ends_at=start + dt.timedelta(hours=2), places=3
    )
    signup = SignUp.objects.create(shift=shift, profile=profile, status="signed")
    past = timezone.now() - dt.timedelta(days=2)
    entry = HourEntry.objects.create(
        community=community, profile=profile, team=team, started_at=past,
        ended_at=past + dt.timedelta(hours=1), minutes=60, source="manual",
    )  # fmt: skip
    cert = Certificate.objects.create(
        community=community, number=f"SCAN-{community.pk}", profile=profile,
        period_from=past.date(), period_to=past.date(), minutes=60, content="扫描",
    )  # fmt: skip
    route = PatrolRoute.objects.create(community=community, team=team, name="扫描路线")
    patrol = Patrol.objects.create(
        community=community, route=route, team=team, profile=profile, started_at=past
    )
    finding = Finding.objects.create(patrol=patrol, kind="hazard", place="东门", description="x")
    joiner = TeamMember.objects.create(team=team, profile=profile, user=staff, status="requested")
    return {
        "vmember": joiner,
        "vroute": route,
        "vpatrol": patrol,
        "vfinding": finding,
        "vprofile": profile,
        "vcert": cert,
        "vteam": team,
        "vactivity": activity,
        "vshift": shift,
        "vsignup": signup,
        "ventry": entry,
    }
