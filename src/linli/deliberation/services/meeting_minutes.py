"""What a council meeting decides and records: resolutions with their counts (passed by more
than half of the members present, only when the council is quorate), the minutes and the
public summary, publishing them, and the follow-up work a passed resolution creates."""

from __future__ import annotations

from typing import Unpack

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core import policy
from linli.core.errors import Conflict, DomainError
from linli.core.events import log_event, register_verbs

from ..models import (
    MEETING_FLOW,
    ActionItem,
    Meeting,
    Resolution,
    Topic,
)
from ..services import topics as topic_services
from .common import clean_text
from .meetings import (
    _managed,
    _new_token,
    _notify_invitees,
    _present,
    invited_users,
    quorum,
    resolution_passes,
)
from .topics import FollowUpWork

register_verbs(
    {
        "meeting.minutes_saved": gettext_lazy("Minutes saved"),
        "meeting.closed": gettext_lazy("Minutes published"),
        "resolution.recorded": gettext_lazy("Resolution recorded"),
        "resolution.deleted": gettext_lazy("Resolution removed"),
    }
)


@transaction.atomic
def resolution_record(
    *, actor, meeting: Meeting, topic: Topic, text: str, yes: int, no: int, abstain: int
) -> Resolution:
    """A resolution on an agenda topic with its counts; passed = yes by more than half of
    the members present. A council that is not quorate cannot resolve."""
    meeting = _managed(actor, meeting, "record_resolution")
    if not meeting.agenda.filter(topic_id=topic.pk).exists():
        raise DomainError(_("Only topics on the published agenda can be decided."))
    text = clean_text(text, limit=4000, required_message=_("Write the resolution."))
    try:
        yes, no, abstain = int(yes), int(no), int(abstain)
    except (TypeError, ValueError):
        raise DomainError(_("The counts must be whole numbers.")) from None
    if min(yes, no, abstain) < 0:
        raise DomainError(_("The counts cannot be negative."))
    invited = meeting.invitations.count()
    present = _present(meeting)
    q = quorum(meeting.body, invited=invited, present=present)
    if q.counted and not q.met:
        raise Conflict(
            _("The meeting is not quorate, so it cannot pass resolutions. %(state)s")
            % {"state": q.state}
        )
    if yes + no + abstain > present:
        raise DomainError(
            _("%(n)s votes counted, but only %(present)s members are signed in as present.")
            % {"n": yes + no + abstain, "present": present}
        )
    passed = resolution_passes(yes=yes, present=present)
    resolution = Resolution.objects.create(
        meeting=meeting, topic=topic, text=text, yes=yes, no=no, abstain=abstain, passed=passed
    )
    log_event(
        actor=actor,
        verb="resolution.recorded",
        obj=meeting,
        parent=topic,
        data={
            "resolution": resolution.pk,
            "yes": yes,
            "no": no,
            "abstain": abstain,
            "present": present,
            "passed": passed,
        },
    )
    return resolution


@transaction.atomic
def resolution_delete(*, actor, resolution: Resolution) -> None:
    meeting = resolution.meeting
    meeting = _managed(actor, meeting, "delete_resolution")
    if ActionItem.objects.filter(source_type="resolution", source_id=resolution.pk).exists():
        raise Conflict(_("Follow-up work was created from this resolution."))
    data = {"resolution": resolution.pk, "text": resolution.text[:200]}
    topic = resolution.topic
    resolution.delete()
    log_event(actor=actor, verb="resolution.deleted", obj=meeting, parent=topic, data=data)


@transaction.atomic
def meeting_save_minutes(*, actor, meeting: Meeting, minutes: str, public_summary: str) -> Meeting:
    meeting = _managed(actor, meeting, "save_minutes")
    meeting.minutes = clean_text(minutes, limit=20000)
    meeting.public_summary = clean_text(public_summary, limit=4000)
    meeting.save(update_fields=["minutes", "public_summary"])
    log_event(actor=actor, verb="meeting.minutes_saved", obj=meeting)
    return meeting


@transaction.atomic
def meeting_close(*, actor, meeting: Meeting) -> Meeting:
    """Publish the minutes: the public summary and the resolutions become visible to
    everyone in the community; the QR code stops working."""
    meeting = _managed(actor, meeting, "close")
    if not meeting.minutes.strip():
        raise DomainError(_("Write the minutes before publishing them."))
    if not meeting.public_summary.strip():
        raise DomainError(_("Write the public summary: it is what residents read."))
    meeting.checkin_token = _new_token()
    MEETING_FLOW.apply(
        meeting,
        "close",
        actor=actor,
        fields=["checkin_token"],
        data={"resolutions": meeting.resolutions.count()},
        lock=False,
    )
    _notify_invitees(
        meeting,
        invited_users(meeting),
        verb="meeting.closed",
        title=gettext_lazy("Minutes published: %(title)s"),
        body=gettext_lazy("The minutes of the %(body)s of %(when)s are published."),
        key="closed",
    )
    return meeting


def resolution_follow_up(
    *,
    actor,
    resolution: Resolution,
    **work: Unpack[FollowUpWork],
):
    """A passed resolution becomes work: an owner with a due date, or a request."""
    policy.authorize(actor, "meeting.manage", resolution.meeting)
    if not resolution.passed:
        raise Conflict(_("Only a passed resolution creates follow-up work."))
    return topic_services.action_create(
        actor=actor,
        topic=resolution.topic,
        source=resolution,
        **work,
    )
