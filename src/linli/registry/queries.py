"""Reads of the registry, scope-filtered and aggregated in SQL."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from linli.core import access, fastpath, policy
from linli.core.lists import Listing, Sort, list_page
from linli.core.roles import ROLE_LEVEL, Role

from .models import (
    Building,
    Community,
    Grid,
    Household,
    Resident,
    ResidentStatus,
    ResidentTag,
    Tag,
)
from .tags import builtin_label

ACTIVE = ResidentStatus.ACTIVE


def communities_for(actor, action: str = "registry.browse") -> QuerySet[Community]:
    return policy.scope_filter(actor, Community.objects.select_related("street_office"), action)


def community_tree(actor, community: Community) -> dict:
    """Grids → buildings with household and resident counts, in three aggregate queries."""
    buildings = list(
        policy.scope_filter(actor, Building.objects.filter(community=community), "registry.browse")
        .select_related("grid")
        .annotate(n_households=Count("households", distinct=True))
        .order_by("grid__sort_key", "sort_key")
    )
    res_counts = dict(
        Resident.objects.filter(
            community=community, status=ACTIVE, household__building__in=[b.pk for b in buildings]
        )
        .values_list("household__building_id")
        .annotate(n=Count("id"))
        .values_list("household__building_id", "n")
    )
    tag_counts: list[dict[str, Any]] = [
        dict(row)
        for row in ResidentTag.objects.filter(
            community=community,
            resident__status=ACTIVE,
            resident__household__building__in=[b.pk for b in buildings],
        )
        .values("tag__code", "tag__name", "tag__sensitive", "tag__community_id")
        .annotate(n=Count("id"))
        .order_by("tag_id")
    ]
    for t in tag_counts:  # a built-in tag's name in the reader's language (空巢老人 / Empty-nest)
        t["label"] = (not t["tag__community_id"] and builtin_label(t["tag__code"])) or t[
            "tag__name"
        ]
    grids: dict[int | None, dict] = {}
    for b in buildings:
        b.n_residents = res_counts.get(b.pk, 0)
        g = grids.setdefault(
            b.grid_id, {"grid": b.grid, "buildings": [], "households": 0, "residents": 0}
        )
        g["buildings"].append(b)
        g["households"] += b.n_households
        g["residents"] += b.n_residents
    return {
        "grids": list(grids.values()),
        "scope": browse_scope(actor, community),
        "households": sum(b.n_households for b in buildings),
        "residents": sum(res_counts.values()),
        "tag_counts": tag_counts,
    }


def browse_scope(actor, community: Community) -> list[str]:
    """The parts of ``community`` the actor browses, when not the whole of it: a building
    leader's "3号楼", a grid worker's "第一网格" (the page's heading and counts are theirs, not
    the community's). Empty when a role covers the whole community. No query: the places come
    with the memberships."""
    parts: list[str] = []
    for m in policy.allowed_memberships(actor, "registry.browse"):
        level = ROLE_LEVEL[m.role]
        if level == "street" or (level == "community" and m.community_id == community.pk):
            return []
        if level == "grid" and m.grid and m.grid.community_id == community.pk:
            parts.append(str(m.grid.name or m.grid))
        elif level == "building" and m.building and m.building.community_id == community.pk:
            parts.append(str(m.building))
    return list(dict.fromkeys(parts))


TAG_LIST_PAGE = 100
TAG_LIST_SORTS = {
    "room": Sort(
        gettext_lazy("By room"),
        ("household__building__sort_key", "household__unit__sort_key", "household__sort_key", "id"),
    ),
}


def tag_residents(request: HttpRequest, community: Community, tag: Tag) -> Listing:
    """The active residents with ``tag`` whom the actor may see (their buildings, grid or
    the whole community), by building and room: the call or visit sheet behind a tag's count
    on the community page (``core.lists``: scoped, sorted, paginated). Each shown is recorded
    as a read."""
    listing = list_page(
        request,
        Resident.objects.filter(community=community, status=ACTIVE, tags=tag).select_related(
            "household__building", "household__unit"
        ),
        actor=request.user,
        action="resident.view",
        sorts=TAG_LIST_SORTS,
        default_sort="room",
        per_page=TAG_LIST_PAGE,
    )
    access.record_reads(
        request.user,
        list(listing.page.object_list),
        kind=access.LISTED,
        purpose="registry.tag_list",
    )
    return listing


def building_households(actor, building: Building) -> list[Household]:
    """The building's households with their residents: a listing of each resident."""
    residents = Resident.objects.filter(status=ACTIVE).prefetch_related("tags").order_by("id")
    rows = list(
        policy.scope_filter(actor, Household.objects.filter(building=building), "household.view")
        .select_related("unit")
        .prefetch_related(Prefetch("residents", queryset=residents, to_attr="active_residents"))
        .order_by("unit__sort_key", "sort_key")
    )
    access.record_reads(
        actor,
        [r for hh in rows for r in hh.active_residents],
        kind=access.LISTED,
        purpose="registry.building_page",
    )
    return rows


def household_residents(
    actor, household: Household, *, purpose: str, include_former: bool = True
) -> list[Resident]:
    """The household's residents, for a caller that has authorised ``household.view``;
    recorded as a read of each (``purpose``: the page or API answer showing them)."""
    qs = household.residents.prefetch_related("tags").order_by("status", "id")
    if not include_former:
        qs = qs.filter(status=ACTIVE)
    rows = list(qs)
    access.record_reads(actor, rows, kind=access.VIEWED, purpose=purpose)
    return rows


def resident_get_for(actor, pk: int, action: str, *, purpose: str | None) -> Resident:
    """One resident, fetched and authorised (404/403 as ``policy.get_for``) and recorded
    as a read for ``purpose``: the resident page (``resident.view``), the edit form
    (``resident.edit``, which shows the full phone number). ``None``: nothing of the
    record is shown (a form posted back shows what the editor typed)."""
    qs = Resident.objects.select_related("household__building", "community")
    r = policy.get_for(actor, qs, action, pk=pk)
    if action == "resident.edit" and r.is_minor_under_14 and not policy.sees_minors(actor, r):
        # The form would show the child's name and birth date in full (PIPL Art. 31): a
        # child's record is edited by the office or the family (the service refuses too).
        raise PermissionDenied
    if purpose is not None:
        access.record_reads(actor, [r], kind=access.VIEWED, purpose=purpose)
    return r


def building_leaders(building: Building) -> list:
    # Through the memberships' reverse relation: registry imports nothing from accounts
    # (accounts depends on registry; people pickers are accounts.queries.members_of).
    return list(
        building.memberships.filter(role=Role.BUILDING_LEADER, active=True).select_related("user")
    )


def grid_workers(grid: Grid | None) -> list:
    if grid is None:
        return []
    return list(grid.memberships.filter(role=Role.GRID_WORKER, active=True).select_related("user"))


def tags_with_counts(community: Community) -> list:
    """Built-in and community tags with how many residents living here carry each."""
    from .models import Tag

    return list(
        Tag.objects.filter(Q(community__isnull=True) | Q(community=community))
        .annotate(
            n=Count(
                "resident_links",
                filter=Q(
                    resident_links__community=community, resident_links__resident__status=ACTIVE
                ),
            )
        )
        .order_by("community_id", "id")
    )


# --- search -------------------------------------------------------------------------------

ROOM_RE = re.compile(r"^[0-9A-Za-z]{1,10}(-[0-9A-Za-z]{1,10}){1,2}$")
PHONE_TAIL_RE = re.compile(r"^[0-9]{4}$")
ID_RE = re.compile(r"^[0-9]{17}[0-9Xx]$")
LATIN_RE = re.compile(r"^[a-z]{1,30}$")
# A whole number as a caller gives it: 7+ digits typed together, or 11+ with spaces, hyphens
# or +86 (a room label such as 12-3-1201 also reads as digits and hyphens, but is shorter).
PHONE_RE = re.compile(r"^\+?[0-9]{7,20}$")
_PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")


def _as_phone(q: str) -> str:
    """The phone key of ``q`` if it is a whole phone number, else ""."""
    from .search import phone_key

    compact = _PHONE_SEPARATORS.sub("", q)
    if not PHONE_RE.match(compact):
        return ""
    if compact != q and len(compact.lstrip("+")) < 11:
        return ""
    return phone_key(compact)


def _prefix_range(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix``, in a form each database answers from its index.

    SQLite does not use an index for Django's ``LIKE … ESCAPE`` but does for a range, and its
    binary collation orders by code point, so the range is exact. PostgreSQL's ordering
    follows the database collation, so there we use LIKE on a ``text_pattern_ops`` index."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": prefix})
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


def _prefix_values(prefix: str) -> list[str]:
    """The values ``_prefix_q`` compares a column with: the range's ends on SQLite, the
    prefix itself on PostgreSQL (``_prefix_range``)."""
    if connection.vendor == "postgresql":
        return [prefix]
    return [prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)]


def _prefix_q(field: str, *values: str) -> Q:
    """``_prefix_range(field, prefix)`` from ``_prefix_values(prefix)``."""
    if len(values) == 1:
        return Q(**{f"{field}__startswith": values[0]})
    return Q(**{f"{field}__gte": values[0], f"{field}__lt": values[1]})


class FoundResident:
    """A resident as a search lists them: the columns the results show, and the same derived
    values as ``Resident`` (the masks, the age) by the model's own code, so
    ``core.disclosure`` decides for these rows as for the model's."""

    COLUMNS = (
        "pk",
        "name",
        "status",
        "birth_date",
        "phone",
        "id_number_sealed",
        "id_number_region",
        "community_id",
        "household_id",
        "community__name",
    )

    def __init__(
        self,
        pk: int,
        name: str,
        status: str,
        birth_date: dt.date | None,
        phone: str,
        id_number_sealed: str,
        id_number_region: str,
        community_id: int,
        household_id: int,
        community_name: str,
    ) -> None:
        self.pk, self.name, self.status, self.birth_date = pk, name, status, birth_date
        self.phone, self.id_number_sealed = phone, id_number_sealed
        self.id_number_region, self.community_id = id_number_region, community_id
        self.household_id, self.community_name = household_id, community_name
        self.household_label = ""
        self.today: dt.date | None = None  # the search's date, read once for all its rows

    def age(self, on: dt.date | None = None) -> int | None:
        return Resident.age(self, on or self.today)  # type: ignore[arg-type]

    # The model's own definitions (they read only the columns above).
    is_minor_under_14 = Resident.is_minor_under_14
    phone_masked = Resident.phone_masked
    id_number_masked = Resident.id_number_masked


@dataclass
class SearchResult:
    kind: str  # "resident" | "household"
    residents: list
    households: list
    truncated: bool


def search(actor, q: str, *, limit: int = 50, purpose: str = "registry.search") -> SearchResult:
    """Name (汉字 prefix, spaces typed inside it ignored: ``谢 正``), pinyin or its initials
    (``zs``, ``zhang san`` → 张三), the whole phone number (``19189450883``, also with
    spaces, hyphens or +86) or its last 4 digits, or a room label (``3-2-501``). Each resident
    found is recorded as a read (``purpose``: the page or the API)."""
    from .search import normalise_name, pinyin_of

    if not policy.has_any(actor, "registry.browse"):
        raise PermissionDenied
    q = (q or "").strip()[:40]
    if not q:
        return SearchResult("resident", [], [], False)
    phone = _as_phone(q)
    if not phone and ROOM_RE.match(q):
        hh = list(
            policy.scope_filter(actor, Household.objects.all(), "household.view")
            .filter(_prefix_range("label", q))
            .select_related("building", "community")
            .order_by("building__sort_key", "unit__sort_key", "sort_key", "id")[: limit + 1]
        )
        return SearchResult("household", [], hh[:limit], len(hh) > limit)
    # The match's kind and values: its SQL is compiled once per kind and scope (below).
    values: list[str]
    if ID_RE.match(q):
        # A full ID number is looked up by its keyed digest; the number itself is never stored
        # in clear. Only the office may search by it.
        if not policy.has_any(actor, "resident.reveal"):
            raise PermissionDenied
        from linli.core.personal import blind_index

        kind, values = "id", [blind_index(q)]
    elif phone:
        kind, values = "phone", [phone]
    elif PHONE_TAIL_RE.match(q):
        kind, values = "tail", [q]
    elif LATIN_RE.match(low := re.sub(r"[\s'’-]+", "", q.lower())):
        # "liang jie", "Liang Jie", "l j": the keys are stored without spaces.
        kind, values = "latin", _prefix_values(low)
    else:
        # As names are stored (search.normalise_name): "谢 正" and "谢　正" are 谢正.
        name = normalise_name(q)
        kind, values = "name", _prefix_values(name)
        if "·" not in name and (key := pinyin_of(name)):
            # A name with a middle dot (阿依古丽·买买提) is found without it too: its pinyin
            # key is stored without the dot, so the dotless query's pinyin finds it on the
            # pinyin index, kept to names that have a dot (no homophones of other names).
            kind, values = "name+pinyin", values + _prefix_values(key)
    half = len(values) // 2

    def cond(*given: str) -> Q:
        if kind == "id":
            return Q(id_number_digest=given[0])
        if kind == "phone":
            return Q(phone_key=given[0])
        if kind == "tail":
            return Q(phone_tail=given[0])
        if kind == "latin":
            return _prefix_q("name_initials", *given) | _prefix_q("name_pinyin", *given)
        if kind == "name":
            return _prefix_q("name", *given)
        return _prefix_q("name", *given[:half]) | (
            _prefix_q("name_pinyin", *given[half:]) & Q(name__contains="·")
        )

    def matches(*given: str) -> QuerySet[Any]:
        base = policy.scope_filter(actor, Resident.objects.all(), "resident.view")
        return (
            base.filter(cond(*given))
            .order_by("status", "name", "id")
            .values_list(*FoundResident.COLUMNS)[: limit + 1]
        )

    # Households are read for the page's rows only, not joined to every match before the
    # sort: a common prefix ("zh") matches ~4,000 residents across a street's 20 communities,
    # and the join cost 16,000 index look-ups for 50 rows (docs/performance.md). Rows are
    # read as values, not model instances: building 50 residents of a 30-column model was
    # most of a search's ORM time.
    # Read with SQL compiled once per kind of match, scope and limit (``fastpath.page_rows``:
    # compiling the two queries was ~1.5 ms of a search's CPU on a cache miss).
    shape = f"registry.search|{kind}|{policy.scope_signature(actor)}|{limit}"
    rows = [FoundResident(*row) for row in fastpath.page_rows(Resident, shape, matches, *values)]
    shown = rows[:limit]
    labels = _household_labels(sorted({r.household_id for r in shown}), limit)
    today = timezone.localdate()
    for r in shown:
        r.household_label, r.today = labels.get(r.household_id, ""), today
    # record_reads reads a row's pk and community_id, which a FoundResident has as a model does.
    access.record_reads(actor, cast(list[Any], shown), kind=access.SEARCHED, purpose=purpose)
    return SearchResult("resident", shown, [], len(rows) > limit)


def _household_labels(ids: list[int], size: int) -> dict[int, str]:
    """The labels of the households ``ids`` (at most ``size``), in one query compiled once:
    the list is filled up to ``size`` with its last id, so every search asks the same shape."""
    if not ids:
        return {}

    def labels(*given: int) -> QuerySet[Any]:
        return Household.objects.filter(pk__in=given).order_by().values_list("pk", "label")

    padded = ids + [ids[-1]] * (size - len(ids))
    if len(padded) != size or not all(0 < i <= 2**62 for i in padded):
        return dict(labels(*ids))
    return dict(fastpath.page_rows(Household, f"registry.household_labels|{size}", labels, *padded))
