"""The volunteers' pages: sign-up on the activity page, the QR check-in (GET shows a button,
POST acts), the leader's roster and verification queue, who is refused, and query counts that
stay constant as rows grow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.volunteers.models import Attendance, Audience, HourEntry, HourStatus, SignUp
from linli.volunteers.services import hours_add_manual, member_add, profile_ensure
from linli.volunteers.services.activities import ShiftSpec, activity_create, signup_create

pytestmark = pytest.mark.django_db


def _activity(teams, places=3, hours=2, audience=Audience.RESIDENTS):
    start = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(hours=hours)
    return activity_create(
        actor=teams.team_leader, community=teams.world.xincun, team=teams.long_march,
        title="重阳敬老", place="活动室", audience=audience,
        shifts=[ShiftSpec(start, start + dt.timedelta(hours=2), places)],
    )  # fmt: skip


def test_member_signs_up_on_the_activity_page(teams, as_user):
    a = _activity(teams)
    shift = a.shifts.get()
    c = as_user(teams.member)
    page = c.get(reverse("volunteers:activity_detail", args=[a.pk]))
    assert page.status_code == 200 and "重阳敬老" in page.content.decode()
    r = c.post(reverse("volunteers:signup", args=[shift.pk]))
    assert r.status_code == 302
    assert SignUp.objects.filter(shift=shift, profile=teams.member_profile).exists()
    r = c.post(reverse("volunteers:signup", args=[shift.pk]))  # twice: told, nothing saved
    assert r["X-Linli-Status"] == "409"
    assert SignUp.objects.filter(shift=shift).count() == 1
    home = c.get(reverse("volunteers:home"))
    assert "重阳敬老" in home.content.decode()


def test_qr_checkin_get_shows_a_button_and_post_acts(teams, as_user):
    a = _activity(teams, hours=0.5)  # starting soon: within the hour before
    shift = a.shifts.get()
    signup_create(actor=teams.member, shift=shift)
    leader = as_user(teams.team_leader)
    page = leader.get(reverse("volunteers:shift_attendance", args=[shift.pk]))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    c = as_user(teams.member)
    url = reverse("volunteers:checkin", args=[shift.pk, shift.checkin_token])
    assert c.get(url).status_code == 200
    assert not Attendance.objects.exists()  # a GET never acts
    assert c.post(url).status_code == 302
    assert Attendance.objects.filter(shift=shift, profile=teams.member_profile).exists()
    wrong = reverse("volunteers:checkin", args=[shift.pk, "forged"])
    assert as_user(teams.member).post(wrong).status_code == 403


def test_attendance_page_refused_to_members_and_other_leaders(teams, as_user):
    shift = _activity(teams).shifts.get()
    url = reverse("volunteers:shift_attendance", args=[shift.pk])
    assert as_user(teams.member).get(url).status_code == 403
    assert as_user(teams.other_leader).get(url).status_code == 403
    assert as_user(teams.world.outsider).get(url).status_code == 404
    assert as_user(teams.nancun_leader).get(url).status_code == 404
    assert as_user(teams.world.staff).get(url).status_code == 200


def _past_entry(teams, profile, day):
    start = timezone.now() - dt.timedelta(days=day + 1)
    return hours_add_manual(
        actor=teams.team_leader, team=teams.long_march, profile=profile,
        started_at=start, ended_at=start + dt.timedelta(hours=1), description="巡逻",
    )  # fmt: skip


def test_leader_verifies_from_the_queue_others_refused(teams, as_user):
    e = _past_entry(teams, teams.member_profile, 1)
    url = reverse("volunteers:entry_verify", args=[e.pk])
    assert as_user(teams.other_leader).post(url).status_code == 403
    assert as_user(teams.world.outsider).post(url).status_code == 404
    assert as_user(teams.world.resident).post(url).status_code == 404
    assert as_user(teams.member).post(url).status_code == 403  # their own hours
    assert HourEntry.objects.get(pk=e.pk).status == HourStatus.PENDING
    c = as_user(teams.team_leader)
    assert "巡逻" in c.get(reverse("volunteers:queue")).content.decode()
    assert c.post(url).status_code == 302
    assert HourEntry.objects.get(pk=e.pk).status == HourStatus.VERIFIED
    d = _past_entry(teams, teams.member_profile, 3)
    r = c.post(reverse("volunteers:entry_decline", args=[d.pk]), {"reason": ""})
    assert r["X-Linli-Status"] == "400"
    assert HourEntry.objects.get(pk=d.pk).status == HourStatus.PENDING


def test_roster_shown_to_the_team_not_to_residents(teams, as_user):
    url = reverse("volunteers:team_detail", args=[teams.long_march.pk])
    assert 'data-testid="roster"' in as_user(teams.member).get(url).content.decode()
    page = as_user(teams.world.resident).get(url)
    assert page.status_code == 200 and 'data-testid="roster"' not in page.content.decode()
    assert as_user(teams.world.outsider).get(url).status_code == 404


def _grow(teams, n):
    """n more members with an activity sign-up and a pending entry each."""
    from tests.factories import make_user

    a = _activity(teams, places=500, hours=30)
    shift = a.shifts.get()
    for i in range(n):
        u = make_user(f"vol{n}_{i}")
        p = profile_ensure(community=teams.world.xincun, user=u)
        member_add(actor=None, team=teams.long_march, profile=p)
        SignUp.objects.create(shift=shift, profile=p, status="signed")
        _past_entry(teams, p, i % 20)


@pytest.mark.parametrize("n", [2, 25])
def test_query_counts_stay_constant(teams, as_user, django_assert_max_num_queries, n):
    _grow(teams, n)
    c = as_user(teams.team_leader)
    month = timezone.localdate().strftime("%Y-%m")
    shift = teams.long_march.activities.get().shifts.get()
    for url in (
        reverse("volunteers:team_detail", args=[teams.long_march.pk]),
        reverse("volunteers:activity_list") + f"?month={month}",
        reverse("volunteers:queue"),
        reverse("volunteers:home"),
        reverse("volunteers:shift_attendance", args=[shift.pk]),
        reverse("volunteers:activity_detail", args=[shift.activity_id]),
    ):
        with django_assert_max_num_queries(16):
            assert c.get(url).status_code == 200, url
