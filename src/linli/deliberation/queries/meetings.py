"""Reads for the council meeting pages: the meetings an actor may see (drafts for the office
only), one meeting, the meeting behind a check-in code, a community's members."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from linli.accounts.models import RoleMembership
from linli.accounts.queries import memberships_of
from linli.core import policy

from ..models import Invitation, Meeting, MeetingStatus

MS = MeetingStatus


def meeting_for_checkin(actor, token: str) -> tuple[Meeting, Invitation]:
    """The meeting behind a QR code and the actor's invitation to it. A wrong or expired code
    (the meeting was closed or cancelled), or a meeting outside the actor's places → 404;
    someone who is not invited → 403."""
    meeting = policy.get_for(
        actor,
        Meeting.objects.filter(status__in=[MS.NOTICED, MS.HELD]),
        "meeting.view",
        checkin_token=token,
    )
    invitation = meeting.invitations.filter(user_id=actor.pk).first()
    if invitation is None:
        raise PermissionDenied
    invitation.meeting = meeting
    return meeting, invitation


def meetings_for(actor) -> QuerySet[Meeting]:
    """Meetings the actor may see: those being prepared only to those who manage them
    (``Meeting.SCOPE_HIDDEN``)."""
    return policy.scope_filter(actor, Meeting.objects.all(), "meeting.view")


def meeting_get_for(actor, pk: int, action: str = "meeting.view") -> tuple[Meeting, bool]:
    """One meeting, authorised for ``action``, and whether the actor manages it. Out of scope,
    or still being prepared (it does not exist yet for anyone but the office) → 404 on every
    page of it, whatever the action; visible but ``action`` not allowed → 403."""
    meeting = policy.get_for(
        actor, Meeting.objects.select_related("community"), "meeting.view", pk=pk
    )
    manage = policy.can(actor, "meeting.manage", meeting)
    if action != "meeting.view":
        allowed = manage if action == "meeting.manage" else policy.can(actor, action, meeting)
        if not allowed:
            raise PermissionDenied
    return meeting, manage


def community_members(community_id: int) -> list[RoleMembership]:
    """Everyone holding a role in the community (who may be invited), with their roles."""
    return list(memberships_of(community_id))
