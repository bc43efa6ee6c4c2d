"""The counting rule (``linli.deliberation.tally``): boundaries, counting decisions, validation,
and properties checked with hypothesis against an independent Fraction-based oracle."""

import random
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linli.deliberation.tally import (
    MATTERS,
    SUPERMAJORITY_MATTERS,
    Owner,
    TallyInputError,
    Unit,
    count_consultative,
    count_owners,
    count_residents_meeting,
    owners_input,
    parse,
    tally,
)

BOUNDED = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def own(oid, *areas, ballot=None, developer=False):
    """An owner with one unit per area, unit ids derived from the owner id."""
    units = [Unit(f"{oid}-u{j}", Decimal(a)) for j, a in enumerate(areas)]
    return Owner(oid, units, ballot, developer)


def doc(matter="other_major", *owners):
    return {"rule": "owners_joint_decision", "matter": matter, "owners": list(owners)}


def jown(oid, *units, ballot=None, **extra):
    return {
        "id": oid,
        "units": [{"id": u, "area": a} for u, a in units],
        "ballot": ballot,
        **extra,
    }


# --- participation (quorum) at the boundary ------------------------------------------------


def test_participation_exactly_two_thirds_of_area_and_owners_meets_the_quorum():
    r = count_owners(
        [own("a", "100.00", ballot="yes"), own("b", "100.00", ballot="yes"), own("c", "100.00")],
        "other_major",
    )
    assert (r.participating_area, r.total_area) == (Decimal("200.00"), Decimal("300.00"))
    assert (r.participating_owners, r.total_owners) == (2, 3)
    assert r.quorum_met and r.passed and r.outcome == "passed"


def test_area_just_below_two_thirds_is_void_not_failed():
    r = count_owners(
        [own("a", "100.00", ballot="yes"), own("b", "100.00", ballot="yes"), own("c", "100.01")],
        "other_major",
    )
    assert (r.participating_owners, r.total_owners) == (2, 3)  # headcount is met…
    assert not r.quorum_met and not r.passed  # …but 200.00/300.01 < 2/3
    assert r.outcome == "void"
    assert "void" in r.explanation["en"] and "无效" in r.explanation["zh"]


def test_owners_just_below_two_thirds_is_void_even_with_the_area():
    # 5 of 8 owners (< 2/3) hold far more than 2/3 of the area.
    owners = [own(f"o{i}", "100", ballot="yes") for i in range(5)]
    owners += [own(f"n{i}", "1") for i in range(3)]
    r = count_owners(owners, "other_major")
    assert r.participating_area * 3 > r.total_area * 2
    assert (r.participating_owners, r.total_owners) == (5, 8)
    assert r.outcome == "void" and not r.quorum_met


def test_no_owners_at_all_is_void():
    r = count_owners([], "rebuild")
    assert r.outcome == "void" and not r.quorum_met and not r.passed
    assert (r.total_area, r.total_owners) == (Decimal(0), 0)
    assert r.as_json()["total_area"] == "0"


# --- passing at the boundary ---------------------------------------------------------------


@pytest.mark.parametrize("matter", sorted(SUPERMAJORITY_MATTERS))
def test_exactly_three_quarters_passes_a_supermajority_matter(matter):
    owners = [own(x, "100.00", ballot="yes") for x in "abc"] + [own("d", "100.00", ballot="no")]
    r = count_owners(owners, matter)
    assert (r.yes_area, r.participating_area) == (Decimal("300.00"), Decimal("400.00"))
    assert (r.yes_owners, r.participating_owners) == (3, 4)
    assert r.passed and r.outcome == "passed"
    assert "3/4" in r.explanation["zh"] and "3/4" in r.explanation["en"]


def test_just_below_three_quarters_of_area_fails_rebuild():
    owners = [own("a", "100.00", ballot="yes"), own("b", "100.00", ballot="yes")]
    owners += [own("c", "99.99", ballot="yes"), own("d", "100.00", ballot="no")]
    r = count_owners(owners, "rebuild")  # 299.99 / 399.99 < 3/4, owners 3/4
    assert r.quorum_met and not r.passed and r.outcome == "failed"


def test_just_below_three_quarters_of_owners_fails_rebuild():
    owners = [own(x, "1000", ballot="yes") for x in "ab"] + [own("c", "1", ballot="no")]
    r = count_owners(owners, "rebuild")  # area ≈ 99.95 %, owners 2/3 < 3/4
    assert r.quorum_met and not r.passed


@pytest.mark.parametrize("matter", sorted(set(MATTERS) - SUPERMAJORITY_MATTERS))
def test_exactly_half_fails_an_ordinary_matter(matter):
    r = count_owners([own("a", "100.00", ballot="yes"), own("b", "100.00", ballot="no")], matter)
    assert r.quorum_met and not r.passed and r.outcome == "failed"
    assert "过半数" in r.explanation["zh"] and "more than half" in r.explanation["en"]


def test_exactly_half_of_the_area_fails_even_with_most_owners():
    owners = [own("a", "100.00", ballot="yes"), own("b", "50.00", ballot="yes")]
    owners.append(own("c", "150.00", ballot="no"))
    assert not count_owners(owners, "other_major").passed  # 150/300 area


def test_just_over_half_passes_an_ordinary_matter():
    owners = [own("a", "100.00", ballot="yes"), own("b", "50.00", ballot="yes")]
    owners.append(own("c", "149.99", ballot="no"))
    r = count_owners(owners, "use_maintenance_fund")  # 150.00/299.99, 2/3 owners
    assert r.passed and r.outcome == "passed"


def test_using_the_fund_needs_only_more_than_half_not_three_quarters():
    owners = [own(x, "100", ballot="yes") for x in "abc"] + [
        own(x, "100", ballot="no") for x in "de"
    ]
    assert count_owners(owners, "use_maintenance_fund").passed  # 3/5
    assert not count_owners(owners, "raise_maintenance_fund").passed


# --- counting decisions --------------------------------------------------------------------


def test_an_owner_of_several_units_counts_once_with_all_the_area():
    r = count_owners(
        [own("a", "50.25", "60.25", "70.00", ballot="yes"), own("b", "80.00", ballot="no")],
        "other_major",
    )
    assert (r.total_owners, r.participating_owners, r.yes_owners) == (2, 2, 1)
    assert r.total_area == Decimal("260.50") and r.yes_area == Decimal("180.50")
    assert not r.passed  # 1 of 2 owners is exactly half


def test_developer_units_together_count_as_one_person():
    owners = [own(f"dev{i}", "90.00", developer=True) for i in range(4)]
    owners += [own("a", "80.00", ballot="yes"), own("b", "80.00", ballot="yes")]
    r = count_owners(owners, "other_major")
    assert r.total_owners == 3 and r.total_area == Decimal("520.00")
    assert r.participating_owners == 2 and r.participating_area == Decimal("160.00")
    assert r.outcome == "void"  # the silent developer holds most of the area


def test_one_developer_ballot_carries_all_developer_units():
    owners = [own("dev1", "90.00", ballot="no", developer=True)]
    owners += [own(f"dev{i}", "90.00", developer=True) for i in range(2, 5)]
    owners += [own("a", "80.00", ballot="yes"), own("b", "80.00", ballot="yes")]
    r = count_owners(owners, "other_major")
    assert (r.total_owners, r.participating_owners, r.yes_owners) == (3, 3, 2)
    assert r.participating_area == Decimal("520.00") and r.yes_area == Decimal("160.00")
    assert r.quorum_met and not r.passed  # 160/520 of the area


def test_developer_yes_counts_its_whole_area_once():
    owners = [
        own("dev1", "90.00", developer=True),
        own("dev2", "10.00", ballot="yes", developer=True),
    ]
    owners += [own("a", "50.00", ballot="no")]
    r = count_owners(owners, "other_major")
    assert (r.total_owners, r.yes_owners) == (2, 1)
    assert r.yes_area == Decimal("100.00") and r.participating_area == Decimal("150.00")


def test_developer_entries_with_different_ballots_are_refused():
    owners = [own("dev1", "90", ballot="yes", developer=True)]
    owners += [own("dev2", "90", developer=True), own("dev3", "90", ballot="no", developer=True)]
    with pytest.raises(TallyInputError) as e:
        count_owners(owners, "rebuild")
    assert e.value.path == "owners[2].ballot"


def test_an_abstention_participates_but_is_not_yes():
    r = count_owners(
        [own("a", "100", ballot="yes"), own("b", "100", ballot="abstain"), own("c", "100")],
        "other_major",
    )
    assert (r.participating_owners, r.yes_owners) == (2, 1)
    assert r.participating_area == Decimal("200") and r.yes_area == Decimal("100")
    assert r.quorum_met and not r.passed  # 1 of 2 participating: exactly half


def test_an_abstention_can_make_a_void_vote_valid():
    before = [own("a", "100", ballot="yes"), own("b", "100", ballot="yes")]
    before += [own("c", "100"), own("d", "100")]
    assert count_owners(before, "other_major").outcome == "void"  # 2 of 4 take part
    after = [*before[:3], own("d", "100", ballot="abstain")]
    assert count_owners(after, "other_major").outcome == "passed"  # 3 of 4, 2 of 3 yes


def test_areas_keep_the_input_scale():
    r = count_owners([own("a", "75.5", ballot="yes"), own("b", "80.25", ballot="yes")], "rebuild")
    j = r.as_json()
    assert j["total_area"] == "155.75" and j["yes_area"] == "155.75"
    assert j["participating_area"] == "155.75"
    r = count_owners([own("a", "75.50", ballot="yes"), own("b", "80.00")], "rebuild")
    assert r.as_json()["yes_area"] == "75.50" and r.as_json()["total_area"] == "155.50"


def test_the_output_has_exactly_the_documented_fields():
    j = tally(doc("rebuild", jown("a", ("1", "75.50"), ballot="yes")))
    assert set(j.as_json()) == {
        "rule",
        "matter",
        "outcome",
        "quorum_met",
        "passed",
        "participating_area",
        "total_area",
        "participating_owners",
        "total_owners",
        "yes_area",
        "yes_owners",
        "explanation",
    }
    out = j.as_json()
    assert isinstance(out["total_owners"], int) and isinstance(out["total_area"], str)
    assert set(out["explanation"]) == {"zh", "en"}
    assert "2/3" in out["explanation"]["zh"] and "民法典" in out["explanation"]["zh"]


def test_export_round_trips_through_the_json_form():
    owners = [own("a", "75.50", "20.10", ballot="yes"), own("d", "90.00", developer=True)]
    owners.append(own("b", "80.00", ballot="abstain"))
    assert tally(owners_input("rebuild", owners)) == count_owners(owners, "rebuild")


# --- residents' meeting and consultative poll ----------------------------------------------


def test_residents_meeting_needs_more_than_half_present_and_more_than_half_yes():
    assert count_residents_meeting(10, 5, 5).outcome == "void"  # exactly half present
    assert count_residents_meeting(10, 6, 3).outcome == "failed"  # exactly half yes
    r = count_residents_meeting(812, 430, 220)
    assert r.outcome == "passed" and r.quorum_met and r.passed
    j = r.as_json()
    assert (j["total_owners"], j["participating_owners"], j["yes_owners"]) == (812, 430, 220)
    assert j["total_area"] == j["participating_area"] == j["yes_area"] == "0"
    assert j["rule"] == "residents_meeting" and j["matter"] is None
    assert "居民委员会组织法" in j["explanation"]["zh"]


def test_residents_meeting_with_nobody_eligible_is_void():
    assert count_residents_meeting(0, 0, 0).outcome == "void"


def test_consultative_poll_has_no_quorum_and_no_legal_effect():
    r = count_consultative(812, 10, 6)
    assert r.quorum_met and r.passed and r.outcome == "passed"
    assert "no legal effect" in r.explanation["en"] and "不具有法律效力" in r.explanation["zh"]
    assert count_consultative(812, 10, 5).outcome == "failed"
    assert count_consultative(812, 0, 0).outcome == "void"


# --- validation ----------------------------------------------------------------------------


def _error(data):
    with pytest.raises(TallyInputError) as e:
        parse(data)
    return e.value.path, e.value.message


OK_OWNER = jown("a", ("1-1-101", "75.50"), ballot="yes")


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ([], "(root)"),
        ({"rule": "plebiscite"}, "rule"),
        ({}, "rule"),
        ({"rule": "owners_joint_decision", "owners": []}, "matter"),
        ({"rule": "owners_joint_decision", "matter": "party", "owners": []}, "matter"),
        ({"rule": "owners_joint_decision", "matter": "rebuild"}, "owners"),
        ({"rule": "owners_joint_decision", "matter": "rebuild", "owners": {}}, "owners"),
        (doc("rebuild", OK_OWNER) | {"present": 3}, "present"),
        (doc("rebuild", OK_OWNER, "x"), "owners[1]"),
        (doc("rebuild", OK_OWNER, jown("b", ("2", "-1.00"))), "owners[1].units[0].area"),
        (doc("rebuild", OK_OWNER, jown("b", ("2", "0.00"))), "owners[1].units[0].area"),
        (doc("rebuild", OK_OWNER, jown("b", ("2", "75,5"))), "owners[1].units[0].area"),
        (doc("rebuild", OK_OWNER, jown("b", ("2", "NaN"))), "owners[1].units[0].area"),
        (doc("rebuild", OK_OWNER, jown("b", ("2", "1e3"))), "owners[1].units[0].area"),
        (doc("rebuild", OK_OWNER, jown("b", ("2", 75.5))), "owners[1].units[0].area"),
        (doc("rebuild", OK_OWNER, jown("b", ("2", True))), "owners[1].units[0].area"),
        (doc("rebuild", OK_OWNER, jown("b", ("2", "1.0000001"))), "owners[1].units[0].area"),
        (doc("rebuild", OK_OWNER, jown("b", ("2", None))), "owners[1].units[0].area"),
        (
            doc("rebuild", OK_OWNER, jown("b", ("2", "5"), ("1-1-101", "5"))),
            "owners[1].units[1].id",
        ),
        (doc("rebuild", jown("b", ("2", "5"), ("2", "5"))), "owners[0].units[1].id"),
        (doc("rebuild", OK_OWNER, jown("b", ("", "5"))), "owners[1].units[0].id"),
        (doc("rebuild", OK_OWNER, jown("b", ("2", "5"), ballot="maybe")), "owners[1].ballot"),
        (doc("rebuild", OK_OWNER, jown("b", ("2", "5"), ballot=1)), "owners[1].ballot"),
        (doc("rebuild", OK_OWNER, jown("a", ("2", "5"))), "owners[1].id"),
        (doc("rebuild", OK_OWNER, jown(7, ("2", "5"))), "owners[1].id"),
        (doc("rebuild", OK_OWNER, jown("b")), "owners[1].units"),
        (
            doc("rebuild", OK_OWNER, {"id": "b", "units": [{"id": "2", "area": "5"}]}),
            "owners[1].ballot",
        ),
        (
            doc("rebuild", OK_OWNER, {"id": "b", "units": [{"id": "2"}], "ballot": None}),
            "owners[1].units[0].area",
        ),
        (doc("rebuild", OK_OWNER, jown("b", ("2", "5"), developer="yes")), "owners[1].developer"),
        ({"rule": "residents_meeting", "eligible": 10, "present": 11, "yes": 1}, "present"),
        ({"rule": "residents_meeting", "eligible": 10, "present": 6, "yes": 7}, "yes"),
        ({"rule": "residents_meeting", "eligible": 10.5, "present": 6, "yes": 1}, "eligible"),
        ({"rule": "consultative", "eligible": 10, "present": "6", "yes": 1}, "present"),
        ({"rule": "consultative", "eligible": 10, "present": 6, "yes": -1}, "yes"),
        ({"rule": "consultative", "eligible": 10, "present": 6, "yes": True}, "yes"),
        ({"rule": "consultative", "eligible": 10, "present": 6}, "yes"),
        ({"rule": "consultative", "eligible": 10, "present": 6, "yes": Decimal("1.0")}, "yes"),
        (
            {
                "rule": "residents_meeting",
                "matter": "rebuild",
                "eligible": 1,
                "present": 1,
                "yes": 1,
            },
            "matter",
        ),
        (
            {"rule": "residents_meeting", "owners": [], "eligible": 1, "present": 1, "yes": 1},
            "owners",
        ),
    ],
)
def test_invalid_input_names_the_offending_field(data, path):
    got, message = _error(data)
    assert got == path, message
    assert message


def test_a_unit_listed_twice_names_the_second_occurrence():
    data = doc(
        "rebuild",
        jown("a", ("3-2-501", "75.50")),
        jown("b", ("3-2-502", "75.50")),
        jown("c", ("3-2-503", "60"), ("3-2-501", "75.50")),
    )
    path, message = _error(data)
    assert path == "owners[2].units[1].id" and "3-2-501" in message


def test_parse_validates_before_counting_and_ignores_unknown_keys():
    data = doc("rebuild", jown("a", ("1", "10"), ballot="yes", serial="P-0001")) | {"title": "x"}
    rule, count = parse(data)
    assert rule == "owners_joint_decision"
    assert count().passed
    # JSON numbers read as Decimal (as the command reads them) and integers are accepted.
    data = doc("rebuild", jown("a", ("1", Decimal("10.50")), ("2", 3), ballot="yes"))
    assert tally(data).as_json()["total_area"] == "13.50"


def test_count_functions_validate_their_own_input():
    with pytest.raises(TallyInputError) as e:
        count_owners([own("a", "10")], "fireworks")
    assert e.value.path == "matter"
    with pytest.raises(TallyInputError) as e:
        count_owners([Owner("a", [Unit("1", 10.5)])], "rebuild")  # type: ignore[arg-type]
    assert e.value.path == "owners[0].units[0].area"
    with pytest.raises(TallyInputError) as e:
        count_residents_meeting(5, 6, 1)
    assert e.value.path == "present"
    assert str(e.value).startswith("present: ")


# --- properties ----------------------------------------------------------------------------

AREAS = st.decimals(min_value="0.01", max_value="500.00", places=2)
BALLOT = st.sampled_from(["yes", "no", "abstain", None])


@st.composite
def owner_lists(draw, min_size=0):
    n = draw(st.integers(min_value=min_size, max_value=12))
    owners = []
    for i in range(n):
        areas = draw(st.lists(AREAS, min_size=1, max_size=3))
        owners.append(own(f"o{i}", *areas, ballot=draw(BALLOT)))
    if draw(st.booleans()):
        dev_ballot = draw(BALLOT)
        k = draw(st.integers(min_value=1, max_value=4))
        carrier = draw(st.integers(min_value=0, max_value=k - 1))
        for i in range(k):
            areas = draw(st.lists(AREAS, min_size=1, max_size=2))
            b = dev_ballot if i == carrier or draw(st.booleans()) else None
            owners.append(own(f"dev{i}", *areas, ballot=b, developer=True))
    return draw(st.permutations(owners))


MATTER = st.sampled_from(MATTERS)


def oracle(owners, matter):
    """An independent reading of Art. 278 / 1259 with Fractions."""
    people = {}  # person → (area, ballot)
    for o in owners:
        key = "developer" if o.developer else o.id
        area, ballot = people.get(key, (Fraction(0), None))
        people[key] = (area + sum(Fraction(u.area) for u in o.units), ballot or o.ballot)
    total_a = sum((a for a, _ in people.values()), Fraction(0))
    part = [(a, b) for a, b in people.values() if b is not None]
    part_a = sum((a for a, _ in part), Fraction(0))
    yes_a = sum((a for a, b in part if b == "yes"), Fraction(0))
    n, p, y = len(people), len(part), sum(1 for _, b in part if b == "yes")
    quorum = n > 0 and part_a / total_a >= Fraction(2, 3) and Fraction(p, n) >= Fraction(2, 3)
    if not quorum:
        return "void"
    if matter in SUPERMAJORITY_MATTERS:
        ok = yes_a / part_a >= Fraction(3, 4) and Fraction(y, p) >= Fraction(3, 4)
    else:
        ok = yes_a / part_a > Fraction(1, 2) and Fraction(y, p) > Fraction(1, 2)
    return "passed" if ok else "failed"


@BOUNDED
@given(owner_lists(), MATTER)
def test_matches_an_independent_fraction_oracle(owners, matter):
    assert count_owners(owners, matter).outcome == oracle(owners, matter)


@BOUNDED
@given(owner_lists(), MATTER)
def test_invariants(owners, matter):
    r = count_owners(owners, matter)
    assert 0 <= r.yes_area <= r.participating_area <= r.total_area
    assert 0 <= r.yes_owners <= r.participating_owners <= r.total_owners
    assert r.passed == (r.outcome == "passed")
    assert r.quorum_met == (r.outcome != "void")
    if not r.quorum_met:
        assert not r.passed
    assert r.total_owners == len({o.id for o in owners if not o.developer}) + any(
        o.developer for o in owners
    )


@BOUNDED
@given(owner_lists(), MATTER, st.randoms(use_true_random=False))
def test_result_does_not_depend_on_owner_order(owners, matter, rnd: random.Random):
    shuffled = list(owners)
    rnd.shuffle(shuffled)
    assert count_owners(shuffled, matter) == count_owners(owners, matter)


@BOUNDED
@given(owner_lists(), MATTER)
def test_areas_are_exact_sums(owners, matter):
    r = count_owners(owners, matter)
    with localcontext() as ctx:
        ctx.prec = 100
        total = sum((u.area for o in owners for u in o.units), Decimal(0))
    assert r.total_area == total
    if owners:
        assert r.as_json()["total_area"] == format(total.quantize(Decimal("0.01")), "f")


@BOUNDED
@given(owner_lists(min_size=1), MATTER, st.data())
def test_turning_a_no_into_a_yes_never_hurts(owners, matter, data):
    noes = [i for i, o in enumerate(owners) if o.ballot == "no" and not o.developer]
    dev_no = any(o.developer and o.ballot == "no" for o in owners)
    if not noes and not dev_no:
        return
    before = count_owners(owners, matter)
    if noes and (not dev_no or data.draw(st.booleans())):
        i = data.draw(st.sampled_from(noes))
        after_owners = list(owners)
        o = owners[i]
        after_owners[i] = Owner(o.id, o.units, "yes", o.developer)
    else:  # the developer, as one person, changes its ballot on every entry
        after_owners = [
            Owner(o.id, o.units, "yes", True) if o.developer and o.ballot == "no" else o
            for o in owners
        ]
    after = count_owners(after_owners, matter)
    assert after.quorum_met == before.quorum_met
    assert after.participating_area == before.participating_area
    assert after.yes_area >= before.yes_area and after.yes_owners >= before.yes_owners
    if before.passed:
        assert after.passed


@BOUNDED
@given(owner_lists(), MATTER, st.lists(AREAS, min_size=1, max_size=3))
def test_adding_an_abstention_never_makes_a_failed_vote_pass(owners, matter, areas):
    before = count_owners(owners, matter)
    after = count_owners([*owners, own("newcomer", *areas, ballot="abstain")], matter)
    if before.quorum_met:
        assert after.quorum_met  # more participation never loses the quorum
    if before.outcome == "failed":
        assert after.outcome == "failed"
    if before.outcome == "passed":
        assert after.outcome in {"passed", "failed"}


@BOUNDED
@given(owner_lists(min_size=1), MATTER, st.data())
def test_casting_an_abstention_instead_of_not_voting_never_loses_the_quorum(owners, matter, data):
    silent = [i for i, o in enumerate(owners) if o.ballot is None and not o.developer]
    if not silent:
        return
    i = data.draw(st.sampled_from(silent))
    changed = list(owners)
    changed[i] = Owner(owners[i].id, owners[i].units, "abstain", False)
    before, after = count_owners(owners, matter), count_owners(changed, matter)
    assert after.participating_owners == before.participating_owners + 1
    if before.quorum_met:
        assert after.quorum_met
    if before.outcome == "failed":
        assert after.outcome == "failed"


@BOUNDED
@given(
    st.integers(min_value=0, max_value=2000).flatmap(
        lambda e: st.tuples(st.just(e), st.integers(min_value=0, max_value=e)).flatmap(
            lambda ep: st.tuples(
                st.just(ep[0]), st.just(ep[1]), st.integers(min_value=0, max_value=ep[1])
            )
        )
    )
)
def test_residents_meeting_matches_its_rule(counts):
    eligible, present, yes = counts
    r = count_residents_meeting(eligible, present, yes)
    assert r.quorum_met == (Fraction(present) > Fraction(eligible, 2))
    assert r.passed == (r.quorum_met and Fraction(yes) > Fraction(present, 2))
    c = count_consultative(eligible, present, yes)
    assert c.passed == (present > 0 and Fraction(yes) > Fraction(present, 2))
    if present < eligible and r.passed:
        assert count_residents_meeting(eligible, present + 1, yes + 1).passed
