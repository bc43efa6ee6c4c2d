"""Two people ask for the last place at the same moment: one gets it, the other is
waitlisted (SQLite: IMMEDIATE transactions; PostgreSQL: the shift's row lock)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from linli.volunteers.models import Audience, SignUp, SignUpStatus
from linli.volunteers.services.activities import ShiftSpec, activity_create, signup_create


@pytest.mark.django_db(transaction=True)
def test_concurrent_signups_for_the_last_place_one_wins_one_waits(teams):
    start = timezone.now() + dt.timedelta(days=2)
    a = activity_create(
        actor=teams.team_leader, community=teams.world.xincun, team=teams.long_march,
        title="最后一个名额", audience=Audience.RESIDENTS,
        shifts=[ShiftSpec(start, start + dt.timedelta(hours=2), 1)],
    )  # fmt: skip
    shift = a.shifts.get()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def go(user):
        try:
            barrier.wait()
            signup_create(actor=user, shift=shift)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()  # the thread's own connection: nothing left holding a lock

    threads = [threading.Thread(target=go, args=(u,)) for u in (teams.member, teams.world.resident)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    statuses = sorted(SignUp.objects.filter(shift=shift).values_list("status", flat=True))
    assert statuses == sorted([SignUpStatus.SIGNED, SignUpStatus.WAITING])


@pytest.mark.django_db(transaction=True)
def test_concurrent_check_ins_at_the_venue_are_all_recorded_once(teams):
    """Two volunteers scan the leader's QR code at the same moment: both are checked in, each
    once, and neither gets an error (the shift's row serialises them)."""
    from linli.volunteers.models import Attendance
    from linli.volunteers.services.attendance import checkin_toggle

    start = timezone.now() + dt.timedelta(minutes=30)
    a = activity_create(
        actor=teams.team_leader, community=teams.world.xincun, team=teams.long_march,
        title="元宵猜灯谜", audience=Audience.RESIDENTS,
        shifts=[ShiftSpec(start, start + dt.timedelta(hours=2), 2)],
    )  # fmt: skip
    shift = a.shifts.get()
    people = (teams.member, teams.world.resident)
    for u in people:
        signup_create(actor=u, shift=shift)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def go(user):
        try:
            barrier.wait()
            checkin_toggle(actor=user, shift=shift, token=shift.checkin_token)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(u,)) for u in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    rows = Attendance.objects.filter(shift=shift)
    assert rows.count() == 2
    assert all(r.checked_in_at and r.checked_out_at is None for r in rows)
