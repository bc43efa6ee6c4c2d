"""The working-day calendar lives in core: the nationwide schedule is seeded from the
``chinese-calendar`` package after every migrate, never replacing what an office entered."""

import datetime as dt

import pytest
from django.utils import translation

from linli.core import calendar
from linli.core.models import Holiday

pytestmark = pytest.mark.django_db


def test_the_national_schedule_is_in_the_table_for_every_year_the_package_knows():
    years = calendar.years_known()
    assert years.start <= 2024 and 2026 in years
    # Spring Festival 2025 (not in the hand-written 2026 migration) and its worked Sunday.
    assert Holiday.objects.get(community_id=None, date=dt.date(2025, 1, 29)).name == "春节"
    worked = Holiday.objects.get(community_id=None, date=dt.date(2025, 1, 26))
    assert worked.is_workday and worked.name == "春节调休上班"
    # A deadline across it counts working days only.
    start = dt.datetime(2025, 1, 27, 9, tzinfo=dt.UTC)
    assert calendar.add_workdays(start, 1).date() == dt.date(2025, 2, 5)


def test_seeding_again_adds_nothing_and_keeps_what_an_office_corrected():
    day = dt.date(2026, 10, 7)
    h = Holiday.objects.get(community_id=None, date=day)
    h.name, h.is_workday = "国庆节（本市调整为上班）", True
    h.save()
    assert calendar.seed_official_holidays() == 0
    h.refresh_from_db()
    assert h.is_workday and h.name.startswith("国庆节（本市")
    # A day removed by mistake comes back.
    Holiday.objects.filter(community_id=None, date=dt.date(2026, 1, 1)).delete()
    assert calendar.seed_official_holidays() == 1
    assert Holiday.objects.filter(community_id=None, date=dt.date(2026, 1, 1)).exists()


def test_a_community_entry_wins_over_the_nationwide_one(world):
    Holiday.objects.create(
        community_id=world.xincun.pk, date=dt.date(2026, 10, 7), name="值班", is_workday=True
    )
    cal = calendar.calendar_for(world.xincun.pk, range(2026, 2027))[2026]
    assert cal[dt.date(2026, 10, 7)] is True
    assert (
        calendar.calendar_for(world.nancun.pk, range(2026, 2027))[2026][dt.date(2026, 10, 7)]
        is False
    )


def test_official_names_read_in_english_in_the_english_interface():
    h = Holiday.objects.get(community_id=None, date=dt.date(2026, 2, 14))  # worked Saturday
    with translation.override("en"):
        assert Holiday.objects.get(community_id=None, date=dt.date(2026, 2, 16)).label == (
            "Spring Festival"
        )
        assert h.label == "Spring Festival (worked day)"
    with translation.override("zh-hans"):
        assert h.label == "春节（调休上班）"
    assert Holiday(name="停水检修").label == "停水检修"


@pytest.mark.django_db(transaction=True)
def test_moving_the_calendar_to_core_keeps_every_entry():
    """Migration tickets 0004: a database from before the move keeps its community days."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    call_command("migrate", "tickets", "0003_apikey", verbosity=0)
    try:
        old_apps = (
            MigrationExecutor(connection).loader.project_state(("tickets", "0003_apikey")).apps
        )
        Community = old_apps.get_model("registry", "Community")
        Street = old_apps.get_model("registry", "StreetOffice")
        street = Street.objects.create(code="s", name="街道")
        c = Community.objects.create(street_office=street, code="c", name="社区")
        Old = old_apps.get_model("tickets", "Holiday")
        Old.objects.create(community_id=c.pk, date=dt.date(2026, 11, 23), name="停水检修")
        assert Old.objects.filter(community_id=None, date=dt.date(2026, 2, 16)).exists()
    finally:
        # Every app: going back to tickets 0003 also unapplied the other apps' migrations
        # that depend on a later tickets migration (their tables were dropped).
        call_command("migrate", verbosity=0)
    moved = Holiday.objects.get(date=dt.date(2026, 11, 23))
    assert moved.community_id == c.pk and moved.name == "停水检修" and not moved.official
    assert Holiday.objects.get(community_id=None, date=dt.date(2026, 2, 16)).official
