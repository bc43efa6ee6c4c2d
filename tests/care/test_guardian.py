"""Confidentiality item 6: a left-behind child's recorded guardian — a registry resident with
an account — sees that child's care page ("self:guardian"), and only that child's; each read
is on the child's "My data"."""

import datetime as dt

import pytest
from django.urls import reverse

from linli.care import services
from linli.care.models import CareContact, CarePerson
from linli.core.models import PersonalDataRead
from tests.factories import make_resident

EIGHT = dt.timedelta(days=365 * 8)


def _child(world, household, name):
    r = make_resident(household, name, birth_date=dt.date.today() - EIGHT)
    return services.person_enroll(
        actor=world.staff, resident=r, tier="key", reason="父母外出务工",
        consent={"given_by": "张三", "relation": "祖父", "given_on": dt.date.today(),
                 "method": "paper"},
    )  # fmt: skip


@pytest.fixture
def xiaoming(world):
    """A child in 3-2-501 whose guardian is 张三 (the world's `resident` user)."""
    p = _child(world, world.hh_3_2_501, "小明")
    services.contact_add(
        actor=world.staff, person=p, kind="guardian", name="张三", phone="138 1234 1234"
    )
    services.visit_record(
        actor=world.staff, person=p, visited_on=dt.date.today(), method="home", note="作业已完成"
    )
    return p


def test_guardian_contact_is_linked_to_the_registry_record(xiaoming, world):
    c = CareContact.objects.get(person=xiaoming)
    assert c.resident_id == world.zhang_san.pk


def test_guardian_sees_the_childs_care_page_and_the_read_is_recorded(xiaoming, world, as_user):
    r = as_user(world.resident).get(reverse("care:person", args=[xiaoming.pk]))
    assert r.status_code == 200
    body = r.content.decode()
    assert "作业已完成" in body and 'data-testid="person-visits"' in body
    assert "Set the tier" not in body and "设定" not in body  # no office forms
    reads = PersonalDataRead.objects.filter(
        subject_id=xiaoming.resident_id, actor=world.resident, purpose="care.person_page"
    )
    assert reads.count() == 1


def test_the_read_shows_on_the_childs_my_data(xiaoming, world, as_user):
    """The child's "My data" lines (``core.access.reads_of``): the guardian's opening of the
    care record, in plain words, with the guardian's role."""
    from django.utils import translation

    from linli.core.access import reads_of

    as_user(world.resident).get(reverse("care:person", args=[xiaoming.pk]))
    with translation.override("en"):
        lines = list(reads_of(xiaoming.resident_id).object_list)
    assert any("opened your care record and its visits" in str(x["what"]) for x in lines)


def test_another_resident_gets_404(xiaoming, world, as_user):
    r = as_user(world.other_resident).get(reverse("care:person", args=[xiaoming.pk]))
    assert r.status_code == 404
    assert not PersonalDataRead.objects.filter(
        subject_id=xiaoming.resident_id, actor=world.other_resident
    ).exists()


def test_guardian_sees_no_other_child(xiaoming, world, as_user):
    other = _child(world, world.hh_3_2_502, "小红")
    services.contact_add(actor=world.staff, person=other, kind="guardian", name="王奶奶")
    c = as_user(world.resident)
    assert c.get(reverse("care:person", args=[other.pk])).status_code in (403, 404)
    # nor may they record a visit on their own child
    assert c.get(reverse("care:visit_new", args=[xiaoming.pk])).status_code in (403, 404)


def test_a_contact_of_another_kind_gives_no_access(world, as_user):
    p = _child(world, world.hh_3_2_501, "小刚")
    services.contact_add(actor=world.staff, person=p, kind="relative", name="张三")
    assert CareContact.objects.get(person=p).resident_id == world.zhang_san.pk
    r = as_user(world.resident).get(reverse("care:person", args=[p.pk]))
    assert r.status_code in (403, 404)


def test_an_ambiguous_or_unknown_guardian_is_not_linked(world):
    make_resident(world.hh_4_1_101, "张三", phone="13812341234")  # a namesake, same phone
    p = _child(world, world.hh_3_2_502, "小丽")
    services.contact_add(
        actor=world.staff, person=p, kind="guardian", name="张三", phone="13812341234"
    )
    services.contact_add(actor=world.staff, person=p, kind="guardian", name="不在册")
    assert list(CareContact.objects.filter(person=p).values_list("resident", flat=True)) == [
        None,
        None,
    ]
    assert CarePerson.objects.filter(pk=p.pk).exists()
