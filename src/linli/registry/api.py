"""Registry JSON API: the same queries and policy as the pages."""

from __future__ import annotations

from decimal import Decimal

from ninja import Router, Schema

from linli.core import disclosure, policy

from . import queries
from .models import Household

router = Router(tags=["registry"])


class ResidentOut(Schema):
    id: int
    name: str
    household_id: int
    household_label: str
    phone_masked: str
    id_number_masked: str
    status: str


class HouseholdOut(Schema):
    id: int
    label: str
    community_code: str
    floor_area: Decimal | None
    occupancy: str
    residents: list[ResidentOut]


class SearchOut(Schema):
    kind: str
    residents: list[ResidentOut]
    households: list[dict]
    truncated: bool


def _resident(r, v: disclosure.Viewer, household_label: str) -> dict:
    """A resident (a ``Resident`` or a search's ``FoundResident``) as ``v`` may see them: the
    same rules as the pages (core.disclosure)."""
    return {
        "id": r.pk,
        "name": disclosure.name(v, r),
        "household_id": r.household_id,
        "household_label": household_label,
        # Masked for every viewer in the API: a full number is read on the resident's page.
        "phone_masked": disclosure.phone(disclosure.MASKED, r.phone),
        "id_number_masked": disclosure.id_number(r),
        "status": r.status,
    }


@router.get("/search", response=SearchOut, summary="Search residents and rooms")
def search(request, q: str = ""):
    """Name prefix, pinyin or initials (``zs``), phone tail (4 digits) or room label."""
    result = queries.search(request.user, q, purpose="registry.api.search")
    viewer_of = disclosure.viewer_of_rows(request.user)
    return {
        "kind": result.kind,
        "residents": [_resident(r, viewer_of(r), r.household_label) for r in result.residents],
        "households": [
            {"id": h.pk, "label": h.label, "community_code": h.community.code}
            for h in result.households
        ],
        "truncated": result.truncated,
    }


@router.get("/households/{household_id}", response=HouseholdOut, summary="One household")
def household(request, household_id: int):
    hh = policy.get_for(
        request.user,
        Household.objects.select_related("community"),
        "household.view",
        pk=household_id,
    )
    v = disclosure.viewer(request.user, hh)
    residents = queries.household_residents(request.user, hh, purpose="registry.api.household")
    return {
        "id": hh.pk,
        "label": hh.label,
        "community_code": hh.community.code,
        "floor_area": hh.floor_area,
        "occupancy": hh.occupancy,
        "residents": [_resident(r, v, hh.label) for r in residents],
    }
