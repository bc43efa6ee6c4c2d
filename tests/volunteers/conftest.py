"""The volunteers' personas, on top of the shared world: in Xincun the "long march" team led
by ``team_leader`` with ``world.volunteer`` as a member, the "mums" team led by
``other_leader``; in Nancun a team led by ``nancun_leader``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from linli.volunteers import services
from linli.volunteers.models import MemberRole, VolunteerProfile, VolunteerTeam
from tests.factories import grant, make_user


@dataclass
class Teams:
    world: Any
    long_march: VolunteerTeam
    mums: VolunteerTeam
    nancun_team: VolunteerTeam
    team_leader: Any
    other_leader: Any
    nancun_leader: Any
    member: Any
    member_profile: VolunteerProfile


def make_teams(world) -> Teams:
    w = world
    lm = VolunteerTeam.objects.create(community=w.xincun, name="新长征志愿服务队")
    mums = VolunteerTeam.objects.create(community=w.xincun, name="妈妈帮帮团")
    nt = VolunteerTeam.objects.create(community=w.nancun, name="南村巡逻队")
    tl = make_user("team_leader")
    grant(tl, "volunteer", w.xincun)
    ol = make_user("other_leader")
    grant(ol, "volunteer", w.xincun)
    nl = make_user("nancun_leader")
    grant(nl, "volunteer", w.nancun)
    for team, user in ((lm, tl), (mums, ol), (nt, nl)):
        p = services.profile_ensure(community=team.community, user=user)
        services.member_add(actor=None, team=team, profile=p, role=MemberRole.LEADER)
    mp = services.profile_ensure(community=w.xincun, user=w.volunteer)
    services.member_add(actor=None, team=lm, profile=mp)
    return Teams(w, lm, mums, nt, tl, ol, nl, w.volunteer, mp)


@pytest.fixture
def teams(world) -> Teams:
    return make_teams(world)
