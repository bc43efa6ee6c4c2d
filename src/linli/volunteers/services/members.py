"""Profiles, teams and memberships.

A request-handling team (``tickets.HandlingTeam``) linked to a volunteer team takes its members
from here: every change of membership rewrites that team's member list
(``_sync_handling_teams``), so tickets keeps reading ``HandlingTeam.members`` and the volunteer
team is the one place a membership is decided.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import User
from linli.core.actors import Actor
from linli.core.errors import Conflict, DomainError
from linli.core.events import log_event
from linli.core.models import lock_row
from linli.core.policy import authorize
from linli.registry.models import Community, Resident

from ..models import (
    MEMBER_FLOW,
    Limit,
    MemberRole,
    MemberStatus,
    TeamKind,
    TeamMember,
    VolunteerProfile,
    VolunteerTeam,
)


def _number_prefix(community: Community) -> str:
    return f"{community.code.upper()[:8]}-V"


def volunteer_number(community: Community, n: int) -> str:
    """The community's ``n``-th volunteer number (``XINCUN-V00012``)."""
    return f"{_number_prefix(community)}{n:05d}"


def _next_number(community: Community) -> str:
    # Called under the community's row lock (profile_ensure): numbers are dense and unique.
    prefix = _number_prefix(community)
    last = (
        VolunteerProfile.objects.filter(community=community, number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    n = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    return volunteer_number(community, n)


def profile_ensure(
    *,
    community: Community,
    user: User | None = None,
    resident: Resident | None = None,
    name: str = "",
) -> VolunteerProfile:
    """The person's profile in the community, created with the next volunteer number when
    there is none (internal: callers have authorised what they are doing for this person)."""
    if user is None and resident is None and not name:
        raise DomainError(_("Name the volunteer."), field="user")
    if resident is None and user is not None:
        resident = getattr(user, "resident", None)
        if resident is not None and resident.community_id != community.pk:
            resident = None
    existing = VolunteerProfile.objects.filter(community=community)
    found = None
    if user is not None:
        found = existing.filter(user=user).first()
    if found is None and resident is not None:
        found = existing.filter(resident=resident).first()
    if found is not None:
        if user is not None and found.user_id is None:
            found.user = user
            found.save(update_fields=["user"])
        return found
    display = (
        name
        or (resident.name if resident else "")
        or ((user.get_full_name() or user.display_name or user.username) if user else "")
    )
    with transaction.atomic():
        lock_row(Community, community.pk)
        try:
            with transaction.atomic():
                profile = VolunteerProfile.objects.create(
                    community=community,
                    user=user,
                    resident=resident,
                    name=display[:60],
                    number=_next_number(community),
                )
        except IntegrityError:  # the same person, created a moment ago by another request
            again = existing.filter(user=user).first() if user else None
            if again is None and resident is not None:
                again = existing.filter(resident=resident).first()
            if again is None:
                raise
            return again
        log_event(actor=None, verb="volunteer.registered", obj=profile)
    return profile


def profile_update(
    *,
    actor: Actor,
    profile: VolunteerProfile,
    skills: str = "",
    availability: str = "",
    limits: list[str] | None = None,
    public_name_consent: bool = False,
) -> VolunteerProfile:
    authorize(actor, "profile.edit", profile)
    limits = list(dict.fromkeys(limits or []))
    unknown = set(limits) - set(Limit.values)
    if unknown:
        raise DomainError(_("Unknown limit."), field="limits")
    profile.skills = skills.strip()[:200]
    profile.availability = availability.strip()[:200]
    profile.limits = limits
    profile.public_name_consent = public_name_consent
    profile.save(update_fields=["skills", "availability", "limits", "public_name_consent"])
    log_event(
        actor=actor,
        verb="volunteer.profile_changed",
        obj=profile,
        data={"changed": ["skills", "availability", "limits", "public_name_consent"]},
    )
    return profile


def team_create(
    *, actor: Actor, community: Community, name: str, kind: str = TeamKind.STANDING,
    description: str = "",
) -> VolunteerTeam:  # fmt: skip
    authorize(actor, "team.create", community)
    team = VolunteerTeam(community=community, name=name.strip(), kind=kind, description=description)
    if not team.name:
        raise DomainError(_("Give the team a name."), field="name")
    if VolunteerTeam.objects.filter(community=community, name=team.name).exists():
        raise DomainError(_("A team of that name exists."), field="name", code="duplicate")
    team.save()
    log_event(actor=actor, verb="team.created", obj=team)
    return team


def _current(team: VolunteerTeam, profile: VolunteerProfile) -> TeamMember | None:
    return (
        TeamMember.objects.filter(
            team=team, profile=profile, status__in=[MemberStatus.REQUESTED, MemberStatus.ACTIVE]
        )
        .order_by()
        .first()
    )


def _sync_handling_teams(team: VolunteerTeam) -> None:
    from linli.tickets.models import HandlingTeam

    linked = list(HandlingTeam.objects.filter(volunteer_team=team))
    if not linked:
        return
    users = list(
        User.objects.filter(
            team_memberships__team=team, team_memberships__status=MemberStatus.ACTIVE
        ).distinct()
    )
    for h in linked:
        h.members.set(users)


def team_join_request(*, actor: Actor, team: VolunteerTeam) -> TeamMember:
    """The actor asks to join; the team's leader admits or declines."""
    authorize(actor, "team.join", team)
    assert actor.is_authenticated
    profile = profile_ensure(community=team.community, user=actor)
    with transaction.atomic():
        if _current(team, profile) is not None:
            raise Conflict(
                _("You are already a member of this team or have asked to join."),
                code="already_member",
            )
        m = TeamMember.objects.create(
            team=team,
            profile=profile,
            user=actor,
            resident=profile.resident,
            status=MemberStatus.REQUESTED,
        )
        log_event(actor=actor, verb="team.join_requested", obj=m, parent=team)
    return m


def member_add(
    *,
    actor: Actor | None,
    team: VolunteerTeam,
    profile: VolunteerProfile,
    role: str = MemberRole.MEMBER,
    joined_on: dt.date | None = None,
) -> TeamMember:
    """A leader or the office adds a person directly (an elder without a phone, a founder).
    ``actor=None``: the demo and data migrations."""
    if actor is not None:
        authorize(actor, "team.manage", team)
    if role not in MemberRole.values:
        raise DomainError(_("Unknown role."), field="role")
    if profile.community_id != team.community_id:
        raise DomainError(_("This person volunteers in another community."), field="profile")
    with transaction.atomic():
        if _current(team, profile) is not None:
            raise Conflict(_("This person is already a member of the team."), code="already_member")
        m = TeamMember.objects.create(
            team=team,
            profile=profile,
            user=profile.user,
            resident=profile.resident,
            role=role,
            status=MemberStatus.ACTIVE,
            joined_on=joined_on or timezone.localdate(),
        )
        log_event(actor=actor, verb="team.member_added", obj=m, parent=team, data={"role": role})
        _sync_handling_teams(team)
    return m


def member_approve(*, actor: Actor, member: TeamMember) -> TeamMember:
    authorize(actor, "membership.manage", member)
    with transaction.atomic():
        member.joined_on = timezone.localdate()
        MEMBER_FLOW.apply(member, "approve", actor=actor, fields=["joined_on"], parent=member.team)
        _sync_handling_teams(member.team)
    return member


def member_decline(*, actor: Actor, member: TeamMember) -> TeamMember:
    authorize(actor, "membership.manage", member)
    MEMBER_FLOW.apply(member, "decline", actor=actor, parent=member.team)
    return member


def member_leave(*, actor: Actor, member: TeamMember) -> TeamMember:
    """The member leaves, or a leader takes them off the roster; the row stays (history)."""
    authorize(actor, "membership.leave", member)
    with transaction.atomic():
        if member.role == MemberRole.LEADER:
            others = TeamMember.objects.filter(
                team_id=member.team_id, status=MemberStatus.ACTIVE, role=MemberRole.LEADER
            ).exclude(pk=member.pk)
            if not others.exists():
                raise Conflict(
                    _("A team needs a leader: name another leader before this one leaves."),
                    code="last_leader",
                )
        member.left_on = timezone.localdate()
        MEMBER_FLOW.apply(member, "leave", actor=actor, fields=["left_on"], parent=member.team)
        _sync_handling_teams(member.team)
    return member


def member_set_role(*, actor: Actor, member: TeamMember, role: str) -> TeamMember:
    authorize(actor, "membership.manage", member)
    if role not in MemberRole.values:
        raise DomainError(_("Unknown role."), field="role")
    old = member.role
    member.role = role
    MEMBER_FLOW.apply(
        member, "set_role", actor=actor, fields=["role"], parent=member.team,
        data={"role_from": old, "role_to": role},
    )  # fmt: skip
    return member
