"""Recording a visit: fast form, refusals, follow-up requests into the staff queue."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from linli.care import services
from linli.care.models import CarePerson, Visit
from linli.tickets.models import Ticket
from tests.care.conftest import back

TODAY = timezone.localdate


def _visit(person, actor, **kw):
    kw.setdefault("visited_on", TODAY())
    kw.setdefault("method", "home")
    return services.visit_record(actor=actor, person=person, **kw)


def test_assigned_volunteer_records_a_visit_and_the_next_is_due_in_a_week(care, world):
    v = _visit(care.li, world.volunteer, health=["mood", "bogus"], safety=["heating"])
    assert v.health == ["mood"] and v.safety == ["heating"]
    care.li.refresh_from_db()
    assert care.li.last_reached_on == TODAY()
    assert care.li.due_on == TODAY() + dt.timedelta(days=7)


def test_not_at_home_and_refused_are_visits_that_do_not_count(care, world):
    _visit(care.li, world.volunteer, outcome="not_home")
    _visit(care.li, world.volunteer, outcome="refused")
    care.li.refresh_from_db()
    assert Visit.objects.filter(person=care.li).count() == 2
    assert care.li.last_reached_on is None and care.li.last_visit_on == TODAY()
    assert care.li.due_on == care.li.enrolled_on  # still due


def test_a_late_paper_visit_keeps_its_real_date(care, world):
    back(care.li, 30)
    _visit(care.li, world.staff, visited_on=TODAY() - dt.timedelta(days=10))
    care.li.refresh_from_db()
    assert care.li.due_on == TODAY() - dt.timedelta(days=3)


def test_a_visit_in_the_future_is_refused(care, world):
    with pytest.raises(services.CareError) as e:
        _visit(care.li, world.volunteer, visited_on=TODAY() + dt.timedelta(days=1))
    assert e.value.field == "visited_on"
    assert not Visit.objects.exists()


def test_a_visit_before_the_move_in_is_refused(care, world):
    world.li_si.moved_in_on = TODAY() - dt.timedelta(days=5)
    world.li_si.save()
    care.li.resident = world.li_si
    with pytest.raises(services.CareError):
        _visit(care.li, world.staff, visited_on=TODAY() - dt.timedelta(days=6))
    assert not Visit.objects.exists()


def test_visitor_not_assigned_and_not_office_is_refused(care, world):
    with pytest.raises(PermissionDenied):
        _visit(care.wang, world.volunteer)  # 403: in the community, not assigned
    with pytest.raises(Http404):
        _visit(care.wang, world.leader)  # building 3's leader on building 4: 404
    with pytest.raises(Http404):
        _visit(care.li, world.outsider)  # nancun: 404
    assert not Visit.objects.exists()


def test_two_visitors_recording_the_same_visit_both_are_kept(care, world):
    _visit(care.li, world.volunteer)
    _visit(care.li, world.leader)
    assert Visit.objects.filter(person=care.li, visited_on=TODAY()).count() == 2


def test_follow_up_request_reaches_the_staff_queue_with_the_place(care, world, as_user):
    v = _visit(
        care.li, world.volunteer, follow_up="request", category=care.category,
        follow_up_text="电暖器插座发烫",
    )  # fmt: skip
    t = Ticket.objects.get()
    assert v.ticket_id == t.pk
    assert t.household_id == world.hh_3_2_501.pk and t.status == "submitted"
    r = as_user(world.staff).get(reverse("tickets:queue"))
    assert t in list(r.context["page"].object_list)


def test_bad_follow_up_saves_nothing(care, world):
    with pytest.raises(services.CareError):
        _visit(care.li, world.volunteer, follow_up="request", follow_up_text="漏水")  # no category
    with pytest.raises(services.CareError):
        _visit(
            care.li, world.volunteer, follow_up="referral", follow_up_text="x", refer_to="nowhere"
        )
    assert not Visit.objects.exists() and not Ticket.objects.exists()


def test_referral_and_note(care, world):
    v = _visit(
        care.li, world.volunteer, follow_up="referral", refer_to="clinic", follow_up_text="血压高"
    )
    assert v.refer_to == "clinic"


def test_visit_form_page(care, world, as_user):
    c = as_user(world.volunteer)
    url = reverse("care:visit_new", args=[care.li.pk])
    assert c.get(url).status_code == 200
    r = c.post(url, {"visited_on": TODAY().isoformat(), "method": "home", "outcome": "reached",
                     "health": ["mood"], "follow_up": "request", "category": care.category.pk,
                     "follow_up_text": "电暖器插座发烫", "finances_ok": "on"})  # fmt: skip
    assert r.status_code == 302
    assert Ticket.objects.count() == 1
    r = c.post(
        url,
        {
            "visited_on": (TODAY() + dt.timedelta(days=2)).isoformat(),
            "method": "home",
            "outcome": "reached",
        },
    )
    assert r.status_code == 400
    assert (
        as_user(world.volunteer).get(reverse("care:visit_new", args=[care.wang.pk])).status_code
        == 403
    )
    assert (
        as_user(world.leader).get(reverse("care:visit_new", args=[care.wang.pk])).status_code == 404
    )
    assert as_user(world.outsider).get(url).status_code == 404


def test_my_visits_shows_due_overdue_and_done(care, world, as_user):
    back(care.li, 3)
    services.person_refresh_due(care.li)
    r = as_user(world.volunteer).get(reverse("care:mine"))
    assert [p.pk for p in r.context["overdue"]] == [care.li.pk]
    _visit(care.li, world.volunteer)
    r = as_user(world.volunteer).get(reverse("care:mine"))
    assert r.context["overdue"] == [] and len(r.context["done"]) == 1
    assert [p.pk for p in r.context["due"]] == [care.li.pk]  # next week
    # another volunteer sees nobody
    from tests.factories import grant, make_user

    other = make_user("v2")
    grant(other, "volunteer", world.xincun)
    r = as_user(other).get(reverse("care:mine"))
    assert r.context["overdue"] == [] and r.context["due"] == []


def test_sheet_is_printable(care, world, as_user):
    r = as_user(world.volunteer).get(reverse("care:sheet"))
    assert r.status_code == 200 and "3-2-501" in r.content.decode()
    # a volunteer's sheet masks the phone
    assert "13900005678" not in r.content.decode()


def test_death_stops_visits(care, world):
    world.li_si.status, world.li_si.deceased_on = "deceased", TODAY() - dt.timedelta(days=1)
    world.li_si.save()
    p = CarePerson.objects.select_related("resident").get(pk=care.li.pk)
    with pytest.raises(services.CareError):
        services.visit_record(actor=world.staff, person=p, visited_on=TODAY(), method="home")


def test_api_due_and_record(care, world, as_user):
    import json

    c = as_user(world.volunteer)
    r = c.get("/api/care/due")
    assert r.status_code == 200 and [x["id"] for x in r.json()] == [care.li.pk]
    body = {"visited_on": TODAY().isoformat(), "follow_up": "request", "category_id": care.category.pk,
            "follow_up_text": "电暖器插座发烫"}  # fmt: skip
    r = c.post(
        f"/api/care/people/{care.li.pk}/visits", json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 201, r.content
    assert r.json()["ticket_id"] == Ticket.objects.get().pk
    r = c.post(
        f"/api/care/people/{care.wang.pk}/visits", json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 403
    r = as_user(world.outsider).post(
        f"/api/care/people/{care.li.pk}/visits", json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 404
    c = as_user(world.volunteer)
    future = {**body, "visited_on": (TODAY() + dt.timedelta(days=1)).isoformat()}
    r = c.post(
        f"/api/care/people/{care.li.pk}/visits", json.dumps(future), content_type="application/json"
    )
    assert r.status_code == 400


def test_sheet_as_pdf(care, world, as_user):
    from tests.pdfs import text as pdf_text

    r = as_user(world.volunteer).get(reverse("care:sheet_pdf"))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = pdf_text(r.content)
    assert "3-2-501" in text and "13900005678" not in text
