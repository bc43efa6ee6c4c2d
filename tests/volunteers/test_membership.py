"""One model of membership: profiles with numbers, join requests the leader admits, leaving
keeps history, leaders lead by their membership, a linked handling team follows the roster."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from linli.core.errors import Conflict, DomainError
from linli.tickets.models import HandlingTeam
from linli.volunteers import services
from linli.volunteers.models import MemberStatus, TeamMember, VolunteerProfile

pytestmark = pytest.mark.django_db


def test_profiles_get_dense_numbers_once_per_person(teams):
    w = teams.world
    a = services.profile_ensure(community=w.xincun, user=w.resident)
    again = services.profile_ensure(community=w.xincun, user=w.resident)
    assert a.pk == again.pk
    numbers = sorted(
        VolunteerProfile.objects.filter(community=w.xincun).values_list("number", flat=True)
    )
    assert numbers == [f"XINCUN-V{n:05d}" for n in range(1, len(numbers) + 1)]
    assert a.resident_id == w.resident.resident_id  # linked to their resident record


def test_resident_asks_to_join_and_the_leader_admits(teams):
    w = teams.world
    m = services.team_join_request(actor=w.resident, team=teams.long_march)
    assert m.status == MemberStatus.REQUESTED
    with pytest.raises(Conflict):
        services.team_join_request(actor=w.resident, team=teams.long_march)
    services.member_approve(actor=teams.team_leader, member=m)
    m.refresh_from_db()
    assert m.status == MemberStatus.ACTIVE and m.joined_on is not None


def test_other_teams_leader_and_member_cannot_admit(teams):
    w = teams.world
    m = services.team_join_request(actor=w.resident, team=teams.long_march)
    for who in (teams.other_leader, teams.member):
        with pytest.raises(PermissionDenied):
            services.member_approve(actor=who, member=m)
    with pytest.raises(Http404):
        services.member_approve(actor=teams.nancun_leader, member=m)
    with pytest.raises(Http404):
        services.member_approve(actor=w.outsider, member=m)
    services.member_approve(actor=w.staff, member=m)  # the office may


def test_leaving_keeps_history_and_rejoining_is_a_new_row(teams):
    m = TeamMember.objects.get(team=teams.long_march, user=teams.member)
    services.member_leave(actor=teams.member, member=m)
    m.refresh_from_db()
    assert m.status == MemberStatus.LEFT and m.left_on is not None
    again = services.team_join_request(actor=teams.member, team=teams.long_march)
    assert again.pk != m.pk
    assert TeamMember.objects.filter(team=teams.long_march, user=teams.member).count() == 2


def test_last_leader_cannot_leave(teams):
    m = TeamMember.objects.get(team=teams.long_march, user=teams.team_leader)
    with pytest.raises(Conflict):
        services.member_leave(actor=teams.team_leader, member=m)
    assert TeamMember.objects.get(pk=m.pk).status == MemberStatus.ACTIVE


def test_leadership_ends_with_the_membership(teams):
    """A deputy leads by their membership; once they have left, they no longer may."""
    w = teams.world
    deputy = TeamMember.objects.get(team=teams.long_march, user=teams.member)
    services.member_set_role(actor=teams.team_leader, member=deputy, role="deputy")
    req = services.team_join_request(actor=w.resident, team=teams.long_march)
    services.member_decline(actor=teams.member, member=req)  # as deputy
    services.member_leave(actor=teams.member, member=deputy)
    req2 = services.team_join_request(actor=w.resident, team=teams.long_march)
    with pytest.raises(PermissionDenied):
        services.member_approve(actor=teams.member, member=req2)


def test_unknown_role_refused(teams):
    m = TeamMember.objects.get(team=teams.long_march, user=teams.member)
    with pytest.raises(DomainError):
        services.member_set_role(actor=teams.team_leader, member=m, role="boss")
    assert TeamMember.objects.get(pk=m.pk).role == "member"


def test_linked_handling_team_reads_its_members_from_the_volunteer_team(teams):
    w = teams.world
    h = HandlingTeam.objects.create(
        community=w.xincun, name="新长征", volunteer_team=teams.long_march
    )
    m = services.team_join_request(actor=w.resident, team=teams.long_march)
    services.member_approve(actor=teams.team_leader, member=m)
    assert set(h.members.values_list("username", flat=True)) == {
        "team_leader",
        "volunteer",
        "resident",
    }
    services.member_leave(actor=w.resident, member=m)
    assert set(h.members.values_list("username", flat=True)) == {"team_leader", "volunteer"}


def test_profile_limits_validated(teams):
    with pytest.raises(DomainError):
        services.profile_update(actor=teams.member, profile=teams.member_profile, limits=["flying"])
    services.profile_update(
        actor=teams.member, profile=teams.member_profile, limits=["night"], public_name_consent=True
    )
    teams.member_profile.refresh_from_db()
    assert teams.member_profile.limits == ["night"]
    with pytest.raises(Http404):  # another person's profile does not exist for a resident
        services.profile_update(actor=teams.world.resident, profile=teams.member_profile)
