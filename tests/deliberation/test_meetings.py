"""Council meetings: the whole life of a meeting as the personas live it, the QR sign-in, the
notice period, the quorum, resolutions turning into work — and who is refused."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from linli.core.models import Event, Notification
from linli.deliberation.models import (
    ActionItem,
    Invitation,
    Meeting,
    MeetingStatus,
    Resolution,
    Topic,
)
from linli.deliberation.services import meeting_attendance as attendance_svc
from linli.deliberation.services import meeting_minutes as minutes_svc
from linli.deliberation.services import meetings as svc
from tests.factories import grant, make_household, make_user

pytestmark = pytest.mark.django_db


def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def url(name, *args):
    return reverse(f"deliberation:{name}", args=args)


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def _local(when):
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def names(dw):
    # Distinctive names, so a page that must not name people can be checked for them.
    for user, name in (
        (dw.leader, "楼长老陈"),
        (dw.grid_worker, "网格员小刘"),
        (dw.volunteer, "志愿者阿梅"),
        (dw.resident, "居民张三"),
    ):
        user.display_name = name
        user.save()
    return dw


def _meeting(dw, *, body="residents_council", days=5, invite=(), topic=True, **kw) -> Meeting:
    m = svc.meeting_create(
        actor=dw.staff,
        community=dw.xincun,
        body=body,
        title="居民议事会",
        starts_at=timezone.now() + dt.timedelta(days=days),
        location="社区活动室",
        **kw,
    )
    if topic:
        svc.agenda_add(actor=dw.staff, meeting=m, topic=dw.topic)
    if invite:
        svc.meeting_invite(actor=dw.staff, meeting=m, users=invite)
    return m


def _noticed_and_started(dw, invite, **kw) -> Meeting:
    m = _meeting(dw, invite=invite, **kw)
    svc.meeting_publish_notice(actor=dw.staff, meeting=m)
    # The day has come.
    Meeting.objects.filter(pk=m.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=5))
    m.refresh_from_db()
    return m


def _members(dw):
    return [dw.leader, dw.grid_worker, dw.volunteer, dw.resident]


# --- the whole life of a meeting ---------------------------------------------------------------


def test_a_council_meeting_from_notice_to_published_minutes(names, as_user):
    dw = names
    staff = as_user(dw.staff)
    start = timezone.now() + dt.timedelta(days=5)
    r = staff.post(
        url("meeting_new"),
        {
            "community": dw.xincun.pk,
            "body": "residents_council",
            "title": "四月居民议事会",
            "starts_at": _local(start),
            "location": "社区活动室",
            "notice_days": "",
        },
    )
    assert r.status_code == 302
    m = Meeting.objects.get()
    assert (m.status, m.notice_days, m.created_by) == ("draft", 3, dw.staff)

    # The agenda, in order; then the members.
    second = Topic.objects.create(community=dw.xincun, title="楼道堆物", raised_by=dw.staff)
    for t in (dw.topic, second):
        assert (
            staff.post(url("meeting_agenda", m.pk), {"op": "add", "topic": t.pk}).status_code == 302
        )
    item = m.agenda.get(topic=second)
    staff.post(url("meeting_agenda", m.pk), {"op": "up", "item": item.pk})
    assert [a.topic for a in m.agenda.order_by("order")] == [second, dw.topic]
    r = staff.post(
        url("meeting_invite", m.pk),
        {"roles": ["building_leader", "grid_worker"], "users": [dw.volunteer.pk, dw.resident.pk]},
    )
    assert r.status_code == 302
    assert set(m.invitations.values_list("user", flat=True)) == {u.pk for u in _members(dw)}

    # A resident cannot see a meeting being prepared.
    assert as_user(dw.other_resident).get(url("meeting_detail", m.pk)).status_code == 404

    staff = as_user(dw.staff)
    assert staff.post(url("meeting_notice", m.pk)).status_code == 302
    m.refresh_from_db()
    assert m.status == "noticed" and m.noticed_at
    told = Notification.objects.filter(verb="meeting.noticed", channel="in_app")
    assert set(told.values_list("recipient", flat=True)) == {u.pk for u in _members(dw)}
    assert told.first().url == url("meeting_detail", m.pk)

    # Everyone in the community now sees the agenda, time and place.
    page = en(as_user(dw.other_resident)).get(url("meeting_detail", m.pk)).content.decode()
    assert "四月居民议事会" in page and "社区活动室" in page and dw.topic.title in page
    assert 'data-testid="invitations"' not in page and "楼长老陈" not in page

    # The day of the meeting: the resident scans the code, staff signs two more in.
    Meeting.objects.filter(pk=m.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=5))
    c = as_user(dw.resident)
    assert (
        'data-testid="checkin"' in c.get(url("meeting_checkin", m.checkin_token)).content.decode()
    )
    assert c.post(url("meeting_checkin", m.checkin_token)).status_code == 302
    inv = Invitation.objects.get(meeting=m, user=dw.resident)
    assert inv.attended and inv.sign_in_method == "qr" and inv.signed_in_at
    staff = en(as_user(dw.staff))
    for u in (dw.leader, dw.grid_worker):
        i = Invitation.objects.get(meeting=m, user=u)
        r = staff.post(url("meeting_attendance", m.pk, i.pk), {"attended": "1"})
        assert r.status_code == 302
    assert Invitation.objects.get(meeting=m, user=dw.leader).sign_in_method == "staff"
    page = staff.get(url("meeting_detail", m.pk)).content.decode()
    assert "3 of 4 invited members present; 3 needed: the meeting is quorate." in page
    assert 'data-testid="checkin-qr"' in page and "<svg" in page

    assert staff.post(url("meeting_held", m.pk)).status_code == 302
    r = staff.post(
        url("meeting_resolution", m.pk),
        {
            "topic": dw.topic.pk,
            "text": "同意加装电梯,成立工作小组",
            "yes": 2,
            "no": 1,
            "abstain": 0,
        },
    )
    assert r.status_code == 302
    res = Resolution.objects.get()
    assert res.passed and (res.yes, res.no, res.abstain) == (2, 1, 0)

    # A passed resolution becomes work, shown on the topic until done.
    due = timezone.localdate() + dt.timedelta(days=14)
    r = staff.post(
        url("meeting_follow_up", m.pk, res.pk),
        {"title": "联系电梯公司报价", "owner": dw.leader.pk, "due_on": due.isoformat()},
    )
    assert r.status_code == 302
    work = ActionItem.objects.get()
    assert (work.source_type, work.source_id, work.owner, work.topic) == (
        "resolution",
        res.pk,
        dw.leader,
        dw.topic,
    )
    topic_page = as_user(dw.other_resident).get(url("topic_detail", dw.topic.pk)).content.decode()
    assert "联系电梯公司报价" in topic_page

    staff = en(as_user(dw.staff))
    r = staff.post(url("meeting_close", m.pk))
    assert r.status_code == 400 and "Write the minutes" in r.content.decode()
    assert (
        staff.post(
            url("meeting_minutes", m.pk),
            {"minutes": "楼长老陈发言:支持。", "public_summary": "会议同意加装电梯。"},
        ).status_code
        == 302
    )
    old_token = m.checkin_token
    assert staff.post(url("meeting_close", m.pk)).status_code == 302
    m.refresh_from_db()
    assert m.status == "closed" and m.checkin_token != old_token
    assert Notification.objects.filter(verb="meeting.closed", channel="in_app").count() == 4

    # The public page: summary, resolutions with counts, attendance as a count — no names,
    # no minutes.
    page = en(as_user(dw.other_resident)).get(url("meeting_detail", m.pk)).content.decode()
    assert "会议同意加装电梯。" in page and "同意加装电梯,成立工作小组" in page
    assert "2 yes, 1 no, 0 abstain" in page
    assert "3 of 4 invited members present." in page
    for name in ("楼长老陈", "网格员小刘", "志愿者阿梅", "居民张三"):
        assert name not in page
    assert 'data-testid="minutes"' not in page
    # An invited member reads the minutes.
    page = as_user(dw.volunteer).get(url("meeting_detail", m.pk)).content.decode()
    assert "楼长老陈发言" in page

    # The owner of the work marks it done; the topic shows it done.
    c = as_user(dw.leader)
    assert c.post(url("action_done", work.pk)).status_code == 302
    work.refresh_from_db()
    assert work.status == "done" and work.done_at
    page = en(as_user(dw.other_resident)).get(url("topic_detail", dw.topic.pk)).content.decode()
    assert "联系电梯公司报价" in page and "0 still to do" in page
    assert 'data-testid="action-done"' not in page
    verbs = set(
        Event.objects.filter(object_id=m.pk, verb__startswith="meeting.").values_list(
            "verb", flat=True
        )
    )
    assert {
        "meeting.created",
        "meeting.noticed",
        "meeting.signed_in",
        "meeting.held",
        "meeting.closed",
    } <= verbs


# --- QR sign-in ------------------------------------------------------------------------------


def test_qr_checkin_invited_ok_not_invited_403_bad_token_404_outsider_404(dw, as_user):
    m = _noticed_and_started(dw, [dw.resident])
    path = url("meeting_checkin", m.checkin_token)
    c = as_user(dw.resident)
    assert c.get(path).status_code == 200
    assert c.post(path).status_code == 302
    assert c.post(path).status_code == 302  # scanning again changes nothing
    assert Invitation.objects.get(user=dw.resident).sign_in_method == "qr"
    assert Event.objects.filter(verb="meeting.signed_in").count() == 1

    c = as_user(dw.other_resident)
    assert c.get(path).status_code == 403 and c.post(path).status_code == 403
    assert as_user(dw.resident).get(url("meeting_checkin", "not-a-token")).status_code == 404
    c = as_user(dw.outsider)
    assert c.get(path).status_code == 404 and c.post(path).status_code == 404
    # Not logged in: to the log-in page, and back.
    c = as_user(None)
    r = c.get(path)
    assert r.status_code == 302 and "login" in r["Location"]


def test_qr_code_expires_when_the_minutes_are_published(dw, as_user):
    m = _noticed_and_started(dw, [dw.resident, dw.leader, dw.volunteer])
    token = m.checkin_token
    attendance_svc.meeting_mark_held(actor=dw.staff, meeting=m)
    minutes_svc.meeting_save_minutes(
        actor=dw.staff, meeting=m, minutes="记录", public_summary="摘要"
    )
    minutes_svc.meeting_close(actor=dw.staff, meeting=m)
    assert as_user(dw.resident).get(url("meeting_checkin", token)).status_code == 404


def test_signing_in_before_the_day_is_refused(dw, as_user):
    m = _meeting(dw, invite=[dw.resident])
    svc.meeting_publish_notice(actor=dw.staff, meeting=m)
    c = en(as_user(dw.resident))
    r = c.post(url("meeting_checkin", m.checkin_token))
    assert r.status_code == 409 and "two hours before the meeting" in r.content.decode()
    assert not Invitation.objects.get().attended


def test_a_draft_meetings_code_does_not_work(dw, as_user):
    m = _meeting(dw, invite=[dw.resident])
    assert as_user(dw.resident).get(url("meeting_checkin", m.checkin_token)).status_code == 404


# --- the notice period -----------------------------------------------------------------------


def test_notice_refused_when_the_meeting_is_sooner_than_the_notice_period(dw, as_user):
    m = _meeting(dw, days=2, invite=[dw.resident])  # councils: 3 days
    r = en(as_user(dw.staff)).post(url("meeting_notice", m.pk))
    assert r.status_code == 400
    assert "at least 3 days before the meeting" in r.content.decode()
    m.refresh_from_db()
    assert m.status == "draft" and m.noticed_at is None
    assert not Notification.objects.exists()


def test_owners_assembly_needs_15_days_and_never_less(dw, as_user):
    # A meeting may no longer shorten the owners' assembly's 15 days (the legal floor, issue 9
    # #11; tests/deliberation/test_minimum_notice.py); a council still may shorten its 3.
    m = _meeting(dw, body="owners_assembly", days=10, invite=[dw.resident])
    assert m.notice_days == 15
    with pytest.raises(svc.DomainError):
        svc.meeting_publish_notice(actor=dw.staff, meeting=m)
    with pytest.raises(svc.DomainError):
        _meeting(dw, body="owners_assembly", days=10, invite=[dw.resident], notice_days=7)
    short = _meeting(dw, days=2, invite=[dw.resident], notice_days=1)
    svc.meeting_publish_notice(actor=dw.staff, meeting=short)
    assert Meeting.objects.get(pk=short.pk).status == "noticed"


def test_notice_needs_an_agenda_and_members(dw, english):
    m = _meeting(dw, topic=False, invite=[dw.resident])
    with pytest.raises(svc.DomainError, match="agenda"):
        svc.meeting_publish_notice(actor=dw.staff, meeting=m)
    m = _meeting(dw)
    with pytest.raises(svc.DomainError, match="Invite"):
        svc.meeting_publish_notice(actor=dw.staff, meeting=m)


def test_the_agenda_is_fixed_once_the_notice_is_out(dw, as_user):
    m = _meeting(dw, invite=[dw.resident])
    svc.meeting_publish_notice(actor=dw.staff, meeting=m)
    other = Topic.objects.create(community=dw.xincun, title="停车", raised_by=dw.staff)
    r = as_user(dw.staff).post(url("meeting_agenda", m.pk), {"op": "add", "topic": other.pk})
    assert r.status_code == 409 and m.agenda.count() == 1


# --- quorum ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("invited", "present", "met"),
    [
        (4, 2, False),
        (4, 3, True),
        (5, 2, False),
        (5, 3, True),
        (0, 0, False),
        (1, 1, True),
    ],
)
def test_council_quorum_is_more_than_half_of_the_invited(invited, present, met):
    q = svc.quorum("residents_council", invited=invited, present=present)
    assert q.counted and q.met is met
    assert svc.quorum("affairs_council", invited=invited, present=present).met is met


def test_owners_assembly_shows_attendance_only(english):
    q = svc.quorum("owners_assembly", invited=10, present=1)
    assert not q.counted and q.met is None and "Art. 278" in q.rule


def test_exactly_half_present_is_not_quorate_and_cannot_resolve(dw, as_user):
    m = _noticed_and_started(dw, _members(dw))
    for u in (dw.leader, dw.grid_worker):
        attendance_svc.meeting_sign_in(
            actor=dw.staff, invitation=Invitation.objects.get(meeting=m, user=u)
        )
    c = en(as_user(dw.staff))
    page = c.get(url("meeting_detail", m.pk)).content.decode()
    assert "2 of 4 invited members present; 3 needed: the meeting is not quorate." in page
    c.post(url("meeting_held", m.pk))
    r = c.post(
        url("meeting_resolution", m.pk),
        {"topic": dw.topic.pk, "text": "通过", "yes": 2, "no": 0, "abstain": 0},
    )
    assert r.status_code == 409 and "not quorate" in r.content.decode()
    assert not Resolution.objects.exists()


def test_resolution_passes_only_with_more_than_half_of_those_present(dw, english):
    m = _noticed_and_started(dw, _members(dw))
    for i in m.invitations.all():
        attendance_svc.meeting_sign_in(actor=dw.staff, invitation=i)
    attendance_svc.meeting_mark_held(actor=dw.staff, meeting=m)
    half = minutes_svc.resolution_record(
        actor=dw.staff, meeting=m, topic=dw.topic, text="一半", yes=2, no=1, abstain=1
    )
    more = minutes_svc.resolution_record(
        actor=dw.staff, meeting=m, topic=dw.topic, text="多数", yes=3, no=0, abstain=1
    )
    assert not half.passed and more.passed
    with pytest.raises(svc.DomainError, match="only 4 members"):
        minutes_svc.resolution_record(
            actor=dw.staff, meeting=m, topic=dw.topic, text="太多", yes=5, no=0, abstain=0
        )
    # Attendance is fixed once resolutions are recorded.
    with pytest.raises(svc.DomainError, match="attendance is fixed"):
        attendance_svc.meeting_sign_in(
            actor=dw.staff, invitation=m.invitations.first(), attended=False
        )


def test_a_failed_resolution_offers_no_follow_up(dw, as_user):
    m = _noticed_and_started(dw, _members(dw))
    for i in m.invitations.all():
        attendance_svc.meeting_sign_in(actor=dw.staff, invitation=i)
    attendance_svc.meeting_mark_held(actor=dw.staff, meeting=m)
    res = minutes_svc.resolution_record(
        actor=dw.staff, meeting=m, topic=dw.topic, text="否决", yes=1, no=3, abstain=0
    )
    r = as_user(dw.staff).post(
        url("meeting_follow_up", m.pk, res.pk), {"title": "做事", "owner": dw.leader.pk}
    )
    assert r.status_code == 409 and not ActionItem.objects.exists()


def test_bad_resolution_input_is_refused_and_nothing_saved(dw, as_user):
    m = _noticed_and_started(dw, _members(dw))
    for i in m.invitations.all():
        attendance_svc.meeting_sign_in(actor=dw.staff, invitation=i)
    c = as_user(dw.staff)
    c.post(url("meeting_held", m.pk))
    other = Topic.objects.create(community=dw.xincun, title="不在议程", raised_by=dw.staff)
    for data in (
        {"topic": other.pk, "text": "x", "yes": 1, "no": 0, "abstain": 0},
        {"topic": dw.topic.pk, "text": "", "yes": 1, "no": 0, "abstain": 0},
        {"topic": dw.topic.pk, "text": "x", "yes": -1, "no": 0, "abstain": 0},
    ):
        assert c.post(url("meeting_resolution", m.pk), data).status_code == 400
    assert not Resolution.objects.exists()


def test_meeting_must_start_in_the_future_and_have_a_place(dw, as_user):
    c = as_user(dw.staff)
    base = {
        "community": dw.xincun.pk,
        "body": "residents_council",
        "title": "会",
        "starts_at": _local(timezone.now() - dt.timedelta(hours=1)),
        "location": "活动室",
    }
    assert c.post(url("meeting_new"), base).status_code == 400
    base["starts_at"] = _local(timezone.now() + dt.timedelta(days=9))
    assert c.post(url("meeting_new"), {**base, "location": " "}).status_code == 400
    assert c.post(url("meeting_new"), {**base, "body": "parliament"}).status_code == 400
    assert not Meeting.objects.exists()


def test_only_community_members_can_be_invited(dw, english):
    m = _meeting(dw)
    with pytest.raises(svc.DomainError, match="holds no role"):
        svc.meeting_invite(actor=dw.staff, meeting=m, users=[dw.outsider])
    assert not m.invitations.exists()


def test_cancelling_a_noticed_meeting_tells_the_members(dw, as_user):
    m = _meeting(dw, invite=[dw.resident, dw.leader])
    svc.meeting_publish_notice(actor=dw.staff, meeting=m)
    assert (
        as_user(dw.staff).post(url("meeting_cancel", m.pk), {"reason": "下雨"}).status_code == 302
    )
    assert Meeting.objects.get().status == MeetingStatus.CANCELLED
    assert Notification.objects.filter(verb="meeting.cancelled", channel="in_app").count() == 2


# --- printable pages -------------------------------------------------------------------------


def test_printable_agenda_and_minutes(names, as_user):
    dw = names
    m = _noticed_and_started(dw, _members(dw))
    for i in m.invitations.all():
        attendance_svc.meeting_sign_in(actor=dw.staff, invitation=i)
    attendance_svc.meeting_mark_held(actor=dw.staff, meeting=m)
    minutes_svc.resolution_record(
        actor=dw.staff, meeting=m, topic=dw.topic, text="同意", yes=4, no=0, abstain=0
    )
    page = as_user(dw.other_resident).get(url("meeting_print_agenda", m.pk)).content.decode()
    assert dw.topic.title in page and "mainnav" not in page and "<svg" in page
    # Minutes before publication: the office only.
    assert as_user(dw.other_resident).get(url("meeting_print_minutes", m.pk)).status_code == 404
    page = as_user(dw.staff).get(url("meeting_print_minutes", m.pk)).content.decode()
    assert "楼长老陈" in page
    minutes_svc.meeting_save_minutes(
        actor=dw.staff, meeting=m, minutes="详细记录", public_summary="公开摘要"
    )
    minutes_svc.meeting_close(actor=dw.staff, meeting=m)
    page = as_user(dw.other_resident).get(url("meeting_print_minutes", m.pk)).content.decode()
    assert "公开摘要" in page and "同意" in page and "详细记录" not in page
    assert "楼长老陈" not in page and "mainnav" not in page


# --- who may do what -------------------------------------------------------------------------


MANAGE_POSTS = [
    "meeting_agenda",
    "meeting_invite",
    "meeting_notice",
    "meeting_held",
    "meeting_resolution",
    "meeting_minutes",
    "meeting_close",
    "meeting_cancel",
]


@pytest.mark.parametrize(
    "who", ["resident", "leader", "grid_worker", "volunteer", "mediator", "supervisor"]
)
def test_members_see_a_meeting_but_cannot_manage_it(dw, as_user, who):
    m = _meeting(dw, invite=[dw.resident])
    svc.meeting_publish_notice(actor=dw.staff, meeting=m)
    c = as_user(getattr(dw, who))
    assert c.get(url("meeting_list")).status_code == 200
    assert c.get(url("meeting_detail", m.pk)).status_code == 200
    assert c.get(url("meeting_print_agenda", m.pk)).status_code == 200
    assert c.get(url("meeting_new")).status_code == 403
    assert c.get(url("meeting_edit", m.pk)).status_code == 403
    assert c.get(url("meeting_qr", m.pk)).status_code == 403
    for name in MANAGE_POSTS:
        assert c.post(url(name, m.pk), {}).status_code == 403, name
    inv = m.invitations.get()
    assert c.post(url("meeting_attendance", m.pk, inv.pk), {"attended": "1"}).status_code == 403
    assert Meeting.objects.get().status == "noticed" and not Invitation.objects.get().attended


def _held_with_resolution(dw):
    m = _noticed_and_started(dw, _members(dw))
    for i in m.invitations.all():
        attendance_svc.meeting_sign_in(actor=dw.staff, invitation=i)
    attendance_svc.meeting_mark_held(actor=dw.staff, meeting=m)
    res = minutes_svc.resolution_record(
        actor=dw.staff, meeting=m, topic=dw.topic, text="同意", yes=4, no=0, abstain=0
    )
    return m, res


@pytest.mark.parametrize(
    ("who", "status"), [("resident", 403), ("leader", 403), ("supervisor", 403), ("outsider", 404)]
)
def test_resolution_and_invitation_actions_are_the_offices(dw, as_user, who, status):
    m, res = _held_with_resolution(dw)
    inv = m.invitations.first()
    c = as_user(getattr(dw, who))
    data = {"title": "x", "owner": dw.leader.pk}
    assert c.post(url("meeting_follow_up", m.pk, res.pk), data).status_code == status
    assert c.post(url("meeting_resolution_delete", m.pk, res.pk)).status_code == status
    assert c.post(url("meeting_uninvite", m.pk, inv.pk)).status_code == status
    assert c.post(url("meeting_attendance", m.pk, inv.pk), {"attended": "0"}).status_code == status
    assert Resolution.objects.count() == 1 and not ActionItem.objects.exists()
    assert Invitation.objects.filter(attended=True).count() == 4


def test_staff_removes_a_resolution_before_the_minutes_are_published(dw, as_user):
    m, res = _held_with_resolution(dw)
    assert as_user(dw.staff).post(url("meeting_resolution_delete", m.pk, res.pk)).status_code == 302
    assert not Resolution.objects.exists()
    # With no resolution left, attendance can be corrected again.
    attendance_svc.meeting_sign_in(actor=dw.staff, invitation=m.invitations.first(), attended=False)


def test_an_outsider_finds_no_meeting(dw, as_user):
    m = _meeting(dw, invite=[dw.resident])
    svc.meeting_publish_notice(actor=dw.staff, meeting=m)
    c = as_user(dw.outsider)
    assert c.get(url("meeting_detail", m.pk)).status_code == 404
    assert c.get(url("meeting_print_agenda", m.pk)).status_code == 404
    assert c.get(url("meeting_print_minutes", m.pk)).status_code == 404
    assert c.get(url("meeting_qr", m.pk)).status_code == 404
    for name in MANAGE_POSTS:
        assert c.post(url(name, m.pk), {}).status_code == 404, name
    assert m.pk not in [x.pk for x in c.get(url("meeting_list")).context["page"].object_list]
    # Nor can they call one in another community.
    r = c.post(
        url("meeting_new"),
        {
            "community": dw.xincun.pk,
            "body": "residents_council",
            "title": "x",
            "starts_at": _local(timezone.now() + dt.timedelta(days=9)),
            "location": "y",
        },
    )
    assert r.status_code == 400 and not Meeting.objects.filter(title="x").exists()


def test_secretary_manages_meetings_like_staff(dw, as_user):
    c = as_user(dw.secretary)
    r = c.post(
        url("meeting_new"),
        {
            "community": dw.xincun.pk,
            "body": "affairs_council",
            "title": "议事",
            "starts_at": _local(timezone.now() + dt.timedelta(days=4)),
            "location": "活动室",
        },
    )
    assert r.status_code == 302 and Meeting.objects.get().notice_days == 3


def test_meeting_text_is_escaped(dw, as_user):
    m = svc.meeting_create(
        actor=dw.staff,
        community=dw.xincun,
        body="residents_council",
        title="<script>alert(1)</script>",
        starts_at=timezone.now() + dt.timedelta(days=5),
        location="<b>room</b>",
    )
    page = as_user(dw.staff).get(url("meeting_detail", m.pk)).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<b>room</b>" not in page


# --- query counts ----------------------------------------------------------------------------


def _crowd(dw, m, n):
    users = []
    for i in range(n):
        hh = make_household(dw.b5, None, f"{m.pk}{i:03d}")
        u = make_user(f"member{m.pk}_{i}", display_name=f"成员{i}")
        grant(u, "resident", hh)
        users.append(u)
    svc.meeting_invite(actor=dw.staff, meeting=m, users=users)
    for k in range(n):
        t = Topic.objects.create(community=dw.xincun, title=f"议题{k}", raised_by=dw.staff)
        svc.agenda_add(actor=dw.staff, meeting=m, topic=t)
    return users


@pytest.mark.parametrize("who", ["staff", "other_resident"])
def test_meeting_page_query_count_is_constant(dw, as_user, django_assert_max_num_queries, who):
    small, large = _meeting(dw), _meeting(dw)
    _crowd(dw, small, 2)
    _crowd(dw, large, 30)
    for m in (small, large):
        svc.meeting_publish_notice(actor=dw.staff, meeting=m)
        Meeting.objects.filter(pk=m.pk).update(starts_at=timezone.now())
        for i in m.invitations.all()[:3]:
            attendance_svc.meeting_sign_in(actor=dw.staff, invitation=i)
    c = as_user(getattr(dw, who))
    counts = []
    for m in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url("meeting_detail", m.pk)).status_code == 200
        counts.append(len(ctx.captured_queries))
    print("meeting page queries", who, counts)
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(12):
        c.get(url("meeting_detail", large.pk))


def test_meeting_list_shows_names_of_nobody(names, as_user):
    m = _meeting(names, invite=[names.leader])
    svc.meeting_publish_notice(actor=names.staff, meeting=m)
    page = as_user(names.resident).get(url("meeting_list")).content.decode()
    assert "居民议事会" in page and "楼长老陈" not in page
    assert re.search(rf'data-meeting="{m.pk}"', page)


# --- a meeting being prepared: not visible, so 404 on each of its pages ------------------------


@pytest.mark.parametrize("who", ["resident", "leader", "grid_worker", "supervisor", "outsider"])
def test_a_meeting_being_prepared_is_not_found_on_any_of_its_pages(dw, as_user, who):
    m = _meeting(dw, invite=[dw.resident])
    c = as_user(getattr(dw, who))
    assert c.get(url("meeting_detail", m.pk)).status_code == 404
    assert c.get(url("meeting_qr", m.pk)).status_code == 404  # was 403 beside the detail's 404
    assert c.get(url("meeting_edit", m.pk)).status_code == 404
    assert c.get(url("meeting_print_agenda", m.pk)).status_code == 404
    for name in MANAGE_POSTS:
        assert c.post(url(name, m.pk), {}).status_code == 404, name
    assert c.get(url("meeting_checkin", m.checkin_token)).status_code == 404
    assert Meeting.objects.get().status == "draft"


def test_the_office_opens_every_page_of_a_meeting_being_prepared(dw, as_user):
    m = _meeting(dw, invite=[dw.resident])
    c = as_user(dw.staff)
    assert c.get(url("meeting_detail", m.pk)).status_code == 200
    assert c.get(url("meeting_edit", m.pk)).status_code == 200
    assert c.get(url("meeting_qr", m.pk)).status_code == 404  # no sign-in before the notice


def test_withdrawing_an_invitation_is_not_beside_sign_in(dw, as_user):
    """Issue 11: "撤回邀请" stood right beside "签到" on every row; a slip at the door removed
    someone. The rows carry sign-in only; withdrawing is in its own section."""
    import re

    m = _noticed_and_started(dw, [dw.resident, dw.leader])
    html = as_user(dw.staff).get(url("meeting_detail", m.pk)).content.decode()
    table = html.split('data-testid="invitations"')[1].split("</table>")[0]
    assert 'data-testid="sign-in"' in table and "meeting_uninvite" not in table
    assert "/withdraw/" not in table
    section = html.split('data-testid="uninvite-list"')[1].split("</details>")[0]
    assert re.search(r"data-uninvite=\"\d+\"", section)
