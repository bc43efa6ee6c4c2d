"""Monthly coverage: *visited / to visit* per tier, grid, building and visitor, lowest first,
against the 100 % monthly target of the 2022 guidance.

Who is to be visited in a month: everyone in the register during that month — entered by its
last day, not moved out or dead before its first. Visited: at least one *reached* visit dated
in the month ("not at home" and "refused" do not count). Counted in SQL, one query per
dimension; ``coverage_in_python`` computes the same from the raw rows for the tests.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from linli.core import policy
from linli.core.actors import Actor
from linli.registry.models import Community

from .models import CarePerson, Outcome, Tier, Visit

TARGET_PCT = 100
DIMENSIONS = ("tier", "grid", "building", "visitor")


@dataclass(frozen=True)
class Line:
    dim: str
    key: str
    label: str
    visited: int
    due: int

    @property
    def pct(self) -> int:
        return round(100 * self.visited / self.due) if self.due else 100

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "pct": self.pct}


def due_in_month(qs: QuerySet[CarePerson], start: dt.date, end: dt.date) -> QuerySet[CarePerson]:
    return qs.filter(
        Q(enrolled_on__lte=end),
        Q(resident__moved_out_on__isnull=True) | Q(resident__moved_out_on__gte=start),
        Q(resident__deceased_on__isnull=True) | Q(resident__deceased_on__gte=start),
    )


def visited_in_month(start: dt.date, end: dt.date) -> Exists:
    return Exists(
        Visit.objects.filter(
            person=OuterRef("pk"), outcome=Outcome.REACHED, visited_on__range=(start, end)
        )
    )


_PATHS = {
    "tier": ("tier", None),
    "grid": (
        "resident__household__building__grid__number",
        "resident__household__building__grid__name",
    ),
    "building": ("resident__household__building__number", None),
    "visitor": ("visitors__user_id", "visitors__user__username"),
}


def coverage(actor: Actor | None, community: Community, month: dt.date) -> dict[str, list[Line]]:
    """Lines per dimension, lowest coverage first. ``actor`` None: the command line."""
    from .queries import month_bounds

    start, end = month_bounds(month)
    base = CarePerson.objects.filter(community=community)
    if actor is not None:
        base = policy.scope_filter(actor, base, "care.coverage")
    qs = due_in_month(base, start, end).annotate(reached=visited_in_month(start, end))
    out: dict[str, list[Line]] = {}
    tier_labels = dict(Tier.choices)
    names = _visitor_names(community)
    for dim, (path, label_path) in _PATHS.items():
        fields = [path] + ([label_path] if label_path else [])
        rows = (
            qs.order_by()
            .values(*fields)
            .annotate(
                due=Count("id", distinct=True),
                visited=Count("id", filter=Q(reached=True), distinct=True),
            )
        )
        lines = []
        for r in rows:
            key = "" if r[path] is None else str(r[path])
            if dim == "tier":
                label = str(tier_labels.get(key, key))
            elif dim == "visitor":
                label = names.get(int(key), key) if key else ""
            elif dim == "grid":
                label = r[label_path] or key
            else:
                label = key
            lines.append(Line(dim, key, label, r["visited"], r["due"]))
        out[dim] = sorted(lines, key=lambda x: (x.pct, -x.due, x.key))
    return out


def _visitor_names(community: Community) -> dict[int, str]:
    from django.contrib.auth import get_user_model

    users = (
        get_user_model().objects.filter(care_assignments__person__community=community).distinct()
    )
    return {u.pk: (u.get_full_name() or u.get_username()) for u in users}


def totals(lines: dict[str, list[Line]]) -> Line:
    tiers = lines.get("tier", [])
    return Line("all", "", "", sum(x.visited for x in tiers), sum(x.due for x in tiers))


def coverage_in_python(
    community: Community, month: dt.date
) -> dict[str, dict[str, tuple[int, int]]]:
    """The same figures from the raw rows, without SQL aggregation (for the tests)."""
    from .queries import month_bounds

    start, end = month_bounds(month)
    people = list(
        CarePerson.objects.filter(community=community)
        .select_related("resident__household__building__grid")
        .prefetch_related("visitors", "visits")
    )
    out: dict[str, dict[str, list[int]]] = {d: {} for d in DIMENSIONS}
    for p in people:
        r = p.resident
        if p.enrolled_on > end:
            continue
        if r.moved_out_on and r.moved_out_on < start or r.deceased_on and r.deceased_on < start:
            continue
        hit = any(
            v.outcome == Outcome.REACHED and start <= v.visited_on <= end for v in p.visits.all()
        )
        b = r.household.building
        keys = {
            "tier": [p.tier],
            "grid": [b.grid.number if b.grid else ""],
            "building": [b.number],
            "visitor": [str(v.user_id) for v in p.visitors.all()] or [""],
        }
        for dim, ks in keys.items():
            for k in ks:
                cell = out[dim].setdefault(k, [0, 0])
                cell[0] += int(hit)
                cell[1] += 1
    return {d: {k: (v[0], v[1]) for k, v in cells.items()} for d, cells in out.items()}
