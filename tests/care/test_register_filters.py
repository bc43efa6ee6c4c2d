"""The office register's filters on core/lists.py: tier, tag, grid, building, overdue; an
invalid value shown on the form (never a 500); the pager keeps the filter; the same number
of queries whatever the number of rows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linli.care.models import CarePerson
from linli.core.models import PersonalDataRead
from linli.registry.models import ResidentTag, Tag
from tests.care.test_coverage import _many

URL = reverse("care:register", args=["xincun"])


def _pks(r):
    assert r.status_code == 200
    return {p.pk for p in r.context["listing"].page.object_list}


def _tag(resident, code="living_alone"):
    tag = Tag.objects.get_or_create(code=code, community=None, defaults={"name": code})[0]
    ResidentTag.objects.create(resident=resident, tag=tag, community=resident.community)


def test_each_filter(care, world, as_user):
    s = as_user(world.staff)
    assert _pks(s.get(URL)) == {care.li.pk, care.wang.pk}  # not nancun's
    assert _pks(s.get(URL, {"tier": "high"})) == {care.li.pk}
    assert _pks(s.get(URL, {"building": "4"})) == {care.wang.pk}
    assert _pks(s.get(URL, {"grid": "1"})) == {care.li.pk, care.wang.pk}
    assert _pks(s.get(URL, {"grid": "2"})) == set()
    _tag(world.wang_wu)
    assert _pks(s.get(URL, {"tag": "living_alone"})) == {care.wang.pk}
    CarePerson.objects.filter(pk=care.li.pk).update(due_on=dt.date.today() - dt.timedelta(days=3))
    CarePerson.objects.filter(pk=care.wang.pk).update(due_on=dt.date.today() + dt.timedelta(days=9))
    assert _pks(s.get(URL, {"overdue": "1"})) == {care.li.pk}
    r = s.get(URL, {"overdue": "1", "tier": "key"})
    assert _pks(r) == set()
    assert "Nobody matches" in r.content.decode() or "没有" in r.content.decode()


def test_overdue_come_first(care, world, as_user):
    CarePerson.objects.filter(pk=care.wang.pk).update(due_on=dt.date.today() - dt.timedelta(days=1))
    CarePerson.objects.filter(pk=care.li.pk).update(due_on=dt.date.today() + dt.timedelta(days=1))
    r = as_user(world.staff).get(URL)
    assert [p.pk for p in r.context["listing"].page.object_list] == [care.wang.pk, care.li.pk]


@pytest.mark.parametrize(
    "query", [{"building": "99"}, {"tier": "nonsense"}, {"tag": "x" * 500}, {"grid": "'; --"}]
)
def test_an_invalid_value_is_shown_on_the_form_not_a_500(care, world, as_user, query):
    r = as_user(world.staff).get(URL, {**query, "tier": query.get("tier", "high")})
    assert r.status_code == 200
    form = r.context["listing"].form
    assert form.errors and set(form.errors) == set(query)
    assert 'role="alert"' in r.content.decode()
    if "tier" not in query:  # the valid filter still applies
        assert _pks(r) == {care.li.pk}


def test_the_pager_keeps_the_filter(care, world, as_user):
    _many(world, 70)
    r = as_user(world.staff).get(URL, {"grid": "1"})
    listing = r.context["listing"]
    assert listing.page.has_next() and listing.query == "grid=1"
    assert "?grid=1&amp;page=2" in r.content.decode()
    r2 = as_user(world.staff).get(URL, {"grid": "1", "page": "2"})
    assert not _pks(r) & _pks(r2)


def test_rows_shown_are_recorded_as_read(care, world, as_user):
    as_user(world.staff).get(URL, {"tier": "high"})
    got = set(
        PersonalDataRead.objects.filter(purpose="care.register").values_list(
            "subject_id", flat=True
        )
    )
    assert got == {world.li_si.pk}


def test_only_the_office(care, world, as_user):
    assert as_user(world.volunteer).get(URL, {"tier": "high"}).status_code == 403
    assert as_user(world.grid_worker).get(URL).status_code == 403
    assert as_user(world.outsider).get(URL, {"building": "4"}).status_code == 404


def _count(client, query):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, query).status_code == 200
    return len(ctx.captured_queries)


FILTERED = {"tier": "key", "tag": "empty_nest", "grid": "1", "building": "3", "overdue": "1"}


def test_query_count_constant_as_rows_grow(care, world, as_user):
    """Small and large lists, each with matching rows, cost exactly the same queries."""

    def everyone_matches():
        for p in CarePerson.objects.filter(community=world.xincun).exclude(
            resident__tag_links__tag__code="empty_nest"
        ):
            _tag(p.resident, "empty_nest")
        CarePerson.objects.update(tier="key", due_on=dt.date.today() - dt.timedelta(days=2))

    s = as_user(world.staff)
    everyone_matches()
    small = (_count(s, {}), _count(s, FILTERED), _count(s, {"building": "99"}))
    _many(world, 60)
    everyone_matches()
    large = (_count(s, {}), _count(s, FILTERED), _count(s, {"building": "99"}))
    assert len(_pks(s.get(URL, FILTERED))) > 1
    assert small == large
    assert max(large) <= 22
