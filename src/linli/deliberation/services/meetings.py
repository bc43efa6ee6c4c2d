"""Council meetings (集中议): preparing the agenda and the invitations, publishing the notice,
attendance (signed in by staff, or by the member scanning the meeting's QR code), the quorum
under the body's rule, resolutions with their counts, minutes, and the public summary.

This module prepares and calls a meeting and holds the rules the others share (quorum, the
resolution rule); attendance is ``services/meeting_attendance.py``, resolutions and minutes
``services/meeting_minutes.py``. Every write is ``noun_verb(*, actor, …)``: policy check,
validation (``DomainError``), one transaction, an event, notifications."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts.queries import members_of
from linli.core import policy
from linli.core.errors import Conflict, DomainError
from linli.core.events import log_event, register_verbs
from linli.core.notifications import notify

from ..models import (
    BODY_NOTICE_RULE,
    MEETING_FLOW,
    AgendaItem,
    Body,
    Invitation,
    Meeting,
    MeetingStatus,
    Topic,
    TopicStatus,
)
from ..queries import notice as notice_queries
from ..services import notice
from .common import clean_text, office_step

MS = MeetingStatus

# Default notice period per body (days); each meeting may set its own.
NOTICE_DAYS: dict[str, int] = {
    Body.RESIDENTS_COUNCIL: 3,
    Body.AFFAIRS_COUNCIL: 3,
    Body.OWNERS_ASSEMBLY: 15,
}
MAX_NOTICE_DAYS = 90
# Members may sign themselves in (QR) from this long before the start: people arrive early.
CHECKIN_OPENS_BEFORE = dt.timedelta(hours=2)
# Bodies whose quorum is counted by attendance; the owners' assembly decides by votes.
COUNCILS = frozenset({Body.RESIDENTS_COUNCIL, Body.AFFAIRS_COUNCIL})

register_verbs(
    {
        "meeting.created": gettext_lazy("Meeting prepared"),
        "meeting.updated": gettext_lazy("Meeting details changed"),
        "meeting.agenda_changed": gettext_lazy("Agenda changed"),
        "meeting.invited": gettext_lazy("Members invited"),
        "meeting.uninvited": gettext_lazy("Invitation withdrawn"),
        "meeting.noticed": gettext_lazy("Meeting notice published"),
        "meeting.cancelled": gettext_lazy("Meeting cancelled"),
    }
)


# --- the rules, in one place each -------------------------------------------------------------


@dataclass(frozen=True)
class Quorum:
    """Whether a meeting is quorate, with the rule and the state in plain words."""

    counted: bool  # False: this body's quorum is not a head count of those present
    met: bool | None
    invited: int
    present: int
    needed: int | None
    rule: str
    state: str


def quorum(body: str, *, invited: int, present: int) -> Quorum:
    """The quorum under the body's rule.

    Residents' council and residents' affairs council: more than half of the invited members
    present (exactly half is not enough). Owners' assembly: no head count here — owners decide
    by votes counted by area and by owners (Civil Code Art. 278), so attendance is shown only.
    """
    if body in COUNCILS:
        needed = invited // 2 + 1
        met = invited > 0 and present * 2 > invited
        rule = _(
            "More than half of the invited members must be present (exactly half is not enough)."
        )
        if met:
            state = _(
                "%(present)s of %(invited)s invited members present; %(needed)s needed: "
                "the meeting is quorate."
            )
        else:
            state = _(
                "%(present)s of %(invited)s invited members present; %(needed)s needed: "
                "the meeting is not quorate."
            )
        params = {"present": present, "invited": invited, "needed": needed}
        return Quorum(True, met, invited, present, needed, rule, state % params)
    rule = _(
        "The owners' assembly decides by votes counted by floor area and by owners (Civil "
        "Code Art. 278), not by who is in the room: attendance is shown for information."
    )
    state = _("%(present)s of %(invited)s invited present.") % {
        "present": present,
        "invited": invited,
    }
    return Quorum(False, None, invited, present, None, rule, state)


def resolution_passes(*, yes: int, present: int) -> bool:
    """A resolution passes when more than half of the members present vote yes."""
    return present > 0 and yes * 2 > present


RESOLUTION_RULE = gettext_lazy(
    "A resolution passes when more than half of the members present vote yes; no and abstain "
    "votes both count against."
)


# --- helpers ---------------------------------------------------------------------------------


def _new_token() -> str:
    return secrets.token_urlsafe(16)


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _managed(actor, meeting: Meeting, step: str) -> Meeting:
    """The office changes the meeting: ``meeting.manage``, locked, ``step`` allowed by ``MEETING_FLOW``."""
    return office_step(actor, meeting, "meeting.manage", MEETING_FLOW, step)


def _local(when: dt.datetime) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M")


def _url(meeting: Meeting) -> str:
    return reverse("deliberation:meeting_detail", args=[meeting.pk])


def _validate_details(
    *, community_id: int, body: str, title: str, starts_at, location: str, notice_days
):
    if body not in Body.values:
        raise DomainError(_("Choose which body meets."))
    title = clean_text(title, limit=120, required_message=_("Give the meeting a title."))
    location = clean_text(location, limit=120, required_message=_("Say where the meeting is held."))
    if starts_at is None or timezone.is_naive(starts_at):
        raise DomainError(_("Give the date and time the meeting starts."))
    if starts_at <= timezone.now():
        raise DomainError(_("The meeting must start in the future."))
    if notice_days is None:
        notice_days = max(
            NOTICE_DAYS[body], notice_queries.minimum_days(community_id, BODY_NOTICE_RULE[body])
        )
    if not 0 <= int(notice_days) <= MAX_NOTICE_DAYS:
        raise DomainError(
            _("The notice period is between 0 and %(n)s days.") % {"n": MAX_NOTICE_DAYS}
        )
    notice.check_meeting_notice(community_id, body, int(notice_days))
    return title, location, int(notice_days)


def _present(meeting: Meeting) -> int:
    return meeting.invitations.filter(attended=True).count()


def _notify_invitees(meeting: Meeting, users, *, verb: str, title, body, key: str) -> None:
    notify(
        recipients=users,
        verb=verb,
        title=title,
        body=body,
        params={
            "title": meeting.title,
            "body": Body(meeting.body).label,
            "when": _local(meeting.starts_at),
            "place": meeting.location,
        },
        url=_url(meeting),
        obj=meeting,
        dedupe_key=f"meeting:{meeting.pk}:{key}",
    )


def invited_users(meeting: Meeting) -> list:
    """The members the meeting's invitations name."""
    return [i.user for i in meeting.invitations.select_related("user")]


def _send_notice(meeting: Meeting, users) -> None:
    """The meeting's notice: to every invitee when it is published, to a member invited
    after that when they are invited (one notice each, whichever way it reaches them)."""
    _notify_invitees(
        meeting,
        users,
        verb="meeting.noticed",
        title=gettext_lazy("Meeting notice: %(title)s"),
        body=gettext_lazy("You are invited to the %(body)s on %(when)s at %(place)s."),
        key="notice",
    )


# --- preparing -------------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    actor,
    community,
    body: str,
    title: str,
    starts_at: dt.datetime,
    location: str,
    notice_days: int | None = None,
) -> Meeting:
    """A meeting being prepared. The notice period defaults to the body's (councils 3 days,
    owners' assembly 15) and is checked when the notice is published."""
    policy.authorize(actor, "meeting.manage", community)
    title, location, notice_days = _validate_details(
        community_id=community.pk,
        body=body,
        title=title,
        starts_at=starts_at,
        location=location,
        notice_days=notice_days,
    )
    meeting = Meeting.objects.create(
        community=community,
        body=body,
        title=title,
        starts_at=starts_at,
        location=location,
        notice_days=notice_days,
        created_by=actor,
    )
    log_event(
        actor=actor,
        verb="meeting.created",
        obj=meeting,
        data={"body": body, "starts_at": starts_at.isoformat()},
    )
    return meeting


@transaction.atomic
def meeting_update(
    *,
    actor,
    meeting: Meeting,
    title: str,
    starts_at: dt.datetime,
    location: str,
    notice_days: int | None = None,
) -> Meeting:
    meeting = _managed(actor, meeting, "edit")
    title, location, notice_days = _validate_details(
        community_id=meeting.community_id,
        body=meeting.body,
        title=title,
        starts_at=starts_at,
        location=location,
        notice_days=notice_days,
    )
    meeting.title, meeting.starts_at, meeting.location = title, starts_at, location
    meeting.notice_days = notice_days
    meeting.save()
    log_event(
        actor=actor,
        verb="meeting.updated",
        obj=meeting,
        data={"starts_at": starts_at.isoformat(), "notice_days": notice_days},
    )
    return meeting


@transaction.atomic
def agenda_add(*, actor, meeting: Meeting, topic: Topic) -> AgendaItem:
    meeting = _managed(actor, meeting, "change_agenda")
    if topic.community_id != meeting.community_id:
        raise DomainError(_("This topic belongs to another community."))
    if topic.status == TopicStatus.DROPPED:
        raise DomainError(_("This topic was dropped."))
    if meeting.agenda.filter(topic=topic).exists():
        raise DomainError(_("This topic is already on the agenda."))
    last = meeting.agenda.aggregate(m=Max("order"))["m"] or 0
    item = AgendaItem.objects.create(meeting=meeting, topic=topic, order=last + 1)
    log_event(
        actor=actor,
        verb="meeting.agenda_changed",
        obj=meeting,
        parent=topic,
        data={"added": topic.pk},
    )
    return item


@transaction.atomic
def agenda_remove(*, actor, item: AgendaItem) -> None:
    meeting = item.meeting
    meeting = _managed(actor, meeting, "change_agenda")
    topic_id = item.topic_id
    item.delete()
    _renumber(meeting)
    log_event(actor=actor, verb="meeting.agenda_changed", obj=meeting, data={"removed": topic_id})


@transaction.atomic
def agenda_move(*, actor, item: AgendaItem, up: bool) -> None:
    """Move one topic a place up or down the agenda."""
    meeting = item.meeting
    meeting = _managed(actor, meeting, "change_agenda")
    items = list(meeting.agenda.order_by("order", "id"))
    i = next((n for n, x in enumerate(items) if x.pk == item.pk), None)
    if i is None:
        raise DomainError(_("This topic is not on the agenda."))
    j = i - 1 if up else i + 1
    if 0 <= j < len(items):
        items[i], items[j] = items[j], items[i]
    _renumber(meeting, items)
    log_event(
        actor=actor,
        verb="meeting.agenda_changed",
        obj=meeting,
        data={"moved": item.topic_id, "up": up},
    )


def _renumber(meeting: Meeting, items: list[AgendaItem] | None = None) -> None:
    items = items if items is not None else list(meeting.agenda.order_by("order", "id"))
    for n, x in enumerate(items, start=1):
        x.order = n
    AgendaItem.objects.bulk_update(items, ["order"])


@transaction.atomic
def meeting_invite(*, actor, meeting: Meeting, users) -> list[Invitation]:
    """Invite members: people holding a role in the meeting's community. Someone invited
    after the notice is published is told at once."""
    meeting = _managed(actor, meeting, "invite")
    users = {u.pk: u for u in users}
    if not users:
        raise DomainError(_("Choose whom to invite."))
    members = set(
        members_of(meeting.community_id).filter(pk__in=list(users)).values_list("pk", flat=True)
    )
    strangers = [u for pk, u in users.items() if pk not in members]
    if strangers:
        raise DomainError(
            _("%(name)s holds no role in this community and cannot be invited.")
            % {"name": strangers[0].get_full_name()}
        )
    already = set(meeting.invitations.values_list("user_id", flat=True))
    new = [Invitation(meeting=meeting, user=u) for pk, u in users.items() if pk not in already]
    Invitation.objects.bulk_create(new)
    if new:
        log_event(
            actor=actor,
            verb="meeting.invited",
            obj=meeting,
            data={"users": [i.user_id for i in new]},
        )
    if new and meeting.status == MS.NOTICED:
        _send_notice(meeting, [i.user for i in new])
    return new


@transaction.atomic
def meeting_uninvite(*, actor, invitation: Invitation) -> None:
    meeting = invitation.meeting
    meeting = _managed(actor, meeting, "uninvite")
    invitation = Invitation.objects.get(pk=invitation.pk)
    if invitation.attended:
        raise Conflict(_("This member has signed in: undo the sign-in first."))
    user_id = invitation.user_id
    invitation.delete()
    log_event(actor=actor, verb="meeting.uninvited", obj=meeting, data={"user": user_id})


@transaction.atomic
def meeting_publish_notice(*, actor, meeting: Meeting) -> Meeting:
    """Publish the notice and tell the invited members. Refused when the meeting starts
    sooner than its notice period from now."""
    meeting = _managed(actor, meeting, "notice")
    # Again: the community may have raised its minimum since the meeting was prepared.
    notice.check_meeting_notice(meeting.community_id, meeting.body, meeting.notice_days)
    now = timezone.now()
    if meeting.starts_at < now + dt.timedelta(days=meeting.notice_days):
        raise DomainError(
            _(
                "The notice must be published at least %(days)s days before the meeting, and "
                "this meeting starts on %(when)s. Move the meeting to %(earliest)s or later, or "
                "shorten its notice period."
            )
            % {
                "days": meeting.notice_days,
                "when": _local(meeting.starts_at),
                "earliest": _local(now + dt.timedelta(days=meeting.notice_days)),
            }
        )
    if not meeting.agenda.exists():
        raise DomainError(_("Put at least one topic on the agenda first."))
    invitees = invited_users(meeting)
    if not invitees:
        raise DomainError(_("Invite the members first."))
    meeting.noticed_at = now
    MEETING_FLOW.apply(
        meeting,
        "notice",
        actor=actor,
        fields=["noticed_at"],
        data={"invited": len(invitees), "notice_days": meeting.notice_days},
        lock=False,
    )
    _send_notice(meeting, invitees)
    return meeting


@transaction.atomic
def meeting_cancel(*, actor, meeting: Meeting, reason: str = "") -> Meeting:
    meeting = _managed(actor, meeting, "cancel")
    reason = clean_text(reason, limit=300)
    was_noticed = meeting.status == MS.NOTICED
    meeting.checkin_token = _new_token()
    MEETING_FLOW.apply(
        meeting,
        "cancel",
        actor=actor,
        fields=["checkin_token"],
        data={"reason": reason},
        lock=False,
    )
    if was_noticed:
        _notify_invitees(
            meeting,
            invited_users(meeting),
            verb="meeting.cancelled",
            title=gettext_lazy("Meeting cancelled: %(title)s"),
            body=gettext_lazy("The %(body)s on %(when)s at %(place)s will not take place."),
            key="cancelled",
        )
    return meeting
