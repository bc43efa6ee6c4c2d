"""A desk clerk with a caller on the line: the whole phone number (typed any way), the name
in pinyin with spaces ("liang jie") or in characters with spaces ("谢 正") finds the
resident; the intake form looks the caller up by phone as it does by room. Every resident
found is recorded as read, and search stays one indexed look-up."""

import pytest
from django.urls import reverse

from linli.core.models import PersonalDataRead
from linli.registry import queries
from linli.tickets.models import Ticket
from tests.factories import make_resident

pytestmark = pytest.mark.django_db

PHONE = "19189450883"


@pytest.fixture
def callers(world):
    liang = make_resident(world.hh_3_2_502, "梁洁", phone=PHONE)
    xie = make_resident(world.hh_3_2_502, "谢正", phone="+86 137-0000-2222")
    return liang, xie


def _names(result):
    return sorted(r.name for r in result.residents)


@pytest.mark.parametrize("typed", [PHONE, "191 8945 0883", "191-8945-0883", "+86 19189450883"])
def test_the_full_phone_finds_the_caller_however_it_is_typed(world, callers, typed):
    assert _names(queries.search(world.staff, typed)) == ["梁洁"]


def test_a_number_stored_with_plus_86_and_hyphens_is_found_by_its_digits(world, callers):
    assert callers[1].phone_key == "13700002222"
    assert _names(queries.search(world.staff, "13700002222")) == ["谢正"]


def test_pinyin_and_names_with_spaces_are_found(world, callers):
    assert _names(queries.search(world.staff, "liang jie")) == ["梁洁"]
    assert _names(queries.search(world.staff, "Liang Jie")) == ["梁洁"]
    assert _names(queries.search(world.staff, "l j")) == ["梁洁"]
    assert _names(queries.search(world.staff, "谢 正")) == ["谢正"]
    assert _names(queries.search(world.staff, "谢\u3000正")) == ["谢正"]


def test_a_phone_search_is_scoped_and_recorded_as_a_read(world, callers):
    assert _names(queries.search(world.outsider, PHONE)) == []  # Nancun's staff
    assert _names(queries.search(world.leader, PHONE)) == ["梁洁"]  # building 3's leader
    read = PersonalDataRead.objects.get(subject_id=callers[0].pk, actor=world.leader)
    assert read.kind == "searched"


def test_a_room_label_is_still_a_room_not_a_phone(world, callers):
    assert [h.label for h in queries.search(world.staff, "3-2-50").households] == [
        "3-2-501",
        "3-2-502",
    ]


# --- the intake form --------------------------------------------------------------------------


def test_intake_finds_the_caller_by_phone_and_fills_their_room(world, callers, as_user):
    c = as_user(world.staff)
    page = c.get(reverse("tickets:intake"), {"phone": "191 8945 0883"}).content.decode()
    assert 'data-testid="callers"' in page and "梁洁" in page
    assert 'value="3-2-502"' in page  # the room, filled from the caller's household
    assert PHONE not in page.replace('value="191 8945 0883"', "")  # masked in the choice
    read = PersonalDataRead.objects.get(subject_id=callers[0].pk, actor=world.staff)
    assert read.kind == "looked_up" and read.purpose == "tickets.intake"


def test_intake_records_the_request_for_the_caller_found_by_phone(world, callers, as_user):
    from linli.tickets.models import Category

    water = Category.objects.create(community=world.xincun, code="water", name="水管漏水")
    c = as_user(world.staff)
    data = {
        "channel": "phone",
        "category": water.pk,
        "requester_resident": callers[0].pk,
        "lookup_phone": PHONE,
        "place": "room",
        "room_label": "3-2-502",
        "description": "楼道灯坏了",
        "contact_preference": "phone",
    }
    assert c.post(reverse("tickets:intake"), data).status_code == 302
    req = Ticket.objects.get().requesters.get()
    assert req.name == "梁洁" and req.phone == PHONE


def test_intake_says_when_nobody_has_the_number(world, callers, as_user):
    c = as_user(world.outsider)  # Nancun: 梁洁 is not in their area
    page = c.get(reverse("tickets:intake"), {"phone": PHONE}, HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "Nobody living in your area is registered with the phone" in html
    assert "梁洁" not in html
    assert not PersonalDataRead.objects.filter(actor=world.outsider).exists()
