"""Vote pages: who sees and does what, the owner's ballot, the office's paper ballots, the
public result without names, the secretary's audit and exports, the printable notice, and
query counts that do not grow with the electorate."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from linli.deliberation.models import Ballot, Vote, Voter, VoteStatus
from linli.deliberation.services import ballots as ballot_svc
from linli.deliberation.services import vote_results as result_svc
from linli.registry.models import Building, Household, Resident, Unit
from tests.deliberation.test_votes import (
    CLOSES,
    OPENS,
    T0,
    Clock,
    announce,
    close,
    open_vote,
    paper,
    prepare,
    tally_cli,
)
from tests.factories import grant, make_user


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read messages by their English wording (Chinese is the default)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def url(name, vote, *args):
    return reverse(f"deliberation:{name}", args=[vote.pk, *args])


def page(response) -> str:
    return response.content.decode()


# --- who sees what ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("resident", 200),
        ("other_resident", 200),
        ("leader", 200),
        ("grid_worker", 200),
        ("volunteer", 200),
        ("mediator", 200),
        ("staff", 200),
        ("secretary", 200),
        ("supervisor", 200),
        ("outsider", 404),
    ],
)
def test_everyone_in_the_community_sees_an_announced_vote(dw, clock, as_user, persona, status):
    vote = announce(dw, clock)
    assert as_user(getattr(dw, persona)).get(url("vote_detail", vote)).status_code == status


def test_anonymous_visitors_are_sent_to_log_in(dw, clock, as_user):
    vote = announce(dw, clock)
    r = as_user(None).get(url("vote_detail", vote))
    assert r.status_code == 302 and "login" in r["Location"]


def test_a_vote_being_prepared_is_only_for_the_office(dw, as_user):
    vote = prepare(dw)
    assert as_user(dw.resident).get(url("vote_detail", vote)).status_code == 404
    assert as_user(dw.staff).get(url("vote_detail", vote)).status_code == 200
    lst = page(as_user(dw.resident).get(reverse("deliberation:vote_list")))
    assert vote.title not in lst


# A vote being prepared does not exist for anyone but the office: 404 on every page of it,
# as on its detail page (it used to be a 403 here and a 404 there for the same person).
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("resident", 404),
        ("leader", 404),
        ("grid_worker", 404),
        ("supervisor", 404),
        ("outsider", 404),
        ("staff", 200),
        ("secretary", 200),
    ],
)
def test_only_the_office_manages_votes(dw, as_user, persona, status):
    vote = prepare(dw)
    assert as_user(getattr(dw, persona)).get(url("vote_edit", vote)).status_code == status


@pytest.mark.parametrize("persona", ["resident", "leader", "grid_worker", "supervisor"])
def test_an_announced_vote_is_seen_but_not_managed_by_others(dw, clock, as_user, persona):
    vote = announce(dw, clock)
    client = as_user(getattr(dw, persona))
    assert client.get(url("vote_detail", vote)).status_code == 200
    assert client.post(url("vote_step", vote, "open")).status_code == 403
    vote.refresh_from_db()
    assert vote.status == VoteStatus.NOTICED


def test_a_building_leader_cannot_publish_a_notice(dw, clock, as_user):
    vote = prepare(dw)
    r = as_user(dw.leader).post(url("vote_step", vote, "notice"))
    assert r.status_code == 404  # a vote being prepared is not visible to them (see above)
    vote.refresh_from_db()
    assert vote.status == VoteStatus.DRAFT


# --- the office prepares and announces ------------------------------------------------------------


def _form(**kw):
    data = {
        "title": "加装电梯表决",
        "question": "是否同意加装电梯？",
        "rule": "owners_joint_decision",
        "matter": "rebuild",
        "notice_days": "15",
        "results_due_days": "3",
        "opens_at": "2026-05-17T09:00",
        "closes_at": "2026-05-21T18:00",
    }
    data.update(kw)
    return data


def test_staff_prepare_a_vote_on_a_topic(dw, as_user):
    client = as_user(dw.staff)
    assert dw.topic.title in page(client.get(reverse("deliberation:vote_create")))
    new = f"{reverse('deliberation:vote_create')}?topic={dw.topic.pk}"
    assert client.get(new).status_code == 200
    r = client.post(new, _form(buildings=[dw.b3.pk]))
    vote = Vote.objects.get()
    assert r.status_code == 302 and r["Location"] == url("vote_detail", vote)
    assert (vote.rule, vote.matter, list(vote.buildings.all())) == (
        "owners_joint_decision",
        "rebuild",
        [dw.b3],
    )
    assert vote.status == VoteStatus.DRAFT


def test_an_owners_vote_without_a_matter_gets_a_clear_error(dw, as_user):
    r = as_user(dw.staff).post(
        f"{reverse('deliberation:vote_create')}?topic={dw.topic.pk}", _form(matter="")
    )
    assert r.status_code == 400 and "nine matters" in page(r)
    assert not Vote.objects.exists()


def test_the_rule_is_shown_in_plain_words(dw, clock, as_user):
    vote = announce(dw, clock, matter="rebuild")
    html = page(as_user(dw.resident).get(url("vote_detail", vote)))
    assert "2/3" in html and "3/4" in html
    assert "void" in html or "无效" in html


def test_publishing_the_notice_too_early_is_refused_on_the_page(dw, clock, as_user):
    vote = prepare(dw, opens_at=T0 + dt.timedelta(days=3))
    r = as_user(dw.staff).post(url("vote_step", vote, "notice"))
    assert r.status_code == 400 and "earliest" in page(r)
    vote.refresh_from_db()
    assert vote.status == VoteStatus.DRAFT


def test_editing_a_closed_vote_is_refused(dw, clock, as_user):
    vote = close(dw, clock, open_vote(dw, clock))
    r = as_user(dw.staff).post(url("vote_edit", vote), _form(title="改过的标题"))
    assert r.status_code == 409
    vote.refresh_from_db()
    assert vote.title == "加装电梯表决"


# --- the owner votes ----------------------------------------------------------------------------


def test_an_owner_sees_their_flats_and_votes_once(dw, clock, as_user):
    vote = announce(dw, clock)
    clock.set(OPENS)
    client = as_user(dw.resident)
    html = page(client.get(url("vote_detail", vote)))
    assert "3-2-501" in html and "3-2-502" in html and 'data-testid="cast-form"' in html
    r = client.post(url("vote_cast", vote), {"choice": "yes", "confirm": "1"})
    assert r.status_code == 302
    html = page(client.get(url("vote_detail", vote)))
    assert 'data-testid="my-ballot"' in html and 'data-testid="cast-form"' not in html
    r = client.post(url("vote_cast", vote), {"choice": "no"})
    assert r.status_code == 409 and "already" in page(r)
    r = client.post(url("vote_cast", vote), {"choice": "no", "confirm": "1"})
    assert r.status_code == 409 and "already" in page(r)
    assert list(Ballot.objects.values_list("choice", flat=True)) == ["yes"]


def test_voting_before_the_window_is_refused_on_the_page(dw, clock, as_user):
    vote = announce(dw, clock)
    clock.set(OPENS - dt.timedelta(minutes=1))
    r = as_user(dw.resident).post(url("vote_cast", vote), {"choice": "yes"})
    assert r.status_code == 409 and "not open" in page(r)
    assert not Ballot.objects.exists()


def test_a_non_owner_resident_is_told_why_they_cannot_vote(dw, clock, as_user):
    li_si_user = make_user("li_si", resident=dw.li_si)
    grant(li_si_user, "resident", dw.hh_3_2_501)
    vote = open_vote(dw, clock)
    client = as_user(li_si_user)
    assert 'data-testid="not-on-list"' in page(client.get(url("vote_detail", vote)))
    r = client.post(url("vote_cast", vote), {"choice": "yes"})
    assert r.status_code == 403 and "Only owners" in page(r)
    assert not Ballot.objects.exists()


@pytest.mark.parametrize("persona", ["staff", "leader", "secretary"])
def test_only_residents_cast_online(dw, clock, as_user, persona):
    vote = open_vote(dw, clock)
    r = as_user(getattr(dw, persona)).post(url("vote_cast", vote), {"choice": "yes"})
    assert r.status_code == 403 and not Ballot.objects.exists()


def test_a_choice_is_said_back_and_recorded_only_once_confirmed(dw, clock, as_user):
    """Issue 11: a confirmation step before a ballot is cast; the three choices weigh alike."""
    vote = announce(dw, clock)
    clock.set(OPENS)
    client = as_user(dw.resident)
    html = page(client.get(url("vote_detail", vote)))
    buttons = re.findall(r'<button type="submit" name="choice"[^>]*>', html)
    assert (
        len(buttons) == 3
        and len({re.sub(r'value="\w+"|data-choice="\w+"', "", b) for b in buttons}) == 1
    )
    r = client.post(url("vote_cast", vote), {"choice": "no"})
    assert r.status_code == 200 and 'data-testid="vote-confirm"' in page(r)
    assert "You chose: <strong>Disagree</strong>" in page(r) and "3-2-501" in page(r)
    assert not Ballot.objects.exists()  # nothing recorded before the confirmation
    r = client.post(url("vote_cast", vote), {"choice": "no", "confirm": "1"})
    assert r.status_code == 302
    assert list(Ballot.objects.values_list("choice", flat=True)) == ["no"]


def test_a_bad_choice_is_refused_at_the_first_step(dw, clock, as_user):
    vote = announce(dw, clock)
    clock.set(OPENS)
    r = as_user(dw.resident).post(url("vote_cast", vote), {"choice": "maybe"})
    assert r.status_code == 400 and not Ballot.objects.exists()


# --- the office enters paper and proxy ballots ---------------------------------------------------


def test_staff_enter_a_paper_ballot_on_the_page(dw, clock, as_user):
    vote = open_vote(dw, clock)
    client = as_user(dw.staff)
    assert 'data-testid="enter-ballot"' in page(client.get(url("vote_detail", vote)))
    r = client.post(
        url("vote_enter_ballot", vote),
        {"flat": "4-1-101", "choice": "no", "method": "paper", "paper_serial": "0001"},
    )
    assert r.status_code == 302
    b = Ballot.objects.get()
    assert (b.method, b.paper_serial, b.voter.units[0]["id"]) == ("paper", "0001", "4-1-101")


def test_a_proxy_ballot_without_authorisation_is_refused_on_the_page(dw, clock, as_user):
    vote = open_vote(dw, clock)
    r = as_user(dw.staff).post(
        url("vote_enter_ballot", vote),
        {"flat": "4-1-101", "choice": "yes", "method": "proxy", "proxy_name": "王小五"},
    )
    assert r.status_code == 400 and "authorisation" in page(r)
    assert 'value="王小五"' in page(r)  # the form keeps what was typed
    assert not Ballot.objects.exists()


def test_a_leader_cannot_enter_ballots(dw, clock, as_user):
    vote = open_vote(dw, clock)
    r = as_user(dw.leader).post(
        url("vote_enter_ballot", vote),
        {"flat": "4-1-101", "choice": "no", "method": "paper", "paper_serial": "1"},
    )
    assert r.status_code == 403 and not Ballot.objects.exists()


def test_staff_enter_meeting_counts(dw, clock, as_user):
    vote = open_vote(dw, clock, rule="residents_meeting", matter="")
    client = as_user(dw.staff)
    r = client.post(url("vote_counts", vote), {"eligible": "100", "present": "120", "yes": "1"})
    assert r.status_code == 400 and "check the counts" in page(r)
    r = client.post(url("vote_counts", vote), {"eligible": "100", "present": "60", "yes": "31"})
    assert r.status_code == 302
    assert client.post(url("vote_step", vote, "close")).status_code == 302
    vote.refresh_from_db()
    assert vote.result["outcome"] == "passed"


# --- count, publish, audit ---------------------------------------------------------------------


def _counted(dw, clock):
    vote = open_vote(dw, clock)
    ballot_svc.vote_cast(actor=dw.resident, vote=vote, choice="yes")
    ballot_svc.vote_cast(actor=dw.other_resident, vote=vote, choice="yes")
    paper(dw, vote, "5-1-201", "no", "DEV-7")
    return close(dw, clock, vote)


def test_the_office_counts_and_publishes_on_the_page(dw, clock, as_user):
    vote = open_vote(dw, clock)
    client = as_user(dw.staff)
    clock.set(CLOSES - dt.timedelta(minutes=1))
    assert client.post(url("vote_step", vote, "close")).status_code == 409
    clock.set(CLOSES)
    assert client.post(url("vote_step", vote, "close")).status_code == 302
    html = page(as_user(dw.resident).get(url("vote_detail", vote)))
    assert 'data-testid="vote-result"' not in html  # not public before it is published
    client = as_user(dw.staff)
    assert 'data-testid="vote-result"' in page(client.get(url("vote_detail", vote)))
    clock.set(CLOSES + dt.timedelta(days=5))
    assert client.post(url("vote_step", vote, "publish")).status_code == 302
    html = page(client.get(url("vote_detail", vote)))
    assert 'data-testid="vote-late"' in html


def test_the_public_result_shows_the_tally_and_no_names(dw, clock, as_user):
    vote = result_svc.vote_publish(actor=dw.staff, vote=_counted(dw, clock))
    for persona in ("leader", "grid_worker", "volunteer", "supervisor"):
        html = page(as_user(getattr(dw, persona)).get(url("vote_detail", vote)))
        assert 'data-testid="vote-result"' in html
        assert "282.80" in html and "202.80" in html
        # Progress toward each threshold as a bar with its n / N (issue 11).
        bars = re.findall(r'<progress class="threshold" max="([\d.]+)" value="([\d.]+)"', html)
        assert len(bars) >= 3 and all(float(v) <= float(m) for m, v in bars)
        assert vote.result["explanation"]["en"].split(":")[0] in html.replace(
            "&#x27;", "'"
        )  # these tests run in English
        for secret in ("张三", "李四", "王五", "3-2-501", "4-1-101", "5-1-201", "DEV-7"):
            assert secret not in html, (persona, secret)


def test_the_explanation_follows_the_language(dw, clock, as_user):
    vote = result_svc.vote_publish(actor=dw.staff, vote=_counted(dw, clock))
    client = as_user(dw.leader)
    client.cookies["django_language"] = "en"
    html = page(client.get(url("vote_detail", vote)))
    assert vote.result["explanation"]["en"].split(":")[0] in html.replace("&#x27;", "'")


@pytest.mark.parametrize(
    ("persona", "status"),
    [("secretary", 200), ("staff", 403), ("resident", 403), ("leader", 403), ("outsider", 404)],
)
def test_individual_ballots_are_for_the_secretary_only(dw, clock, as_user, persona, status):
    vote = _counted(dw, clock)
    client = as_user(getattr(dw, persona))
    for name in ("vote_ballots", "vote_export_json", "vote_export_csv"):
        assert client.get(url(name, vote)).status_code == status, name


def test_the_audit_page_lists_ballots(dw, clock, as_user):
    vote = _counted(dw, clock)
    html = page(as_user(dw.secretary).get(url("vote_ballots", vote)))
    assert "3-2-501 3-2-502" in html and "143.50" in html and "DEV-7" in html
    assert 'data-testid="audit-link"' in page(as_user(dw.secretary).get(url("vote_detail", vote)))
    assert 'data-testid="audit-link"' not in page(as_user(dw.staff).get(url("vote_detail", vote)))


def test_the_export_reproduces_the_result_with_linli_tally(dw, clock, as_user):
    vote = _counted(dw, clock)
    client = as_user(dw.secretary)
    r = client.get(url("vote_export_json", vote))
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    assert tally_cli(json.loads(r.content)) == vote.result
    r = client.get(url("vote_export_csv", vote))
    rows = r.content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("voter_key,developer,flats,area,choice,method,paper_serial")
    assert len(rows) == 4


def test_the_export_waits_for_the_count(dw, clock, as_user):
    vote = open_vote(dw, clock)
    assert as_user(dw.secretary).get(url("vote_export_json", vote)).status_code == 409


def test_a_passed_vote_offers_follow_up_work(dw, clock, as_user):
    vote = open_vote(dw, clock)
    ballot_svc.vote_cast(actor=dw.resident, vote=vote, choice="yes")
    ballot_svc.vote_cast(actor=dw.other_resident, vote=vote, choice="yes")
    vote = close(dw, clock, vote)
    client = as_user(dw.staff)
    assert 'data-testid="followup"' in page(client.get(url("vote_detail", vote)))
    due = (dt.date.today() + dt.timedelta(days=20)).isoformat()
    r = client.post(
        url("vote_followup", vote), {"title": "联系电梯公司", "owner": dw.staff.pk, "due_on": due}
    )
    assert r.status_code == 302
    item = dw.topic.actions.get()
    assert (item.source_type, item.source_id, item.owner) == ("vote", vote.pk, dw.staff)


def test_the_printable_notice_has_a_qr_code_to_the_vote(dw, clock, as_user):
    vote = announce(dw, clock)
    r = as_user(dw.resident).get(url("vote_print", vote))
    html = page(r)
    assert r.status_code == 200 and "<svg" in html
    assert f"http://testserver{url('vote_detail', vote)}" in html
    assert "2/3" in html


# --- query counts -------------------------------------------------------------------------------


def _many_owners(dw, n: int) -> None:
    """``n`` more owner-occupied flats in a new building, one owner each."""
    b = Building.objects.create(community=dw.xincun, grid=dw.grid2, number="9")
    u = Unit.objects.create(community=dw.xincun, building=b, number="1")
    Household.objects.bulk_create(
        Household(
            community=dw.xincun,
            building=b,
            unit=u,
            room=str(1000 + i),
            label=f"9-1-{1000 + i}",
            floor_area=Decimal("70.25"),
        )
        for i in range(n)
    )
    Resident.objects.bulk_create(
        Resident(community=dw.xincun, household=h, name=f"业主{h.room}", tenure="owner")
        for h in Household.objects.filter(building=b)
    )


@pytest.mark.parametrize("n", [10, 300])
def test_the_vote_page_query_count_does_not_grow(
    dw, clock, as_user, django_assert_max_num_queries, n
):
    _many_owners(dw, n)
    vote = open_vote(dw, clock)
    assert Voter.objects.filter(vote=vote).count() == n + 3
    voters = list(Voter.objects.filter(vote=vote, user__isnull=True, developer=False)[: n // 2])
    Ballot.objects.bulk_create(
        Ballot(
            vote=vote,
            voter=v,
            choice="yes",
            method="paper",
            paper_serial=f"S{v.pk}",
            cast_at=OPENS,
            entered_by=dw.staff,
        )
        for v in voters
    )
    ballot_svc.vote_cast(actor=dw.resident, vote=vote, choice="yes")
    for persona, limit in (("resident", 9), ("staff", 13), ("secretary", 14)):
        client = as_user(getattr(dw, persona))
        with django_assert_max_num_queries(limit):
            assert client.get(url("vote_detail", vote)).status_code == 200
    vote = close(dw, clock, vote)
    vote = result_svc.vote_publish(actor=dw.staff, vote=vote)
    client = as_user(dw.resident)
    with django_assert_max_num_queries(9):
        assert "vote-result" in page(client.get(url("vote_detail", vote)))
    client = as_user(dw.secretary)
    with django_assert_max_num_queries(8):
        assert client.get(url("vote_ballots", vote)).status_code == 200


def test_a_closed_vote_never_says_voting_and_buildings_read_naturally(dw, clock, as_user):
    """Issue 11: "投票中" stood beside the dates of a closed vote (the label of the voting period
    shared the status's message id), and "楼栋 3" read as a list heading."""
    from django.utils import translation

    from linli.deliberation.views.votes import buildings_label

    vote = open_vote(dw, clock)
    client = as_user(dw.staff)
    client.cookies["django_language"] = "zh-hans"
    html = page(client.get(url("vote_detail", vote)))
    assert "投票时间" in html
    with translation.override("zh-hans"):
        assert buildings_label([dw.b3]) == "3号楼"
        assert buildings_label([dw.b3, dw.b4]) == "3、4号楼"
    with translation.override("en"):
        assert buildings_label([dw.b3]) == "Building 3"
        assert buildings_label([dw.b3, dw.b4]) == "Buildings 3, 4"


def test_the_office_sees_who_has_not_voted_yet_by_building(dw, clock, as_user):
    """Issue 11: a list of owners who have not voted yet, by building, for door-to-door
    reminders; it shrinks as ballots come in."""
    vote = open_vote(dw, clock)
    staff = as_user(dw.staff)
    html = page(staff.get(url("vote_not_yet_voted", vote)))
    buildings = re.findall(r'data-building="(\w+)"', html)
    assert buildings == ["3", "4", "5"]
    assert "3-2-501 3-2-502" in html and "The developer" in html
    assert "3 of 3 owners have not voted yet" in html
    ballot_svc.vote_cast(actor=dw.resident, vote=vote, choice="yes")
    html = page(staff.get(url("vote_not_yet_voted", vote)))
    assert re.findall(r'data-building="(\w+)"', html) == ["4", "5"]
    assert 'data-testid="not-yet-voted-link"' in page(staff.get(url("vote_detail", vote)))


def test_the_not_yet_voted_list_is_the_offices(dw, clock, as_user):
    vote = open_vote(dw, clock)
    assert as_user(dw.resident).get(url("vote_not_yet_voted", vote)).status_code == 403
    assert as_user(dw.leader).get(url("vote_not_yet_voted", vote)).status_code == 403
    assert as_user(dw.outsider).get(url("vote_not_yet_voted", vote)).status_code == 404


def test_the_not_yet_voted_list_exists_only_while_voting_is_open(dw, clock, as_user):
    vote = announce(dw, clock)
    r = as_user(dw.staff).get(url("vote_not_yet_voted", vote))
    assert r.status_code == 409


def test_the_not_yet_voted_list_costs_the_same_queries_for_more_owners(
    dw, clock, as_user, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    vote = open_vote(dw, clock)
    staff = as_user(dw.staff)
    staff.get(url("vote_not_yet_voted", vote))
    with CaptureQueriesContext(connection) as few:
        staff.get(url("vote_not_yet_voted", vote))
    hh = dw.hh_4_1_101
    Voter.objects.bulk_create(
        Voter(
            vote=vote,
            key=f"k{i}",
            display_name=f"业主{i}",
            units=[{"id": f"4-1-{i}", "household": hh.pk, "area": "50.00"}],
        )
        for i in range(200, 260)
    )
    with django_assert_max_num_queries(len(few)):
        r = staff.get(url("vote_not_yet_voted", vote))
    assert "63 of 63 owners" in page(r)
