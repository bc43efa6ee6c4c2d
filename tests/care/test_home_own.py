"""A resident finds their own care page, and a guardian the child's, from the home page."""

import pytest
from django.urls import reverse

from linli.care import services
from tests.care.test_guardian import xiaoming  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_the_guardian_finds_the_childs_page_on_the_home_page(xiaoming, world, as_user):  # noqa: F811
    body = as_user(world.resident).get(reverse("home")).content.decode()
    assert reverse("care:person", args=[xiaoming.pk]) in body
    assert "小明" not in body  # the card names the room, not the child


def test_the_person_finds_their_own_page(world, as_user):
    p = services.person_enroll(actor=world.staff, resident=world.wang_wu, tier="key", reason="独居")
    body = as_user(world.other_resident).get(reverse("home")).content.decode()
    assert reverse("care:person", args=[p.pk]) in body
    assert as_user(world.other_resident).get(reverse("care:person", args=[p.pk])).status_code == 200


def test_no_card_for_a_resident_without_a_care_record(xiaoming, world, as_user):  # noqa: F811
    body = as_user(world.other_resident).get(reverse("home")).content.decode()
    assert "home-care-own" not in body


def test_the_card_costs_one_query(xiaoming, world, django_assert_num_queries):  # noqa: F811
    from linli.care.home import own_card

    with django_assert_num_queries(1):
        assert own_card(world.resident)["care_own"][0]["mine"] is False
