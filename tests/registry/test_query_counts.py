"""Pages cost the same number of queries with 5 or 200 rows."""

import pytest
from django.urls import reverse

from linli.registry.models import Tag
from tests.factories import make_household, make_resident

pytestmark = pytest.mark.django_db


def _grow(world, n):
    tag = Tag.objects.get(code="party_member")
    for i in range(n):
        hh = make_household(world.b3, world.u3_2, f"{700 + i}")
        r = make_resident(hh, f"测{i}")
        r.tags.through.objects.create(resident=r, tag=tag, community=world.xincun)
        make_resident(hh, f"试{i}")


def _count(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("n", [5, 200])
def test_building_page_queries_constant(world, as_user, django_assert_max_num_queries, n):
    _grow(world, n)
    _count(
        as_user(world.staff),
        reverse("registry:building", args=[world.b3.pk]),
        django_assert_max_num_queries,
        14,
    )


@pytest.mark.parametrize("n", [5, 200])
def test_community_tree_queries_constant(world, as_user, django_assert_max_num_queries, n):
    _grow(world, n)
    _count(
        as_user(world.staff),
        reverse("registry:community", args=["xincun"]),
        django_assert_max_num_queries,
        14,
    )


@pytest.mark.parametrize("n", [5, 200])
def test_household_page_queries_constant(world, as_user, django_assert_max_num_queries, n):
    _grow(world, n)
    for i in range(n // 5):
        make_resident(world.hh_3_2_501, f"家{i}")
    _count(
        as_user(world.staff),
        reverse("registry:household", args=[world.hh_3_2_501.pk]),
        django_assert_max_num_queries,
        16,
    )
