"""The electorate of an owners' vote (表决), frozen when voting opens, from the registry:

- every household in scope (the whole community, or the chosen buildings) with a floor area;
- its owners are its active residents with tenure "owner"; one person is one
  ``id_number_digest`` (or one resident record when no ID number is on file), across flats;
- co-owners of a flat cast one ballot for it (SPC interpretation Art. 8), so people linked by a
  shared flat form one voter together with all their flats (keeps every flat in exactly one
  entry, as the tally requires);
- all developer-owned (unsold) flats together are one voter, key ``"developer"``;
- flats without an owner on record, and flats without a floor area, have nobody to count their
  area for: they are left out and listed as data problems on the vote page (office only), in
  the ``vote.opened`` event."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from linli.registry.models import Household, Resident, ResidentStatus, Tenure

from ..models import (
    Vote,
    Voter,
)

# All developer-owned (unsold) flats together are one voter, under this key.
DEVELOPER_KEY = "developer"


class _Groups:
    """Union–find over person keys and flats: people who share a flat vote together."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _households_in_scope(vote: Vote) -> QuerySet:
    qs = Household.objects.filter(community_id=vote.community_id)
    building_ids = list(vote.buildings.values_list("pk", flat=True))
    if building_ids:
        qs = qs.filter(building_id__in=building_ids)
    return qs


def freeze_electorate(vote: Vote) -> tuple[list[Voter], dict[str, Any]]:
    """Build (unsaved) ``Voter`` rows from the registry and a summary with the data problems.
    See the module docstring for the rules."""
    households = list(
        _households_in_scope(vote)
        .order_by("label")
        .values("id", "label", "floor_area", "developer_owned")
    )
    by_id = {h["id"]: h for h in households}
    owners = list(
        Resident.objects.filter(
            household_id__in=[h["id"] for h in households if not h["developer_owned"]],
            status=ResidentStatus.ACTIVE,
            tenure=Tenure.OWNER,
        )
        .select_related("user")
        .order_by("pk")
    )
    problems: list[dict[str, str]] = []
    groups = _Groups()
    people: dict[str, list[Resident]] = defaultdict(list)
    owned: set[int] = set()
    for r in owners:
        h = by_id[r.household_id]
        key = r.id_number_digest or f"r{r.pk}"
        people[key].append(r)
        if h["floor_area"] is None:
            continue
        owned.add(h["id"])
        groups.union(f"p:{key}", f"h:{h['id']}")

    developer_units: list[dict[str, Any]] = []
    unit_groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for h in households:
        unit = {
            "id": h["label"],
            "household": h["id"],
            "area": format(h["floor_area"], "f") if h["floor_area"] is not None else None,
        }
        if h["floor_area"] is None:
            problems.append({"flat": h["label"], "problem": "no_area"})
        elif h["developer_owned"]:
            developer_units.append(unit)
        elif h["id"] not in owned:
            problems.append({"flat": h["label"], "problem": "no_owner"})
        else:
            unit_groups[groups.find(f"h:{h['id']}")].append(unit)

    group_people: dict[str, list[str]] = defaultdict(list)
    for key in people:
        if f"p:{key}" in groups.parent:
            group_people[groups.find(f"p:{key}")].append(key)

    voters: list[Voter] = []
    for root, units in unit_groups.items():
        keys = sorted(group_people[root])
        records = sorted((r for k in keys for r in people[k]), key=lambda r: r.pk)
        linked = [r for r in records if getattr(r, "user", None) is not None]
        first = linked[0] if linked else records[0]
        names = list(dict.fromkeys(r.name for r in records))
        voters.append(
            Voter(
                vote=vote,
                key=keys[0],
                resident=first,
                user=first.user if linked else None,
                display_name="、".join(names)[:50],
                developer=False,
                units=units,
            )
        )
    if developer_units:
        voters.append(
            Voter(
                vote=vote,
                key=DEVELOPER_KEY,
                developer=True,
                display_name=str(_("The developer (unsold flats)"))[:50],
                units=developer_units,
            )
        )
    voters.sort(key=lambda v: v.units[0]["id"])
    total = sum((Decimal(u["area"]) for v in voters for u in v.units), Decimal(0))
    summary = {
        "voters": len(voters),
        "units": sum(len(v.units) for v in voters),
        "total_area": format(total, "f"),
        "problems": problems,
    }
    return voters, summary
