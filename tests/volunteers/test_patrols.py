"""Safety patrols: a route with checkpoints, a patrol log (start, checkpoints, findings with
photo, end → pending hours); every finding becomes a request (channel patrol, in the staff
queue, the place and photo carried over, the team as requester), a topic, or no action with
a reason."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from linli.core.errors import Conflict, DomainError
from linli.core.policy import forget_memberships
from linli.tickets.models import Category
from linli.volunteers.models import FindingOutcome, HourSource, HourStatus
from linli.volunteers.services.patrols import (
    checkpoint_pass,
    finding_add,
    finding_no_action,
    finding_to_request,
    finding_to_topic,
    patrol_end,
    patrol_start,
    route_create,
)
from tests.factories import grant

pytestmark = pytest.mark.django_db


def _jpeg():
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (50, 90, 10)).save(buf, "JPEG")
    return SimpleUploadedFile("f.jpg", buf.getvalue(), "image/jpeg")


@pytest.fixture
def walk(teams):
    route = route_create(actor=teams.team_leader, team=teams.long_march, name="东片夜巡",
                         checkpoints=["东门", "3号楼消防通道", "车棚"])  # fmt: skip
    start = timezone.now() - dt.timedelta(hours=2)
    patrol = patrol_start(actor=teams.member, route=route, now=start)
    return route, patrol


def test_patrol_log_start_checkpoints_findings_end_gives_pending_hours(teams, walk):
    route, patrol = walk
    for cp in route.checkpoints.all():
        checkpoint_pass(actor=teams.member, patrol=patrol, checkpoint=cp, token=cp.token)
    assert patrol.passes.count() == 3
    f = finding_add(actor=teams.member, patrol=patrol, kind="fire_passage", place="3号楼",
                    description="消防通道堆放杂物", photo=_jpeg(), building=teams.world.b3)  # fmt: skip
    assert f.photo
    patrol_end(actor=teams.member, patrol=patrol)
    patrol.refresh_from_db()
    e = patrol.hour_entry
    assert e.source == HourSource.PATROL and e.status == HourStatus.PENDING
    assert e.team == teams.long_march and 115 <= e.minutes <= 121
    with pytest.raises(Conflict):
        finding_add(actor=teams.member, patrol=patrol, kind="hazard", place="x", description="y")


def test_bad_patrol_input_refused(teams, walk):
    route, patrol = walk
    other = route_create(actor=teams.team_leader, team=teams.long_march, name="西片",
                         checkpoints=["西门"])  # fmt: skip
    with pytest.raises(DomainError):
        checkpoint_pass(actor=teams.member, patrol=patrol, checkpoint=other.checkpoints.get())
    cp = route.checkpoints.first()
    with pytest.raises(DomainError):
        checkpoint_pass(actor=teams.member, patrol=patrol, checkpoint=cp, token="forged")
    for kw in ({"kind": "ufo"}, {"place": " "}, {"description": ""}):
        args = {"kind": "hazard", "place": "东门", "description": "电线裸露", **kw}
        with pytest.raises(DomainError):
            finding_add(actor=teams.member, patrol=patrol, **args)
    with pytest.raises(DomainError):
        finding_add(actor=teams.member, patrol=patrol, kind="hazard", place="东门",
                    description="x", photo=SimpleUploadedFile("a.jpg", b"nope", "image/jpeg"))  # fmt: skip
    assert not patrol.findings.exists()
    with pytest.raises(Conflict):  # one patrol at a time
        patrol_start(actor=teams.member, route=route)


def test_only_team_members_walk_and_only_leaders_decide(teams, walk):
    route, patrol = walk
    with pytest.raises(PermissionDenied):
        patrol_start(actor=teams.world.resident, route=route)
    with pytest.raises(Http404):
        patrol_start(actor=teams.nancun_leader, route=route)
    f = finding_add(
        actor=teams.member, patrol=patrol, kind="hazard", place="东门", description="井盖松动"
    )
    with pytest.raises(PermissionDenied):
        finding_no_action(actor=teams.member, finding=f, reason="x")
    with pytest.raises(PermissionDenied):
        finding_no_action(actor=teams.other_leader, finding=f, reason="x")
    with pytest.raises(DomainError):
        finding_no_action(actor=teams.team_leader, finding=f, reason=" ")
    finding_no_action(actor=teams.team_leader, finding=f, reason="已当场处理")
    f.refresh_from_db()
    assert f.outcome == FindingOutcome.NO_ACTION
    with pytest.raises(Conflict):
        finding_to_topic(actor=teams.team_leader, finding=f)


def test_finding_becomes_a_request_in_the_staff_queue_with_channel_patrol(teams, walk, as_user):
    route, patrol = walk
    w = teams.world
    grant(teams.team_leader, "team_leader", w.xincun)  # the community's patrol team leader
    forget_memberships(teams.team_leader)
    cat = Category.objects.create(community=w.xincun, code="fire", name="消防安全")
    f = finding_add(actor=teams.member, patrol=patrol, kind="fire_passage", place="3号楼1单元",
                    description="电动车堵塞消防通道", photo=_jpeg(), building=w.b3)  # fmt: skip
    finding_to_request(actor=teams.team_leader, finding=f, category=cat)
    f.refresh_from_db()
    t = f.ticket
    assert f.outcome == FindingOutcome.REQUEST and t.channel == "patrol"
    assert t.building_id == w.b3.pk and t.photos.count() == 1
    assert t.requesters.get().name == teams.long_march.name
    page = as_user(w.staff).get(reverse("tickets:queue") + "?channel=patrol")
    assert page.status_code == 200 and f'data-ticket="{t.pk}"' in page.content.decode()


def test_a_residents_opinion_becomes_a_topic(teams, walk):
    route, patrol = walk
    f = finding_add(actor=teams.member, patrol=patrol, kind="opinion", place="小广场",
                    description="居民希望增设休息座椅")  # fmt: skip
    finding_to_topic(actor=teams.team_leader, finding=f)
    f.refresh_from_db()
    assert f.outcome == FindingOutcome.TOPIC and f.topic.community_id == teams.world.xincun.pk


def test_patrol_pages_on_a_phone(teams, as_user):
    route = route_create(actor=teams.team_leader, team=teams.long_march, name="东片",
                         checkpoints=["东门"])  # fmt: skip
    c = as_user(teams.member)
    team_page = c.get(reverse("volunteers:team_detail", args=[teams.long_march.pk]))
    assert 'data-testid="patrol-start"' in team_page.content.decode()
    r = c.post(reverse("volunteers:patrol_start", args=[route.pk]))
    patrol = route.patrols.get()
    assert r.status_code == 302 and r["Location"].endswith(f"/patrols/{patrol.pk}/")
    cp = route.checkpoints.get()
    c.post(reverse("volunteers:patrol_pass", args=[patrol.pk]), {"checkpoint": cp.pk})
    assert patrol.passes.count() == 1
    r = c.post(reverse("volunteers:patrol_detail", args=[patrol.pk]),
               {"kind": "parking", "place": "东门", "description": "占用盲道", "photo": _jpeg()})  # fmt: skip
    assert r.status_code == 302 and patrol.findings.count() == 1
    bad = c.post(reverse("volunteers:patrol_detail", args=[patrol.pk]), {"kind": "parking"})
    assert bad.status_code == 400 and patrol.findings.count() == 1
    f = patrol.findings.get()
    decide = reverse("volunteers:finding_decide", args=[f.pk])
    assert c.post(decide, {"outcome": "no_action", "reason": "x"}).status_code == 403
    leader = as_user(teams.team_leader)
    assert (
        'data-testid="to-request"'
        in leader.get(reverse("volunteers:patrol_detail", args=[patrol.pk])).content.decode()
    )
    assert leader.post(decide, {"outcome": "no_action", "reason": "已劝导"}).status_code == 302
    f.refresh_from_db()
    assert f.outcome == "no_action"
    assert (
        as_user(teams.world.outsider)
        .get(reverse("volunteers:patrol_detail", args=[patrol.pk]))
        .status_code
        == 404
    )


def test_an_opinion_joins_a_topic_already_raised(teams, walk):
    from linli.deliberation.models import Topic

    route, patrol = walk
    topic = Topic.objects.create(community=teams.world.xincun, title="夜间照明", source="staff")
    f = finding_add(actor=teams.member, patrol=patrol, kind="opinion", place="东门",
                    description="居民建议加装路灯")  # fmt: skip
    finding_to_topic(actor=teams.team_leader, finding=f, topic=topic)
    f.refresh_from_db()
    assert f.topic_id == topic.pk and Topic.objects.count() == 1
