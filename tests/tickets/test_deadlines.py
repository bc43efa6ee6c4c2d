"""Time limits: respond within N clock hours, resolve within N working days of the calendar
(weekends and public holidays off, 调休 weekend days worked), from the State Council schedule
shipped in the migrations."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from linli.core.calendar import add_workdays
from linli.core.models import Holiday
from linli.tickets import services

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


def end_of(y, m, d):
    return dt.datetime(y, m, d, 23, 59, 59, tzinfo=SH)


@pytest.fixture
def frozen(monkeypatch):
    def freeze(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return freeze


def test_the_2026_schedule_is_installed_as_global_rows():
    rows = Holiday.objects.filter(community_id=None, date__year=2026)
    assert rows.filter(is_workday=False).count() == 33
    worked = sorted(rows.filter(is_workday=True).values_list("date", flat=True))
    assert worked == [
        dt.date(2026, 1, 4),
        dt.date(2026, 2, 14),
        dt.date(2026, 2, 28),
        dt.date(2026, 5, 9),
        dt.date(2026, 9, 20),
        dt.date(2026, 10, 10),
    ]
    assert all(d.weekday() >= 5 for d in worked)  # every 调休 day is a Saturday or Sunday


def test_an_ordinary_week_skips_the_weekend():
    # Monday 16 November 2026 + 5 working days → Monday 23 November, end of day.
    assert add_workdays(at(2026, 11, 16), 5) == end_of(2026, 11, 23)
    # Friday + 1 → Monday.
    assert add_workdays(at(2026, 11, 20), 1) == end_of(2026, 11, 23)


def test_a_request_on_the_last_working_day_before_national_day_lands_after_the_holiday():
    # Wednesday 30 September; 1–7 October off; Saturday 10 October is worked (调休).
    assert add_workdays(at(2026, 9, 30, 16), 1) == end_of(2026, 10, 8)
    assert add_workdays(at(2026, 9, 30, 16), 3) == end_of(2026, 10, 10)
    assert add_workdays(at(2026, 9, 30, 16), 5) == end_of(2026, 10, 13)


def test_a_request_on_the_friday_before_national_day_counts_the_worked_sunday():
    # Friday 18 September; Sunday 20 September is worked in exchange for National Day.
    assert add_workdays(at(2026, 9, 18), 1) == end_of(2026, 9, 20)
    # Friday 25 September is the Mid-Autumn holiday: 28, 29, 30 September, then 8, 9 October.
    assert add_workdays(at(2026, 9, 25), 5) == end_of(2026, 10, 9)


def test_spring_festival_nine_days_off_and_two_worked_saturdays():
    # Friday 13 February 2026: Saturday 14th is worked, 15th–23rd off.
    assert add_workdays(at(2026, 2, 13), 1) == end_of(2026, 2, 14)
    assert add_workdays(at(2026, 2, 13), 3) == end_of(2026, 2, 25)
    # Friday 27 February → Saturday 28th is worked.
    assert add_workdays(at(2026, 2, 27), 1) == end_of(2026, 2, 28)


def test_late_evening_counts_from_the_local_day_not_the_utc_day():
    # 23:30 Shanghai on Friday 20 November is 15:30 UTC the same day; 00:30 Shanghai on
    # Saturday is still Friday in UTC. Both count from the local day.
    assert add_workdays(at(2026, 11, 20, 23, 30), 1) == end_of(2026, 11, 23)
    assert add_workdays(at(2026, 11, 21, 0, 30), 1) == end_of(2026, 11, 23)


def test_a_community_can_declare_its_own_day_off_and_it_wins(tw):
    Holiday.objects.create(community_id=tw.xincun.pk, date=dt.date(2026, 11, 23), name="停水检修")
    assert add_workdays(at(2026, 11, 20), 1, tw.xincun.pk) == end_of(2026, 11, 24)
    assert add_workdays(at(2026, 11, 20), 1, tw.nancun.pk) == end_of(2026, 11, 23)
    # …and can work a global holiday.
    Holiday.objects.create(
        community_id=tw.xincun.pk, date=dt.date(2026, 10, 8), name="值班", is_workday=True
    )
    Holiday.objects.create(
        community_id=tw.xincun.pk, date=dt.date(2026, 10, 5), name="值班", is_workday=True
    )
    assert add_workdays(at(2026, 9, 30), 1, tw.xincun.pk) == end_of(2026, 10, 5)


def test_submitting_sets_both_deadlines_from_the_category(tw, submit, frozen):
    frozen(at(2026, 9, 30, 16))
    t = submit()  # water: respond within 24 h, resolve within 5 working days
    assert t.created_at == at(2026, 9, 30, 16)
    assert t.respond_by == at(2026, 10, 1, 16)  # clock hours, holidays or not
    assert t.resolve_by == end_of(2026, 10, 13)

    tw.lights.respond_within_hours, tw.lights.resolve_within_workdays = 2, 1
    tw.lights.save()
    t2 = submit(category=tw.lights, description="路灯不亮")
    assert t2.respond_by == at(2026, 9, 30, 18)
    assert t2.resolve_by == end_of(2026, 10, 8)


def test_an_extension_adds_working_days_to_the_deadline(tw, submit, frozen):
    frozen(at(2026, 9, 28, 9))
    t = submit()
    assert t.resolve_by == end_of(2026, 10, 10)  # 29, 30 Sep, 8, 9, 10 (worked) Oct
    services.ticket_accept(actor=tw.staff, ticket=t)
    t = services.ticket_extend(actor=tw.staff, ticket=t, days=2, reason="等配件")
    assert t.resolve_by == end_of(2026, 10, 13)  # Sunday 11 off
