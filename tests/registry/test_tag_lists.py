"""Issue 11 (12): a tag's count on the community page (空巢老人 198) opens the list of those
residents — age, room and, for those who may see it, the phone — printable as a call sheet."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from linli.core.models import PersonalDataRead
from linli.registry.models import ResidentTag, Tag
from tests.factories import make_household, make_resident

pytestmark = pytest.mark.django_db


def _tag(world, resident, code):
    tag = Tag.objects.get(community=None, code=code)
    ResidentTag.objects.create(community=world.xincun, resident=resident, tag=tag)
    return tag


def _url(world, code):
    return reverse("registry:tag_list", args=[world.xincun.code, code])


@pytest.fixture
def tagged(world):
    world.zhang_san.birth_date = dt.date(1945, 3, 1)
    world.zhang_san.save()
    _tag(world, world.zhang_san, "empty_nest")  # building 3
    _tag(world, world.wang_wu, "empty_nest")  # building 4
    _tag(world, world.li_si, "low_income")  # sensitive
    return world


def test_the_count_on_the_community_page_opens_the_list(tagged, as_user):
    c = as_user(tagged.staff)
    page = c.get(reverse("registry:community", args=[tagged.xincun.code])).content.decode()
    assert f'href="{_url(tagged, "empty_nest")}"' in page
    html = c.get(_url(tagged, "empty_nest")).content.decode()
    assert "张三" in html and "王五" in html and "3-2-501" in html
    assert "13812341234" in html  # the office sees the phone, to call
    assert ">81<" in html or ">82<" in html  # the age, not the birth date
    assert "1945-03-01" not in html


def test_a_building_leader_sees_only_their_building(tagged, as_user):
    # With the phone, as on the building page: leaders keep their building's records.
    html = as_user(tagged.leader).get(_url(tagged, "empty_nest")).content.decode()
    assert "张三" in html and "王五" not in html and "13812341234" in html


def test_the_street_supervisor_sees_masked_phones(tagged, as_user):
    html = as_user(tagged.supervisor).get(_url(tagged, "empty_nest")).content.decode()
    assert "张三" in html and "13812341234" not in html and "138****1234" in html


def test_sensitive_tags_are_the_offices(tagged, as_user):
    assert as_user(tagged.leader).get(_url(tagged, "low_income")).status_code == 403
    assert as_user(tagged.staff).get(_url(tagged, "low_income")).status_code == 200


def test_outsiders_and_unknown_tags(tagged, as_user):
    assert as_user(tagged.outsider).get(_url(tagged, "empty_nest")).status_code == 404
    assert as_user(tagged.staff).get(_url(tagged, "no_such_tag")).status_code == 404
    assert as_user(tagged.resident).get(_url(tagged, "empty_nest")).status_code in (403, 404)


def test_each_resident_listed_is_recorded_as_read(tagged, as_user):
    as_user(tagged.staff).get(_url(tagged, "empty_nest"))
    reads = PersonalDataRead.objects.filter(purpose="registry.tag_list")
    assert {r.subject_id for r in reads} == {tagged.zhang_san.pk, tagged.wang_wu.pk}


@pytest.mark.parametrize("n", [5, 60])
def test_the_list_costs_the_same_queries_however_long(
    tagged, as_user, django_assert_max_num_queries, n
):
    hh = make_household(tagged.b3, tagged.u3_2, "777")
    tag = Tag.objects.get(community=None, code="empty_nest")
    for i in range(n):
        r = make_resident(hh, f"老人{i}")
        ResidentTag.objects.create(community=tagged.xincun, resident=r, tag=tag)
    c = as_user(tagged.staff)
    c.get(_url(tagged, "empty_nest"))
    with django_assert_max_num_queries(12):
        assert c.get(_url(tagged, "empty_nest")).status_code == 200


def test_a_long_list_is_paged_by_room_and_only_the_shown_page_is_recorded(
    tagged, as_user, django_assert_max_num_queries
):
    """The tag list is a core.lists list: 100 a page, by room, the one pager; the residents
    recorded as read are those on the page shown, and the page costs the same queries at
    any length."""
    for i in range(105):
        hh = make_household(tagged.b3, tagged.u3_2, f"7{i:02d}")
        _tag(tagged, make_resident(hh, f"赵{i}号"), "empty_nest")
    c = as_user(tagged.staff)
    PersonalDataRead.objects.all().delete()
    first = c.get(_url(tagged, "empty_nest")).content.decode()
    assert re.search(r"<h1>[^<]*107", first)  # the heading counts every page
    assert 'href="?page=2"' in first and first.count("data-resident=") == 100
    assert PersonalDataRead.objects.filter(purpose="registry.tag_list").count() == 100
    second = c.get(_url(tagged, "empty_nest") + "?page=2").content.decode()
    assert second.count("data-resident=") == 7 and 'href="?page=1"' in second
    shown = {int(x) for x in re.findall(r'data-resident="(\d+)"', first + second)}
    assert len(shown) == 107  # no row on both pages, none left out
    with django_assert_max_num_queries(12):
        c.get(_url(tagged, "empty_nest") + "?page=2")
