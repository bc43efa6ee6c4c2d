"""Attendance: QR check-in and check-out (POST acts), the leader's roster in one
transaction, walk-ins past the places, corrections, unfinished attendances closed and flagged;
each attendance records pending hours clipped to the shift."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from linli.core.errors import Conflict, DomainError
from linli.volunteers.models import Attendance, Audience, HourEntry, HourStatus, SignUpStatus
from linli.volunteers.services import hours_verify
from linli.volunteers.services.activities import ShiftSpec, activity_create, signup_create
from linli.volunteers.services.attendance import (
    attendance_correct,
    attendance_mark_roster,
    attendance_walk_in,
    checkin_toggle,
    close_unfinished,
)

pytestmark = pytest.mark.django_db


def _shift(teams, places=2, hours_from_now=2):
    start = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(hours=hours_from_now)
    a = activity_create(
        actor=teams.team_leader, community=teams.world.xincun, team=teams.long_march,
        title="端午包粽子", audience=Audience.RESIDENTS,
        shifts=[ShiftSpec(start, start + dt.timedelta(hours=2), places)],
    )  # fmt: skip
    return a.shifts.get()


def test_qr_check_in_and_out_records_pending_hours_clipped_to_the_shift(teams):
    shift = _shift(teams)
    signup_create(actor=teams.member, shift=shift)
    t0 = shift.starts_at - dt.timedelta(minutes=20)  # early: counted from the start
    att = checkin_toggle(actor=teams.member, shift=shift, token=shift.checkin_token, now=t0)
    assert att.checked_out_at is None
    t1 = shift.starts_at + dt.timedelta(minutes=90)
    att = checkin_toggle(actor=teams.member, shift=shift, token=shift.checkin_token, now=t1)
    e = att.hour_entry
    assert e is not None and e.minutes == 90 and e.status == HourStatus.PENDING
    assert e.team == teams.long_march and e.source == "attendance"
    with pytest.raises(Conflict):
        checkin_toggle(actor=teams.member, shift=shift, token=shift.checkin_token, now=t1)


def test_code_of_another_shift_or_after_the_end_is_refused(teams):
    shift, other = _shift(teams), _shift(teams, hours_from_now=5)
    signup_create(actor=teams.member, shift=shift)
    with pytest.raises(DomainError) as exc:
        checkin_toggle(actor=teams.member, shift=shift, token=other.checkin_token,
                       now=shift.starts_at)  # fmt: skip
    assert exc.value.code == "wrong_code"
    with pytest.raises(DomainError) as exc:
        checkin_toggle(actor=teams.member, shift=shift, token=shift.checkin_token,
                       now=shift.ends_at + dt.timedelta(minutes=1))  # fmt: skip
    assert exc.value.code == "ended"
    with pytest.raises(DomainError) as exc:
        checkin_toggle(actor=teams.world.resident, shift=shift, token=shift.checkin_token,
                       now=shift.starts_at)  # fmt: skip
    assert exc.value.code == "not_signed_up"
    with pytest.raises(Http404):
        checkin_toggle(actor=teams.nancun_leader, shift=shift, token=shift.checkin_token,
                       now=shift.starts_at)  # fmt: skip
    assert not Attendance.objects.exists()


def test_leader_marks_the_whole_roster_in_one_transaction(teams):
    shift = _shift(teams, places=3)
    s1 = signup_create(actor=teams.member, shift=shift)
    s2 = signup_create(actor=teams.world.resident, shift=shift)
    end = shift.ends_at
    with pytest.raises(DomainError):  # one unknown id: nothing recorded
        attendance_mark_roster(actor=teams.team_leader, shift=shift,
                               present=[s1.profile_id, 999999], now=end)  # fmt: skip
    assert not Attendance.objects.exists()
    with pytest.raises(PermissionDenied):
        attendance_mark_roster(actor=teams.other_leader, shift=shift, present=[], now=end)
    out = attendance_mark_roster(actor=teams.team_leader, shift=shift,
                                 present=[s1.profile_id, s2.profile_id], now=end)  # fmt: skip
    assert len(out) == 2
    assert sorted(HourEntry.objects.values_list("minutes", flat=True)) == [120, 120]


def test_walk_in_past_capacity(teams):
    shift = _shift(teams, places=1)
    signup_create(actor=teams.member, shift=shift)
    w = signup_create(actor=teams.world.resident, shift=shift)
    assert w.status == SignUpStatus.WAITING
    att = attendance_walk_in(actor=teams.team_leader, shift=shift, profile=w.profile,
                             now=shift.starts_at)  # fmt: skip
    assert att.walk_in
    assert shift.signups.filter(status=SignUpStatus.SIGNED).count() == 2  # past the places
    with pytest.raises(Conflict):
        attendance_walk_in(actor=teams.team_leader, shift=shift, profile=w.profile,
                           now=shift.starts_at)  # fmt: skip


def test_never_checked_out_is_closed_at_the_shift_end_and_flagged(teams):
    shift = _shift(teams)
    signup_create(actor=teams.member, shift=shift)
    checkin_toggle(actor=teams.member, shift=shift, token=shift.checkin_token, now=shift.starts_at)
    assert close_unfinished(now=shift.starts_at + dt.timedelta(minutes=30)) == 0
    assert close_unfinished(now=shift.ends_at + dt.timedelta(hours=5)) == 1
    att = Attendance.objects.get()
    assert att.flagged and att.checked_out_at == shift.ends_at
    assert att.hour_entry.minutes == 120  # the shift, not a day


def test_correcting_times_replaces_the_hours_never_edits_them(teams):
    shift = _shift(teams)
    s = signup_create(actor=teams.member, shift=shift)
    [att] = attendance_mark_roster(actor=teams.team_leader, shift=shift,
                                   present=[s.profile_id], now=shift.ends_at)  # fmt: skip
    first = att.hour_entry
    hours_verify(actor=teams.team_leader, entry=first)
    with pytest.raises(DomainError) as exc:  # longer than the shift
        attendance_correct(actor=teams.team_leader, attendance=att,
                           checked_in_at=shift.starts_at - dt.timedelta(hours=1),
                           checked_out_at=shift.ends_at, reason="x")  # fmt: skip
    assert exc.value.code == "longer_than_shift"
    attendance_correct(actor=teams.team_leader, attendance=att,
                       checked_in_at=shift.starts_at + dt.timedelta(minutes=30),
                       checked_out_at=shift.ends_at, reason="迟到半小时", now=shift.ends_at)  # fmt: skip
    first.refresh_from_db()
    assert first.minutes == 120 and first.reversed_by.minutes == -120
    att.refresh_from_db()
    assert att.hour_entry.minutes == 90 and att.hour_entry.status == HourStatus.PENDING
