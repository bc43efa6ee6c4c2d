"""Council meeting attendance: staff signing members in (or undoing it), members signing
themselves in with the meeting's QR code, and marking the meeting held, which fixes who came
when the first resolution is recorded."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core import policy
from linli.core.errors import Conflict
from linli.core.events import log_event, register_verbs

from ..models import (
    MEETING_FLOW,
    Invitation,
    Meeting,
)
from ..queries.meetings import meeting_for_checkin
from .meetings import CHECKIN_OPENS_BEFORE, _local, _locked, _managed, _present

register_verbs(
    {
        "meeting.signed_in": gettext_lazy("Member signed in"),
        "meeting.signed_out": gettext_lazy("Sign-in undone"),
        "meeting.held": gettext_lazy("Meeting held"),
    }
)


def _check_attendance_open(meeting: Meeting) -> None:
    MEETING_FLOW.check(meeting, "take_attendance")
    opens = meeting.starts_at - CHECKIN_OPENS_BEFORE
    if timezone.now() < opens:
        raise Conflict(
            _("Signing in opens at %(when)s, two hours before the meeting.")
            % {"when": _local(opens)}
        )
    if meeting.resolutions.exists():
        raise Conflict(
            _(
                "Resolutions have been recorded, so attendance is fixed. Remove the resolutions "
                "to correct it."
            )
        )


def _mark(invitation: Invitation, *, actor, method: str) -> Invitation:
    invitation.attended, invitation.signed_in_at = True, timezone.now()
    invitation.sign_in_method = method
    invitation.save(update_fields=["attended", "signed_in_at", "sign_in_method"])
    log_event(
        actor=actor,
        verb="meeting.signed_in",
        obj=invitation.meeting,
        data={"user": invitation.user_id, "method": method},
    )
    return invitation


@transaction.atomic
def meeting_sign_in(*, actor, invitation: Invitation, attended: bool = True) -> Invitation:
    """Staff signs a member in (or undoes a mistaken sign-in)."""
    meeting = invitation.meeting
    policy.authorize(actor, "meeting.manage", meeting)
    meeting = _locked(meeting)
    _check_attendance_open(meeting)
    invitation = Invitation.objects.select_related("meeting").get(pk=invitation.pk)
    if attended == invitation.attended:
        return invitation
    if attended:
        return _mark(invitation, actor=actor, method="staff")
    invitation.attended, invitation.signed_in_at, invitation.sign_in_method = False, None, ""
    invitation.save(update_fields=["attended", "signed_in_at", "sign_in_method"])
    log_event(
        actor=actor, verb="meeting.signed_out", obj=meeting, data={"user": invitation.user_id}
    )
    return invitation


@transaction.atomic
def meeting_check_in(*, actor, token: str) -> Invitation:
    """A member signs themselves in by scanning the code shown at the meeting. Scanning
    again changes nothing."""
    meeting, invitation = meeting_for_checkin(actor, token)
    meeting = _locked(meeting)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    invitation.meeting = meeting
    if invitation.attended:
        return invitation
    _check_attendance_open(meeting)
    return _mark(invitation, actor=actor, method="qr")


@transaction.atomic
def meeting_mark_held(*, actor, meeting: Meeting) -> Meeting:
    meeting = _managed(actor, meeting, "mark_held")
    if timezone.now() < meeting.starts_at:
        raise Conflict(_("The meeting has not started yet."))
    MEETING_FLOW.apply(
        meeting, "mark_held", actor=actor, data={"present": _present(meeting)}, lock=False
    )
    return meeting
