"""Votes, through their services: the frozen electorate, the ballot rules, the window, the
count (the same as ``linli tally`` on the export), void / failed / passed, publication."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from linli.core.errors import DomainError
from linli.core.models import Notification
from linli.deliberation.models import ActionItem, Ballot, Vote, Voter, VoteStatus
from linli.deliberation.queries import votes as vote_queries
from linli.deliberation.services import ballots as ballot_svc
from linli.deliberation.services import vote_results as result_svc
from linli.deliberation.services import votes as sv
from linli.registry.models import Household
from tests.factories import grant, make_household, make_resident, make_user


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read messages by their English wording (Chinese is the default)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


T0 = timezone.make_aware(dt.datetime(2026, 5, 1, 9, 0))
OPENS = T0 + dt.timedelta(days=16)
CLOSES = T0 + dt.timedelta(days=20)
SECOND = dt.timedelta(seconds=1)


# --- steps shared with test_vote_pages ------------------------------------------------------


class Clock:
    """Moves the votes' clock (``services.votes._now``)."""

    def __init__(self, monkeypatch, at=T0):
        self.at = at
        monkeypatch.setattr(sv, "_now", lambda: self.at)

    def set(self, at):
        self.at = at


def prepare(dw, *, rule="owners_joint_decision", matter="other_major", buildings=(), **kw):
    return sv.vote_create(
        actor=dw.staff,
        topic=dw.topic,
        title=kw.pop("title", "加装电梯表决"),
        question=kw.pop("question", "是否同意在3号楼加装电梯？"),
        rule=rule,
        matter=matter,
        buildings=buildings,
        opens_at=kw.pop("opens_at", OPENS),
        closes_at=kw.pop("closes_at", CLOSES),
        **kw,
    )


def announce(dw, clock, **kw):
    clock.set(T0)
    return sv.vote_notice(actor=dw.staff, vote=prepare(dw, **kw))


def open_vote(dw, clock, **kw):
    vote = announce(dw, clock, **kw)
    clock.set(vote.opens_at)
    return sv.vote_open(actor=dw.staff, vote=vote)


def close(dw, clock, vote):
    clock.set(vote.closes_at)
    return result_svc.vote_close(actor=dw.staff, vote=vote)


def paper(dw, vote, flat, choice, serial, **kw):
    return ballot_svc.ballot_enter(
        actor=dw.staff,
        vote=vote,
        flat=flat,
        choice=choice,
        method="paper",
        paper_serial=serial,
        **kw,
    )


def tally_cli(data: dict) -> dict:
    """Run ``linli tally`` on ``data`` as a file, as an auditor would."""
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)
    out = io.StringIO()
    call_command("tally", f.name, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def voters_by_flats(vote):
    return {tuple(u["id"] for u in v.units): v for v in Voter.objects.filter(vote=vote)}


# --- the electorate, frozen at opening -------------------------------------------------------


def test_one_owner_of_two_flats_is_one_voter_with_both_flats(dw, clock):
    vote = open_vote(dw, clock)
    voters = voters_by_flats(vote)
    assert set(voters) == {("3-2-501", "3-2-502"), ("4-1-101",), ("5-1-201",)}
    zhang = voters[("3-2-501", "3-2-502")]
    assert zhang.key == dw.zhang_san.id_number_digest
    assert zhang.user == dw.resident  # linked through User.resident
    assert [u["area"] for u in zhang.units] == ["75.50", "68.00"]
    assert [u["household"] for u in zhang.units] == [dw.hh_3_2_501.pk, dw.hh_3_2_502.pk]
    assert voters[("4-1-101",)].user == dw.other_resident


def test_the_developers_unsold_flats_are_one_voter(dw, clock):
    more = make_household(dw.b5, None, "202", "90.25")
    more.developer_owned = True
    more.save()
    vote = open_vote(dw, clock)
    dev = Voter.objects.get(vote=vote, developer=True)
    assert dev.key == "developer" and dev.user is None
    assert [(u["id"], u["area"]) for u in dev.units] == [("5-1-201", "80.00"), ("5-202", "90.25")]
    assert Voter.objects.filter(vote=vote).count() == 3


def test_areas_come_from_the_registry_and_are_frozen_at_opening(dw, clock):
    Household.objects.filter(pk=dw.hh_4_1_101.pk).update(floor_area=Decimal("61.07"))
    vote = open_vote(dw, clock)
    Household.objects.filter(pk=dw.hh_4_1_101.pk).update(floor_area=Decimal("99.00"))
    wang = voters_by_flats(vote)[("4-1-101",)]
    assert wang.units[0]["area"] == "61.07"
    assert (
        vote_queries.opening_summary(vote)["total_area"] == "284.57"
    )  # 75.50 + 68.00 + 61.07 + 80


def test_flats_without_an_owner_or_an_area_are_left_out_and_reported(dw, clock):
    make_household(dw.b4, None, "999", "50.00")  # nobody on record
    no_area = make_household(dw.b4, None, "998")
    no_area.floor_area = None
    no_area.save()
    make_resident(no_area, "周八", tenure="owner")
    tenant_only = make_household(dw.b4, None, "997", "40.00")
    make_resident(tenant_only, "吴九", tenure="tenant")
    vote = open_vote(dw, clock)
    flats = {u["id"] for v in Voter.objects.filter(vote=vote) for u in v.units}
    assert flats == {"3-2-501", "3-2-502", "4-1-101", "5-1-201"}
    problems = {(p["flat"], p["problem"]) for p in vote_queries.opening_summary(vote)["problems"]}
    assert problems == {("4-999", "no_owner"), ("4-998", "no_area"), ("4-997", "no_owner")}


def test_co_owners_of_a_flat_are_one_voter(dw, clock):
    dw.li_si.tenure = "owner"  # 张三's spouse co-owns 3-2-501
    dw.li_si.save()
    vote = open_vote(dw, clock)
    voters = voters_by_flats(vote)
    assert ("3-2-501", "3-2-502") in voters and len(voters) == 3
    assert voters[("3-2-501", "3-2-502")].display_name == "张三、李四"


def test_moved_out_owners_and_other_communities_are_not_on_the_list(dw, clock):
    dw.wang_wu.status = "moved_out"
    dw.wang_wu.moved_out_on = dt.date(2026, 1, 1)
    dw.wang_wu.save()
    vote = open_vote(dw, clock)
    flats = {u["id"] for v in Voter.objects.filter(vote=vote) for u in v.units}
    assert "4-1-101" not in flats and "1-1-101" not in flats


def test_a_vote_of_chosen_buildings_lists_only_their_flats(dw, clock):
    vote = open_vote(dw, clock, buildings=[dw.b3])
    assert set(voters_by_flats(vote)) == {("3-2-501", "3-2-502")}


def test_residents_meeting_votes_freeze_no_owners(dw, clock):
    vote = open_vote(dw, clock, rule="residents_meeting", matter="")
    assert vote.status == VoteStatus.OPEN and not Voter.objects.filter(vote=vote).exists()


# --- preparing and the notice ---------------------------------------------------------------


def test_an_owners_vote_must_name_its_matter(dw):
    with pytest.raises(DomainError, match="nine matters"):
        prepare(dw, matter="")
    assert not Vote.objects.exists()


def test_the_matter_is_dropped_for_other_rules(dw):
    assert prepare(dw, rule="consultative", matter="rebuild").matter == ""


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("question", "  "),
        ("rule", "majority"),
        ("notice_days", -1),
        ("results_due_days", 0),
        ("closes_at", OPENS),
    ],
)
def test_bad_vote_input_is_refused_and_nothing_saved(dw, field, value):
    with pytest.raises(DomainError):
        prepare(dw, **{field: value})
    assert not Vote.objects.exists()


def test_a_building_of_another_community_is_refused(dw):
    from linli.registry.models import Building

    with pytest.raises(DomainError):
        prepare(dw, buildings=[Building.objects.get(community=dw.nancun)])


def test_the_notice_period_is_enforced(dw, clock):
    vote = prepare(dw, opens_at=T0 + dt.timedelta(days=14))
    with pytest.raises(DomainError, match="earliest"):
        sv.vote_notice(actor=dw.staff, vote=vote)
    vote.refresh_from_db()
    assert vote.status == VoteStatus.DRAFT and vote.noticed_at is None
    vote = prepare(dw, opens_at=T0 + dt.timedelta(days=15), notice_days=15)
    assert sv.vote_notice(actor=dw.staff, vote=vote).noticed_at == T0  # exactly 15 days: fine


def test_a_configurable_notice_period(dw, clock):
    # An owners' vote may not go below the legal 15 days (tests/deliberation/
    # test_minimum_notice.py); a vote may set a longer period of its own, or a shorter one
    # under a rule whose floor allows it.
    vote = prepare(
        dw,
        opens_at=T0 + dt.timedelta(days=21),
        closes_at=T0 + dt.timedelta(days=25),
        notice_days=21,
    )
    assert sv.vote_notice(actor=dw.staff, vote=vote).status == VoteStatus.NOTICED
    poll = prepare(dw, rule="consultative", opens_at=T0 + dt.timedelta(days=7), notice_days=7)
    assert sv.vote_notice(actor=dw.staff, vote=poll).status == VoteStatus.NOTICED


def test_the_notice_tells_the_community(dw, clock):
    vote = announce(dw, clock)
    told = set(Notification.objects.filter(verb="vote.noticed").values_list("recipient", flat=True))
    assert {dw.resident.pk, dw.other_resident.pk, dw.leader.pk} <= told
    assert dw.outsider.pk not in told
    assert vote.status == VoteStatus.NOTICED


def test_a_noticed_vote_can_no_longer_be_changed(dw, clock):
    vote = announce(dw, clock)
    with pytest.raises(DomainError) as e:
        sv.vote_update(actor=dw.staff, vote=vote, title="x", question="y", rule="consultative")
    assert e.value.status_code == 409


def test_voting_cannot_be_opened_early(dw, clock):
    vote = announce(dw, clock)
    clock.set(OPENS - SECOND)
    with pytest.raises(DomainError) as e:
        sv.vote_open(actor=dw.staff, vote=vote)
    assert e.value.status_code == 409
    assert not Voter.objects.exists()


def test_voting_opens_by_itself_when_the_window_starts(dw, clock):
    vote = announce(dw, clock)
    clock.set(OPENS)
    vote_queries.vote_get_for(dw.resident, vote.pk)
    vote.refresh_from_db()
    assert vote.status == VoteStatus.OPEN and Voter.objects.filter(vote=vote).count() == 3


# --- ballots ----------------------------------------------------------------------------------


def test_an_owner_votes_online_for_all_their_flats(dw, clock):
    vote = open_vote(dw, clock)
    ballot = ballot_svc.vote_cast(actor=dw.resident, vote=vote, choice="yes")
    assert ballot.method == "online" and ballot.cast_at == OPENS
    assert [u["id"] for u in ballot.voter.units] == ["3-2-501", "3-2-502"]


def test_a_second_ballot_is_refused_and_nothing_saved(dw, clock):
    vote = open_vote(dw, clock)
    ballot_svc.vote_cast(actor=dw.resident, vote=vote, choice="yes")
    with pytest.raises(DomainError, match="already") as e:
        ballot_svc.vote_cast(actor=dw.resident, vote=vote, choice="no")
    assert e.value.status_code == 409
    with pytest.raises(DomainError, match="already"):
        paper(dw, vote, "3-2-502", "no", "P-1")  # the other flat of the same owner
    assert list(Ballot.objects.values_list("choice", flat=True)) == ["yes"]


def test_the_database_keeps_one_ballot_per_voter_when_requests_race(dw, clock, monkeypatch):
    vote = open_vote(dw, clock)
    voter = Voter.objects.get(vote=vote, user=dw.resident)
    Ballot.objects.create(
        vote=vote,
        voter=voter,
        choice="no",
        method="paper",
        paper_serial="RACE",
        cast_at=OPENS,
        entered_by=dw.staff,
    )
    monkeypatch.setattr(ballot_svc, "_existing_ballot", lambda vote, voter: None)  # the check raced
    with pytest.raises(DomainError, match="already"):
        ballot_svc.vote_cast(actor=dw.resident, vote=vote, choice="yes")
    assert list(Ballot.objects.values_list("choice", flat=True)) == ["no"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(vote=vote, voter=voter, choice="yes", method="online", cast_at=OPENS)


def test_a_non_owner_cannot_vote_under_the_owners_rule(dw, clock):
    li_si_user = make_user("li_si", resident=dw.li_si)  # family, not an owner
    grant(li_si_user, "resident", dw.hh_3_2_501)
    vote = open_vote(dw, clock)
    with pytest.raises(DomainError, match="Only owners") as e:
        ballot_svc.vote_cast(actor=li_si_user, vote=vote, choice="yes")
    assert e.value.status_code == 403
    assert not Ballot.objects.exists()


@pytest.mark.parametrize(
    ("at", "allowed"),
    [
        (OPENS - SECOND, False),
        (OPENS, True),
        (CLOSES - SECOND, True),
        (CLOSES, False),
        (CLOSES + dt.timedelta(days=1), False),
    ],
)
def test_online_voting_only_inside_the_window(dw, clock, at, allowed):
    vote = announce(dw, clock)
    clock.set(at)
    if allowed:
        assert ballot_svc.vote_cast(actor=dw.resident, vote=vote, choice="no").cast_at == at
    else:
        with pytest.raises(DomainError, match="not open") as e:
            ballot_svc.vote_cast(actor=dw.resident, vote=vote, choice="no")
        assert e.value.status_code == 409
        assert not Ballot.objects.exists()


def test_staff_enter_a_paper_ballot_with_its_serial_number(dw, clock):
    vote = open_vote(dw, clock)
    b = paper(dw, vote, "4-1-101", "no", "No.0007")
    assert (b.voter.user, b.method, b.paper_serial, b.entered_by) == (
        dw.other_resident,
        "paper",
        "No.0007",
        dw.staff,
    )


def test_a_paper_ballot_needs_a_unique_serial_number(dw, clock):
    vote = open_vote(dw, clock)
    with pytest.raises(DomainError, match="serial"):
        paper(dw, vote, "4-1-101", "no", "")
    paper(dw, vote, "4-1-101", "no", "No.1")
    with pytest.raises(DomainError, match="No.1"):
        paper(dw, vote, "5-1-201", "yes", "No.1")
    assert Ballot.objects.count() == 1


def test_a_proxy_ballot_needs_the_written_authorisation(dw, clock):
    vote = open_vote(dw, clock)
    kw = {"actor": dw.staff, "vote": vote, "flat": "4-1-101", "choice": "yes", "method": "proxy"}
    with pytest.raises(DomainError, match="authorisation"):
        ballot_svc.ballot_enter(**kw, proxy_name="王小五", proxy_authorization=" ")
    with pytest.raises(DomainError, match="proxy's name"):
        ballot_svc.ballot_enter(**kw, proxy_name="", proxy_authorization="委托书 2026-031")
    assert not Ballot.objects.exists()
    b = ballot_svc.ballot_enter(**kw, proxy_name="王小五", proxy_authorization="委托书 2026-031")
    assert (b.method, b.proxy_name, b.proxy_authorization) == ("proxy", "王小五", "委托书 2026-031")


def test_the_developer_votes_once_by_paper(dw, clock):
    vote = open_vote(dw, clock)
    b = paper(dw, vote, "5-1-201", "yes", "D-1")
    assert b.voter.developer


def test_a_ballot_for_a_flat_outside_the_scope_is_refused(dw, clock):
    vote = open_vote(dw, clock, buildings=[dw.b3])
    with pytest.raises(DomainError, match="4-1-101"):
        paper(dw, vote, "4-1-101", "yes", "S-1")
    with pytest.raises(DomainError):
        paper(dw, vote, "1-1-101", "yes", "S-2")  # another community's flat
    with pytest.raises(DomainError, match="Only owners"):
        ballot_svc.vote_cast(actor=dw.other_resident, vote=vote, choice="yes")
    assert not Ballot.objects.exists()


def test_a_voter_of_another_vote_is_refused(dw, clock):
    first = open_vote(dw, clock)
    second = open_vote(dw, clock, title="第二次表决")
    stranger = Voter.objects.get(vote=first, user=dw.resident)
    with pytest.raises(DomainError, match="not on this vote"):
        ballot_svc.ballot_enter(
            actor=dw.staff,
            vote=second,
            voter=stranger,
            choice="yes",
            method="paper",
            paper_serial="X-1",
        )
    assert not Ballot.objects.exists()


def test_a_paper_ballot_received_in_time_may_be_entered_until_counting(dw, clock):
    vote = open_vote(dw, clock)
    clock.set(CLOSES + dt.timedelta(hours=2))
    b = paper(dw, vote, "4-1-101", "yes", "L-1", received_at=CLOSES - dt.timedelta(hours=1))
    assert b.cast_at == CLOSES - dt.timedelta(hours=1)
    with pytest.raises(DomainError, match="not open"):
        paper(dw, vote, "5-1-201", "yes", "L-2", received_at=CLOSES)


def test_ballots_and_changes_after_counting_are_refused(dw, clock):
    vote = open_vote(dw, clock)
    vote = close(dw, clock, vote)
    for attempt in (
        lambda: ballot_svc.vote_cast(actor=dw.resident, vote=vote, choice="yes"),
        lambda: paper(dw, vote, "4-1-101", "yes", "C-1", received_at=OPENS),
        lambda: sv.vote_update(
            actor=dw.staff, vote=vote, title="x", question="y", rule="consultative"
        ),
        lambda: result_svc.vote_close(actor=dw.staff, vote=vote),
    ):
        with pytest.raises(DomainError) as e:
            attempt()
        assert e.value.status_code == 409
    assert not Ballot.objects.exists()


def test_only_the_office_enters_ballots_and_only_residents_cast(dw, clock):
    vote = open_vote(dw, clock)
    with pytest.raises(PermissionDenied):
        ballot_svc.ballot_enter(
            actor=dw.leader,
            vote=vote,
            flat="4-1-101",
            choice="yes",
            method="paper",
            paper_serial="Z",
        )
    with pytest.raises(PermissionDenied):
        ballot_svc.vote_cast(actor=dw.staff, vote=vote, choice="yes")
    with pytest.raises(Http404):
        ballot_svc.vote_cast(actor=dw.outsider, vote=vote, choice="yes")


# --- residents' meetings and consultative polls ----------------------------------------------


def test_meeting_counts_are_checked(dw, clock):
    vote = open_vote(dw, clock, rule="residents_meeting", matter="")
    for counts in (
        {"eligible": 10, "present": 11, "yes": 1},
        {"eligible": 10, "present": 6, "yes": 7},
        {"eligible": -1, "present": 0, "yes": 0},
    ):
        with pytest.raises(DomainError):
            ballot_svc.vote_counts_enter(actor=dw.staff, vote=vote, **counts)
    vote.refresh_from_db()
    assert vote.eligible is None


def test_meeting_counts_before_opening_are_refused(dw, clock):
    vote = announce(dw, clock, rule="residents_meeting", matter="")
    with pytest.raises(DomainError) as e:
        ballot_svc.vote_counts_enter(actor=dw.staff, vote=vote, eligible=10, present=6, yes=4)
    assert e.value.status_code == 409


@pytest.mark.parametrize(
    ("rule", "counts", "outcome"),
    [
        ("residents_meeting", (812, 430, 220), "passed"),
        ("residents_meeting", (812, 406, 300), "void"),  # exactly half present: no quorum
        ("residents_meeting", (812, 430, 215), "failed"),  # exactly half agree: not passed
        ("consultative", (300, 41, 30), "passed"),
        ("consultative", (300, 0, 0), "void"),
    ],
)
def test_meeting_votes_are_counted_by_their_rule(dw, clock, rule, counts, outcome):
    vote = open_vote(dw, clock, rule=rule, matter="")
    with pytest.raises(DomainError, match="counts"):
        result_svc.vote_close(actor=dw.staff, vote=vote)
    e, p, y = counts
    ballot_svc.vote_counts_enter(actor=dw.staff, vote=vote, eligible=e, present=p, yes=y)
    vote = result_svc.vote_close(actor=dw.staff, vote=vote)
    assert vote.result["outcome"] == outcome
    assert vote.result == tally_cli(vote_queries.tally_input(vote))


# --- counting ---------------------------------------------------------------------------------


def test_counting_waits_for_the_window_to_close(dw, clock):
    vote = open_vote(dw, clock)
    clock.set(CLOSES - SECOND)
    with pytest.raises(DomainError, match="open until") as e:
        result_svc.vote_close(actor=dw.staff, vote=vote)
    assert e.value.status_code == 409


def _cast(dw, vote, zhang=None, wang=None, developer=None):
    if zhang:
        ballot_svc.vote_cast(actor=dw.resident, vote=vote, choice=zhang)
    if wang:
        ballot_svc.vote_cast(actor=dw.other_resident, vote=vote, choice=wang)
    if developer:
        paper(dw, vote, "5-1-201", developer, "DEV-1")


@pytest.mark.parametrize(
    ("ballots", "outcome"),
    [
        # 143.50 + 59.30 of 282.80 m² (71.7%) and 2 of 3 owners take part; both agree.
        ({"zhang": "yes", "wang": "yes"}, "passed"),
        # Everyone takes part; 143.50 m² (50.7%) agree but only 1 of 3 owners.
        ({"zhang": "yes", "wang": "no", "developer": "no"}, "failed"),
        # 1 of 3 owners, 59.30 m²: below 2/3 — void, not failed.
        ({"wang": "yes"}, "void"),
        # An abstention takes part but is not a yes: 2 of 3 take part, 1 of 2 agree (= 1/2).
        ({"zhang": "abstain", "wang": "yes"}, "failed"),
    ],
)
def test_owners_votes_are_void_failed_or_passed(dw, clock, ballots, outcome):
    vote = open_vote(dw, clock)
    _cast(dw, vote, **ballots)
    vote = close(dw, clock, vote)
    assert vote.status == VoteStatus.CLOSED and vote.closed_at == CLOSES
    assert vote.result["outcome"] == outcome
    assert vote.result["total_area"] == "282.80" and vote.result["total_owners"] == 3


def test_the_count_equals_linli_tally_on_the_export(dw, clock):
    vote = open_vote(dw, clock, matter="rebuild")
    _cast(dw, vote, zhang="yes", wang="no", developer="yes")
    vote = close(dw, clock, vote)
    exported = json.loads(json.dumps(vote_queries.tally_input(vote), ensure_ascii=False))
    assert exported["rule"] == "owners_joint_decision" and exported["matter"] == "rebuild"
    assert {o["id"] for o in exported["owners"]} == set(
        Voter.objects.filter(vote=vote).values_list("key", flat=True)
    )
    assert tally_cli(exported) == vote.result  # the whole result, to the last digit
    assert vote.result["participating_area"] == "282.80"
    assert vote.result["yes_area"] == "223.50" and vote.result["yes_owners"] == 2
    assert vote.result["outcome"] == "failed"  # 2/3 of owners < 3/4 for rebuilding
    assert set(vote.result["explanation"]) == {"zh", "en"}


def test_the_ballots_csv_lists_every_ballot_for_the_auditor(dw, clock):
    vote = open_vote(dw, clock)
    _cast(dw, vote, zhang="yes", developer="no")
    ballot_svc.ballot_enter(
        actor=dw.staff,
        vote=vote,
        flat="4-1-101",
        choice="abstain",
        method="proxy",
        proxy_name="=王小五",
        proxy_authorization="委托书 1",
    )
    rows = vote_queries.ballots_csv(close(dw, clock, vote)).splitlines()
    assert rows[0].split(",") == vote_queries.CSV_HEADER
    assert any("3-2-501 3-2-502,143.50,yes,online" in r for r in rows)
    assert any("5-1-201,80.00,no,paper,DEV-1" in r for r in rows)
    assert any("'=王小五" in r for r in rows)  # no formula injection
    assert len(rows) == 4


# --- publication and follow-up ---------------------------------------------------------------


def test_publishing_in_time_and_late(dw, clock):
    vote = open_vote(dw, clock)
    _cast(dw, vote, zhang="yes", wang="yes")
    vote = close(dw, clock, vote)
    assert result_svc.results_due(vote) == CLOSES + dt.timedelta(days=3)
    clock.set(CLOSES + dt.timedelta(days=3))
    vote = result_svc.vote_publish(actor=dw.staff, vote=vote)
    assert vote.status == VoteStatus.PUBLISHED and not result_svc.published_late(vote)
    assert Notification.objects.filter(verb="vote.published", recipient=dw.resident).exists()
    with pytest.raises(DomainError) as e:
        result_svc.vote_publish(actor=dw.staff, vote=vote)
    assert e.value.status_code == 409

    late = open_vote(dw, clock, title="迟到的公布")
    late = close(dw, clock, late)
    clock.set(CLOSES + dt.timedelta(days=3, seconds=1))
    assert result_svc.published_late(result_svc.vote_publish(actor=dw.staff, vote=late))


def test_a_passed_vote_creates_follow_up_work(dw, clock):
    vote = open_vote(dw, clock)
    _cast(dw, vote, zhang="yes", wang="yes")
    vote = close(dw, clock, vote)
    item = result_svc.vote_followup(
        actor=dw.staff,
        vote=vote,
        title="联系电梯公司",
        owner=dw.staff,
        due_on=timezone.localdate() + dt.timedelta(days=30),
    )
    assert (item.topic, item.source_type, item.source_id) == (dw.topic, "vote", vote.pk)


def test_a_vote_that_did_not_pass_creates_no_work(dw, clock):
    vote = close(dw, clock, open_vote(dw, clock))  # nobody voted: void
    with pytest.raises(DomainError) as e:
        result_svc.vote_followup(actor=dw.staff, vote=vote, title="x", owner=dw.staff)
    assert e.value.status_code == 409
    assert not ActionItem.objects.exists()


def test_plain_words_name_the_thresholds(dw):
    text = " ".join(sv.rule_in_plain_words("owners_joint_decision", "rebuild"))
    assert "2/3" in text and "3/4" in text
    text = " ".join(sv.rule_in_plain_words("owners_joint_decision", "other_major"))
    assert "more than half" in text or "过半数" in text or "一半" in text
    assert sv.rule_in_plain_words("consultative")
