"""Activities: festival templates, sign-up and cancel, the waiting list moving up (and the
person told), proxy sign-up by a leader, reminders once per person and activity version."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from linli.core.errors import Conflict, DomainError
from linli.core.models import Notification
from linli.volunteers import services
from linli.volunteers.models import Activity, Audience, SignUp, SignUpStatus
from linli.volunteers.services.activities import (
    ShiftSpec,
    activity_cancel,
    activity_create,
    activity_from_template,
    send_reminders,
    signup_cancel,
    signup_create,
)

pytestmark = pytest.mark.django_db


def _in(days: int, hour: int = 9) -> dt.datetime:
    d = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime(d.year, d.month, d.day, hour))


def make_activity(teams, places=2, audience=Audience.TEAM, days=3, demands=(), team=True):
    return activity_create(
        actor=teams.team_leader if team else teams.world.staff,
        community=teams.world.xincun,
        team=teams.long_march if team else None,
        title="楼道清扫",
        place="3号楼",
        audience=audience,
        shifts=[ShiftSpec(_in(days, 9), _in(days, 11), places, "上午", tuple(demands))],
    )


def test_member_signs_up_and_a_full_shift_waitlists(teams):
    w = teams.world
    a = make_activity(teams, places=1, audience=Audience.RESIDENTS)
    shift = a.shifts.get()
    s1 = signup_create(actor=teams.member, shift=shift)
    s2 = signup_create(actor=w.resident, shift=shift)
    assert (s1.status, s2.status) == (SignUpStatus.SIGNED, SignUpStatus.WAITING)
    with pytest.raises(Conflict):
        signup_create(actor=teams.member, shift=shift)


def test_cancellation_moves_the_waiting_list_up_and_tells_the_person(
    teams, django_capture_on_commit_callbacks
):
    w = teams.world
    a = make_activity(teams, places=1, audience=Audience.RESIDENTS)
    shift = a.shifts.get()
    s1 = signup_create(actor=teams.member, shift=shift)
    s2 = signup_create(actor=w.resident, shift=shift)
    with django_capture_on_commit_callbacks(execute=True):
        signup_cancel(actor=teams.member, signup=s1)
    s2.refresh_from_db()
    assert s2.status == SignUpStatus.SIGNED
    assert Notification.objects.filter(recipient=w.resident, verb="signup.moved_up").count() >= 1
    with pytest.raises(Conflict):
        signup_cancel(actor=teams.member, signup=s1)


def test_cancelling_after_the_shift_started_is_refused(teams):
    a = make_activity(teams, audience=Audience.RESIDENTS)
    shift = a.shifts.get()
    s = signup_create(actor=teams.member, shift=shift)
    shift.starts_at = timezone.now() - dt.timedelta(minutes=1)
    shift.save()
    s.shift.starts_at = shift.starts_at
    with pytest.raises(DomainError) as exc:
        signup_cancel(actor=teams.member, signup=s)
    assert exc.value.code == "started"
    assert SignUp.objects.get(pk=s.pk).status == SignUpStatus.SIGNED


def test_team_only_activity_refuses_outsiders_of_the_team(teams):
    a = make_activity(teams, audience=Audience.TEAM)
    with pytest.raises(DomainError) as exc:
        signup_create(actor=teams.world.resident, shift=a.shifts.get())
    assert exc.value.code == "not_in_team" and exc.value.status == 403
    with pytest.raises(Http404):  # a volunteer of Nancun
        signup_create(actor=teams.nancun_leader, shift=a.shifts.get())


def test_volunteers_only_activity(teams):
    a = make_activity(teams, audience=Audience.VOLUNTEERS)
    signup_create(actor=teams.other_leader, shift=a.shifts.get())  # another team's volunteer
    with pytest.raises(DomainError):
        signup_create(actor=teams.world.resident, shift=a.shifts.get())


def test_health_limits_are_respected(teams):
    services.profile_update(actor=teams.member, profile=teams.member_profile, limits=["heavy"])
    a = make_activity(teams, demands=["heavy"])
    with pytest.raises(DomainError) as exc:
        signup_create(actor=teams.member, shift=a.shifts.get())
    assert exc.value.code == "limits"


def test_leader_signs_up_an_elder_by_proxy_others_may_not(teams):
    a = make_activity(teams)
    s = signup_create(actor=teams.team_leader, shift=a.shifts.get(), profile=teams.member_profile)
    assert s.proxy_by == teams.team_leader and s.profile == teams.member_profile
    other = make_activity(teams)
    with pytest.raises(PermissionDenied):
        signup_create(
            actor=teams.other_leader, shift=other.shifts.get(), profile=teams.member_profile
        )


def test_only_the_teams_leader_or_office_creates_activities(teams):
    for who in (teams.member, teams.other_leader, teams.world.resident):
        with pytest.raises((PermissionDenied, Http404)):
            activity_create(
                actor=who, community=teams.world.xincun, team=teams.long_march, title="x",
                shifts=[ShiftSpec(_in(2), _in(2, 10), 3)],
            )  # fmt: skip
    with pytest.raises(PermissionDenied):
        activity_create(  # a community activity: the office's
            actor=teams.team_leader, community=teams.world.xincun, title="x",
            audience=Audience.RESIDENTS, shifts=[ShiftSpec(_in(2), _in(2, 10), 3)],
        )  # fmt: skip
    make_activity(teams, audience=Audience.RESIDENTS, team=False)  # the office may


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"title": " "}, "title"),
        ({"shifts": []}, "shifts"),
        ({"shifts": [ShiftSpec(_in(2, 10), _in(2, 9), 3)]}, "shifts"),
        ({"shifts": [ShiftSpec(_in(2, 9), _in(2, 10), 0)]}, "shifts"),
        ({"audience": "martians"}, "audience"),
    ],
)
def test_bad_activity_input_refused_nothing_saved(teams, kw, field):
    args = {
        "actor": teams.team_leader, "community": teams.world.xincun, "team": teams.long_march,
        "title": "清扫", "shifts": [ShiftSpec(_in(2), _in(2, 10), 3)], **kw,
    }  # fmt: skip
    with pytest.raises(DomainError) as exc:
        activity_create(**args)
    assert exc.value.field == field
    assert not Activity.objects.exists()


def test_festival_templates_and_the_monthly_party_day(teams):
    [a] = activity_from_template(
        actor=teams.team_leader, community=teams.world.xincun, team=teams.long_march,
        template="chongyang", shifts=[ShiftSpec(_in(5), _in(5, 11), 10)],
    )  # fmt: skip
    assert a.template == "chongyang" and a.description
    series = activity_from_template(
        actor=teams.team_leader, community=teams.world.xincun, team=teams.long_march,
        template="dangri", shifts=[ShiftSpec(_in(5), _in(5, 11), 10)], months=12,
    )  # fmt: skip
    assert len(series) == 12 and all(s.series_id == series[0].pk for s in series[1:])
    months = {timezone.localtime(s.starts_at).month for s in series}
    assert len(months) == 12
    with pytest.raises(DomainError):
        activity_from_template(
            actor=teams.team_leader, community=teams.world.xincun, team=teams.long_march,
            template="chunjie", shifts=[ShiftSpec(_in(5), _in(5, 11), 10)], months=2,
        )  # fmt: skip


def test_reminders_once_per_person_and_again_after_a_change(teams):
    a = make_activity(teams, days=1, audience=Audience.RESIDENTS)
    signup_create(actor=teams.member, shift=a.shifts.get())
    now = _in(0, 9)
    assert send_reminders(now=now) == 1
    assert send_reminders(now=now) == 0  # debounced
    Activity.objects.filter(pk=a.pk).update(version=a.version + 1)  # the activity changed
    assert send_reminders(now=now) == 1


def test_cancelling_the_activity_tells_everyone_signed_up(
    teams, django_capture_on_commit_callbacks
):
    a = make_activity(teams, audience=Audience.RESIDENTS)
    signup_create(actor=teams.member, shift=a.shifts.get())
    with pytest.raises(DomainError):
        activity_cancel(actor=teams.team_leader, activity=a, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        activity_cancel(actor=teams.team_leader, activity=a, reason="下雨")
    assert Notification.objects.filter(recipient=teams.member, verb="activity.cancelled").exists()
    with pytest.raises(DomainError):
        signup_create(actor=teams.world.resident, shift=a.shifts.get())
