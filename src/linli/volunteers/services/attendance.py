"""Attendance at a shift, and the pending hours it creates.

At the venue the leader shows the shift's QR code; a volunteer opens it and presses the
button once to check in and once more to check out (a GET never acts). The leader may mark the
whole roster at once (one transaction), record walk-ins past the places, and correct times.
Someone never checked out is closed at the shift's end and flagged for the leader, not
credited a day. Each finished attendance records pending hours, clipped to the shift.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.actors import Actor
from linli.core.errors import Conflict, DomainError
from linli.core.events import log_event
from linli.core.models import lock_row
from linli.core.policy import authorize

from ..models import (
    Activity,
    ActivityStatus,
    Attendance,
    HourEntry,
    HourSource,
    HourStatus,
    Shift,
    SignUp,
    SignUpStatus,
    VolunteerProfile,
)
from .ledger import _record, hours_correct, hours_decline, travel_minutes_for
from .members import profile_ensure

# The QR code works from this long before the shift.
EARLY = dt.timedelta(hours=1)


class CheckinError(DomainError):
    code = "checkin"


def _at_shift(
    actor: Actor, shift: Shift, action: str, now: dt.datetime | None
) -> tuple[Activity, dt.datetime]:
    """The shift's activity with ``action`` authorised on it, and the time of the step (now,
    unless the caller gives one)."""
    authorize(actor, action, shift.activity)
    return shift.activity, now or timezone.now()


def _credit(actor: Actor | None, att: Attendance, now: dt.datetime) -> HourEntry | None:
    shift = att.shift
    assert att.checked_out_at is not None
    start = max(att.checked_in_at, shift.starts_at)
    end = min(att.checked_out_at, shift.ends_at)
    if end <= start or (end - start) < dt.timedelta(minutes=1):
        return None
    entry = _record(
        actor=actor,
        profile=att.profile,
        team=shift.activity.team,
        started_at=start,
        ended_at=end,
        source=HourSource.ATTENDANCE,
        source_object=att,
        description=shift.activity.title,
        limit=shift.ends_at - shift.starts_at,
        now=now,
        travel_minutes=travel_minutes_for(shift.activity.community_id),
    )
    att.hour_entry = entry
    att.save(update_fields=["hour_entry"])
    return entry


def checkin_toggle(
    *, actor: Actor, shift: Shift, token: str, now: dt.datetime | None = None
) -> Attendance:
    """The volunteer's button behind the QR code: check in, or check out if checked in."""
    activity, now = _at_shift(actor, shift, "activity.view", now)
    assert actor.is_authenticated
    if not secrets.compare_digest(str(token), shift.checkin_token):
        raise CheckinError(
            _("This code belongs to another activity or shift."), status=403, code="wrong_code"
        )
    if activity.status != ActivityStatus.PUBLISHED:
        raise CheckinError(_("This activity is not taking place."), code="not_open")
    if now < shift.starts_at - EARLY:
        raise CheckinError(_("Check-in opens an hour before the shift."), code="too_early")
    profile = profile_ensure(community=activity.community, user=actor)
    with transaction.atomic():
        lock_row(Shift, shift.pk)
        att = Attendance.objects.filter(shift=shift, profile=profile).first()
        if att is None:
            if now >= shift.ends_at:
                raise CheckinError(_("This shift has ended."), code="ended")
            signed = SignUp.objects.filter(
                shift=shift, profile=profile, status=SignUpStatus.SIGNED
            ).exists()
            if not signed:
                raise CheckinError(
                    _("You are not signed up for this shift: ask the team leader to add you."),
                    status=403,
                    code="not_signed_up",
                )
            att = Attendance.objects.create(shift=shift, profile=profile, checked_in_at=now)
            log_event(
                actor=actor, verb="attendance.checked_in", obj=att, parent=activity,
                community_id=activity.community_id,
            )  # fmt: skip
            return att
        if att.checked_out_at is not None:
            raise Conflict(_("You have already checked out."), code="checked_out")
        att.checked_out_at = min(now, shift.ends_at)
        att.save(update_fields=["checked_out_at"])
        log_event(
            actor=actor, verb="attendance.checked_out", obj=att, parent=activity,
            community_id=activity.community_id,
        )  # fmt: skip
        _credit(actor, att, now)
    return att


def attendance_mark_roster(
    *, actor: Actor, shift: Shift, present: list[int], now: dt.datetime | None = None
) -> list[Attendance]:
    """The leader marks who was there (profile ids of signed-up people), for the whole shift,
    in one transaction: all are recorded or none."""
    activity, now = _at_shift(actor, shift, "activity.roster", now)
    if now < shift.starts_at:
        raise CheckinError(_("Attendance is marked once the shift has started."), code="too_early")
    with transaction.atomic():
        lock_row(Shift, shift.pk)
        signed = set(
            SignUp.objects.filter(shift=shift, status=SignUpStatus.SIGNED).values_list(
                "profile_id", flat=True
            )
        )
        unknown = set(present) - signed
        if unknown:
            raise CheckinError(
                _("Only people signed up for the shift can be marked; add walk-ins separately."),
                field="present",
            )
        done = set(
            Attendance.objects.filter(shift=shift, profile_id__in=present).values_list(
                "profile_id", flat=True
            )
        )
        out = []
        end = min(now, shift.ends_at)
        for profile in VolunteerProfile.objects.filter(pk__in=set(present) - done):
            att = Attendance.objects.create(
                shift=shift, profile=profile, checked_in_at=shift.starts_at,
                checked_out_at=end, by_leader=True,
            )  # fmt: skip
            _credit(actor, att, now)
            out.append(att)
        log_event(
            actor=actor, verb="attendance.marked", obj=shift.activity,
            data={"shift": shift.pk, "present": len(out)},
        )  # fmt: skip
    return out


def attendance_walk_in(
    *, actor: Actor, shift: Shift, profile: VolunteerProfile, now: dt.datetime | None = None
) -> Attendance:
    """Someone who came without signing up: recorded even past the places."""
    activity, now = _at_shift(actor, shift, "activity.roster", now)
    assert actor.is_authenticated
    if profile.community_id != activity.community_id:
        raise DomainError(_("This person volunteers in another community."), field="profile")
    if now >= shift.ends_at:
        raise CheckinError(_("This shift has ended."), code="ended")
    with transaction.atomic():
        lock_row(Shift, shift.pk)
        if Attendance.objects.filter(shift=shift, profile=profile).exists():
            raise Conflict(_("This person is already recorded as present."), code="present")
        SignUp.objects.filter(shift=shift, profile=profile, status=SignUpStatus.WAITING).update(
            status=SignUpStatus.CANCELLED, cancelled_at=now
        )
        if not SignUp.objects.filter(
            shift=shift, profile=profile, status=SignUpStatus.SIGNED
        ).exists():
            SignUp.objects.create(
                shift=shift, profile=profile, status=SignUpStatus.SIGNED, proxy_by=actor
            )
        att = Attendance.objects.create(
            shift=shift, profile=profile, checked_in_at=max(now, shift.starts_at), walk_in=True,
            by_leader=True,
        )  # fmt: skip
        log_event(
            actor=actor, verb="attendance.walk_in", obj=att, parent=activity,
            community_id=activity.community_id,
        )  # fmt: skip
    return att


def attendance_correct(
    *,
    actor: Actor,
    attendance: Attendance,
    checked_in_at: dt.datetime,
    checked_out_at: dt.datetime,
    reason: str,
    now: dt.datetime | None = None,
) -> Attendance:
    """The leader corrects the times; the hours follow (pending ones declined and entered
    again, verified ones reversed and entered again), never edited in place."""
    shift = attendance.shift
    authorize(actor, "activity.roster", shift.activity)
    if not reason.strip():
        raise DomainError(_("Say why the times are corrected."), field="reason")
    if checked_out_at <= checked_in_at:
        raise DomainError(_("The service must end after it starts."), field="checked_out_at")
    if checked_out_at - checked_in_at > shift.ends_at - shift.starts_at:
        raise DomainError(
            _("The hours are longer than the shift."), field="checked_out_at",
            code="longer_than_shift",
        )  # fmt: skip
    with transaction.atomic():
        old = attendance.hour_entry
        if old is not None:
            if old.status == HourStatus.PENDING:
                hours_decline(actor=actor, entry=old, reason=reason)
            elif old.status == HourStatus.VERIFIED:
                hours_correct(actor=actor, entry=old, reason=reason)
        attendance.checked_in_at = checked_in_at
        attendance.checked_out_at = checked_out_at
        attendance.flagged = False
        attendance.hour_entry = None
        attendance.save(update_fields=["checked_in_at", "checked_out_at", "flagged", "hour_entry"])
        log_event(
            actor=actor, verb="attendance.corrected", obj=attendance, parent=shift.activity,
            community_id=shift.activity.community_id,
        )  # fmt: skip
        _credit(actor, attendance, now or timezone.now())
    return attendance


def close_unfinished(*, now: dt.datetime | None = None) -> int:
    """Close attendances never checked out whose shift has ended, at the shift's end, and
    flag them for the leader (the pending hours they record are the leader's to verify)."""
    now = now or timezone.now()
    n = 0
    open_ = Attendance.objects.filter(
        checked_out_at__isnull=True, shift__ends_at__lte=now
    ).select_related("shift__activity__team", "profile")
    for att in open_:
        with transaction.atomic():
            att.checked_out_at = att.shift.ends_at
            att.flagged = True
            att.save(update_fields=["checked_out_at", "flagged"])
            log_event(
                actor=None, verb="attendance.closed_unfinished", obj=att,
                community_id=att.shift.activity.community_id,
            )  # fmt: skip
            _credit(None, att, now)
        n += 1
    return n
