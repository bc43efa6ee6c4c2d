"""Topics and the landing page: raising a topic, the list, a topic's page with everything held
on it and the follow-up work until done — and who is refused."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linli.deliberation.models import (
    ActionItem,
    Forum,
    Survey,
    Topic,
    Vote,
)
from linli.deliberation.services import forums as forum_services
from linli.deliberation.services import meetings as meeting_services
from linli.deliberation.services import topics as topic_services
from linli.tickets.models import Category, Ticket

pytestmark = pytest.mark.django_db


def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def url(name, *args):
    return reverse(f"deliberation:{name}", args=args)


def _ticket(dw, user=None):
    from linli.tickets import services as ts

    cat = Category.objects.get_or_create(
        community=dw.xincun, code="misc", defaults={"name": "其他"}
    )[0]
    actor = user or dw.resident
    home = next(m.household for m in actor.memberships.all() if m.household_id)  # their own
    return ts.ticket_submit(actor=actor, category=cat, description="电梯坏了", household=home)


# --- the landing page ------------------------------------------------------------------------


def test_landing_page_shows_open_topics_meetings_and_votes(dw, as_user):
    closed = Topic.objects.create(community=dw.xincun, title="已完成议题", status="done")
    m = meeting_services.meeting_create(
        actor=dw.staff,
        community=dw.xincun,
        body="residents_council",
        title="五月议事会",
        starts_at=timezone.now() + dt.timedelta(days=5),
        location="活动室",
    )
    meeting_services.agenda_add(actor=dw.staff, meeting=m, topic=dw.topic)
    meeting_services.meeting_invite(actor=dw.staff, meeting=m, users=[dw.leader])
    draft = meeting_services.meeting_create(
        actor=dw.staff,
        community=dw.xincun,
        body="residents_council",
        title="草稿会议",
        starts_at=timezone.now() + dt.timedelta(days=5),
        location="活动室",
    )
    meeting_services.meeting_publish_notice(actor=dw.staff, meeting=m)
    vote = Vote.objects.create(
        community=dw.xincun,
        topic=dw.topic,
        title="电梯表决",
        question="同意吗",
        rule="consultative",
        status="open",
    )
    Vote.objects.create(
        community=dw.xincun, topic=dw.topic, title="草稿表决", question="?", rule="consultative"
    )
    page = as_user(dw.resident).get(url("index")).content.decode()
    assert dw.topic.title in page and closed.title not in page
    assert "五月议事会" in page and draft.title not in page
    assert "电梯表决" in page and f"/deliberation/votes/{vote.pk}/" in page
    assert "草稿表决" not in page
    assert 'data-testid="raise-topic"' in page
    # The office sees its drafts too.
    assert draft.title in as_user(dw.staff).get(url("index")).content.decode()
    # The outsider sees nothing of this community.
    page = as_user(dw.outsider).get(url("index")).content.decode()
    assert dw.topic.title not in page and "五月议事会" not in page


def test_landing_page_lists_open_surveys_to_surveyors_only(dw, as_user):
    s = Survey.objects.create(community=dw.xincun, title="入户问卷", status="open")
    assert (
        f"/deliberation/surveys/{s.pk}/" in as_user(dw.volunteer).get(url("index")).content.decode()
    )
    assert "入户问卷" not in as_user(dw.resident).get(url("index")).content.decode()


def test_a_supervisor_reads_but_cannot_raise(dw, as_user):
    c = as_user(dw.supervisor)
    page = c.get(url("index")).content.decode()
    assert dw.topic.title in page and 'data-testid="raise-topic"' not in page
    assert c.get(url("topic_new")).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    r = client.get(url("index"))
    assert r.status_code == 302 and "login" in r["Location"]


# --- raising ---------------------------------------------------------------------------------


def test_a_resident_raises_a_topic_about_their_building_with_their_request(dw, as_user):
    t = _ticket(dw)
    c = as_user(dw.resident)
    page = c.get(url("topic_new")).content.decode()
    assert f'value="b:{dw.b3.pk}"' in page and f'value="b:{dw.b4.pk}"' not in page
    r = c.post(
        url("topic_new"),
        {
            "title": "3号楼加装扶手",
            "description": "老人上下楼不便",
            "place": f"b:{dw.b3.pk}",
            "tickets": f"#{t.pk}",
        },
    )
    assert r.status_code == 302
    topic = Topic.objects.get(title="3号楼加装扶手")
    assert (topic.building, topic.source, topic.raised_by) == (dw.b3, "resident", dw.resident)
    assert list(topic.tickets.all()) == [t]
    page = c.get(url("topic_detail", topic.pk)).content.decode()
    assert "老人上下楼不便" in page and f"#{t.pk}" in page


def test_raising_with_bad_input_saves_nothing(dw, as_user):
    other = _ticket(dw, dw.other_resident)  # not the resident's request
    c = en(as_user(dw.resident))
    base = {"title": "议题", "place": f"c:{dw.xincun.pk}"}
    r = c.post(url("topic_new"), {**base, "title": ""})
    assert r.status_code == 400
    r = c.post(url("topic_new"), {**base, "tickets": "abc"})
    assert r.status_code == 400 and "request numbers only" in r.content.decode()
    r = c.post(url("topic_new"), {**base, "tickets": str(other.pk)})
    assert r.status_code == 400 and "was not found" in r.content.decode()
    r = c.post(url("topic_new"), {**base, "place": f"b:{dw.b4.pk}"})  # not their building
    assert r.status_code == 400
    assert Topic.objects.count() == 1  # dw.topic


def test_staff_raise_a_topic_for_a_unit(dw, as_user):
    c = as_user(dw.staff)
    r = c.post(url("topic_new"), {"title": "单元门禁", "place": f"u:{dw.u3_2.pk}"})
    assert r.status_code == 302
    t = Topic.objects.get(title="单元门禁")
    assert (t.unit, t.source, t.community) == (dw.u3_2, "staff", dw.xincun)


# --- the list --------------------------------------------------------------------------------


def test_topic_list_filters_by_status_and_paginates(dw, as_user):
    Topic.objects.bulk_create(
        [
            Topic(community=dw.xincun, title=f"议题{i}", status="decided" if i % 2 else "open")
            for i in range(45)
        ]
    )
    Topic.objects.create(community=dw.nancun, title="南村议题")
    c = as_user(dw.resident)
    r = c.get(url("topic_list"))
    assert r.context["page"].paginator.count == 46 and "南村议题" not in r.content.decode()
    r = c.get(url("topic_list"), {"status": "decided"})
    assert r.context["page"].paginator.count == 22
    assert c.get(url("topic_list"), {"page": 3}).status_code == 200


# --- one topic -------------------------------------------------------------------------------


def test_topic_page_shows_everything_held_on_it(dw, as_user):
    m = meeting_services.meeting_create(
        actor=dw.staff,
        community=dw.xincun,
        body="residents_council",
        title="议事会",
        starts_at=timezone.now() + dt.timedelta(days=5),
        location="活动室",
    )
    meeting_services.agenda_add(actor=dw.staff, meeting=m, topic=dw.topic)
    meeting_services.meeting_invite(actor=dw.staff, meeting=m, users=[dw.leader])
    meeting_services.meeting_publish_notice(actor=dw.staff, meeting=m)
    f = forum_services.forum_create(
        actor=dw.leader,
        building=dw.b3,
        title="3号楼座谈",
        held_on=timezone.localdate(),
        topic=dw.topic,
    )
    forum_services.opinion_add(actor=dw.leader, forum=f, theme="费用", text="谁出钱")
    s = Survey.objects.create(community=dw.xincun, topic=dw.topic, title="电梯问卷", status="open")
    v = Vote.objects.create(
        community=dw.xincun,
        topic=dw.topic,
        title="电梯表决",
        question="?",
        rule="consultative",
        status="published",
        result={
            "quorum_met": True,
            "passed": True,
            "explanation": {"en": "12 of 20 said yes.", "zh": "20人中12人同意。"},
        },
    )
    topic_services.topic_decide(actor=dw.staff, topic=dw.topic, decision="先做3号楼")
    page = en(as_user(dw.resident)).get(url("topic_detail", dw.topic.pk)).content.decode()
    assert "议事会" in page and "3号楼座谈" in page and "1 opinion" in page
    assert "电梯问卷" in page and f"/deliberation/surveys/{s.pk}/" in page
    assert "电梯表决" in page and "12 of 20 said yes." in page
    assert "先做3号楼" in page
    assert f"/deliberation/votes/{v.pk}/" in page
    # A resident of another building does not see the forum at building 3.
    page = as_user(dw.other_resident).get(url("topic_detail", dw.topic.pk)).content.decode()
    assert "3号楼座谈" not in page


def test_office_records_a_decision_and_work_until_done(dw, as_user):
    c = as_user(dw.staff)
    r = c.post(url("topic_decide", dw.topic.pk), {"decision": "同意加装", "status": "decided"})
    assert r.status_code == 302
    dw.topic.refresh_from_db()
    assert (dw.topic.status, dw.topic.decision) == ("decided", "同意加装")
    due = timezone.localdate() + dt.timedelta(days=10)
    r = c.post(
        url("action_new", dw.topic.pk),
        {"title": "征求低层住户意见", "owner": dw.grid_worker.pk, "due_on": due.isoformat()},
    )
    assert r.status_code == 302
    a = ActionItem.objects.get()
    page = en(as_user(dw.resident)).get(url("topic_detail", dw.topic.pk)).content.decode()
    assert "征求低层住户意见" in page and due.isoformat() in page
    assert 'data-testid="action-done"' not in page  # not theirs
    assert as_user(dw.resident).post(url("action_done", a.pk)).status_code == 403
    c = as_user(dw.grid_worker)
    assert 'data-testid="action-done"' in c.get(url("topic_detail", dw.topic.pk)).content.decode()
    assert c.post(url("action_done", a.pk)).status_code == 302
    a.refresh_from_db()
    assert a.status == "done"
    r = en(as_user(dw.grid_worker)).post(url("action_done", a.pk))
    assert r.status_code == 409 and "already finished" in r.content.decode()


def test_follow_up_as_a_request_creates_a_ticket(dw, as_user):
    cat = Category.objects.create(community=dw.xincun, code="repair", name="维修")
    c = as_user(dw.staff)
    r = c.post(
        url("action_new", dw.topic.pk),
        {"title": "修理楼道灯", "make_ticket": "on", "category": cat.pk},
    )
    assert r.status_code == 302
    a = ActionItem.objects.get()
    assert a.ticket and a.ticket.channel == "council" and a.owner is None
    assert f"#{a.ticket.pk}" in c.get(url("topic_detail", dw.topic.pk)).content.decode()


def test_follow_up_without_owner_or_request_is_refused(dw, as_user):
    c = en(as_user(dw.staff))
    r = c.post(url("action_new", dw.topic.pk), {"title": "做点什么"})
    assert r.status_code == 400 and "Choose who will do it" in r.content.decode()
    r = c.post(
        url("action_new", dw.topic.pk),
        {
            "title": "做点什么",
            "owner": dw.leader.pk,
            "due_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert r.status_code == 400 and "in the past" in r.content.decode()
    r = c.post(url("action_new", dw.topic.pk), {"title": "x", "owner": dw.outsider.pk})
    assert r.status_code == 400
    assert not ActionItem.objects.exists() and not Ticket.objects.exists()


# --- who may do what -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["resident", "leader", "grid_worker", "volunteer", "mediator"])
def test_members_view_and_raise_but_cannot_manage(dw, as_user, who):
    c = as_user(getattr(dw, who))
    for name, args in (
        ("index", ()),
        ("topic_list", ()),
        ("topic_new", ()),
        ("topic_detail", (dw.topic.pk,)),
    ):
        assert c.get(url(name, *args)).status_code == 200, name
    assert (
        c.post(url("topic_decide", dw.topic.pk), {"decision": "x", "status": "done"}).status_code
        == 403
    )
    assert (
        c.post(url("action_new", dw.topic.pk), {"title": "x", "owner": dw.leader.pk}).status_code
        == 403
    )
    dw.topic.refresh_from_db()
    assert dw.topic.status == "open" and not ActionItem.objects.exists()


def test_an_outsider_finds_no_topic(dw, as_user):
    a = ActionItem.objects.create(topic=dw.topic, community=dw.xincun, title="x", owner=dw.leader)
    c = as_user(dw.outsider)
    assert c.get(url("topic_detail", dw.topic.pk)).status_code == 404
    assert (
        c.post(url("topic_decide", dw.topic.pk), {"decision": "x", "status": "done"}).status_code
        == 404
    )
    assert c.post(url("action_new", dw.topic.pk), {"title": "x"}).status_code == 404
    assert c.post(url("action_done", a.pk)).status_code == 404
    assert dw.topic.title not in c.get(url("topic_list")).content.decode()
    r = c.post(url("topic_new"), {"title": "越界", "place": f"c:{dw.xincun.pk}"})
    assert r.status_code == 400 and not Topic.objects.filter(title="越界").exists()


def test_a_user_without_any_role_is_refused(db, as_user):
    from tests.factories import make_user

    assert as_user(make_user("nobody")).get(url("index")).status_code == 403


def test_topic_text_is_escaped(dw, as_user):
    t = topic_services.topic_raise(
        actor=dw.resident,
        community=dw.xincun,
        title="<script>alert(1)</script>",
        description="<img src=x onerror=alert(1)>",
    )
    for name, args in (("topic_detail", (t.pk,)), ("topic_list", ()), ("index", ())):
        page = as_user(dw.staff).get(url(name, *args)).content.decode()
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page, name
        assert "<img src=x" not in page


# --- query counts ----------------------------------------------------------------------------


def _fill(dw, topic, n):
    for i in range(n):
        m = meeting_services.meeting_create(
            actor=dw.staff,
            community=dw.xincun,
            body="residents_council",
            title=f"会{i}",
            starts_at=timezone.now() + dt.timedelta(days=5),
            location="室",
        )
        meeting_services.agenda_add(actor=dw.staff, meeting=m, topic=topic)
        Forum.objects.create(
            community=dw.xincun,
            building=dw.b3,
            topic=topic,
            title=f"座谈{i}",
            held_on=timezone.localdate(),
        )
        Survey.objects.create(community=dw.xincun, topic=topic, title=f"问卷{i}", status="open")
        Vote.objects.create(
            community=dw.xincun,
            topic=topic,
            title=f"表决{i}",
            question="?",
            rule="consultative",
            status="open",
        )
        ActionItem.objects.create(
            topic=topic,
            community=dw.xincun,
            title=f"事{i}",
            owner=dw.leader,
            due_on=timezone.localdate(),
        )
        topic.tickets.add(_ticket(dw))


@pytest.mark.parametrize("who", ["staff", "resident", "leader"])
def test_topic_page_query_count_is_constant(dw, as_user, django_assert_max_num_queries, who):
    small = Topic.objects.create(community=dw.xincun, title="小")
    large = Topic.objects.create(community=dw.xincun, title="大")
    _fill(dw, small, 1)
    _fill(dw, large, 25)
    c = as_user(getattr(dw, who))
    counts = []
    for t in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url("topic_detail", t.pk)).status_code == 200
        counts.append(len(ctx.captured_queries))
    print("topic page queries", who, counts)
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(18):
        c.get(url("topic_detail", large.pk))


def test_landing_and_list_query_counts_are_constant(dw, as_user, django_assert_max_num_queries):
    c = as_user(dw.resident)
    counts = []
    for n in (2, 40):
        Topic.objects.bulk_create([Topic(community=dw.xincun, title=f"t{i}") for i in range(n)])
        with CaptureQueriesContext(connection) as ctx:
            c.get(url("index"))
            c.get(url("topic_list"))
        counts.append(len(ctx.captured_queries))
    print("index+list queries", counts)
    assert counts[0] == counts[1]
