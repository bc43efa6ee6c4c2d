"""Hours are actual service time, travel excluded — unless the community credits a fixed travel
time per attendance (VolunteerSettings.travel_minutes, set by the office on its settings page)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from linli.core.errors import DomainError
from linli.volunteers import services
from linli.volunteers.models import HourEntry, VolunteerSettings
from linli.volunteers.services.activities import ShiftSpec, activity_create, signup_create
from linli.volunteers.services.attendance import checkin_toggle
from linli.volunteers.services.ledger import settings_update

pytestmark = pytest.mark.django_db


def _served(teams, minutes=90):
    """The member signs up, then checks in at the start and out ``minutes`` later."""
    start = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(hours=3)
    a = activity_create(
        actor=teams.team_leader, community=teams.world.xincun, team=teams.long_march,
        title="植树", place="东门", shifts=[ShiftSpec(start, start + dt.timedelta(hours=2), 5)],
    )  # fmt: skip
    shift = a.shifts.get()
    signup_create(actor=teams.member, shift=shift)
    checkin_toggle(actor=teams.member, shift=shift, token=shift.checkin_token, now=start)
    out = start + dt.timedelta(minutes=minutes)
    att = checkin_toggle(actor=teams.member, shift=shift, token=shift.checkin_token, now=out)
    return att.hour_entry


def test_travel_excluded_by_default(teams):
    e = _served(teams)
    assert (e.minutes, e.travel_minutes) == (90, 0)


def test_travel_credited_when_the_community_says_so_and_reversals_sum(teams):
    settings_update(actor=teams.world.staff, community=teams.world.xincun, travel_minutes=20)
    e = _served(teams)
    assert (e.minutes, e.travel_minutes) == (110, 20)
    assert e.ended_at - e.started_at == dt.timedelta(minutes=90)  # the span is service time
    services.hours_verify(actor=teams.team_leader, entry=e)
    services.hours_correct(actor=teams.team_leader, entry=e, reason="记错了")
    totals = HourEntry.objects.filter(profile=teams.member_profile).aggregate(
        m=Sum("minutes"), t=Sum("travel_minutes")
    )
    assert totals == {"m": 0, "t": 0}


def test_other_community_keeps_its_own_setting(teams):
    settings_update(actor=teams.world.outsider, community=teams.world.nancun, travel_minutes=30)
    assert _served(teams).travel_minutes == 0


def test_settings_refused_to_all_but_the_office(teams):
    w = teams.world
    for who in (teams.team_leader, w.resident, w.volunteer):
        with pytest.raises(PermissionDenied):
            settings_update(actor=who, community=w.xincun, travel_minutes=10)
    with pytest.raises(DomainError):
        settings_update(actor=w.staff, community=w.xincun, travel_minutes=121)
    assert not VolunteerSettings.objects.exists()


def test_settings_page(teams, as_user):
    w = teams.world
    url = reverse("volunteers:settings", args=["xincun"])
    assert as_user(w.staff).get(url).status_code == 200
    assert as_user(w.staff).post(url, {"travel_minutes": "15"}).status_code == 302
    assert VolunteerSettings.objects.get(community=w.xincun).travel_minutes == 15
    for bad in ("-5", "500", "abc", ""):
        r = as_user(w.staff).post(url, {"travel_minutes": bad})
        assert r.status_code == 400, bad
    assert VolunteerSettings.objects.get(community=w.xincun).travel_minutes == 15
    assert as_user(teams.team_leader).post(url, {"travel_minutes": "60"}).status_code == 403
    assert as_user(w.resident).get(url).status_code in (403, 404)
    assert as_user(w.outsider).post(url, {"travel_minutes": "60"}).status_code == 404
    assert VolunteerSettings.objects.get(community=w.xincun).travel_minutes == 15
