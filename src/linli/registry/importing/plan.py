"""The plan: what importing the file would do, row by row. Building it saves nothing.

Every check that would be a query per row is made here in Python against what was read once
(the community's buildings, units, households and the residents the file can touch), so a dry
run of 20,000 rows is a handful of queries. A preview that says "no errors" means the data is
right: flats that would merge, two heads of one household, and a person who might already be
recorded elsewhere are errors, never silent."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from linli.core import personal, policy

from ..models import Building, Community, Household, Relation, Resident, ResidentTag, Tag, Unit
from . import values as V
from .columns import (
    CREATE,
    ERROR,
    HOUSEHOLD_CELLS,
    MAX_STORED_ERRORS,
    PERSON_KEYS,
    RESIDENT_KEYS,
    TAG_PREFIX,
    UNCHANGED,
    UPDATE,
    RowError,
)
from .mapping import Mapping, Record
from .sheets import blank, cell_name

MAX_STORED_ROWS = 20_000


@dataclass
class HouseholdPlan:
    label: str
    building: str
    unit: str
    room: str
    row: int
    sheet: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    value_rows: dict[str, int] = field(default_factory=dict)
    rows: set[tuple[str, int]] = field(default_factory=set)
    existing: Household | None = None
    action: str = CREATE
    household: Household | None = None  # set when applied


@dataclass
class ResidentPlan:
    row: int
    label: str
    name: str
    values: dict[str, Any]
    sheet: str = ""
    id_number: str = ""
    tags: list[Tag] | None = None  # the resident's tags after the import, when it sets any
    tags_given: list[Tag] | None = None  # the tags column, replacing
    tags_yes: set[int] = field(default_factory=set)
    tags_no: set[int] = field(default_factory=set)
    existing: Resident | None = None
    action: str = CREATE
    changes: dict[str, list] = field(default_factory=dict)


@dataclass
class Plan:
    mapping: Mapping = field(default_factory=Mapping)
    rows: int = 0
    households: dict[str, HouseholdPlan] = field(default_factory=dict)
    residents: list[ResidentPlan] = field(default_factory=list)
    buildings: dict[str, Building] = field(default_factory=dict)
    units: dict[tuple[str, str], Unit] = field(default_factory=dict)
    buildings_to_create: set[str] = field(default_factory=set)
    units_to_create: set[tuple[str, str]] = field(default_factory=set)
    errors: list[RowError] = field(default_factory=list)
    notes: list[RowError] = field(default_factory=list)
    outcomes: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    multi_sheet: bool = False
    valid_only: bool = False  # import the rows without errors, keep the rest for later

    def ref(self, sheet: str, row: int) -> str:
        return f"{sheet}!{row}" if self.multi_sheet else str(row)

    def error(self, where: tuple[str, int], key: str, code: str, /, **params) -> None:
        self.errors.append(RowError(where[1], self.mapping.header_label(key), code, params,
                                    where[0] if self.multi_sheet else ""))  # fmt: skip

    def note(self, where: tuple[str, int], key: str, code: str, /, **params) -> None:
        self.notes.append(RowError(where[1], self.mapping.header_label(key), code, params,
                                   where[0] if self.multi_sheet else ""))  # fmt: skip

    def error_rows(self) -> set[tuple[str, int]]:
        return {(e.sheet, e.row) for e in self.errors}

    def blocking(self) -> bool:
        """Errors that stop the import as chosen: any error, or with "valid rows only" one
        the whole file has (a missing column)."""
        if not self.valid_only:
            return bool(self.errors)
        return any(e.code in ("missing_column", "no_header", "duplicate_column")
                   for e in self.errors)  # fmt: skip

    def counts(self) -> dict[str, Any]:
        def tally(items) -> dict[str, int]:
            c = {CREATE: 0, UPDATE: 0, UNCHANGED: 0}
            for i in items:
                c[i.action] += 1
            return {"created": c[CREATE], "updated": c[UPDATE], "unchanged": c[UNCHANGED]}

        skip = self.skipped_rows()
        return {
            "rows": self.rows,
            "households": tally(h for h in self.households.values() if not h.rows <= skip),
            "residents": tally(r for r in self.residents if (r.sheet, r.row) not in skip),
            "buildings_created": len(self.buildings_to_create),
            "units_created": len(self.units_to_create),
            "error_rows": len(self.error_rows()),
        }

    def skipped_rows(self) -> set[tuple[str, int]]:
        return self.error_rows() if self.valid_only else set()

    def summary(self) -> dict[str, Any]:
        rows = sorted(self.outcomes.values(), key=lambda o: (o["sheet"], o["row"]))
        errs = self.error_rows()
        for o in rows:
            if (o["sheet"] if self.multi_sheet else "", o["row"]) in errs:
                o["action"] = ERROR
        return {
            "counts": self.counts(),
            "mapping": self.mapping.as_json(),
            "ignored_columns": self.mapping.ignored,
            "buildings_to_create": sorted(self.buildings_to_create),
            "units_to_create": sorted("-".join(u) for u in self.units_to_create),
            "error_count": len(self.errors),
            "errors": [e.as_json() for e in self.errors[:MAX_STORED_ERRORS]],
            "notes": [e.as_json() for e in self.notes[:MAX_STORED_ERRORS]],
            "rows": rows[:MAX_STORED_ROWS],
            "multi_sheet": self.multi_sheet,
            "valid_only": self.valid_only,
        }


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def build_plan(
    *,
    actor,
    community: Community,
    mapping: Mapping,
    records: list[Record],
    valid_only: bool = False,
    may_structure: bool | None = None,
) -> Plan:
    """Parse and validate every row and compare it with the registry. Saves nothing."""
    plan = Plan(mapping=mapping, rows=len(records), valid_only=valid_only)
    plan.multi_sheet = len(mapping.sheets) > 1
    first = (mapping.sheets[0] if mapping.sheets else "", 1)
    if mapping.sheets:
        first = (mapping.sheets[0], mapping.header_rows.get(mapping.sheets[0]) or 1)
    for sheet, label in mapping.duplicates:
        plan.errors.append(RowError(mapping.header_rows.get(sheet) or 1, label,
                                    "duplicate_column", {}, sheet if plan.multi_sheet else ""))  # fmt: skip
    place = mapping.fields.keys()
    if "address" not in place:
        for key in ("building", "room"):
            if key not in place:
                plan.error(first, key, "missing_column")
    if "name" not in place:
        plan.error(first, "name", "missing_column")
    if plan.errors:
        return plan  # without its key columns no row can be read meaningfully

    plan.buildings = {b.number: b for b in Building.objects.filter(community=community)}
    plan.units = {
        (u.building.number, u.number): u
        for u in Unit.objects.filter(community=community).select_related("building")
    }
    if may_structure is None:
        may_structure = policy.can(actor, "registry.structure", community)
    needs_tags = "tags" in place or any(k.startswith(TAG_PREFIX) for k in place)
    tags_by_word = V.tag_map(community) if needs_tags else {}
    tags_by_code = {t.code: t for t in tags_by_word.values()}
    pending: list[tuple[ResidentPlan, str]] = []  # with the resident's ID digest

    for rec in records:
        where = (rec.sheet, rec.row)
        parsed, failed = _parse_record(plan, rec, tags_by_word, tags_by_code)
        plan.outcomes[where] = {"sheet": rec.sheet, "row": rec.row, "label": "",
                                "name": parsed.get("name", ""), "action": ERROR, "changes": {}}  # fmt: skip
        if failed & HOUSEHOLD_CELLS:
            continue
        # A household is still checked when only its resident's cells are wrong: more errors
        # are found in one pass (a room's conflicting areas, say).
        hp = _add_household(plan, where, parsed, may_structure)
        if hp is None:
            continue
        hp.rows.add((rec.sheet if plan.multi_sheet else "", rec.row))
        plan.outcomes[where]["label"] = hp.label
        if failed or not parsed.get("name"):
            if not parsed.get("name"):
                plan.outcomes[where] = _outcome(rec, hp.label, "", None)
            continue
        rp = ResidentPlan(
            row=rec.row,
            sheet=rec.sheet if plan.multi_sheet else "",
            label=hp.label,
            name=parsed["name"],
            values={k: parsed[k] for k in (*RESIDENT_KEYS, "birth_month_only") if k in parsed},
            id_number=parsed.get("id_number", ""),
            tags_given=parsed.get("tags"),
            tags_yes=parsed.get("_tags_yes", set()),
            tags_no=parsed.get("_tags_no", set()),
        )
        pending.append((rp, personal.blind_index(rp.id_number) if rp.id_number else ""))

    _check_rooms(plan, community)
    _compare_households(plan, community)
    for out in plan.outcomes.values():  # rows registering only a household
        hp = plan.households.get(out["label"])
        if hp is not None and not out["name"] and out["row"] == hp.row:
            out["action"] = hp.action
            if hp.existing is not None:
                out["changes"] = {
                    k: [_display(k, getattr(hp.existing, k)), _display(k, v)]
                    for k, v in hp.values.items()
                    if getattr(hp.existing, k) != v
                }
    _compare_residents(plan, community, pending, records)
    _check_heads(plan)
    plan.errors.sort(key=lambda e: (e.sheet, e.row))
    return plan


def _outcome(rec: Record, label: str, name: str, rp: ResidentPlan | None) -> dict[str, Any]:
    return {"sheet": rec.sheet, "row": rec.row, "label": label, "name": name,
            "action": rp.action if rp else UNCHANGED, "changes": {}}  # fmt: skip


def _parse_record(plan: Plan, rec: Record, tags_by_word, tags_by_code) -> tuple[dict, set]:
    where = (rec.sheet, rec.row)
    parsed: dict[str, Any] = {}
    failed: set[str] = set()  # keys of the cells with errors
    room_unit = ""
    for key, raw in rec.cells.items():
        if blank(raw):
            continue
        try:
            if key == "building":
                parsed["building"] = V.building(raw)
            elif key == "unit":
                parsed["unit"] = V.unit(raw)
            elif key == "room":
                room_unit, parsed["room"] = V.room(raw)
            elif key == "address":
                b, u, r = V.address(raw)
                parsed.setdefault("_address", (b, u, r))
            elif key == "floor_area":
                parsed[key] = V.decimal(raw)
            elif key in ("occupancy", "gender", "relation", "tenure"):
                parsed[key] = V.choice(key, raw)
            elif key in ("name", "guardian_name"):
                parsed[key] = V.name(raw)
            elif key == "other_phone" or key == "guardian_phone":
                if V.masked(raw):
                    continue
                numbers = V.phones(raw)
                if numbers:
                    parsed[key] = numbers[0]
            elif key == "birth_date":
                parsed["birth_date"], parsed["birth_month_only"] = V.birth_date(raw)
            elif key == "phone":
                if V.masked(raw):
                    continue
                numbers = V.phones(raw)
                if numbers:
                    parsed["phone"] = numbers[0]
                if len(numbers) > 1:
                    parsed["other_phone"] = numbers[1]
                    shown = [personal.mask_phone(n) for n in numbers[:2]]
                    plan.note(where, key, "second_phone", first=shown[0], second=shown[1])
            elif key == "id_number":
                if V.masked(raw):
                    continue
                parsed[key] = V.id_number(raw)
            elif key == "tags":
                parsed[key] = V.tags(raw, tags_by_word)
            elif key.startswith(TAG_PREFIX):
                tag = tags_by_code.get(key.removeprefix(TAG_PREFIX))
                yes = V.yes_no(raw)
                if tag is not None and yes is not None:
                    parsed.setdefault("_tags_yes" if yes else "_tags_no", set()).add(tag.pk)
        except V.Skip:
            continue
        except V.CellError as e:
            if e.code == "formula":
                e.params["cell"] = cell_name(rec.columns.get(key, 0), rec.row)
            plan.error(where, key, e.code, **e.params)
            failed.add(key)
    if "_address" in parsed:
        b, u, r = parsed.pop("_address")
        parsed.setdefault("building", b)
        if "room" not in parsed:
            parsed["room"] = r
            room_unit = room_unit or u
    if room_unit:
        if parsed.get("unit") and parsed["unit"] != room_unit:
            plan.error(where, "room", "unit_conflict", room_unit=room_unit, unit=parsed["unit"])
            failed.add("room")
        parsed["unit"] = room_unit
    for key in ("building", "room"):
        if key not in parsed and not ({key, "address"} & failed):
            src = key if key in plan.mapping.fields else "address"
            plan.error(where, src, "required")
            failed.add(key)
    if "name" not in parsed and "name" not in failed and PERSON_KEYS & parsed.keys():
        plan.error(where, "name", "no_name")
        failed.add("name")
    if parsed.get("birth_date") and parsed.get("id_number"):
        from_id = personal.birth_date_from_id(parsed["id_number"])
        given = parsed["birth_date"]
        if parsed.get("birth_month_only"):
            same = (from_id.year, from_id.month) == (given.year, given.month)
        else:
            same = from_id == given
        if not same:
            plan.error(where, "birth_date", "id_birth_mismatch")
            failed.add("birth_date")
        else:  # the ID number knows the day
            parsed["birth_date"], parsed["birth_month_only"] = from_id, False
    elif parsed.get("birth_month_only"):
        plan.note(where, "birth_date", "month_only", month=parsed["birth_date"].strftime("%Y-%m"))
    return parsed, failed


def _add_household(
    plan: Plan, where: tuple[str, int], parsed: dict, may_structure: bool
) -> HouseholdPlan | None:
    b, u, room = parsed["building"], parsed.get("unit", ""), parsed["room"]
    if b not in plan.buildings:
        if not may_structure:
            plan.error(where, "building", "unknown_building", number=b)
            return None
        plan.buildings_to_create.add(b)
    if u and (b, u) not in plan.units:
        if not may_structure:
            plan.error(where, "unit", "unknown_unit", number=u, building=b)
            return None
        plan.units_to_create.add((b, u))
    label = Household.make_label(b, u or None, room)
    hp = plan.households.get(label)
    if hp is None:
        hp = plan.households[label] = HouseholdPlan(label, b, u, room, where[1], where[0])
    conflict = False
    for key, code in (("floor_area", "area_conflict"), ("occupancy", "occupancy_conflict")):
        if key not in parsed:
            continue
        if key in hp.values and hp.values[key] != parsed[key]:
            plan.error(where, key, code, row=hp.value_rows[key])
            conflict = True
        elif key not in hp.values:
            hp.values[key], hp.value_rows[key] = parsed[key], where[1]
    return None if conflict else hp


def _check_rooms(plan: Plan, community: Community) -> None:
    """A room read without its unit where the building has that room in several units: the
    unit column is missing or unmapped, and the flats would merge."""
    units_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    buildings = [b.pk for n, b in plan.buildings.items() if any(
        hp.building == n and not hp.unit for hp in plan.households.values())]  # fmt: skip
    for chunk in _chunks(buildings):
        for b, u, r in Household.objects.filter(
            community=community, building_id__in=chunk, unit__isnull=False
        ).values_list("building__number", "unit__number", "room"):
            units_of[(b, r)].add(u)
    for hp in plan.households.values():
        if hp.unit:
            units_of[(hp.building, hp.room)].add(hp.unit)
    for label, hp in list(plan.households.items()):
        units = units_of.get((hp.building, hp.room))
        if not hp.unit and units:
            for sheet, row in sorted(hp.rows):
                plan.error((sheet, row), "unit" if "unit" in plan.mapping.fields else "room",
                           "ambiguous_room", building=hp.building, room=hp.room,
                           units="、".join(sorted(units)))  # fmt: skip
            del plan.households[label]


def _compare_households(plan: Plan, community: Community) -> None:
    labels = list(plan.households)
    existing: dict[str, Household] = {}
    for chunk in _chunks(labels):
        for hh in Household.objects.filter(community=community, label__in=chunk):
            existing[hh.label] = hh
    for label, hp in plan.households.items():
        hh = existing.get(label)
        if hh is None:
            continue
        hp.existing = hp.household = hh
        changed = any(getattr(hh, k) != v for k, v in hp.values.items())
        hp.action = UPDATE if changed else UNCHANGED


def _display(key: str, v: Any) -> Any:
    if key in ("phone", "guardian_phone", "other_phone"):
        return personal.mask_phone(v) if v else ""
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v) if v is not None else ""


def _compare_residents(
    plan: Plan, community: Community, pending: list[tuple[ResidentPlan, str]], records
) -> None:
    hh_ids = [hp.existing.pk for hp in plan.households.values() if hp.existing]
    by_household: dict[int, list[Resident]] = defaultdict(list)
    tag_ids: dict[int, set[int]] = defaultdict(set)
    for chunk in _chunks(hh_ids):
        for r in Resident.objects.filter(community=community, household_id__in=chunk):
            by_household[r.household_id].append(r)
        for rid, tid in ResidentTag.objects.filter(resident__household_id__in=chunk).values_list(
            "resident_id", "tag_id"
        ):
            tag_ids[rid].add(tid)
    # The same ID number anywhere in the community: is this the same person?
    digests = [d for _rp, d in pending if d]
    elsewhere: dict[str, Resident] = {}
    for chunk in _chunks(digests):
        for r in Resident.objects.filter(
            community=community, id_number_digest__in=chunk
        ).select_related("household"):
            elsewhere.setdefault(r.id_number_digest, r)
    tags_all = {t.pk: t for t in Tag.objects.all()} if any(
        rp.tags_yes or rp.tags_no or rp.tags_given for rp, _d in pending) else {}  # fmt: skip

    seen_keys: dict[tuple, int] = {}
    seen_ids: dict[str, int] = {}
    matched: dict[int, int] = {}  # existing resident pk → row
    by_where = {(r.sheet if plan.multi_sheet else "", r.row): r for r in records}
    for rp, digest in pending:
        where = (rp.sheet, rp.row)
        rec = by_where[where]
        hp = plan.households.get(rp.label)
        if hp is None:  # dropped by a room check
            continue
        key = (rp.label, "id", digest) if digest else (rp.label, "name", rp.name)
        if key in seen_keys:
            plan.error(where, "name", "duplicate_person", row=seen_keys[key])
            continue
        if digest and digest in seen_ids:
            plan.error(where, "id_number", "duplicate_id", row=seen_ids[digest])
            continue
        seen_keys[key] = rp.row
        if digest:
            seen_ids[digest] = rp.row
        other = elsewhere.get(digest) if digest else None
        if other is not None and other.household.label != rp.label:
            plan.error(where, "id_number", "same_id_elsewhere", name=other.name,
                       label=other.household.label)  # fmt: skip
            continue

        candidates = by_household.get(hp.existing.pk, []) if hp.existing else []
        r = next((c for c in candidates if digest and c.id_number_digest == digest), None)
        if r is None:
            same = [c for c in candidates if c.name == rp.name]
            if digest and any(c.id_number_digest and c.id_number_digest != digest for c in same):
                plan.error(where, "id_number", "same_name_other_id", name=rp.name,
                           label=rp.label)  # fmt: skip
                continue
            # By name; with an ID number given, only someone recorded without one.
            same = [c for c in same if not (digest and c.id_number_digest)]
            if len(same) > 1:
                plan.error(where, "name", "ambiguous_name", label=rp.label, name=rp.name)
                continue
            r = same[0] if same else None
        before_tags = tag_ids[r.pk] if r is not None else set()
        if rp.tags_given is not None or rp.tags_yes or rp.tags_no:
            after = {t.pk for t in rp.tags_given} if rp.tags_given is not None else set(
                before_tags)  # fmt: skip
            after = (after | rp.tags_yes) - rp.tags_no
            order = [t.pk for t in rp.tags_given or []]
            rp.tags = [tags_all[i] for i in sorted(after, key=lambda i: (
                order.index(i) if i in order else len(order), i))]  # fmt: skip
        if r is not None:
            if r.pk in matched:
                plan.error(where, "name", "duplicate_person", row=matched[r.pk])
                continue
            matched[r.pk] = rp.row
            rp.existing = r
            r.household = hp.existing  # saves a query per resident when the services log
            changes: dict[str, list] = {}
            if r.name != rp.name:
                changes["name"] = [r.name, rp.name]
            for k, v in rp.values.items():
                if getattr(r, k) != v:
                    changes[k] = [_display(k, getattr(r, k)), _display(k, v)]
            if digest and digest != r.id_number_digest:
                changes["id_number"] = ["***", "***"]
            if rp.tags is not None and {t.pk for t in rp.tags} != before_tags:
                changes["tags"] = [
                    "、".join(sorted(tags_all[i].name for i in before_tags if i in tags_all)),
                    "、".join(t.name for t in rp.tags),
                ]
            if "birth_date" in changes:  # the date says it
                changes.pop("birth_month_only", None)
            rp.changes = changes
            rp.action = UPDATE if changes else UNCHANGED
        plan.residents.append(rp)
        out = _outcome(rec, rp.label, rp.name, rp)
        out["changes"] = rp.changes
        plan.outcomes[(rec.sheet, rec.row)] = out


def _check_heads(plan: Plan) -> None:
    """Two heads of household in one flat: two flats read as one (18-1-101 and 18-2-101 with
    the unit column unmapped), or a mistake in the sheet."""
    head_row: dict[str, int] = {}
    if "relation" not in plan.mapping.fields:
        return
    for rp in plan.residents:
        if rp.values.get("relation") != Relation.HEAD:
            continue
        if rp.label in head_row:
            plan.error((rp.sheet, rp.row), "relation", "two_heads", row=head_row[rp.label],
                       label=rp.label)  # fmt: skip
        else:
            head_row[rp.label] = rp.row
