"""The demo's volunteers (志愿者): Xincun's two standing teams — the veterans' "New Long March"
team and the Mums' Help Group — with a profile and a volunteer number for every member, their
leaders leading by their membership, and log-ins linked where the plan links them."""

from __future__ import annotations

from typing import Any

from linli.registry.models import Community
from linli.volunteers.models import (
    MemberRole,
    MemberStatus,
    TeamKind,
    TeamMember,
    VolunteerProfile,
    VolunteerTeam,
)


def build_demo_teams(plan: Any, users: dict[str, Any], xc: Community) -> None:
    user_of = {id(p): users[name] for name, p in plan.linked.items()}
    profiles: dict[int, VolunteerProfile] = {}
    prefix = f"{xc.code.upper()[:8]}-V"
    for team in plan.teams:
        t = VolunteerTeam.objects.create(
            community=xc, name=team.name, kind=TeamKind.STANDING, description=team.description
        )
        rows = []
        for p, joined, lead in team.members:
            profile = profiles.get(p.pk)
            if profile is None:
                user = user_of.get(id(p))
                profile = profiles[p.pk] = VolunteerProfile.objects.create(
                    community=xc,
                    resident_id=p.pk,
                    user=user,
                    name=p.name,
                    number=f"{prefix}{len(profiles) + 1:05d}",
                    # Half of them agree to be named on public pages (Art. 20).
                    public_name_consent=len(profiles) % 2 == 0,
                )
            rows.append(
                TeamMember(
                    team=t,
                    profile=profile,
                    resident_id=p.pk,
                    user=profile.user,
                    role=MemberRole.LEADER if lead else MemberRole.MEMBER,
                    status=MemberStatus.ACTIVE,
                    joined_on=joined,
                )
            )
        TeamMember.objects.bulk_create(rows)
