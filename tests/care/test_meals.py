"""Love lunches and home help: the roster, deliveries, care work kept with its duration."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.care import services
from linli.care.models import HelpSession, MealDay, MealDelivery, MealRecipient


@pytest.fixture
def roster(care, world):
    MealRecipient.objects.create(person=care.li, dietary_note="少盐")
    return services.meal_day_save(
        actor=world.staff, community=world.xincun, day=timezone.localdate(),
        cooks=[world.volunteer], menu="饺子",
    )  # fmt: skip


def test_roster_page_and_delivery_by_a_volunteer(roster, care, world, as_user):
    c = as_user(world.volunteer)
    r = c.get(reverse("care:meals", args=["xincun"]))
    assert r.status_code == 200 and "少盐" in r.content.decode()
    r = c.post(
        reverse("care:meal_deliver", args=["xincun"]),
        {"day": roster.pk, "person": care.li.pk, "status": "delivered"},
    )
    assert r.status_code == 302
    assert MealDelivery.objects.get().status == "delivered"
    r = c.post(
        reverse("care:meal_deliver", args=["xincun"]),
        {"day": roster.pk, "person": care.li.pk, "status": "eaten"},
    )
    assert r["X-Linli-Status"] == "400"
    assert MealDelivery.objects.get().status == "delivered"


@pytest.mark.parametrize("who,status", [("outsider", 404), ("resident", 403), ("leader", 403)])
def test_roster_refused(roster, world, as_user, who, status):
    assert (
        as_user(getattr(world, who)).get(reverse("care:meals", args=["xincun"])).status_code
        == status
    )


def test_only_the_office_sets_the_roster(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.meal_day_save(
            actor=world.volunteer, community=world.xincun, day=timezone.localdate(), cooks=[]
        )
    assert not MealDay.objects.exists()


def test_care_work_is_kept_with_its_duration(world, as_user):
    c = as_user(world.volunteer)
    day = timezone.localdate() - dt.timedelta(days=1)
    r = c.post(
        reverse("care:help_new", args=["xincun"]),
        {"kind": "cleaning", "day": day.isoformat(), "start": "09:00", "end": "10:30"},
    )
    assert r.status_code == 302
    s = HelpSession.objects.get()
    assert s.ended_at - s.started_at == dt.timedelta(minutes=90) and s.helper == world.volunteer
    r = c.post(
        reverse("care:help_new", args=["xincun"]),
        {"kind": "cleaning", "day": day.isoformat(), "start": "11:00", "end": "10:30"},
    )
    assert r["X-Linli-Status"] == "400"
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    r = c.post(
        reverse("care:help_new", args=["xincun"]),
        {"kind": "cleaning", "day": tomorrow, "start": "09:00", "end": "10:00"},
    )
    assert r["X-Linli-Status"] == "400"
    assert HelpSession.objects.count() == 1
    assert (
        as_user(world.outsider).post(reverse("care:help_new", args=["xincun"]), {}).status_code
        == 404
    )


def test_care_work_goes_to_the_hours_ledger_as_pending(world):
    from linli.volunteers.models import HourEntry

    end = timezone.now() - dt.timedelta(hours=1)
    s = services.help_record(
        actor=world.volunteer, community=world.xincun, kind="home_help",
        started_at=end - dt.timedelta(hours=2), ended_at=end,
    )  # fmt: skip
    assert s.hours_entered
    e = HourEntry.objects.get()
    assert (e.status, e.source) == ("pending", "care")
    assert e.ended_at - e.started_at == dt.timedelta(hours=2)


def test_a_volunteers_visit_time_goes_to_the_ledger(care, world):
    from linli.volunteers.models import HourEntry

    v = services.visit_record(
        actor=world.volunteer, person=care.li, visited_on=timezone.localdate(), method="home",
        minutes=30,
    )  # fmt: skip
    assert v.hours_entered and HourEntry.objects.count() == 1
    # a second visit recorded at the same moment overlaps: the visit is kept, not the hours
    v2 = services.visit_record(
        actor=world.volunteer, person=care.li, visited_on=timezone.localdate(), method="home",
        minutes=30,
    )  # fmt: skip
    assert not v2.hours_entered and HourEntry.objects.count() == 1
    # a grid worker's (paid) visit is no volunteer service
    services.visitor_assign(
        actor=world.staff, person=care.wang, user=world.grid_worker, kind="grid_worker"
    )
    v3 = services.visit_record(
        actor=world.grid_worker, person=care.wang, visited_on=timezone.localdate(), method="home",
        minutes=30,
    )  # fmt: skip
    assert not v3.hours_entered


def test_home_card_for_a_visitor(care, world, as_user):
    r = as_user(world.volunteer).get("/")
    assert r.status_code == 200 and 'data-testid="home-care"' in r.content.decode()
    r = as_user(world.other_resident).get("/")
    assert 'data-testid="home-care"' not in r.content.decode()
