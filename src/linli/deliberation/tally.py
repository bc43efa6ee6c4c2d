"""The one counting rule for votes: pure Python, exact, no database.

Three rules, chosen per vote (``docs/voting.md`` has the plain-words version):

- ``owners_joint_decision`` — Civil Code Art. 278 / 1259. Participation: owners holding
  ≥ 2/3 of the exclusive-part area AND ≥ 2/3 of the owners (else the vote is *void*, not
  *failed*). Passing: ≥ 3/4 of the participating area AND of the participating owners for
  ``raise_maintenance_fund``, ``rebuild`` and ``change_common_use``; more than half of both
  (strict: exactly 1/2 fails) for every other matter.
- ``residents_meeting`` — Organic Law of Urban Residents' Committees Arts. 9–10: quorum more
  than half of the eligible; passing more than half of those present.
- ``consultative`` — a simple majority of those who answered, with no legal effect.

Counting (SPC interpretation on building ownership, 2020, Arts. 8–9): one owner of several
units counts as one person; all developer (unsold) units together count as one person, who
votes once. An abstention takes part but is not a yes; ``None`` is "did not vote".

Areas are ``Decimal``; every sum and comparison is done on integers (areas in units of
10^-scale, where scale is the largest number of decimal places in the input), so nothing is
rounded anywhere. The web app and ``linli tally FILE`` call the same functions:
``count_owners(owners, matter)``, ``count_residents_meeting(eligible, present, yes)``,
``count_consultative(eligible, present, yes)``; ``tally(data)`` takes the JSON form.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

OWNERS = "owners_joint_decision"
RESIDENTS = "residents_meeting"
CONSULTATIVE = "consultative"
RULES = (OWNERS, RESIDENTS, CONSULTATIVE)

#: Civil Code Art. 278 items 1–9, in the article's order.
MATTERS = (
    "procedure_rules",
    "management_compact",
    "owners_committee",
    "property_manager",
    "use_maintenance_fund",
    "raise_maintenance_fund",
    "rebuild",
    "change_common_use",
    "other_major",
)
#: Items 6–8: passing needs ≥ 3/4 instead of more than half.
SUPERMAJORITY_MATTERS = frozenset({"raise_maintenance_fund", "rebuild", "change_common_use"})

BALLOTS = ("yes", "no", "abstain")

VOID, PASSED, FAILED = "void", "passed", "failed"

#: Limits on an area as written: at most this many digits before / after the point.
MAX_INT_DIGITS = 12
MAX_SCALE = 6

MATTER_LABELS = {
    "procedure_rules": (
        "制定和修改业主大会议事规则",
        "adopting or amending the owners' assembly rules of procedure",
    ),
    "management_compact": ("制定和修改管理规约", "adopting or amending the management compact"),
    "owners_committee": (
        "选举业主委员会或者更换业主委员会成员",
        "electing the owners' committee or replacing its members",
    ),
    "property_manager": (
        "选聘和解聘物业服务企业或者其他管理人",
        "hiring or dismissing the property service company or other manager",
    ),
    "use_maintenance_fund": (
        "使用建筑物及其附属设施的维修资金",
        "using the maintenance fund of the buildings and their facilities",
    ),
    "raise_maintenance_fund": (
        "筹集建筑物及其附属设施的维修资金",
        "raising the maintenance fund of the buildings and their facilities",
    ),
    "rebuild": (
        "改建、重建建筑物及其附属设施",
        "rebuilding or reconstructing buildings and facilities",
    ),
    "change_common_use": (
        "改变共有部分的用途或者利用共有部分从事经营活动",
        "changing the use of common parts or using them for business",
    ),
    "other_major": (
        "有关共有和共同管理权利的其他重大事项",
        "another major matter of common ownership and management",
    ),
}


class TallyInputError(ValueError):
    """Invalid input; ``path`` names the offending field, e.g. ``owners[3].units[0].area``."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class Unit:
    id: str
    area: Decimal


@dataclass(frozen=True)
class Owner:
    """One voting person or entity: co-owners of a unit are one entry casting one ballot.

    ``ballot`` is ``"yes"``, ``"no"``, ``"abstain"`` or ``None`` (did not vote). Entries with
    ``developer=True`` are the developer's unsold units: together they are one person; at most
    one distinct ballot may appear among them (entries with ``None`` just add their units).
    """

    id: str
    units: Sequence[Unit]
    ballot: str | None = None
    developer: bool = False


@dataclass(frozen=True)
class Result:
    rule: str
    matter: str | None
    quorum_met: bool
    passed: bool
    outcome: str  # "void" | "passed" | "failed"
    participating_area: Decimal
    total_area: Decimal
    participating_owners: int
    total_owners: int
    yes_area: Decimal
    yes_owners: int
    explanation: dict[str, str]

    def as_json(self) -> dict[str, Any]:
        """The JSON form ``linli tally`` prints (areas as decimal strings, counts as ints)."""
        return {
            "rule": self.rule,
            "matter": self.matter,
            "outcome": self.outcome,
            "quorum_met": self.quorum_met,
            "passed": self.passed,
            "participating_area": _fmt(self.participating_area),
            "total_area": _fmt(self.total_area),
            "participating_owners": self.participating_owners,
            "total_owners": self.total_owners,
            "yes_area": _fmt(self.yes_area),
            "yes_owners": self.yes_owners,
            "explanation": dict(self.explanation),
        }


# --- exact arithmetic helpers -------------------------------------------------------------


def _fmt(d: Decimal) -> str:
    return format(d, "f")


def _scale(d: Decimal) -> int:
    exp = d.as_tuple().exponent
    assert isinstance(exp, int)
    return max(0, -exp)


def _scaled_int(d: Decimal, scale: int) -> int:
    """``d × 10^scale`` as an exact int (``scale`` ≥ the decimal places of ``d``)."""
    sign, digits, exp = d.as_tuple()
    assert isinstance(exp, int)
    n = int("".join(map(str, digits)) or "0")
    shift = exp + scale
    n = n * 10**shift if shift >= 0 else n // 10**-shift
    return -n if sign else n


def _decimal(n: int, scale: int) -> Decimal:
    """The exact Decimal ``n × 10^-scale`` (no context rounding)."""
    sign = 1 if n < 0 else 0
    return Decimal((sign, tuple(int(c) for c in str(abs(n))), -scale))


def _pct(num: int, den: int) -> str:
    """``num/den`` as a percentage with 2 decimals, ``≈`` when rounded (display only)."""
    if den == 0:
        return "—"
    f = Fraction(num * 100, den)
    q = Decimal(round(f * 100)) / 100
    exact = f == Fraction(q)
    return f"{'' if exact else '≈'}{q.normalize():f}%"


# --- validation ----------------------------------------------------------------------------

_AREA_RE = re.compile(r"[+-]?\d+(\.\d+)?")


def _check_area(value: Any, path: str) -> Decimal:
    if isinstance(value, float):
        raise TallyInputError(path, 'must be a decimal string such as "75.50" (not a float)')
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise TallyInputError(path, "must be a finite decimal number")
        text = _fmt(value)
    elif isinstance(value, str):
        text = value
    else:
        raise TallyInputError(path, 'must be a decimal string such as "75.50"')
    if not _AREA_RE.fullmatch(text):
        raise TallyInputError(path, f'{text!r} is not a decimal number such as "75.50"')
    d = Decimal(text)
    if d <= 0:
        raise TallyInputError(path, f"must be positive, got {text}")
    whole, _, frac = text.lstrip("+").partition(".")
    if len(whole.lstrip("0")) > MAX_INT_DIGITS or len(frac) > MAX_SCALE:
        raise TallyInputError(
            path,
            f"at most {MAX_INT_DIGITS} digits before and {MAX_SCALE} after the point, got {text}",
        )
    return d


def _check_id(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TallyInputError(path, "must be a non-empty string")
    return value


def _check_count(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TallyInputError(path, f"must be a whole number, got {value!r}")
    if value < 0:
        raise TallyInputError(path, f"must not be negative, got {value}")
    return value


def _check_matter(matter: Any, path: str = "matter") -> str:
    if matter is None:
        raise TallyInputError(path, f"required for the {OWNERS} rule: one of {', '.join(MATTERS)}")
    if matter not in MATTERS:
        raise TallyInputError(path, f"unknown matter {matter!r}: one of {', '.join(MATTERS)}")
    return matter


def _check_owners(owners: Sequence[Owner]) -> None:
    """Every rule on an owners list; raises at the first offending field."""
    owner_ids: set[str] = set()
    unit_ids: set[str] = set()
    developer_ballot: str | None = None
    for i, owner in enumerate(owners):
        at = f"owners[{i}]"
        _check_id(owner.id, f"{at}.id")
        if owner.id in owner_ids:
            raise TallyInputError(f"{at}.id", f"owner {owner.id!r} is listed twice")
        owner_ids.add(owner.id)
        if not isinstance(owner.developer, bool):
            raise TallyInputError(f"{at}.developer", "must be true or false")
        if owner.ballot is not None and owner.ballot not in BALLOTS:
            raise TallyInputError(
                f"{at}.ballot",
                f'unknown ballot {owner.ballot!r}: "yes", "no", "abstain" or null',
            )
        if owner.developer and owner.ballot is not None:
            if developer_ballot is not None and owner.ballot != developer_ballot:
                raise TallyInputError(
                    f"{at}.ballot",
                    f"the developer's units vote as one person: {owner.ballot!r} "
                    f"contradicts the earlier developer ballot {developer_ballot!r}",
                )
            developer_ballot = owner.ballot
        if not owner.units:
            raise TallyInputError(f"{at}.units", "an owner needs at least one unit")
        for j, unit in enumerate(owner.units):
            uat = f"{at}.units[{j}]"
            _check_id(unit.id, f"{uat}.id")
            if unit.id in unit_ids:
                raise TallyInputError(f"{uat}.id", f"unit {unit.id!r} is listed twice")
            unit_ids.add(unit.id)
            _check_area(unit.area, f"{uat}.area")


def _check_counts(eligible: Any, present: Any, yes: Any) -> tuple[int, int, int]:
    eligible = _check_count(eligible, "eligible")
    present = _check_count(present, "present")
    yes = _check_count(yes, "yes")
    if present > eligible:
        raise TallyInputError("present", f"{present} present is more than {eligible} eligible")
    if yes > present:
        raise TallyInputError("yes", f"{yes} yes is more than {present} present")
    return eligible, present, yes


# --- the rules -----------------------------------------------------------------------------


def count_owners(owners: Sequence[Owner], matter: str) -> Result:
    """Owners' joint decision (Civil Code Art. 278 / 1259) on ``matter`` (one of ``MATTERS``).

    Raises ``TallyInputError`` for invalid input (paths as in the JSON form).
    """
    matter = _check_matter(matter)
    _check_owners(owners)
    scale = max((_scale(Decimal(u.area)) for o in owners for u in o.units), default=0)

    total_area = part_area = yes_area = 0
    total_n = part_n = yes_n = 0
    dev_units = False
    dev_ballot: str | None = None
    for owner in owners:
        area = sum(_scaled_int(Decimal(u.area), scale) for u in owner.units)
        total_area += area
        if owner.ballot is not None:
            part_area += area
            if owner.ballot == "yes":
                yes_area += area
        if owner.developer:
            dev_units = True
            dev_ballot = dev_ballot or owner.ballot
            continue
        total_n += 1
        if owner.ballot is not None:
            part_n += 1
            if owner.ballot == "yes":
                yes_n += 1
    if dev_units:
        # The developer's unsold units are one person; their area participates as a whole
        # once the developer has voted (on any of its entries).
        total_n += 1
        if dev_ballot is not None:
            part_n += 1
            dev_area = sum(
                _scaled_int(Decimal(u.area), scale)
                for o in owners
                if o.developer and o.ballot is None
                for u in o.units
            )
            part_area += dev_area
            if dev_ballot == "yes":
                yes_n += 1
                yes_area += dev_area
                # developer entries that carry "yes" were counted above already

    quorum = (
        total_area > 0
        and total_n > 0
        and 3 * part_area >= 2 * total_area
        and 3 * part_n >= 2 * total_n
    )
    super_ = matter in SUPERMAJORITY_MATTERS
    if super_:
        area_ok = 4 * yes_area >= 3 * part_area
        heads_ok = 4 * yes_n >= 3 * part_n
    else:
        area_ok = 2 * yes_area > part_area
        heads_ok = 2 * yes_n > part_n
    passed = quorum and area_ok and heads_ok
    outcome = VOID if not quorum else PASSED if passed else FAILED

    def d(n: int) -> str:
        return _fmt(_decimal(n, scale))

    zh_matter, en_matter = MATTER_LABELS[matter]
    pzh = "3/4以上" if super_ else "过半数"
    pen = "at least 3/4" if super_ else "more than half"
    area_q = total_area > 0 and 3 * part_area >= 2 * total_area
    heads_q = total_n > 0 and 3 * part_n >= 2 * total_n

    zh = (
        f"业主共同决定（《民法典》第二百七十八条），事项：{zh_matter}。"
        f"参与表决的专有部分面积 {d(part_area)} 平方米，占总面积 {d(total_area)} 平方米的 "
        f"{d(part_area)}/{d(total_area)}（{_pct(part_area, total_area)}，需≥2/3，{ok_zh(area_q)}）；"
        f"参与表决人数 {part_n} 人，占业主总人数 {total_n} 人的 {part_n}/{total_n}"
        f"（{_pct(part_n, total_n)}，需≥2/3，{ok_zh(heads_q)}）。"
    )
    en = (
        f"Owners' joint decision (Civil Code Art. 278), matter: {en_matter}. "
        f"Participating exclusive-part area {d(part_area)} of {d(total_area)} m² "
        f"({d(part_area)}/{d(total_area)}, {_pct(part_area, total_area)}; needs at least 2/3: "
        f"{ok_en(area_q)}); participating owners {part_n} of {total_n} "
        f"({part_n}/{total_n}, {_pct(part_n, total_n)}; needs at least 2/3: {ok_en(heads_q)}). "
    )
    if not quorum:
        zh += "参与表决未达到法定要求，表决无效（不是未通过），不计算是否通过。"
        en += "Participation is below the legal minimum: the vote is void (not failed)."
    else:
        zh += (
            f"同意的专有部分面积 {d(yes_area)} 平方米，占参与表决面积的 {d(yes_area)}/{d(part_area)}"
            f"（{_pct(yes_area, part_area)}，需{pzh}，{ok_zh(area_ok)}）；"
            f"同意人数 {yes_n} 人，占参与表决人数的 {yes_n}/{part_n}"
            f"（{_pct(yes_n, part_n)}，需{pzh}，{ok_zh(heads_ok)}）。"
            + ("表决通过。" if passed else "表决未通过。")
        )
        en += (
            f"Yes: area {d(yes_area)} of the participating {d(part_area)} m² "
            f"({d(yes_area)}/{d(part_area)}, {_pct(yes_area, part_area)}; needs {pen}: "
            f"{ok_en(area_ok)}) and {yes_n} of {part_n} participating owners "
            f"({yes_n}/{part_n}, {_pct(yes_n, part_n)}; needs {pen}: {ok_en(heads_ok)}). "
            + ("The decision passed." if passed else "The decision failed.")
        )
    return Result(
        rule=OWNERS,
        matter=matter,
        quorum_met=quorum,
        passed=passed,
        outcome=outcome,
        participating_area=_decimal(part_area, scale),
        total_area=_decimal(total_area, scale),
        participating_owners=part_n,
        total_owners=total_n,
        yes_area=_decimal(yes_area, scale),
        yes_owners=yes_n,
        explanation={"zh": zh, "en": en},
    )


def _count_result(rule: str, eligible: int, present: int, yes: int, quorum: bool) -> Result:
    majority = 2 * yes > present
    passed = quorum and majority
    return Result(
        rule=rule,
        matter=None,
        quorum_met=quorum,
        passed=passed,
        outcome=VOID if not quorum else PASSED if passed else FAILED,
        participating_area=Decimal(0),
        total_area=Decimal(0),
        participating_owners=present,
        total_owners=eligible,
        yes_area=Decimal(0),
        yes_owners=yes,
        explanation={},
    )


def count_residents_meeting(eligible: int, present: int, yes: int) -> Result:
    """Residents' meeting: quorum present > 1/2 eligible; passing yes > 1/2 present (strict).

    ``eligible``: residents aged 18+, or household representatives, or resident-group
    representatives — whichever the meeting is convened with.
    """
    eligible, present, yes = _check_counts(eligible, present, yes)
    quorum = 2 * present > eligible
    r = _count_result(RESIDENTS, eligible, present, yes, quorum)
    q_zh, q_en = ("已达到", "met") if quorum else ("未达到", "not met")
    p_zh, p_en = ("已达到", "met") if 2 * yes > present else ("未达到", "not met")
    zh = (
        "居民会议（《城市居民委员会组织法》第九条、第十条）："
        f"到会 {present} 人，占应到 {eligible} 人的 {present}/{eligible}"
        f"（{_pct(present, eligible)}，需过半数，{q_zh}）。"
    )
    en = (
        "Residents' meeting (Organic Law of Urban Residents' Committees, Arts. 9–10): "
        f"{present} present of {eligible} eligible ({present}/{eligible}, "
        f"{_pct(present, eligible)}; needs more than half: {q_en}). "
    )
    if not quorum:
        zh += "到会人数未过半数，会议决定无效（不是未通过）。"
        en += "No quorum: the decision is void (not failed)."
    else:
        zh += (
            f"赞成 {yes} 人，占到会人数的 {yes}/{present}（{_pct(yes, present)}，需过半数，{p_zh}）。"
            + ("决定通过。" if r.passed else "决定未通过。")
        )
        en += (
            f"Yes: {yes} of {present} present ({yes}/{present}, {_pct(yes, present)}; "
            f"needs more than half: {p_en}). "
            + ("The decision passed." if r.passed else "The decision failed.")
        )
    return _with_explanation(r, zh, en)


def count_consultative(eligible: int, present: int, yes: int) -> Result:
    """Consultative poll: no quorum, a majority of those who answered; no legal effect.

    ``present`` is the number who answered. With nobody answering the poll is void.
    """
    eligible, present, yes = _check_counts(eligible, present, yes)
    quorum = present > 0
    r = _count_result(CONSULTATIVE, eligible, present, yes, quorum)
    zh = f"协商征询（不具有法律效力，仅供参考）：应答范围 {eligible} 人，回应 {present} 人。"
    en = (
        "Consultative poll (no legal effect, for reference only): "
        f"{present} answered of {eligible} asked. "
    )
    if not quorum:
        zh += "无人回应，征询无结果。"
        en += "Nobody answered: no result."
    else:
        zh += f"赞成 {yes} 人，占回应人数的 {yes}/{present}（{_pct(yes, present)}）：" + (
            "过半数赞成。" if r.passed else "赞成未过半数。"
        )
        en += f"Yes: {yes} of {present} ({yes}/{present}, {_pct(yes, present)}): " + (
            "a majority in favour." if r.passed else "no majority in favour."
        )
    return _with_explanation(r, zh, en)


def ok_zh(b: bool) -> str:
    return "已达到" if b else "未达到"


def ok_en(b: bool) -> str:
    return "met" if b else "not met"


def _with_explanation(r: Result, zh: str, en: str) -> Result:
    return replace(r, explanation={"zh": zh, "en": en})


# --- the JSON form -------------------------------------------------------------------------

_COUNT_FIELDS = ("eligible", "present", "yes")


def _parse_owners(data: dict[str, Any]) -> list[Owner]:
    raw = data.get("owners")
    if raw is None:
        raise TallyInputError("owners", f"required for the {OWNERS} rule (a list, may be empty)")
    if not isinstance(raw, list):
        raise TallyInputError("owners", "must be a list")
    owners = []
    for i, o in enumerate(raw):
        at = f"owners[{i}]"
        if not isinstance(o, dict):
            raise TallyInputError(at, "must be an object")
        for key in ("id", "units", "ballot"):
            if key not in o:
                note = " (null when the owner did not vote)" if key == "ballot" else ""
                raise TallyInputError(f"{at}.{key}", f"required{note}")
        units_raw = o["units"]
        if not isinstance(units_raw, list):
            raise TallyInputError(f"{at}.units", "must be a list")
        units = []
        for j, u in enumerate(units_raw):
            uat = f"{at}.units[{j}]"
            if not isinstance(u, dict):
                raise TallyInputError(uat, "must be an object")
            for key in ("id", "area"):
                if key not in u:
                    raise TallyInputError(f"{uat}.{key}", "required")
            units.append(Unit(id=u["id"], area=_check_area(u["area"], f"{uat}.area")))
        ballot = o["ballot"]
        if ballot is not None and not isinstance(ballot, str):
            raise TallyInputError(
                f"{at}.ballot", f'unknown ballot {ballot!r}: "yes", "no", "abstain" or null'
            )
        owners.append(
            Owner(id=o["id"], units=units, ballot=ballot, developer=o.get("developer", False))
        )
    _check_owners(owners)
    return owners


def parse(data: Any) -> tuple[str, Callable[[], Result]]:
    """Validate the JSON form; return the rule and a callable that counts it.

    All validation happens here: the callable does not raise ``TallyInputError``.
    Unknown keys are ignored (an export may carry serial numbers, titles…), but fields of
    another rule are refused, so a wrong ``rule`` is noticed.
    """
    if not isinstance(data, dict):
        raise TallyInputError("(root)", "must be a JSON object")
    rule = data.get("rule")
    if rule not in RULES:
        raise TallyInputError("rule", f"unknown rule {rule!r}: one of {', '.join(RULES)}")
    if rule == OWNERS:
        matter = _check_matter(data.get("matter"))
        for key in _COUNT_FIELDS:
            if key in data:
                raise TallyInputError(key, f"not used by the {OWNERS} rule (give owners)")
        owners = _parse_owners(data)
        return rule, lambda: count_owners(owners, matter)
    if data.get("matter") is not None:
        raise TallyInputError("matter", f"only for the {OWNERS} rule")
    if "owners" in data:
        raise TallyInputError(
            "owners", f"not used by the {rule} rule (give eligible, present, yes)"
        )
    for key in _COUNT_FIELDS:
        if key not in data:
            raise TallyInputError(key, f"required for the {rule} rule")
    counts = _check_counts(*(data[k] for k in _COUNT_FIELDS))
    fn = count_residents_meeting if rule == RESIDENTS else count_consultative
    return rule, lambda: fn(*counts)


def tally(data: Any) -> Result:
    """Count a vote given in the JSON form (see ``docs/voting.md``)."""
    return parse(data)[1]()


def owners_input(matter: str, owners: Sequence[Owner]) -> dict[str, Any]:
    """The JSON form of an owners' vote, for export: ``tally(owners_input(m, o))`` equals
    ``count_owners(o, m)``."""
    return {
        "rule": OWNERS,
        "matter": matter,
        "owners": [
            {
                "id": o.id,
                "developer": o.developer,
                "units": [{"id": u.id, "area": _fmt(Decimal(u.area))} for u in o.units],
                "ballot": o.ballot,
            }
            for o in owners
        ],
    }


def counts_input(rule: str, eligible: int, present: int, yes: int) -> dict[str, Any]:
    """The JSON form of a residents' meeting or consultative vote, for export."""
    return {"rule": rule, "eligible": eligible, "present": present, "yes": yes}
