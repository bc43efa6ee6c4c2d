"""The demo territory: Xincun, a 1980s mining estate of 416 households, its small neighbour
Nancun, the demo log-ins and the two standing volunteer teams. (``district`` reuses the
planning and writing here for a district-sized data set.)

Planning is pure (``plan_demo``, ``plan_community``): a seeded ``random.Random`` produces
plain dataclasses, so the same plan comes out on every run and tests can compare digests
without a database. Writing (``build_demo``) turns a plan into rows with
``bulk_create``. The registry part writes no events: it is the starting state, not a history;
the residents' requests (``tickets``) are a year of history, timelines included.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction

from linli.accounts.models import RoleMembership, User
from linli.core.roles import Role
from linli.registry.models import (
    Building,
    Community,
    Gender,
    Grid,
    Household,
    Occupancy,
    Relation,
    Resident,
    ResidentStatus,
    ResidentTag,
    StreetOffice,
    Tag,
    Tenure,
    Unit,
)
from linli.volunteers.models import TeamMember, VolunteerTeam

from . import names

PASSWORD = "linli-demo-2026"  # noqa: S105 - published on purpose: every demo log-in uses it
SEED = 19910308  # the Mums' Help Group's first Women's Day
# Ages, move dates and deaths are reckoned from this date, not from today, so the generated
# data never drifts; only created_at/updated_at carry the run date.
TODAY = dt.date(2026, 3, 1)
BATCH = 5000

M, F = Gender.MALE.value, Gender.FEMALE.value
ACTIVE, MOVED_OUT, DECEASED = (
    ResidentStatus.ACTIVE.value,
    ResidentStatus.MOVED_OUT.value,
    ResidentStatus.DECEASED.value,
)


# --- the shape of the territory ------------------------------------------------------------


@dataclass(frozen=True)
class GridSpec:
    number: str
    name: str
    area: str
    phone: str


@dataclass(frozen=True)
class BuildingSpec:
    number: str
    grid: str
    units: int
    floors: int
    rooms_per_floor: int
    year_built: int
    # How many of the building's dwellings are registered (None: all). The district variant
    # fills its last building only part-way to hit an exact household count.
    limit: int | None = None

    @property
    def dwellings(self) -> int:
        full = self.units * self.floors * self.rooms_per_floor
        return full if self.limit is None else min(full, self.limit)


@dataclass(frozen=True)
class CommunitySpec:
    code: str
    name: str
    address: str
    phone: str
    grids: tuple[GridSpec, ...]
    buildings: tuple[BuildingSpec, ...]


def _xincun_buildings() -> tuple[BuildingSpec, ...]:
    # Buildings 1–8: the first phase (1983–85), 3 units × 6 floors × 2 rooms = 288 dwellings;
    # 9–12: the smaller second phase, 2 × 5 × 2 = 80; 13–14: the last two, 2 × 6 × 2 = 48.
    specs = []
    grid_of = {
        **dict.fromkeys(range(1, 5), "1"),
        **dict.fromkeys(range(5, 9), "2"),
        **dict.fromkeys(range(9, 12), "3"),
        **dict.fromkeys(range(12, 15), "4"),
    }
    for n in range(1, 15):
        if n <= 8:
            units, floors, year = 3, 6, 1983 + (n - 1) // 3
        elif n <= 12:
            units, floors, year = 2, 5, 1986 + (n - 9) // 2
        else:
            units, floors, year = 2, 6, 1989
        specs.append(BuildingSpec(str(n), grid_of[n], units, floors, 2, year))
    return tuple(specs)


XINCUN = CommunitySpec(
    code="xincun",
    name="新村社区",
    address="白源街新村路1号（党群服务中心）",
    phone="0799-6631201",
    grids=(
        GridSpec("1", "第一网格", "1—4号楼 · 矿工路北", "0799-6631211"),
        GridSpec("2", "第二网格", "5—8号楼 · 矿工路南", "0799-6631212"),
        GridSpec("3", "第三网格", "9—11号楼 · 新村路东", "0799-6631213"),
        GridSpec("4", "第四网格", "12—14号楼 · 停车坪旁", "0799-6631214"),
    ),
    buildings=_xincun_buildings(),
)

NANCUN = CommunitySpec(
    code="nancun",
    name="南村社区",
    address="白源街南村巷8号",
    phone="0799-6632301",
    grids=(GridSpec("1", "南村网格", "1—3号楼", "0799-6632311"),),
    buildings=tuple(BuildingSpec(str(n), "1", 2, 5, 2, 1987) for n in range(1, 4)),
)

STREET_CODE, STREET_NAME = "baiyuan", "白源街道"
RESIDENT_LABEL = "3-2-501"  # xc-resident's household

# The demo log-ins, printed by ``linli demo --logins`` from this list and not the database.
_B, _G = XINCUN.buildings, XINCUN.grids
LOGINS: tuple[tuple[str, str, str], ...] = (
    ("xc-secretary", Role.SECRETARY, "新村社区 Xincun"),
    ("xc-staff", Role.STAFF, "新村社区 Xincun"),
    (f"xc-leader-{_B[0].number} … xc-leader-{_B[-1].number}", Role.BUILDING_LEADER,
     "新村社区 · n号楼 (building n)"),
    (f"xc-grid-{_G[0].number} … xc-grid-{_G[-1].number}", Role.GRID_WORKER,
     "新村社区 · 第n网格 (grid n)"),
    ("xc-mediator", Role.MEDIATOR, "新村社区 Xincun"),
    ("xc-volunteer", Role.VOLUNTEER, "新村社区 · 妈妈帮帮团"),
    ("xc-team-leader", Role.TEAM_LEADER, "新村社区 · 新长征志愿服务队"),
    ("xc-resident", Role.RESIDENT, f"新村社区 · {RESIDENT_LABEL}"),
    ("by-supervisor", Role.STREET_SUPERVISOR, "白源街道 Baiyuan"),
    ("nc-secretary", Role.SECRETARY, "南村社区 Nancun"),
)  # fmt: skip


def _width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def logins_table() -> str:
    rows = [("User name", "Password", "Role", "Place")]
    rows += [(user, PASSWORD, str(role.label), place) for user, role, place in LOGINS]
    widths = [max(_width(row[i]) for row in rows) for i in range(3)]
    lines = []
    for row in rows:
        cells = [cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=False)]
        lines.append("  " + "  ".join([*cells, row[3]]))
    lines.insert(1, "  " + "-" * (sum(widths) + 6 + max(_width(r[3]) for r in rows)))
    return "Demo log-ins (user name or phone number):\n" + "\n".join(lines)


# --- plans ---------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class Person:
    name: str
    gender: str
    birth: dt.date
    relation: str
    tenure: str
    moved_in: dt.date
    id_number: str
    family: str  # surname, which children of a man take
    phone: str = ""
    status: str = ACTIVE
    moved_out: dt.date | None = None
    deceased: dt.date | None = None
    tags: set[str] = field(default_factory=set)
    pk: int | None = None  # set when written

    @property
    def age(self) -> int:
        b = self.birth
        return TODAY.year - b.year - ((TODAY.month, TODAY.day) < (b.month, b.day))

    @property
    def active(self) -> bool:
        return self.status == ACTIVE


@dataclass(slots=True, eq=False)
class HouseholdPlan:
    building: str
    unit: str
    room: str
    floor_area: Decimal
    occupancy: str
    kind: str
    people: list[Person]
    pk: int | None = None

    @property
    def label(self) -> str:
        return Household.make_label(self.building, self.unit, self.room)

    @property
    def living(self) -> list[Person]:
        return [p for p in self.people if p.active]


@dataclass(eq=False)
class CommunityPlan:
    spec: CommunitySpec
    households: list[HouseholdPlan]

    def people(self) -> Iterator[tuple[HouseholdPlan, Person]]:
        for hh in self.households:
            for p in hh.people:
                yield hh, p

    def household(self, label: str) -> HouseholdPlan:
        return next(h for h in self.households if h.label == label)


@dataclass(eq=False)
class TeamPlan:
    name: str
    description: str
    members: list[tuple[Person, dt.date, bool]]  # person, joined on, is leader


@dataclass(eq=False)
class DemoPlan:
    xincun: CommunityPlan
    nancun: CommunityPlan
    # user name → the resident that person is (building leaders, grid workers, …)
    linked: dict[str, Person]
    # user name → display name for office staff who do not live in the estate
    office: dict[str, str]
    teams: list[TeamPlan]


# --- composing households ------------------------------------------------------------------

# Kinds of owner-occupied household and their weights. Xincun is old: a quarter of its homes
# hold only elderly people, and a few grandparents bring up grandchildren whose parents work
# away. The district profile is a younger, larger average household (≈3 residents).
XINCUN_KINDS = {
    "alone": 8.5,
    "elder_couple": 19,
    "elder_couple_child": 11,
    "three_gen": 10,
    "family": 25,
    "family_parent": 5,
    "left_behind": 3.0,
    "young_couple": 6,
    "single": 7,
}
DISTRICT_KINDS = {
    "alone": 5,
    "elder_couple": 11,
    "elder_couple_child": 10,
    "three_gen": 20,
    "family": 38,
    "family_parent": 8,
    "left_behind": 3,
    "young_couple": 8,
    "single": 5,
}
OCCUPANCY_WEIGHTS = {
    Occupancy.OWNER_OCCUPIED.value: 86,
    Occupancy.RENTED.value: 11,
    Occupancy.VACANT.value: 3,
}


def _year(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


class Composer:
    """Invents the people of one household after another, keeping phones and ID numbers
    unique across everything it has made."""

    def __init__(self, rng: random.Random, pool: names.GivenPool | None = None) -> None:
        self.rng = rng
        self.pool = pool
        self.phones: set[str] = set()
        self.ids: set[str] = set()

    # people
    def born(self, y0: int, y1: int) -> dt.date:
        return names.random_date(self.rng, dt.date(y0, 1, 1), dt.date(y1, 12, 31))

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        end = min(end, TODAY)
        return start if end <= start else names.random_date(self.rng, start, end)

    def person(
        self,
        gender: str,
        birth: dt.date,
        relation: str,
        tenure: str,
        moved_in: dt.date,
        *,
        family: str | None = None,
    ) -> Person:
        rng = self.rng
        family = family or names.surname(rng)
        name = names.person_name(rng, gender, birth.year, family, self.pool)
        region = names.region_code(rng)
        while True:
            idn = names.id_number(rng, birth, gender, region)
            if idn not in self.ids:
                self.ids.add(idn)
                break
        p = Person(name, gender, birth, relation, tenure, max(moved_in, birth), idn, family)
        age = p.age
        has_phone = 0.0 if age < 14 else 0.5 if age < 18 else 0.65 if age >= 80 else 0.96
        if rng.random() < has_phone:
            while True:
                ph = names.phone(rng)
                if ph not in self.phones:
                    self.phones.add(ph)
                    p.phone = ph
                    break
        return p

    def die(self, p: Person, after: dt.date) -> Person:
        p.status, p.deceased, p.phone = DECEASED, self.date_between(after, TODAY), ""
        return p

    def leave(self, p: Person, start: dt.date, end: dt.date = TODAY) -> Person:
        p.status, p.moved_out = MOVED_OUT, self.date_between(max(start, p.moved_in), end)
        return p

    def couple(self, y0: int, y1: int, moved_in: dt.date, tenure: str = Tenure.OWNER):
        rng = self.rng
        hb = self.born(y0, y1)
        wb = self.date_between(_year(hb, -1), _year(hb, 5))
        husband_first = rng.random() < 0.85
        fam = tenure if tenure == Tenure.TENANT else Tenure.FAMILY
        h = self.person(
            M,
            hb,
            Relation.HEAD if husband_first else Relation.SPOUSE,
            tenure if husband_first else fam,
            moved_in,
        )
        w = self.person(
            F,
            wb,
            Relation.SPOUSE if husband_first else Relation.HEAD,
            fam if husband_first else tenure,
            moved_in,
        )
        return h, w

    def child_of(
        self,
        parent: Person,
        relation: str,
        tenure: str,
        moved_in: dt.date,
        gap: tuple[int, int] = (23, 32),
        latest: dt.date | None = None,
        gender: str | None = None,
    ) -> Person | None:
        latest = latest or _year(TODAY, -1)
        earliest = _year(parent.birth, gap[0])
        if earliest > latest:
            return None
        birth = self.date_between(earliest, min(_year(parent.birth, gap[1]), latest))
        return self.person(
            gender or self.rng.choice((M, F)),
            birth,
            relation,
            tenure,
            moved_in,
            family=parent.family if parent.gender == M else None,
        )

    # households
    def household(self, kind: str, year_built: int) -> list[Person]:
        rng = self.rng
        original = self.date_between(dt.date(year_built, 6, 1), dt.date(year_built + 3, 12, 31))
        OWN, FAM = Tenure.OWNER, Tenure.FAMILY
        people: list[Person] = []
        if kind == "alone":
            g = M if rng.random() < 0.35 else F
            head = self.person(g, self.born(1934, 1958), Relation.HEAD, OWN, original)
            people.append(head)
            if rng.random() < 0.65:
                sb = self.date_between(_year(head.birth, -4), _year(head.birth, 3))
                spouse = self.person(M if g == F else F, sb, Relation.SPOUSE, FAM, original)
                people.append(self.die(spouse, dt.date(2006, 1, 1)))
            if rng.random() < 0.25 and (c := self.child_of(head, Relation.CHILD, FAM, original)):
                people.append(self.leave(c, _year(c.birth, 18), _year(c.birth, 30)))
        elif kind in ("elder_couple", "elder_couple_child"):
            people += self.couple(1938, 1962, original)
            father = people[0] if people[0].gender == M else people[1]
            c = self.child_of(father, Relation.CHILD, FAM, original)
            if c and kind == "elder_couple_child":
                people.append(c)
            elif c and rng.random() < 0.35:
                people.append(self.leave(c, _year(c.birth, 18), _year(c.birth, 30)))
        elif kind == "three_gen":
            elders = list(self.couple(1940, 1960, original))
            if rng.random() < 0.3:  # widowed: the one who is not the head has died
                self.die(
                    next(p for p in elders if p.relation != Relation.HEAD), dt.date(2010, 1, 1)
                )
            people += elders
            son = self.child_of(
                elders[0], Relation.CHILD, FAM, original, latest=dt.date(1996, 1, 1), gender=M
            )
            if son is None:
                return people
            wed = _year(son.birth, rng.randint(24, 29))
            dil = self.person(
                F,
                self.date_between(_year(son.birth, -2), _year(son.birth, 4)),
                Relation.OTHER,
                FAM,
                wed,
            )
            people += [son, dil]
            for _ in range(1 if rng.random() < 0.7 else 2):
                gc = self.child_of(son, Relation.GRANDCHILD, FAM, wed, gap=(24, 34))
                if gc:
                    people.append(gc)
        elif kind in ("family", "family_parent"):
            moved_in = self.born(1992, 2022)
            h, w = self.couple(1962, 1990, moved_in)
            people += [h, w]
            for _ in range(1 if h.birth.year < 1980 or rng.random() < 0.8 else 2):
                if rng.random() < 0.88 and (c := self.child_of(h, Relation.CHILD, FAM, moved_in)):
                    people.append(c)
            if kind == "family_parent":
                head = h if h.relation == Relation.HEAD else w
                pb = self.date_between(_year(head.birth, -32), _year(head.birth, -24))
                parent = self.person(rng.choice((M, F)), pb, Relation.PARENT, FAM, moved_in)
                people.append(parent)
        elif kind == "left_behind":
            if rng.random() < 0.7:
                elders = list(self.couple(1952, 1966, original))
            else:
                elders = [self.person(F, self.born(1952, 1966), Relation.HEAD, OWN, original)]
            people += elders
            parent = self.child_of(elders[0], Relation.CHILD, FAM, original, gap=(22, 28))
            if parent is None:
                return people
            family = parent.family if parent.gender == M else None
            for _ in range(1 if rng.random() < 0.75 else 2):
                kid = self.person(
                    rng.choice((M, F)),
                    self.born(2011, 2020),
                    Relation.GRANDCHILD,
                    FAM,
                    original,
                    family=family,
                )
                people.append(kid)
            if rng.random() < 0.6:  # the parent's registration left with them for work
                people.append(self.leave(parent, dt.date(2012, 1, 1), dt.date(2021, 12, 31)))
        elif kind == "young_couple":
            moved_in = self.born(2016, 2025)
            h, w = self.couple(1988, 1999, moved_in)
            people += [h, w]
            if rng.random() < 0.4 and (
                c := self.child_of(h, Relation.CHILD, FAM, moved_in, latest=dt.date(2025, 10, 1))
            ):
                people.append(c)
        elif kind == "single":
            b = self.born(1962, 1995)
            people.append(
                self.person(
                    rng.choice((M, F)),
                    b,
                    Relation.HEAD,
                    OWN,
                    self.date_between(_year(b, 22), dt.date(2024, 12, 31)),
                )
            )
        elif kind == "tenants":
            moved_in = self.born(2014, 2025)
            T = Tenure.TENANT  # noqa: N806
            r = rng.random()
            if r < 0.4:
                b = self.born(1975, 2002)
                people.append(self.person(rng.choice((M, F)), b, Relation.HEAD, T, moved_in))
            else:
                h, w = self.couple(1975, 1998, moved_in, tenure=T)
                people += [h, w]
                if r > 0.7 and (
                    c := self.child_of(h, Relation.CHILD, T, moved_in, latest=dt.date(2024, 1, 1))
                ):
                    people.append(c)
        elif kind == "vacant":
            r = rng.random()
            if r < 0.3:
                head = self.person(
                    rng.choice((M, F)), self.born(1930, 1945), Relation.HEAD, OWN, original
                )
                people.append(self.die(head, dt.date(2018, 1, 1)))
            elif r < 0.6:
                h, w = self.couple(1950, 1975, original)
                start = dt.date(2015, 1, 1)
                people += [self.leave(h, start), self.leave(w, start)]
                w.moved_out = h.moved_out
        else:  # pragma: no cover - a typo in a profile
            raise ValueError(kind)
        return people


def _area(rng: random.Random, lo: int, hi: int) -> Decimal:
    cents = rng.randrange(lo * 100, hi * 100 + 1)
    return Decimal(cents).scaleb(-2)


def plan_community(
    spec: CommunitySpec,
    rng: random.Random,
    composer: Composer | None = None,
    kinds: dict[str, float] = XINCUN_KINDS,
    forced: dict[str, str] | None = None,
) -> CommunityPlan:
    """Every dwelling of ``spec`` with its occupants and care/civic tags."""
    composer = composer or Composer(rng)
    forced = forced or {}
    kind_names, kind_weights = list(kinds), list(kinds.values())
    occ_names, occ_weights = list(OCCUPANCY_WEIGHTS), list(OCCUPANCY_WEIGHTS.values())
    households: list[HouseholdPlan] = []
    for b in spec.buildings:
        # Dwellings in one stack share a floor plan: one area per unit and position.
        # Typical mine housing: a small two-room flat beside a larger three-room one.
        sizes = {
            (u, r): _area(rng, *((45, 64) if r % 2 else (62, 95)))
            for u in range(1, b.units + 1)
            for r in range(1, b.rooms_per_floor + 1)
        }
        count = 0
        for u in range(1, b.units + 1):
            for fl in range(1, b.floors + 1):
                for r in range(1, b.rooms_per_floor + 1):
                    if count == b.dwellings:
                        break
                    count += 1
                    room = f"{fl}{r:02d}"
                    label = Household.make_label(b.number, str(u), room)
                    occupancy = rng.choices(occ_names, occ_weights)[0]
                    kind = forced.get(label) or (
                        rng.choices(kind_names, kind_weights)[0]
                        if occupancy == Occupancy.OWNER_OCCUPIED
                        else "tenants"
                        if occupancy == Occupancy.RENTED
                        else "vacant"
                    )
                    if label in forced:
                        occupancy = Occupancy.OWNER_OCCUPIED.value
                    people = composer.household(kind, b.year_built)
                    households.append(
                        HouseholdPlan(
                            b.number, str(u), room, sizes[(u, r)], occupancy, kind, people
                        )
                    )
    plan = CommunityPlan(spec, households)
    _assign_tags(plan, rng)
    return plan


def _assign_tags(plan: CommunityPlan, rng: random.Random) -> None:
    """Care and civic tags in Xincun's proportions, scaled to the community's size."""
    scale = len(plan.households) / 416
    living = [p for hh in plan.households for p in hh.living]
    for hh in plan.households:
        alive = hh.living
        if alive and all(p.age >= 60 for p in alive):
            for p in alive:
                p.tags.add("empty_nest")
                if len(alive) == 1:
                    p.tags.add("living_alone")
        if hh.kind == "left_behind":
            for p in alive:
                if p.relation == Relation.GRANDCHILD and p.age < 16:
                    p.tags.add("left_behind_child")

    def pick(pool: list[Person], n: int, tag: str) -> list[Person]:
        chosen = rng.sample(pool, min(n, len(pool)))
        for p in chosen:
            p.tags.add(tag)
        return chosen

    men = [p for p in living if p.gender == M and 45 <= p.age <= 82]
    veterans = pick(men, round(30 * scale), "veteran")
    pick(veterans, round(18 * scale), "party_member")
    others = [p for p in living if p.age >= 25 and "party_member" not in p.tags]
    pick(others, round(80 * scale) - round(18 * scale), "party_member")
    # Disability is commoner with age; weight the draw rather than filter by it.
    weighted = [p for p in living for _ in range(3 if p.age >= 60 else 1)]
    target = round(30 * scale)
    disabled: set[int] = set()
    while len(disabled) < min(target, len(living)):
        p = rng.choice(weighted)
        if id(p) not in disabled:
            disabled.add(id(p))
            p.tags.add("disability")
    # Low income (低保) is granted to a household; tag its living members.
    target = round(25 * scale)
    homes = [hh for hh in plan.households if hh.living]
    rng.shuffle(homes)
    tagged = 0
    for hh in homes:
        if tagged >= target:
            break
        for p in hh.living:
            p.tags.add("low_income")
        tagged += len(hh.living)


# --- the demo plan -------------------------------------------------------------------------


def plan_demo(seed: int = SEED) -> DemoPlan:
    rng = random.Random(seed)
    composer = Composer(rng)
    xincun = plan_community(XINCUN, rng, composer, forced={RESIDENT_LABEL: "family"})
    nancun = plan_community(NANCUN, rng, composer)
    linked: dict[str, Person] = {}
    taken: set[int] = set()

    def take(username: str, candidates: list[Person]) -> Person:
        # Prefer someone with a phone, so the demo user can log in with it too.
        free = [p for p in candidates if id(p) not in taken]
        free = [p for p in free if p.phone] or free
        if not free:
            raise RuntimeError(f"no resident fits {username}")  # the seed makes this stable
        p = rng.choice(free)
        taken.add(id(p))
        linked[username] = p
        return p

    home = xincun.household(RESIDENT_LABEL)
    take("xc-resident", [p for p in home.living if p.age >= 18])

    living = [(hh, p) for hh, p in xincun.people() if p.active]
    veterans = [p for _, p in living if {"veteran", "party_member"} <= p.tags and p.age <= 80]
    long_march = rng.sample(veterans, min(15, len(veterans)))
    long_march.sort(key=lambda p: p.birth)
    leader = take("xc-team-leader", [p for p in long_march if 55 <= p.age <= 70] or long_march)
    long_march_team = TeamPlan(
        "新长征志愿服务队",
        "由社区党员退役军人组成的常设志愿服务队：开展安全巡逻、文明劝导，"
        "收集居民的民情民意，第一时间报给社区。",
        [
            (p, names.random_date(rng, dt.date(2020, 9, 1), dt.date(2024, 6, 30)), p is leader)
            for p in long_march
        ],
    )
    long_march_team.members.sort(key=lambda m: m[1])

    women = [p for _, p in living if p.gender == F and 1950 <= p.birth.year <= 1972]
    mums = rng.sample(women, min(20, len(women)))
    mums.sort(key=lambda p: p.birth)
    founders = [p for p in mums if p.birth.year <= 1968][:8]
    mums_lead = founders[0] if founders else mums[0]
    take("xc-volunteer", [p for p in mums if p is not mums_lead and p.age < 66])
    mums_team = TeamPlan(
        "妈妈帮帮团",
        "社区女性组成的志愿服务队，1991年起一直传承：当年是矿上的义务安全协管员，"
        "矿工下井前安全喊话、送早点、夏天送绿豆稀、义务缝补衣服；"
        "现在为空巢老人和留守儿童制作爱心午餐、打扫卫生。",
        [
            (
                p,
                dt.date(1991, 3, 8)
                if p in founders
                else names.random_date(rng, dt.date(1992, 1, 1), dt.date(2023, 12, 31)),
                p is mums_lead,
            )
            for p in mums
        ],
    )
    mums_team.members.sort(key=lambda m: m[1])

    take(
        "xc-mediator",
        [p for _, p in living if "party_member" in p.tags and 60 <= p.age <= 80]
        or [p for _, p in living if p.age >= 55],
    )
    for b in XINCUN.buildings:
        here = [p for hh, p in living if hh.building == b.number and 40 <= p.age <= 75]
        party = [p for p in here if "party_member" in p.tags and id(p) not in taken and p.phone]
        take(f"xc-leader-{b.number}", party or here)
    for g in XINCUN.grids:
        blds = {b.number for b in XINCUN.buildings if b.grid == g.number}
        take(
            f"xc-grid-{g.number}",
            [p for hh, p in living if hh.building in blds and 28 <= p.age <= 55],
        )

    office = {
        "xc-secretary": names.person_name(rng, F, 1979),
        "xc-staff": names.person_name(rng, M, 1990),
        "by-supervisor": names.person_name(rng, M, 1975),
        "nc-secretary": names.person_name(rng, F, 1983),
    }
    return DemoPlan(xincun, nancun, linked, office, [long_march_team, mums_team])


def plan_digest(plan: DemoPlan) -> str:
    """A fingerprint of everything generated, to show two runs agree."""
    h = hashlib.sha256()
    for cp in (plan.xincun, plan.nancun):
        for hh, p in cp.people():
            h.update(
                f"{hh.label}|{hh.floor_area}|{hh.occupancy}|{p.name}|{p.gender}|{p.birth}|"
                f"{p.id_number}|{p.phone}|{p.status}|{sorted(p.tags)}\n".encode()
            )
    for user, p in sorted(plan.linked.items()):
        h.update(f"{user}={p.id_number}\n".encode())
    for team in plan.teams:
        h.update(team.name.encode())
        for p, joined, lead in team.members:
            h.update(f"{p.id_number}|{joined}|{lead}\n".encode())
    return h.hexdigest()


# --- writing -------------------------------------------------------------------------------


def builtin_tags() -> dict[str, Tag]:
    return {t.code: t for t in Tag.objects.filter(community=None).exclude(code="")}


def write_communities(
    pairs: list[tuple[CommunityPlan, StreetOffice]], tags: dict[str, Tag]
) -> dict[str, Community]:
    """Write whole communities with a handful of ``bulk_create`` calls; set ``pk`` on the
    plans' households and people."""
    communities = Community.objects.bulk_create(
        [
            Community(
                street_office=so,
                code=cp.spec.code,
                name=cp.spec.name,
                address=cp.spec.address,
                phone=cp.spec.phone,
            )
            for cp, so in pairs
        ]
    )
    grids: dict[tuple[int, str], Grid] = {}
    buildings: dict[tuple[int, str], Building] = {}
    units: dict[tuple[int, str, str], Unit] = {}
    for (cp, _), c in zip(pairs, communities, strict=True):
        for g in cp.spec.grids:
            grids[c.pk, g.number] = Grid(
                community=c,
                number=g.number,
                name=g.name,
                area_description=g.area,
                supervision_phone=g.phone,
            )
    Grid.objects.bulk_create(grids.values(), batch_size=BATCH)
    for (cp, _), c in zip(pairs, communities, strict=True):
        for b in cp.spec.buildings:
            buildings[c.pk, b.number] = Building(
                community=c,
                grid=grids[c.pk, b.grid],
                number=b.number,
                floors=b.floors,
                year_built=b.year_built,
            )
    Building.objects.bulk_create(buildings.values(), batch_size=BATCH)
    for (cp, _), c in zip(pairs, communities, strict=True):
        for b in cp.spec.buildings:
            for u in range(1, b.units + 1):
                units[c.pk, b.number, str(u)] = Unit(
                    community=c, building=buildings[c.pk, b.number], number=str(u)
                )
    Unit.objects.bulk_create(units.values(), batch_size=BATCH)

    households: list[Household] = []
    for (cp, _), c in zip(pairs, communities, strict=True):
        for hh in cp.households:
            households.append(
                Household(
                    community=c,
                    building=buildings[c.pk, hh.building],
                    unit=units[c.pk, hh.building, hh.unit],
                    room=hh.room,
                    label=hh.label,
                    floor_area=hh.floor_area,
                    occupancy=hh.occupancy,
                )
            )
    Household.objects.bulk_create(households, batch_size=BATCH)
    plans = [hh for cp, _ in pairs for hh in cp.households]
    for hh, obj in zip(plans, households, strict=True):
        hh.pk = obj.pk

    residents: list[Resident] = []
    people: list[Person] = []
    for (cp, _), c in zip(pairs, communities, strict=True):
        for hh, p in cp.people():
            r = Resident(
                community=c,
                household_id=hh.pk,
                name=p.name,
                gender=p.gender,
                birth_date=p.birth,
                phone=p.phone,
                relation=p.relation,
                tenure=p.tenure,
                moved_in_on=p.moved_in,
                moved_out_on=p.moved_out,
                deceased_on=p.deceased,
                status=p.status,
            )
            r.set_id_number(p.id_number)
            r.refresh_derived()
            residents.append(r)
            people.append(p)
    Resident.objects.bulk_create(residents, batch_size=BATCH)
    links = []
    for p, r in zip(people, residents, strict=True):
        p.pk = r.pk
        for code in sorted(p.tags):
            links.append(ResidentTag(resident_id=r.pk, tag=tags[code], community_id=r.community_id))
    ResidentTag.objects.bulk_create(links, batch_size=BATCH)
    return {c.code: c for c in communities}


def membership(user: User, role: str, **place) -> RoleMembership:
    return RoleMembership(user=user, role=role, **place)


@transaction.atomic
def build_demo(seed: int = SEED) -> DemoPlan:
    """Write the demo into an empty database (the caller checks that it is empty)."""
    plan = plan_demo(seed)
    street = StreetOffice.objects.create(code=STREET_CODE, name=STREET_NAME)
    comms = write_communities([(plan.xincun, street), (plan.nancun, street)], builtin_tags())
    xc, nc = comms["xincun"], comms["nancun"]
    grids = {g.number: g for g in Grid.objects.filter(community=xc)}
    buildings = {b.number: b for b in Building.objects.filter(community=xc)}
    home = plan.xincun.household(RESIDENT_LABEL)

    password = make_password(PASSWORD)  # once: Argon2 is deliberately slow
    users: dict[str, User] = {}
    for username, p in plan.linked.items():
        users[username] = User(
            username=username,
            password=password,
            display_name=p.name,
            phone=p.phone or None,
            resident_id=p.pk,
        )
    for username, display in plan.office.items():
        users[username] = User(username=username, password=password, display_name=display)
    User.objects.bulk_create(users.values())

    u = users
    roles = [
        membership(u["xc-secretary"], Role.SECRETARY, community=xc),
        membership(u["xc-staff"], Role.STAFF, community=xc),
        membership(u["xc-mediator"], Role.MEDIATOR, community=xc),
        membership(u["xc-volunteer"], Role.VOLUNTEER, community=xc),
        membership(u["xc-team-leader"], Role.TEAM_LEADER, community=xc),
        membership(u["xc-resident"], Role.RESIDENT, community=xc, household_id=home.pk),
        membership(u["by-supervisor"], Role.STREET_SUPERVISOR, street_office=street),
        membership(u["nc-secretary"], Role.SECRETARY, community=nc),
    ]
    roles += [
        membership(u[f"xc-leader-{n}"], Role.BUILDING_LEADER, community=xc, building=b)
        for n, b in buildings.items()
    ]
    roles += [
        membership(u[f"xc-grid-{n}"], Role.GRID_WORKER, community=xc, grid=g)
        for n, g in grids.items()
    ]
    RoleMembership.objects.bulk_create(roles)

    from . import volunteers  # the standing teams, their members' profiles (志愿者)

    volunteers.build_demo_teams(plan, users, xc)
    from . import tickets  # a year of residents' requests, with their timelines

    tickets.build_demo_tickets(plan, users)
    from . import deliberation  # topics, meetings, surveys, a forum and votes (民事民议)

    deliberation.build_demo_deliberation(plan, users)
    from . import mediation  # the mediation room: committee and a year of cases (民事民管)

    mediation.build_demo_mediation(plan, users)
    from . import office  # a contact correction waiting for the office (issue 11)

    office.build_demo_office(plan, users)
    from . import care  # a year of care visits, a cold wave, love lunches (关爱)

    care.build_demo_care(plan, users)
    volunteers.build_demo_volunteers(plan, users)  # a year of activities, patrols and hours
    return plan


def summary() -> dict[str, int]:
    """Row counts for the closing message, per community."""
    out = {"street offices": StreetOffice.objects.count(), "grids": Grid.objects.count(),
           "buildings": Building.objects.count()}  # fmt: skip
    for c in Community.objects.order_by("-code"):
        residents = Counter(Resident.objects.filter(community=c).values_list("status", flat=True))
        out[f"{c.code}: households"] = Household.objects.filter(community=c).count()
        out[f"{c.code}: residents"] = residents.total()
        out[f"{c.code}:   living here"] = residents[ACTIVE]
        out[f"{c.code}:   moved out"] = residents[MOVED_OUT]
        out[f"{c.code}:   deceased"] = residents[DECEASED]
        tags = Counter(ResidentTag.objects.filter(community=c).values_list("tag__code", flat=True))
        out.update({f"{c.code}:   tagged {code}": n for code, n in sorted(tags.items())})
    out.update({
        "users": User.objects.count(),
        "role memberships": RoleMembership.objects.count(),
        "volunteer teams": VolunteerTeam.objects.count(),
        "team members": TeamMember.objects.count(),
    })  # fmt: skip
    from . import tickets

    out.update(tickets.summary())
    return out
