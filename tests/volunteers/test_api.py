"""The volunteers' JSON API: scoped like the pages; the services' refusals with their codes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from linli.volunteers.models import Audience
from linli.volunteers.services.activities import ShiftSpec, activity_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def act(teams):
    start = timezone.now() + dt.timedelta(days=2)
    return activity_create(
        actor=teams.team_leader, community=teams.world.xincun, team=teams.long_march,
        title="六一游园", audience=Audience.RESIDENTS,
        shifts=[ShiftSpec(start, start + dt.timedelta(hours=2), 1)],
    )  # fmt: skip


def test_list_detail_signup_cancel_and_my_hours(teams, act, as_user):
    c = as_user(teams.member)
    items = c.get("/api/volunteers/activities").json()["items"]
    assert [a["title"] for a in items] == ["六一游园"]
    d = c.get(f"/api/volunteers/activities/{act.pk}").json()
    shift = d["shifts"][0]
    assert shift["places"] == 1 and shift["signed_up"] == 0
    r = c.post(f"/api/volunteers/shifts/{shift['id']}/signup")
    assert r.status_code == 201 and r.json()["status"] == "signed"
    again = c.post(f"/api/volunteers/shifts/{shift['id']}/signup")
    assert again.status_code == 409 and again.json()["code"] == "already_signed_up"
    other = as_user(teams.world.resident).post(f"/api/volunteers/shifts/{shift['id']}/signup")
    assert other.status_code == 201 and other.json()["status"] == "waiting"
    c = as_user(teams.member)
    sid = r.json()["id"]
    assert c.post(f"/api/volunteers/signups/{sid}/cancel").json()["status"] == "cancelled"
    hours = c.get("/api/volunteers/my-hours").json()
    assert hours[0]["number"] == teams.member_profile.number


def test_api_refusals(teams, act, as_user):
    c = as_user(teams.nancun_leader)
    assert c.get(f"/api/volunteers/activities/{act.pk}").status_code == 404
    assert c.get("/api/volunteers/activities").json()["items"] == []
    shift = act.shifts.get()
    assert c.post(f"/api/volunteers/shifts/{shift.pk}/signup").status_code == 404
    mine = as_user(teams.member).post(f"/api/volunteers/shifts/{shift.pk}/signup").json()
    assert (
        as_user(teams.world.resident)
        .post(f"/api/volunteers/signups/{mine['id']}/cancel")
        .status_code
        == 404
    )
    assert as_user(None).get("/api/volunteers/my-hours").status_code in (401, 403)
