"""A small community with one of everything a person can open — a request, a topic, a meeting,
a survey, a forum, a vote — and the pages each persona reaches there. Shared by the header test
(tests/security/test_headers.py) and the accessibility scan (tests/browser/test_accessibility.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from linli.deliberation.models import Body, VoteRule
from linli.deliberation.services import forums as forum_services
from linli.deliberation.services import meetings as meeting_services
from linli.deliberation.services import surveys as survey_services
from linli.deliberation.services import topics
from linli.deliberation.services import votes as vote_services
from linli.tickets import services as tickets
from linli.tickets.models import Category
from tests.factories import World, make_world


@dataclass
class Site:
    world: World
    # persona name (None: a visitor) → the paths that persona opens
    pages: dict[str | None, list[str]] = field(default_factory=dict)


def build_site() -> Site:
    w = make_world()
    water = Category.objects.create(
        community=w.xincun, code="water", name="水管漏水", name_en="Water leak"
    )
    ticket = tickets.ticket_submit(
        actor=w.resident, category=water, description="厨房水管漏水", household=w.hh_3_2_501
    )
    topic = topics.topic_raise(actor=w.staff, community=w.xincun, title="加装电梯")
    meeting = meeting_services.meeting_create(
        actor=w.staff,
        community=w.xincun,
        body=Body.choices[0][0],
        title="居民议事会",
        starts_at=timezone.now() + dt.timedelta(days=10),
        location="活动室",
    )
    survey = survey_services.survey_create(actor=w.staff, community=w.xincun, title="电梯意愿调查")
    survey_services.question_add(
        actor=w.staff, survey=survey, kind="single", text="是否同意?", choices="同意\n不同意"
    )
    forum = forum_services.forum_create(
        actor=w.staff, building=w.b3, held_on=timezone.localdate(), title="3号楼楼道议事"
    )
    vote = vote_services.vote_create(
        actor=w.staff,
        topic=topic,
        title="加装电梯表决",
        question="是否同意加装电梯?",
        rule=VoteRule.CONSULTATIVE,
    )

    common = ["/", "/notifications/", "/accounts/my-data/", "/deliberation/"]
    resident_pages = [*common, "/requests/", "/requests/new/", f"/requests/{ticket.pk}/"]
    staff_pages = [
        *common,
        "/registry/search/",
        "/registry/search/?q=zs",
        "/registry/c/xincun/",
        f"/registry/buildings/{w.b3.pk}/",
        f"/registry/households/{w.hh_3_2_501.pk}/",
        f"/registry/residents/{w.zhang_san.pk}/",
        "/requests/",
        "/requests/queue/",
        "/requests/intake/",
        f"/requests/{ticket.pk}/",
        "/deliberation/topics/",
        f"/deliberation/topics/{topic.pk}/",
        "/deliberation/meetings/",
        f"/deliberation/meetings/{meeting.pk}/",
        "/deliberation/surveys/",
        f"/deliberation/surveys/{survey.pk}/",
        "/deliberation/forums/",
        f"/deliberation/forums/{forum.pk}/",
        "/deliberation/votes/",
        f"/deliberation/votes/{vote.pk}/",
    ]
    leader_pages = [
        *common,
        f"/registry/buildings/{w.b3.pk}/",
        f"/registry/households/{w.hh_3_2_501.pk}/",
        f"/deliberation/forums/{forum.pk}/",
    ]
    return Site(
        world=w,
        pages={
            None: ["/", "/accounts/login/"],
            "resident": resident_pages,
            "leader": leader_pages,
            "staff": staff_pages,
        },
    )
