"""Response limits counted in working hours (issue 11, item 11): a category with working hours
(e.g. 08:30–17:30) counts its response limit only inside them on working days, so a deadline
never falls in the night, at a weekend or on a holiday; an emergency keeps the clock."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from linli.core.calendar import add_working_hours
from linli.core.models import Holiday
from linli.tickets import services_admin
from linli.tickets.workflow import TicketError

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
OPENS, CLOSES = dt.time(8, 30), dt.time(17, 30)


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


def hours(start, n, community_id=None):
    return add_working_hours(start, n, community_id, opens=OPENS, closes=CLOSES)


@pytest.fixture
def frozen(monkeypatch):
    def freeze(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return freeze


@pytest.fixture
def office_hours(tw):
    tw.water.respond_within_hours = 4
    tw.water.work_from, tw.water.work_until = OPENS, CLOSES
    tw.water.save()
    return tw.water


def test_friday_at_five_with_four_hours_ends_on_monday_morning():
    # Friday 20 November 2026, 17:00: half an hour on Friday, 3½ on Monday from 08:30.
    assert hours(at(2026, 11, 20, 17), 4) == at(2026, 11, 23, 12)


def test_within_the_day_and_at_the_edges():
    assert hours(at(2026, 11, 16, 9), 4) == at(2026, 11, 16, 13)
    # Exactly to closing time stays on that day, never 08:30 the next.
    assert hours(at(2026, 11, 16, 13, 30), 4) == at(2026, 11, 16, 17, 30)
    # Begun in the night or before opening: counted from the opening.
    assert hours(at(2026, 11, 16, 3), 2) == at(2026, 11, 16, 10, 30)
    assert hours(at(2026, 11, 16, 22), 2) == at(2026, 11, 17, 10, 30)
    # Saturday: from Monday's opening.
    assert hours(at(2026, 11, 21, 11), 1) == at(2026, 11, 23, 9, 30)
    # More than a day's hours: 9 a day, 20 hours → third day.
    assert hours(at(2026, 11, 16, 8, 30), 20) == at(2026, 11, 18, 10, 30)


def test_holidays_are_skipped_and_worked_weekend_days_count():
    # Wednesday 30 September 16:00, 4 hours: 1½ that day, National Day 1–7 October off,
    # then 2½ on Thursday 8 October.
    assert hours(at(2026, 9, 30, 16), 4) == at(2026, 10, 8, 11)
    # Saturday 10 October 2026 is worked (调休).
    assert hours(at(2026, 10, 9, 17), 1) == at(2026, 10, 10, 9)


def test_a_communitys_own_day_off_counts(tw):
    Holiday.objects.create(community_id=tw.xincun.pk, date=dt.date(2026, 11, 23), name="停水检修")
    assert hours(at(2026, 11, 20, 17), 4, tw.xincun.pk) == at(2026, 11, 24, 12)
    assert hours(at(2026, 11, 20, 17), 4, tw.nancun.pk) == at(2026, 11, 23, 12)


def test_a_request_gets_its_response_deadline_in_working_hours(tw, submit, frozen, office_hours):
    frozen(at(2026, 11, 20, 17))
    t = submit()
    assert t.respond_by == at(2026, 11, 23, 12)
    assert t.resolve_by == dt.datetime(2026, 11, 27, 23, 59, 59, tzinfo=SH)  # unchanged rule


def test_an_emergency_keeps_the_short_clock(tw, submit, frozen, office_hours):
    frozen(at(2026, 11, 20, 23))
    t = submit(emergency=True)
    assert t.respond_by == at(2026, 11, 21, 3)


def test_a_category_without_working_hours_counts_clock_hours(tw, submit, frozen):
    frozen(at(2026, 11, 20, 17))
    assert submit().respond_by == at(2026, 11, 21, 17)  # water: 24 h round the clock


def test_the_settings_refuse_half_or_backwards_working_hours(tw):
    base = {"actor": tw.secretary, "community": tw.xincun, "category": tw.water, "name": "水"}
    with pytest.raises(TicketError):
        services_admin.category_save(**base, work_from=OPENS)
    with pytest.raises(TicketError):
        services_admin.category_save(**base, work_from=CLOSES, work_until=OPENS)
    tw.water.refresh_from_db()
    assert tw.water.work_from is None and tw.water.name == "水管漏水"  # nothing saved
    services_admin.category_save(**base, work_from=OPENS, work_until=CLOSES)
    tw.water.refresh_from_db()
    assert (tw.water.work_from, tw.water.work_until) == (OPENS, CLOSES)


def test_the_category_page_sets_working_hours(tw, as_user):
    from django.urls import reverse

    c = as_user(tw.secretary)
    url = reverse("tickets:category_edit", args=["xincun", tw.water.pk])
    page = c.get(url)
    assert page.status_code == 200 and 'name="work_from"' in page.content.decode()
    data = {
        "name": "水管漏水",
        "respond_within_hours": 4,
        "resolve_within_workdays": 5,
        "work_from": "08:30",
        "work_until": "17:30",
        "active": "on",
    }
    r = c.post(url, data)
    assert r.status_code in (200, 302, 303)
    tw.water.refresh_from_db()
    assert (tw.water.work_from, tw.water.work_until) == (OPENS, CLOSES)
    assert tw.water.respond_within_hours == 4
