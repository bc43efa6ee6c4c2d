"""Test data: a small territory with two communities of one street office, and one person
for each role (the personas). Functions, not shared mutable fixtures."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from linli.accounts.models import RoleMembership, User
from linli.registry.models import (
    Building,
    Community,
    Grid,
    Household,
    Resident,
    StreetOffice,
    Unit,
)

PASSWORD = "correct-horse-battery"


def make_user(username: str, *, phone: str | None = None, **extra) -> User:
    user = User(
        username=username, phone=phone, display_name=extra.pop("display_name", username), **extra
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def grant(user: User, role: str, place) -> RoleMembership:
    kw: dict = {"user": user, "role": role}
    if isinstance(place, StreetOffice):
        kw["street_office"] = place
    elif isinstance(place, Community):
        kw["community"] = place
    elif isinstance(place, Grid):
        kw.update(community=place.community, grid=place)
    elif isinstance(place, Building):
        kw.update(community=place.community, building=place)
    elif isinstance(place, Household):
        kw.update(community=place.community, household=place)
    else:
        raise TypeError(place)
    return RoleMembership.objects.create(**kw)


def make_household(
    building: Building, unit: Unit | None, room: str, area: str = "65.50"
) -> Household:
    return Household.objects.create(
        community=building.community,
        building=building,
        unit=unit,
        room=room,
        label=Household.make_label(building.number, unit.number if unit else None, room),
        floor_area=Decimal(area),
    )


def make_resident(household: Household, name: str, **kw) -> Resident:
    id_number = kw.pop("id_number", "")
    r = Resident(community=household.community, household=household, name=name, **kw)
    if id_number:
        r.set_id_number(id_number)
    r.refresh_derived()
    r.save()
    return r


@dataclass
class World:
    street: StreetOffice
    xincun: Community
    nancun: Community
    grid1: Grid
    grid2: Grid
    b3: Building
    b4: Building
    b5: Building
    u3_2: Unit
    hh_3_2_501: Household
    hh_3_2_502: Household
    hh_4_1_101: Household
    hh_5_1_201: Household
    hh_nancun: Household
    zhang_san: Resident
    li_si: Resident
    wang_wu: Resident
    nancun_resident: Resident
    people: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, name):  # world.secretary etc.
        people = self.__dict__.get("people", {})
        if name in people:
            return people[name]
        raise AttributeError(name)


# The people ``make_world`` makes (``world.people``): the personas every isolation test pairs up
# (tests/core/test_persona_list.py keeps this list equal to what the world builds).
PERSONAS = (
    "secretary",
    "staff",
    "leader",
    "grid_worker",
    "volunteer",
    "mediator",
    "resident",
    "other_resident",
    "supervisor",
    "outsider",
)


# A valid ID number (check digit per GB 11643): 11010519491231002X
VALID_ID = "11010519491231002X"


def make_world() -> World:
    street = StreetOffice.objects.create(code="baiyuan", name="白源街道")
    xincun = Community.objects.create(street_office=street, code="xincun", name="新村社区")
    nancun = Community.objects.create(street_office=street, code="nancun", name="南村社区")
    grid1 = Grid.objects.create(community=xincun, number="1", name="第一网格")
    grid2 = Grid.objects.create(community=xincun, number="2", name="第二网格")
    b3 = Building.objects.create(community=xincun, grid=grid1, number="3")
    b4 = Building.objects.create(community=xincun, grid=grid1, number="4")
    b5 = Building.objects.create(community=xincun, grid=grid2, number="5")
    u3_2 = Unit.objects.create(community=xincun, building=b3, number="2")
    u4_1 = Unit.objects.create(community=xincun, building=b4, number="1")
    u5_1 = Unit.objects.create(community=xincun, building=b5, number="1")
    hh1 = make_household(b3, u3_2, "501", "75.50")
    hh2 = make_household(b3, u3_2, "502", "68.00")
    hh3 = make_household(b4, u4_1, "101", "59.30")
    hh4 = make_household(b5, u5_1, "201", "80.00")
    ng = Grid.objects.create(community=nancun, number="1", name="南村网格")
    nb = Building.objects.create(community=nancun, grid=ng, number="1")
    nu = Unit.objects.create(community=nancun, building=nb, number="1")
    nhh = make_household(nb, nu, "101")
    zhang = make_resident(hh1, "张三", phone="13812341234", gender="M", id_number=VALID_ID)
    li = make_resident(hh1, "李四", phone="13900005678", gender="F", relation="spouse")
    wang = make_resident(hh3, "王五", phone="13700009999", gender="M")
    nres = make_resident(nhh, "赵六", phone="13600001111")

    w = World(
        street,
        xincun,
        nancun,
        grid1,
        grid2,
        b3,
        b4,
        b5,
        u3_2,
        hh1,
        hh2,
        hh3,
        hh4,
        nhh,
        zhang,
        li,
        wang,
        nres,
    )
    p = w.people
    p["resident"] = make_user("resident", phone="13812341234", resident=zhang)
    grant(p["resident"], "resident", hh1)
    p["other_resident"] = make_user("other_resident", phone="13700009999", resident=wang)
    grant(p["other_resident"], "resident", hh3)
    p["leader"] = make_user("leader")  # building leader of building 3
    grant(p["leader"], "building_leader", b3)
    p["grid_worker"] = make_user("grid_worker")  # grid 1: buildings 3 and 4
    grant(p["grid_worker"], "grid_worker", grid1)
    p["volunteer"] = make_user("volunteer")
    grant(p["volunteer"], "volunteer", xincun)
    p["mediator"] = make_user("mediator")
    grant(p["mediator"], "mediator", xincun)
    p["staff"] = make_user("staff")
    grant(p["staff"], "community_staff", xincun)
    p["secretary"] = make_user("secretary")
    grant(p["secretary"], "secretary", xincun)
    p["supervisor"] = make_user("supervisor")
    grant(p["supervisor"], "street_supervisor", street)
    p["outsider"] = make_user("outsider")  # staff of the other community
    grant(p["outsider"], "community_staff", nancun)
    return w
