"""Building forums: held at a building by its leader, its grid worker or the office; opinions
by theme with the speaker named only with consent; follow-up work — and who is refused."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linli.core.errors import DomainError
from linli.core.models import Event
from linli.deliberation.models import ActionItem, Forum, Opinion, Topic
from linli.deliberation.queries import forums as forum_queries
from linli.deliberation.services import forums as svc

pytestmark = pytest.mark.django_db


def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def url(name, *args):
    return reverse(f"deliberation:{name}", args=args)


def _form(dw, building, **over):
    data = {
        "building": building.pk,
        "held_on": timezone.localdate().isoformat(),
        "title": "楼下座谈",
        "notes": "",
        "topic": "",
    }
    data.update(over)
    return data


def _forum(dw, building=None, **kw) -> Forum:
    return svc.forum_create(
        actor=dw.staff,
        building=building or dw.b3,
        title="3号楼座谈",
        held_on=timezone.localdate(),
        **kw,
    )


# --- holding a forum -------------------------------------------------------------------------


def test_a_building_leader_holds_a_forum_only_at_their_building(dw, as_user):
    c = as_user(dw.leader)
    page = c.get(url("forum_new")).content.decode()
    assert f'value="{dw.b3.pk}"' in page and f'value="{dw.b4.pk}"' not in page
    r = c.post(url("forum_new"), _form(dw, dw.b3, topic=dw.topic.pk))
    assert r.status_code == 302
    f = Forum.objects.get()
    assert (f.building, f.community, f.topic, f.created_by) == (
        dw.b3,
        dw.xincun,
        dw.topic,
        dw.leader,
    )
    assert c.post(url("forum_new"), _form(dw, dw.b4)).status_code == 404
    assert Forum.objects.count() == 1


def test_a_grid_worker_holds_forums_in_their_grid_only(dw, as_user):
    c = as_user(dw.grid_worker)
    assert c.post(url("forum_new"), _form(dw, dw.b4)).status_code == 302
    assert c.post(url("forum_new"), _form(dw, dw.b5)).status_code == 404  # grid 2


def test_forum_with_bad_input_saves_nothing(dw, as_user):
    c = en(as_user(dw.staff))
    assert c.post(url("forum_new"), _form(dw, dw.b3, title="")).status_code == 400
    r = c.post(url("forum_new"), _form(dw, dw.b3, held_on="2001-01-01"))
    assert r.status_code == 400 and "within a year" in r.content.decode()
    nancun_topic = Topic.objects.create(community=dw.nancun, title="南村")
    assert c.post(url("forum_new"), _form(dw, dw.b3, topic=nancun_topic.pk)).status_code == 400
    assert not Forum.objects.exists()


# --- opinions and consent --------------------------------------------------------------------


def test_speaker_named_only_with_consent(dw, as_user):
    f = _forum(dw)
    c = en(as_user(dw.leader))
    r = c.post(
        url("opinion_new", f.pk),
        {
            "theme": "停车",
            "text": "晚上车位不够",
            "speaker_consented": "on",
            "speaker_name": "刘阿姨",
        },
    )
    assert r.status_code == 302
    r = c.post(
        url("opinion_new", f.pk),
        {"theme": "停车", "text": "外来车太多", "speaker_name": "王大爷"},
        follow=True,
    )
    assert "without the name" in r.content.decode()
    named, unnamed = Opinion.objects.order_by("id")
    assert (named.speaker_consented, named.speaker_name) == (True, "刘阿姨")
    assert (unnamed.speaker_consented, unnamed.speaker_name) == (False, "")
    # The name given without consent is nowhere: not in the database, not in the log.
    assert not Opinion.objects.filter(speaker_name__contains="王大爷").exists()
    assert not any("王大爷" in str(e.data) for e in Event.objects.all())
    page = en(as_user(dw.resident)).get(url("forum_detail", f.pk)).content.decode()
    assert "刘阿姨" in page and "王大爷" not in page and "外来车太多" in page


def test_the_service_drops_a_name_without_consent(dw):
    f = _forum(dw)
    o = svc.opinion_add(
        actor=dw.staff,
        forum=f,
        theme="绿化",
        text="多种树",
        speaker_consented=False,
        speaker_name="李四",
    )
    assert o.speaker_name == "" and not o.speaker_consented


def test_forum_page_groups_opinions_by_theme_with_counts(dw, as_user):
    f = _forum(dw)
    for theme, text in (("停车", "a"), ("绿化", "b"), (" 停车 ", "c"), ("停车", "d")):
        svc.opinion_add(actor=dw.staff, forum=f, theme=theme, text=text)
    themes = forum_queries.forum_themes(f)
    assert [(t.name, t.count) for t in themes] == [("停车", 3), ("绿化", 1)]
    page = as_user(dw.resident).get(url("forum_detail", f.pk)).content.decode()
    assert page.index("停车") < page.index("绿化")
    assert 'data-testid="theme-counts"' in page


def test_opinion_needs_a_theme_and_a_text(dw, as_user):
    f = _forum(dw)
    c = as_user(dw.leader)
    assert c.post(url("opinion_new", f.pk), {"theme": "", "text": "x"}).status_code == 400
    assert c.post(url("opinion_new", f.pk), {"theme": "x", "text": ""}).status_code == 400
    assert c.post(url("opinion_new", f.pk), {"theme": "x" * 41, "text": "y"}).status_code == 400
    assert not Opinion.objects.exists()


def test_removing_an_opinion(dw, as_user):
    f = _forum(dw)
    o = svc.opinion_add(actor=dw.staff, forum=f, theme="x", text="y")
    assert as_user(dw.resident).post(url("opinion_delete", f.pk, o.pk)).status_code == 403
    assert as_user(dw.leader).post(url("opinion_delete", f.pk, o.pk)).status_code == 302
    assert not Opinion.objects.exists()


# --- follow-up -------------------------------------------------------------------------------


def test_follow_up_from_a_forum_without_topic_raises_one(dw, as_user):
    f = _forum(dw)
    due = timezone.localdate().isoformat()
    r = as_user(dw.staff).post(
        url("forum_follow_up", f.pk),
        {"title": "清理楼道杂物", "owner": dw.leader.pk, "due_on": due},
    )
    assert r.status_code == 302
    f.refresh_from_db()
    a = ActionItem.objects.get()
    assert f.topic and f.topic.building == dw.b3 and a.topic == f.topic
    assert (a.source_type, a.source_id) == ("forum", f.pk)
    page = as_user(dw.resident).get(url("forum_detail", f.pk)).content.decode()
    assert "清理楼道杂物" in page
    assert (
        "清理楼道杂物" in as_user(dw.resident).get(url("topic_detail", f.topic.pk)).content.decode()
    )


def test_leaders_record_opinions_but_the_office_creates_work(dw, as_user):
    f = _forum(dw)
    r = as_user(dw.leader).post(url("forum_follow_up", f.pk), {"title": "x", "owner": dw.leader.pk})
    assert r.status_code == 403 and not ActionItem.objects.exists()


def test_follow_up_with_bad_input_saves_nothing(dw, as_user):
    f = _forum(dw)
    r = as_user(dw.staff).post(url("forum_follow_up", f.pk), {"title": "x"})
    assert r.status_code == 400
    f.refresh_from_db()
    assert not ActionItem.objects.exists() and f.topic is None
    assert Topic.objects.count() == 1


# --- who may see and do what -----------------------------------------------------------------


def test_permission_matrix(dw, as_user):
    f = _forum(dw)  # building 3
    o = svc.opinion_add(actor=dw.staff, forum=f, theme="x", text="y")
    see = {
        "resident": 200,
        "leader": 200,
        "grid_worker": 200,
        "volunteer": 200,
        "staff": 200,
        "secretary": 200,
        "supervisor": 200,
        "other_resident": 404,
        "outsider": 404,
    }
    manage = {
        "resident": 403,
        "leader": 302,
        "grid_worker": 302,
        "volunteer": 403,
        "staff": 302,
        "secretary": 302,
        "supervisor": 403,
        "other_resident": 404,
        "outsider": 404,
    }
    for who, status in see.items():
        c = as_user(getattr(dw, who))
        assert c.get(url("forum_detail", f.pk)).status_code == status, who
        r = c.post(url("opinion_new", f.pk), {"theme": "t", "text": who})
        assert r.status_code == manage[who], who
        edit = c.get(url("forum_edit", f.pk)).status_code
        assert edit == (200 if manage[who] == 302 else manage[who]), who
    for who in ("resident", "volunteer", "supervisor"):
        assert as_user(getattr(dw, who)).get(url("forum_new")).status_code == 403, who
    assert as_user(dw.outsider).post(url("forum_new"), _form(dw, dw.b3)).status_code == 404
    assert as_user(dw.outsider).post(url("opinion_delete", f.pk, o.pk)).status_code == 404
    assert set(Opinion.objects.values_list("text", flat=True)) == {
        "y",
        "leader",
        "grid_worker",
        "staff",
        "secretary",
    }
    # The list shows only forums the actor may see.
    r = as_user(dw.other_resident).get(url("forum_list"))
    assert r.status_code == 200 and not r.context["page"].object_list


def test_forum_text_is_escaped(dw, as_user):
    f = svc.forum_create(
        actor=dw.staff,
        building=dw.b3,
        title="<script>x</script>",
        held_on=timezone.localdate(),
        notes="<b>n</b>",
    )
    svc.opinion_add(
        actor=dw.staff,
        forum=f,
        theme="<i>t</i>",
        text="<script>y</script>",
        speaker_consented=True,
        speaker_name="<u>s</u>",
    )
    page = as_user(dw.resident).get(url("forum_detail", f.pk)).content.decode()
    for raw in ("<script>", "<b>n</b>", "<i>t</i>", "<u>s</u>"):
        assert raw not in page
    assert "&lt;script&gt;" in page


def test_forum_page_query_count_is_constant(dw, as_user, django_assert_max_num_queries):
    small, large = _forum(dw), _forum(dw)
    for f, n in ((small, 2), (large, 60)):
        for i in range(n):
            svc.opinion_add(
                actor=dw.staff,
                forum=f,
                theme=f"主题{i % 7}",
                text=f"意见{i}",
                speaker_consented=bool(i % 2),
                speaker_name=f"人{i}",
            )
    for who in ("staff", "resident"):
        c = as_user(getattr(dw, who))
        counts = []
        for f in (small, large):
            with CaptureQueriesContext(connection) as ctx:
                assert c.get(url("forum_detail", f.pk)).status_code == 200
            counts.append(len(ctx.captured_queries))
        print("forum page queries", who, counts)
        assert counts[0] == counts[1]
    c = as_user(dw.staff)
    with django_assert_max_num_queries(12):
        c.get(url("forum_detail", large.pk))


def test_forum_errors_raise_domain_errors(dw):
    with pytest.raises(DomainError):
        svc.forum_create(actor=dw.staff, building=dw.b3, title=" ", held_on=timezone.localdate())
