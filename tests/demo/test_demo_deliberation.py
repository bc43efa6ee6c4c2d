"""``linli demo``: Xincun's deliberation (民事民议) — topics, a council meeting held and one
called, two door-to-door surveys, a building forum, a published owners' vote whose result is
the counting code's, and an open one the demo resident can vote in."""

import datetime as dt
import time
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.accounts.models import User
from linli.core.models import Event
from linli.deliberation import tally
from linli.deliberation.models import (
    ActionItem,
    Ballot,
    Forum,
    Meeting,
    MeetingStatus,
    Survey,
    SurveyStatus,
    Topic,
    TopicStatus,
    Vote,
    VoteRule,
    VoteStatus,
)
from linli.deliberation.queries import surveys as survey_queries
from linli.deliberation.queries import votes as vote_queries
from linli.deliberation.services import ballots as ballot_svc
from linli.deliberation.services import vote_results as result_svc
from linli.demo import deliberation as demo_deliberation
from linli.demo import generator

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, built once for this module inside a transaction that is rolled back; the
    deliberation part timed and its queries counted."""
    took = {}
    real = demo_deliberation.build_demo_deliberation

    def timed(*args, **kwargs):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            result = real(*args, **kwargs)
        took.update(seconds=time.perf_counter() - start, queries=len(queries))
        return result

    with django_db_blocker.unblock(), transaction.atomic():
        demo_deliberation.build_demo_deliberation = timed
        try:
            generator.build_demo()
        finally:
            demo_deliberation.build_demo_deliberation = real
        yield took
        transaction.set_rollback(True)


def xincun(model):
    return model.objects.filter(community__code="xincun")


def published():
    return xincun(Vote).get(status=VoteStatus.PUBLISHED)


def open_vote():
    return xincun(Vote).get(status=VoteStatus.OPEN)


def test_four_topics_from_the_estates_story(demo):
    topics = {t.title: t for t in xincun(Topic)}
    assert len(topics) == 4
    titles = " ".join(topics)
    for word in ("违建", "停车房", "充电桩", "电梯", "楼道照明"):
        assert word in titles
    statuses = Counter(t.status for t in topics.values())
    assert statuses == {TopicStatus.DECIDED: 2, TopicStatus.OPEN: 2}
    assert all(t.decision for t in topics.values() if t.status == TopicStatus.DECIDED)


def test_a_council_meeting_held_with_minutes_and_one_called(demo):
    held = xincun(Meeting).get(status=MeetingStatus.CLOSED)
    assert held.body == "residents_council" and held.starts_at < timezone.now()
    assert held.noticed_at + dt.timedelta(days=held.notice_days) <= held.starts_at
    assert held.agenda.count() == 2
    assert held.invitations.count() == 12 and held.invitations.filter(attended=True).count() == 10
    assert set(held.invitations.filter(attended=True).values_list("sign_in_method", flat=True)) == {
        "staff",
        "qr",
    }
    assert held.minutes and held.public_summary
    resolutions = list(held.resolutions.all())
    assert len(resolutions) == 2 and all(r.passed for r in resolutions)
    action = ActionItem.objects.get(
        source_type="resolution", source_id__in=[r.pk for r in resolutions]
    )
    assert action.owner.username == "xc-staff" and action.due_on > timezone.localdate()

    called = xincun(Meeting).get(status=MeetingStatus.NOTICED)
    assert called.starts_at > timezone.now()
    assert called.noticed_at + dt.timedelta(days=called.notice_days) <= called.starts_at
    assert called.agenda.exists() and called.invitations.count() == 12


def test_an_open_door_to_door_survey_on_parking_visited_by_two_building_leaders(demo):
    survey = xincun(Survey).get(status=SurveyStatus.OPEN)
    assert "停车房" in survey.title and 3 <= survey.questions.count() <= 4
    leaders = set(survey.assignments.values_list("surveyor__username", flat=True))
    assert leaders == {"xc-leader-12", "xc-leader-13"}
    for a in survey.assignments.select_related("household__building", "surveyor"):
        assert a.surveyor.username == f"xc-leader-{a.household.building.number}"
    outcomes = Counter(survey.visits.values_list("outcome", flat=True))
    assert outcomes["answered"] >= 10 and outcomes["not_home"] and outcomes["declined"]
    assert survey.visits.count() < 2 * survey.assignments.count()  # still visiting
    assert not survey.visits.filter(at__gt=timezone.now()).exists()


def test_a_closed_survey_whose_results_favour_a_pavilion(demo):
    survey = xincun(Survey).get(status=SurveyStatus.CLOSED)
    answered = survey_queries.outcome_counts(survey)["answered"]
    assert answered >= 40
    first = survey_queries.results_for(survey, answered=answered)[0]
    top = max(first.bars, key=lambda b: b.count)
    assert top.label == "休闲亭和健身区"
    assert not survey.visits.filter(at__gt=survey.closed_at).exists()


def test_a_forum_at_building_3_names_only_the_speakers_who_agreed(demo):
    forum = xincun(Forum).get()
    assert forum.building.number == "3" and "电梯" in forum.topic.title
    opinions = list(forum.opinions.all())
    named = [o for o in opinions if o.speaker_consented]
    assert len(opinions) >= 5 and 0 < len(named) < len(opinions)
    assert all(o.speaker_name for o in named)
    assert all(o.speaker_name == "" for o in opinions if not o.speaker_consented)


def test_the_published_vote_is_what_the_counting_code_gives_for_its_export(demo):
    vote = published()
    assert (vote.rule, vote.matter) == (VoteRule.OWNERS, "change_common_use")
    assert sorted(vote.buildings.values_list("number", flat=True)) == ["12", "13", "14"]
    assert vote.opens_at >= vote.noticed_at + dt.timedelta(days=vote.notice_days)
    assert vote.closes_at < vote.closed_at <= vote.published_at <= timezone.now()
    assert not result_svc.published_late(vote)
    fresh = tally.tally(vote_queries.tally_input(vote)).as_json()
    assert vote.result == fresh
    assert vote.result["outcome"] == "passed"
    # ≥ 2/3 took part and ≥ 3/4 agreed, by area and by head: a change of common use.
    r = vote.result
    assert Decimal(r["participating_area"]) * 3 >= Decimal(r["total_area"]) * 2
    assert Decimal(r["yes_area"]) * 4 >= Decimal(r["participating_area"]) * 3
    assert r["yes_owners"] * 4 >= r["participating_owners"] * 3


def test_the_published_votes_ballots_follow_the_rules(demo):
    vote = published()
    ballots = list(Ballot.objects.filter(vote=vote).select_related("voter", "entered_by"))
    methods = Counter(b.method for b in ballots)
    assert methods["online"] >= 3 and methods["paper"] >= 20 and methods["proxy"] >= 1
    for b in ballots:
        assert vote.opens_at <= b.cast_at < vote.closes_at
        if b.method == "online":
            assert b.entered_by_id == b.voter.user_id
            assert b.entered_by.memberships.get().household.label == b.voter.units[0]["id"]
        else:
            assert b.paper_serial and b.entered_by.username == "xc-staff"
        if b.method == "proxy":
            assert b.proxy_name and b.proxy_authorization


def test_the_demo_resident_can_vote_in_the_open_vote(demo):
    vote = open_vote()
    now = timezone.now()
    assert vote.rule == VoteRule.OWNERS and vote.opens_at <= now < vote.closes_at
    assert vote.opens_at >= vote.noticed_at + dt.timedelta(days=vote.notice_days)
    me = User.objects.get(username="xc-resident")
    assert me.resident.tenure == "owner" and me.resident.household.floor_area
    voter = vote.voters.get(user=me)
    assert [u["id"] for u in voter.units] == ["3-2-501"]
    assert not Ballot.objects.filter(vote=vote, voter=voter).exists()
    assert Ballot.objects.filter(vote=vote).count() >= 5
    ballot = ballot_svc.vote_cast(actor=me, vote=vote, choice="yes")
    assert ballot.voter == voter and ballot.method == "online"


def test_the_history_is_dated_in_the_story_not_at_load_time(demo):
    vote = published()
    ev = Event.objects.get(verb="vote.published", object_id=vote.pk)
    assert ev.created_at == vote.published_at
    assert not Event.objects.filter(created_at__gt=timezone.now()).exists()
    space = xincun(Topic).get(title__contains="违建")
    assert timezone.now() - space.created_at > dt.timedelta(days=60)


def test_the_deliberation_loads_quickly(demo):
    # Each step goes through its service (a few thousand queries), still well under a second
    # or two: `linli demo` as a whole must stay around 5 s.
    print(f"deliberation demo: {demo['seconds']:.2f} s, {demo['queries']} queries")
    assert demo["queries"] < 4000


def test_the_plan_is_the_same_on_every_run():
    now = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
    a = demo_deliberation.plan_deliberation(generator.plan_demo(), now)
    b = demo_deliberation.plan_deliberation(generator.plan_demo(), now)
    assert demo_deliberation.deliberation_digest(a) == demo_deliberation.deliberation_digest(b)
    assert all(v.at < now for v in a.parking_visits + a.space_visits)
    assert all(b.at < now for b in a.lift_ballots + a.parking_ballots)
    assert "3-2-501" not in {b.flat for b in a.lift_ballots}
