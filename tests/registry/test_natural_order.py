"""Buildings, units and rooms in natural order (9号楼 before 10号楼, room 201 before 1101)
wherever people choose or read them: the territory tree, the queue's building filter, the
intake form, a building's rooms and the room search."""

import re

import pytest
from django.urls import reverse

from linli.registry import queries
from linli.registry.models import Building, Unit
from linli.registry.sorting import natural_key
from tests.factories import make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def more_buildings(world):
    """Buildings 2, 9, 10 and 11 beside 3, 4 and 5: as text they sort 10, 11, 2, 3, 4, 5, 9."""
    made = {
        n: Building.objects.create(community=world.xincun, grid=world.grid1, number=n)
        for n in ("10", "2", "11", "9")
    }
    made.update({"3": world.b3, "4": world.b4, "5": world.b5})
    return made


def _order(html: str, pattern: str, ids: dict[str, int]) -> list[str]:
    """The building numbers in the order their ``pattern`` (with ``{pk}``) appears."""
    pos = {}
    for number, pk in ids.items():
        m = re.search(pattern.format(pk=pk), html)
        assert m, (number, pattern)
        pos[number] = m.start()
    return sorted(pos, key=pos.__getitem__)


def test_natural_key_orders_numbers_as_people_count():
    numbers = ["10", "2", "11", "9", "1", "3A", "B10", "B2", "01"]
    assert sorted(numbers, key=natural_key) == ["1", "01", "2", "3A", "9", "10", "11", "B2", "B10"]
    assert natural_key("10A") == "0000000010a"


def test_the_territory_tree_lists_building_9_before_building_10(world, more_buildings, as_user):
    html = as_user(world.staff).get(reverse("registry:community", args=["xincun"])).content
    ids = {n: b.pk for n, b in more_buildings.items() if b.grid_id == world.grid1.pk}
    order = _order(html.decode(), r'href="/registry/buildings/{pk}/"', ids)
    assert order == ["2", "3", "4", "9", "10", "11"]


def test_the_queue_building_filter_is_in_natural_order(world, more_buildings, as_user):
    html = as_user(world.staff).get(reverse("tickets:queue")).content.decode()
    select = html[html.index('name="building"') :]
    select = select[: select.index("</select>")]
    ids = {n: b.pk for n, b in more_buildings.items()}
    assert _order(select, r'value="{pk}"', ids) == ["2", "3", "4", "5", "9", "10", "11"]


def test_the_intake_form_offers_buildings_in_natural_order(world, more_buildings, as_user):
    html = as_user(world.staff).get(reverse("tickets:intake")).content.decode()
    ids = {n: b.pk for n, b in more_buildings.items()}
    assert _order(html, r'value="b:{pk}"', ids) == ["2", "3", "4", "5", "9", "10", "11"]


def test_units_and_rooms_of_a_building_in_natural_order(world, as_user):
    u10 = Unit.objects.create(community=world.xincun, building=world.b3, number="10")
    for room in ("1101", "201", "901"):
        make_household(world.b3, world.u3_2, room)
    make_household(world.b3, u10, "101")
    rows = queries.building_households(world.staff, world.b3)
    assert [h.label for h in rows] == [
        "3-2-201",
        "3-2-501",
        "3-2-502",
        "3-2-901",
        "3-2-1101",
        "3-10-101",
    ]
    assert [h.label for h in queries.search(world.staff, "3-2").households] == [
        "3-2-201",
        "3-2-501",
        "3-2-502",
        "3-2-901",
        "3-2-1101",
    ]


def test_a_renamed_building_gets_its_new_key(world):
    world.b3.number = "12"
    world.b3.save()
    world.b3.refresh_from_db()
    assert world.b3.sort_key == natural_key("12")


@pytest.mark.django_db(transaction=True)
def test_existing_buildings_rooms_and_phones_get_their_keys_from_the_migration():
    """Migration registry 0008 on a database from before it: keys filled for every row."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from linli.registry.models import Household, Resident

    before = ("registry", "0007_import_mapping")
    call_command("migrate", *before, verbosity=0)
    try:
        old = MigrationExecutor(connection).loader.project_state(before).apps
        street = old.get_model("registry", "StreetOffice").objects.create(code="s", name="街道")
        c = old.get_model("registry", "Community").objects.create(
            street_office=street, code="c", name="社区"
        )
        b = old.get_model("registry", "Building").objects.create(community=c, number="10")
        u = old.get_model("registry", "Unit").objects.create(community=c, building=b, number="2")
        hh = old.get_model("registry", "Household").objects.create(
            community=c, building=b, unit=u, room="1101", label="10-2-1101"
        )
        old.get_model("registry", "Resident").objects.create(
            community=c, household=hh, name="梁洁", phone="+86 191-8945-0883"
        )
    finally:
        call_command("migrate", verbosity=0)  # every app: going back unapplied their dependants
    assert Building.objects.get(number="10").sort_key == "0000000010"
    assert Unit.objects.get(number="2", building__number="10").sort_key == "0000000002"
    assert Household.objects.get(label="10-2-1101").sort_key == "0000001101"
    assert Resident.objects.get(name="梁洁").phone_key == "19189450883"
