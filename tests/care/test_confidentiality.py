"""Every read of a care record reaches the person's "My data", in plain words, in both
languages; exports are masked and logged; lists cost the same queries at any size."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.care import services
from linli.core.models import Event
from tests.care.test_coverage import _many

MY_DATA = reverse("accounts:my_data")


@pytest.fixture
def zhang(care, world):
    p = services.person_enroll(
        actor=world.staff, resident=world.zhang_san, tier="high", reason="独居"
    )
    services.visitor_assign(actor=world.staff, person=p, user=world.volunteer, kind="volunteer")
    return p


def _purposes(as_user, world, lang="zh-hans"):
    c = as_user(world.resident)
    r = c.get(MY_DATA, HTTP_ACCEPT_LANGUAGE=lang, headers={"cookie": f"django_language={lang}"})
    c.cookies["django_language"] = lang
    r = c.get(MY_DATA)
    return [x["purpose"] for x in r.context["page"].object_list], r.content.decode()


def test_each_read_shows_on_my_data_in_plain_words(zhang, world, as_user):
    v = as_user(world.volunteer)
    assert v.get(reverse("care:person", args=[zhang.pk])).status_code == 200
    assert v.get(reverse("care:visit_new", args=[zhang.pk])).status_code == 200
    assert v.get(reverse("care:mine")).status_code == 200
    assert v.get(reverse("care:sheet")).status_code == 200
    s = as_user(world.staff)
    assert s.get(reverse("care:register", args=["xincun"])).status_code == 200
    assert s.get(reverse("care:unvisited", args=["xincun"])).status_code == 200
    assert s.get(reverse("care:export", args=["xincun"])).status_code == 200
    purposes, page = _purposes(as_user, world, "en")
    assert set(purposes) >= {
        "care.person_page", "care.visit_form", "care.my_visits", "care.sheet",
        "care.register", "care.unvisited", "care.export",
    }  # fmt: skip
    assert "opened your care record and its visits" in page
    purposes, page = _purposes(as_user, world, "zh-hans")
    assert "查看了您的关爱档案和走访记录" in page


def test_export_is_masked_and_logged(zhang, world, as_user):
    r = as_user(world.staff).get(reverse("care:export", args=["xincun"]))
    body = r.content.decode()
    assert "3-2-501" in body
    assert "13812341234" not in body and "138****1234" in body
    assert Event.objects.filter(verb="care.exported").count() == 1
    assert as_user(world.volunteer).get(reverse("care:export", args=["xincun"])).status_code == 403


def test_child_names_masked_for_visitors(world, as_user):
    from tests.factories import make_resident

    child = make_resident(
        world.hh_3_2_502, "王小明", birth_date=timezone.localdate() - dt.timedelta(days=365 * 9)
    )
    p = services.person_enroll(
        actor=world.staff, resident=child, tier="key", reason="留守",
        consent={"given_by": "王奶奶", "given_on": timezone.localdate(), "method": "paper"},
    )  # fmt: skip
    services.visitor_assign(actor=world.staff, person=p, user=world.volunteer, kind="volunteer")
    body = as_user(world.volunteer).get(reverse("care:person", args=[p.pk])).content.decode()
    assert "王小明" not in body and "王**" in body


@pytest.mark.parametrize("n", [3, 40])
def test_query_counts_do_not_grow(care, world, as_user, django_assert_max_num_queries, n):
    people = _many(world, n)
    for p in people:
        services.visitor_assign(actor=world.staff, person=p, user=world.volunteer, kind="volunteer")
        services.visit_record(
            actor=world.staff, person=p, visited_on=timezone.localdate(), method="home"
        )
    s = as_user(world.staff)
    with django_assert_max_num_queries(22):
        assert s.get(reverse("care:register", args=["xincun"])).status_code == 200
    with django_assert_max_num_queries(22):
        assert s.get(reverse("care:coverage", args=["xincun"])).status_code == 200
    v = as_user(world.volunteer)
    with django_assert_max_num_queries(22):
        assert v.get(reverse("care:mine")).status_code == 200


def test_export_writes_what_the_register_is_filtered_to(zhang, world, as_user):
    """The register's export link carries its filters: only the rows shown are exported."""
    s = as_user(world.staff)  # 王五 in 4-1-101 is "key"; 李四 and 张三 in 3-2-501 "high"
    page = s.get(reverse("care:register", args=["xincun"]) + "?tier=key").content.decode()
    assert reverse("care:export", args=["xincun"]) + "?tier=key" in page
    every = s.get(reverse("care:export", args=["xincun"])).content.decode()
    key = s.get(reverse("care:export", args=["xincun"]) + "?tier=key").content.decode()
    assert "4-1-101" in key and "3-2-501" not in key
    assert "4-1-101" in every and "3-2-501" in every
