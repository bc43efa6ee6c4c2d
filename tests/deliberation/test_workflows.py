"""Deliberation's status steps come from the workflow tables in models.py: the table refuses
what a status does not allow (409 with the actions that are), the events are the table's
past-tense verbs, and a topic that is done is not decided again."""

import datetime as dt
import importlib

import pytest
from django.apps import apps as global_apps
from django.utils import timezone, translation

from linli.core.errors import Conflict
from linli.core.models import Event
from linli.deliberation.models import (
    ACTION_FLOW,
    MEETING_FLOW,
    SURVEY_FLOW,
    TOPIC_FLOW,
    VOTE_FLOW,
    ActionItem,
    Topic,
    Vote,
)
from linli.deliberation.services import meeting_attendance as attendance_svc
from linli.deliberation.services import meetings as meeting_services
from linli.deliberation.services import surveys as survey_services
from linli.deliberation.services import topics as topic_services
from linli.deliberation.services import vote_results as result_svc
from linli.deliberation.services import votes as vote_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_every_verb_of_every_table_is_past_tense_and_registered():
    from linli.core.events import verb_label

    for flow in (VOTE_FLOW, MEETING_FLOW, SURVEY_FLOW, TOPIC_FLOW, ACTION_FLOW):
        for t in flow.transitions.values():
            last = t.verb.rsplit(".", 1)[1].split("_")[-1]
            assert last.endswith("ed") or last in {"cast", "held", "in"}, t.verb
            assert str(verb_label(t.verb)) != t.verb, f"{t.verb} has no display label"


def test_a_done_topic_is_not_decided_again(dw):
    topic_services.topic_decide(actor=dw.staff, topic=dw.topic, decision="做", status="done")
    with pytest.raises(Conflict) as e:
        topic_services.topic_decide(actor=dw.staff, topic=dw.topic, decision="改", status="decided")
    assert e.value.status == 409 and e.value.extra["allowed"] == []
    dw.topic.refresh_from_db()
    assert (dw.topic.status, dw.topic.decision) == ("done", "做")


def test_a_dropped_topic_is_reopened_before_it_is_decided(dw, as_user):
    topic_services.topic_decide(actor=dw.staff, topic=dw.topic, decision="", status="dropped")
    with pytest.raises(Conflict) as e:
        topic_services.topic_decide(actor=dw.staff, topic=dw.topic, decision="x")
    assert e.value.extra["allowed"] == ["reopen"]
    # The page says so with the status, and nothing changed.
    r = as_user(dw.staff).post(
        f"/deliberation/topics/{dw.topic.pk}/decide/", {"decision": "x", "status": "decided"}
    )
    assert r.status_code == 409
    dw.topic.refresh_from_db()
    assert dw.topic.status == "dropped"
    topic_services.topic_decide(actor=dw.staff, topic=dw.topic, decision="", status="open")
    topic_services.topic_decide(actor=dw.staff, topic=dw.topic, decision="好")
    dw.topic.refresh_from_db()
    assert dw.topic.status == "decided"
    verbs = list(
        Event.objects.filter(verb="topic.decided", object_id=dw.topic.pk)
        .order_by("id")
        .values_list("data__to", flat=True)
    )
    assert verbs == ["dropped", "open", "decided"]


def test_completing_follow_up_work_records_action_completed(dw):
    a = ActionItem.objects.create(topic=dw.topic, community=dw.xincun, title="x", owner=dw.leader)
    topic_services.action_complete(actor=dw.leader, action=a)
    ev = Event.objects.get(verb="action.completed")
    assert (ev.data["from"], ev.data["to"]) == ("open", "done")
    with pytest.raises(Conflict, match="already finished"):
        topic_services.action_complete(actor=dw.leader, action=a)


def test_the_verb_migration_renames_stored_events_both_ways(dw):
    mig = importlib.import_module("linli.deliberation.migrations.0003_past_tense_verbs")
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(ActionItem)
    Event.objects.create(verb="action.done", object_type=ct, object_id=1, data={})
    mig.forwards(global_apps, None)
    assert Event.objects.filter(verb="action.completed").count() == 1
    mig.backwards(global_apps, None)
    assert Event.objects.filter(verb="action.done").count() == 1
    assert not Event.objects.filter(verb="action.completed").exists()


def test_the_vote_table_keeps_the_refusals_people_read(dw):
    vote = vote_services.vote_create(
        actor=dw.staff,
        topic=dw.topic,
        title="t",
        question="q?",
        rule="consultative",
        notice_days=7,
        opens_at=timezone.now() + dt.timedelta(days=8),
        closes_at=timezone.now() + dt.timedelta(days=9),
    )
    with pytest.raises(Conflict, match="Count the vote before publishing"):
        result_svc.vote_publish(actor=dw.secretary, vote=vote)
    with pytest.raises(Conflict, match="Voting has not opened yet"):
        result_svc.vote_close(actor=dw.secretary, vote=vote)
    Vote.objects.filter(pk=vote.pk).update(status="published")
    vote.refresh_from_db()
    with pytest.raises(Conflict, match="closed and counted"):
        vote_services.vote_update(
            actor=dw.staff, vote=vote, title="u", question="q?", rule="consultative"
        )
    assert VOTE_FLOW.allowed(vote) == ["follow_up"]


def test_meeting_and_survey_tables_refuse_out_of_order_steps(dw):
    m = meeting_services.meeting_create(
        actor=dw.staff,
        community=dw.xincun,
        body="residents_council",
        title="m",
        starts_at=timezone.now() + dt.timedelta(days=30),
        location="x",
    )
    with pytest.raises(Conflict, match="marked as held"):
        attendance_svc.meeting_mark_held(actor=dw.staff, meeting=m)
    s = survey_services.survey_create(actor=dw.staff, community=dw.xincun, title="s")
    with pytest.raises(Conflict, match="Only an open survey can be closed"):
        survey_services.survey_close(actor=dw.staff, survey=s)
    assert SURVEY_FLOW.allowed(s)[:2] == ["edit", "add_question"]
    assert Topic.objects.filter(pk=dw.topic.pk, status="open").exists()
