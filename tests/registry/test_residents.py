"""Registering, editing, moving out; personal data sealed, masked, revealed with a trace."""

import datetime as dt

import pytest
from django.urls import reverse

from linli.core.models import Event
from linli.registry.models import Household, Resident, Tag
from tests.factories import VALID_ID

pytestmark = pytest.mark.django_db


def _resident_form(**over):
    data = {
        "name": "孙七",
        "gender": "F",
        "birth_date": "1950-03-04",
        "phone": "13511112222",
        "id_number": "",
        "relation": "spouse",
        "tenure": "owner",
        "moved_in_on": "",
        "health_note": "",
    }
    data.update(over)
    return data


def test_staff_registers_a_resident_with_tags_and_it_is_logged(world, as_user):
    client = as_user(world.staff)
    tag = Tag.objects.get(code="empty_nest")
    url = reverse("registry:resident_create", args=[world.hh_3_2_502.pk])
    response = client.post(
        url,
        _resident_form(
            tags=[tag.pk], id_number="110105194912310021" if False else VALID_ID.lower()
        ),
    )
    assert response.status_code == 302
    r = Resident.objects.get(name="孙七")
    assert r.name_initials == "sq" and r.name_pinyin == "sunqi"
    assert r.phone_tail == "2222"
    assert r.id_number_masked == "110105************"
    assert VALID_ID not in r.id_number_sealed  # encrypted at rest
    assert list(r.tags.values_list("code", flat=True)) == ["empty_nest"]
    ev = Event.objects.get(verb="resident.created")
    assert ev.actor == world.staff and ev.parent_id == world.hh_3_2_502.pk
    assert VALID_ID not in str(ev.data)


def test_invalid_id_check_digit_is_refused_and_nothing_saved(world, as_user):
    client = as_user(world.staff)
    url = reverse("registry:resident_create", args=[world.hh_3_2_502.pk])
    response = client.post(url, _resident_form(id_number="110105194912310020"))
    assert response.status_code == 400
    text = response.content.decode()
    assert "校验位" in text  # the reason, in the default language
    assert not Resident.objects.filter(name="孙七").exists()
    assert not Event.objects.filter(verb="resident.created").exists()


def test_html_in_a_name_is_stored_as_text_and_shown_escaped(world, as_user):
    client = as_user(world.staff)
    url = reverse("registry:resident_create", args=[world.hh_3_2_502.pk])
    payload = "<script>alert(1)</script>"
    assert client.post(url, _resident_form(name=payload)).status_code == 302
    page = client.get(reverse("registry:household", args=[world.hh_3_2_502.pk])).content.decode()
    assert payload not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_over_long_name_is_refused(world, as_user):
    client = as_user(world.staff)
    url = reverse("registry:resident_create", args=[world.hh_3_2_502.pk])
    response = client.post(url, _resident_form(name="张" * 51))
    assert response.status_code == 400
    assert not Resident.objects.filter(household=world.hh_3_2_502).exists()


def test_leader_edits_a_resident_of_own_building(world, as_user):
    client = as_user(world.leader)
    url = reverse("registry:resident_edit", args=[world.li_si.pk])
    response = client.post(url, _resident_form(name="李四", phone="13900001111", relation="spouse"))
    assert response.status_code == 302
    world.li_si.refresh_from_db()
    assert world.li_si.phone == "13900001111" and world.li_si.phone_tail == "1111"
    ev = Event.objects.get(verb="resident.updated")
    # Issue 9 (15): the log names the fields that changed and never holds their values (it
    # used to keep the old and new phone numbers).
    assert "phone" in ev.data["changed"] and "birth_date" in ev.data["changed"]
    assert "13900005678" not in str(ev.data) and "13900001111" not in str(ev.data)
    assert "1950" not in str(ev.data)


def test_moving_out_keeps_the_record_and_history(world, as_user):
    client = as_user(world.grid_worker)
    url = reverse("registry:resident_move_out", args=[world.wang_wu.pk])
    today = dt.date.today().isoformat()
    assert client.post(url, {"on": today, "note": "搬去女儿家"}).status_code == 302
    world.wang_wu.refresh_from_db()
    assert world.wang_wu.status == "moved_out"
    assert Resident.objects.filter(pk=world.wang_wu.pk).exists()
    # moving out twice is refused with a message, nothing changes
    response = client.post(url, {"on": today})
    assert response.status_code == 400
    assert Event.objects.filter(verb="resident.moved_out").count() == 1


def test_recording_a_death_needs_a_date_not_in_the_future(world, as_user):
    client = as_user(world.staff)
    url = reverse("registry:resident_move_out", args=[world.wang_wu.pk])
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    assert client.post(url, {"on": future, "deceased": "on"}).status_code == 400
    world.wang_wu.refresh_from_db()
    assert world.wang_wu.status == "active"


def test_duplicate_room_label_is_refused(world, as_user):
    client = as_user(world.staff)
    url = reverse("registry:household_create", args=[world.b3.pk])
    response = client.post(
        url, {"unit": world.u3_2.pk, "room": "501", "floor_area": "70", "occupancy": "owner"}
    )
    assert response.status_code == 400
    assert "3-2-501" in response.content.decode()
    assert Household.objects.filter(label="3-2-501").count() == 1


def test_household_area_is_an_exact_decimal(world, as_user):
    client = as_user(world.staff)
    url = reverse("registry:household_create", args=[world.b3.pk])
    response = client.post(
        url, {"unit": world.u3_2.pk, "room": "601", "floor_area": "75.55", "occupancy": "owner"}
    )
    assert response.status_code == 302
    hh = Household.objects.get(label="3-2-601")
    assert str(hh.floor_area) == "75.55"
    bad = client.post(
        url, {"unit": world.u3_2.pk, "room": "602", "floor_area": "-3", "occupancy": "owner"}
    )
    assert bad.status_code == 400
    assert not Household.objects.filter(label="3-2-602").exists()


def test_id_number_is_masked_on_the_page_and_revealed_only_with_a_trace(world, as_user):
    client = as_user(world.secretary)
    page = client.get(reverse("registry:resident", args=[world.zhang_san.pk])).content.decode()
    assert VALID_ID not in page and "110105************" in page
    url = reverse("registry:resident_reveal", args=[world.zhang_san.pk, "id_number"])
    assert client.post(url, {"reason": ""}).status_code == 400  # a reason is required
    response = client.post(url, {"reason": "核对低保材料"})
    assert VALID_ID in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    ev = Event.objects.get(verb="resident.id_number.revealed")
    assert ev.actor == world.secretary and ev.data["reason"] == "核对低保材料"


def test_resident_sees_who_looked_at_their_record(world, as_user):
    as_user(world.staff).get(reverse("registry:resident", args=[world.zhang_san.pk]))
    client = as_user(world.resident)
    page = client.get(reverse("accounts:my_data")).content.decode()
    assert "staff" in page


def test_household_timeline_shows_resident_events(world, as_user):
    client = as_user(world.staff)
    client.post(reverse("registry:resident_create", args=[world.hh_3_2_501.pk]), _resident_form())
    page = client.get(reverse("registry:household", args=[world.hh_3_2_501.pk])).content
    history = page.decode().split('id="tl-h"')[1]
    assert "孙七" in history and "登记居民" in history


def test_minor_is_masked_for_a_building_leader(world, as_user):
    from tests.factories import make_resident

    child = make_resident(
        world.hh_3_2_501,
        "张小明",
        birth_date=dt.date.today().replace(year=dt.date.today().year - 8),
        relation="grandchild",
    )
    page = as_user(world.leader).get(reverse("registry:resident", args=[child.pk]))
    assert "张小明" not in page.content.decode()
    page = as_user(world.leader).get(reverse("registry:household", args=[world.hh_3_2_501.pk]))
    assert "张小明" not in page.content.decode() and "张**" in page.content.decode()
    # the family sees their own child's name
    page = as_user(world.resident).get(reverse("registry:household", args=[world.hh_3_2_501.pk]))
    assert "张小明" in page.content.decode()
    page = as_user(world.staff).get(reverse("registry:resident", args=[child.pk]))
    assert "张小明" in page.content.decode()
