"""Grids, buildings with units, and a community's own tags: office only."""

import pytest
from django.urls import reverse

from linli.core.models import Event
from linli.registry import queries
from linli.registry.models import Building, Grid, Tag

pytestmark = pytest.mark.django_db


def test_staff_adds_a_building_with_units(world, as_user):
    client = as_user(world.staff)
    url = reverse("registry:building_create", args=["xincun"])
    response = client.post(
        url, {"number": "12", "grid": world.grid2.pk, "units": "3", "floors": "6"}
    )
    assert response.status_code == 302
    b = Building.objects.get(community=world.xincun, number="12")
    assert list(b.units.values_list("number", flat=True)) == ["1", "2", "3"]
    assert Event.objects.filter(verb="building.created").count() == 1


def test_duplicate_building_number_is_refused(world, as_user):
    client = as_user(world.staff)
    url = reverse("registry:building_create", args=["xincun"])
    response = client.post(url, {"number": "3", "units": "2"})
    assert response.status_code == 400
    assert Building.objects.filter(community=world.xincun, number="3").count() == 1


def test_grid_of_another_community_cannot_be_used(world, as_user):
    other_grid = Grid.objects.get(community=world.nancun)
    client = as_user(world.staff)
    url = reverse("registry:building_create", args=["xincun"])
    response = client.post(url, {"number": "20", "grid": other_grid.pk, "units": "0"})
    assert response.status_code == 400
    assert not Building.objects.filter(number="20").exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("leader", 403),
        ("grid_worker", 403),
        ("supervisor", 403),
        ("outsider", 404),
        ("volunteer", 403),
    ],
)
def test_structure_pages_are_refused(world, as_user, persona, status):
    client = as_user(world.people[persona])
    for name in ("building_create", "grid_create"):
        assert client.get(reverse(f"registry:{name}", args=["xincun"])).status_code == status


def test_secretary_adds_a_grid(world, as_user):
    client = as_user(world.secretary)
    url = reverse("registry:grid_create", args=["xincun"])
    assert client.post(url, {"number": "3", "name": "第三网格"}).status_code == 302
    assert Grid.objects.filter(community=world.xincun, number="3").exists()


def test_community_tag_is_added_and_only_this_community_sees_it(world, as_user):
    client = as_user(world.staff)
    url = reverse("registry:tags", args=["xincun"])
    assert client.post(url, {"name": "独居高龄"}).status_code == 302
    tag = Tag.objects.get(name="独居高龄")
    assert tag.community == world.xincun
    assert (
        "独居高龄"
        not in as_user(world.outsider)
        .get(reverse("registry:tags", args=["nancun"]))
        .content.decode()
    )
    assert as_user(world.leader).post(url, {"name": "x"}).status_code == 403


def test_office_searches_by_full_id_number_others_may_not(world):
    from django.core.exceptions import PermissionDenied

    from tests.factories import VALID_ID

    assert [r.name for r in queries.search(world.staff, VALID_ID).residents] == ["张三"]
    with pytest.raises(PermissionDenied):
        queries.search(world.leader, VALID_ID)
