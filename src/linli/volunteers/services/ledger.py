"""The service-hour ledger (MCA Order 67, 2021): records truthful, accurate, complete, timely.

- Every entry starts *pending*; a leader of its team or the office verifies or declines it
  (never the volunteer themselves).
- Nothing is edited or deleted in place: a correction is a reversing entry (the same period,
  minus the minutes, a reason), optionally followed by an entry with the right times.
- The same person is never credited twice for overlapping time: each write takes the
  profile's row lock and looks for a live credit (pending or verified, not reversed) that
  overlaps.
- Hours are actual service time; travel is excluded (Order 67's default). A community may
  credit a fixed travel time per attendance (``VolunteerSettings.travel_minutes``, set with
  ``settings_update``): it is added to the entry's minutes and recorded in ``travel_minutes``,
  while the entry's span stays the service time (so the overlap check is about service).

Other apps (care visits) call ``hours_add_pending``; its signature stays as it is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import User
from linli.core.actors import Actor, user_or_none
from linli.core.errors import Conflict, DomainError
from linli.core.events import log_event
from linli.core.models import lock_row
from linli.core.policy import authorize, memberships
from linli.registry.models import Community

from ..models import (
    DISPUTE_FLOW,
    HOUR_FLOW,
    HourDispute,
    HourEntry,
    HourSource,
    HourStatus,
    VolunteerProfile,
    VolunteerTeam,
)
from .members import profile_ensure

# The longest single entry: a day's service, not a day.
MAX_ENTRY = dt.timedelta(hours=16)
# Clock drift between a phone and the server.
FUTURE_SLACK = dt.timedelta(minutes=5)


class LedgerError(DomainError):
    code = "ledger"


def live_credits(profile_id: int) -> QuerySet[HourEntry]:
    """A person's credits that count or may count: not declined, not reversed."""
    return HourEntry.objects.filter(
        profile_id=profile_id,
        reverses__isnull=True,
        status__in=[HourStatus.PENDING, HourStatus.VERIFIED],
        reversed_by__isnull=True,
    )


def _check_span(
    started_at: dt.datetime,
    ended_at: dt.datetime,
    *,
    limit: dt.timedelta | None,
    now: dt.datetime | None = None,
) -> int:
    if started_at is None or ended_at is None:
        raise LedgerError(_("Give the start and the end of the service."), field="started_at")
    if ended_at <= started_at:
        raise LedgerError(_("The service must end after it starts."), field="ended_at")
    if ended_at > (now or timezone.now()) + FUTURE_SLACK:
        raise LedgerError(
            _("Hours can only be recorded for service that has already taken place."),
            field="ended_at",
        )
    span = ended_at - started_at
    if span > MAX_ENTRY:
        raise LedgerError(_("One entry may not be longer than 16 hours."), field="ended_at")
    if limit is not None and span > limit:
        raise LedgerError(
            _("The hours are longer than the shift."), field="ended_at", code="longer_than_shift"
        )
    minutes = int(span.total_seconds() // 60)
    if minutes < 1:
        raise LedgerError(_("The service must last at least a minute."), field="ended_at")
    return minutes


def _record(
    *,
    actor: Actor | None,
    profile: VolunteerProfile,
    team: VolunteerTeam | None,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    source: str,
    source_object: Model | None = None,
    description: str = "",
    status: str = HourStatus.PENDING,
    corrects: HourEntry | None = None,
    reason: str = "",
    limit: dt.timedelta | None = None,
    now: dt.datetime | None = None,
    travel_minutes: int = 0,
) -> HourEntry:
    """``now``: the moment of the recording service (attendance passes its own clock).
    ``travel_minutes``: credited travel, added to the service time of the span."""
    if source not in HourSource.values:
        raise LedgerError(_("Unknown source of hours."), field="source")
    minutes = _check_span(started_at, ended_at, limit=limit, now=now) + travel_minutes
    with transaction.atomic():
        # One writer per person at a time: the overlap check below then sees every credit.
        lock_row(VolunteerProfile, profile.pk)
        clash = (
            live_credits(profile.pk)
            .filter(started_at__lt=ended_at, ended_at__gt=started_at)
            .order_by("started_at")
            .first()
        )
        if clash is not None:
            local = timezone.localtime(clash.started_at)
            raise LedgerError(
                _("These hours overlap hours already recorded for %(date)s %(time)s.")
                % {"date": local.date().isoformat(), "time": local.strftime("%H:%M")},
                field="started_at",
                code="overlap",
                extra={"overlaps": clash.pk},
            )
        entry = HourEntry.objects.create(
            community_id=profile.community_id,
            profile=profile,
            team=team,
            started_at=started_at,
            ended_at=ended_at,
            minutes=minutes,
            travel_minutes=travel_minutes,
            source=source,
            source_type=(
                ContentType.objects.get_for_model(type(source_object)) if source_object else None
            ),
            source_id=source_object.pk if source_object is not None else None,
            description=description.strip()[:200],
            status=status,
            corrects=corrects,
            reason=reason[:300],
            created_by=user_or_none(actor),
            verified_by=user_or_none(actor) if status == HourStatus.VERIFIED else None,
            verified_at=timezone.now() if status == HourStatus.VERIFIED else None,
        )
        log_event(
            actor=actor,
            verb="hours.recorded",
            obj=entry,
            data={"minutes": minutes, "source": source, "status": status},
        )
    return entry


def _acts_in(actor: Actor, community: Community) -> bool:
    street = community.street_office_id
    return any(
        m.community_id == community.pk or (m.street_office_id == street and m.community_id is None)
        for m in memberships(actor)
    )


def hours_add_pending(
    *,
    actor: Actor,
    user: User,
    community: Community,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    source: str,
    source_object: Model | None = None,
    description: str = "",
) -> HourEntry:
    """Record service time for ``user`` in ``community``, pending verification.

    For the services of other apps (care visits, attendance, patrols) that have authorised
    their own action: the actor must be the volunteer themselves or hold a role in the
    community. The volunteer's profile is created when they have none. When
    ``source_object`` belongs to a volunteer team (``.team``), that team's leaders verify;
    otherwise the office does. Refuses overlapping time (``code="overlap"``)."""
    if not actor.is_authenticated:
        raise PermissionDenied
    if actor.pk != user.pk and not _acts_in(actor, community):
        raise PermissionDenied
    if source == HourSource.CORRECTION:
        raise LedgerError(_("Corrections are made on the entry they correct."), field="source")
    team = getattr(source_object, "team", None) if source_object is not None else None
    if not isinstance(team, VolunteerTeam) or team.community_id != community.pk:
        team = None
    profile = profile_ensure(community=community, user=user)
    return _record(
        actor=actor,
        profile=profile,
        team=team,
        started_at=started_at,
        ended_at=ended_at,
        source=source,
        source_object=source_object,
        description=description,
    )


def hours_add_manual(
    *,
    actor: Actor,
    team: VolunteerTeam,
    profile: VolunteerProfile,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    description: str,
) -> HourEntry:
    """A leader enters service time that no activity or patrol recorded; pending like any."""
    authorize(actor, "hours.add", team)
    if profile.community_id != team.community_id:
        raise LedgerError(_("This person volunteers in another community."), field="profile")
    if not description.strip():
        raise LedgerError(_("Say what the service was."), field="description")
    return _record(
        actor=actor,
        profile=profile,
        team=team,
        started_at=started_at,
        ended_at=ended_at,
        source=HourSource.MANUAL,
        description=description,
    )


def _not_own(actor: Actor, entry: HourEntry) -> None:
    if entry.profile.user_id is not None and entry.profile.user_id == actor.pk:
        raise DomainError(
            _("Your own hours are verified by another leader or the office."),
            status=403,
            code="own_hours",
        )


def hours_verify(
    *, actor: Actor, entry: HourEntry, expected_version: int | None = None
) -> HourEntry:
    authorize(actor, "hours.verify", entry)
    _not_own(actor, entry)
    entry.verified_by = user_or_none(actor)
    entry.verified_at = timezone.now()
    HOUR_FLOW.apply(
        entry, "verify", actor=actor, expected_version=expected_version,
        fields=["verified_by", "verified_at"], data={"minutes": entry.minutes},
    )  # fmt: skip
    return entry


def hours_decline(
    *, actor: Actor, entry: HourEntry, reason: str, expected_version: int | None = None
) -> HourEntry:
    authorize(actor, "hours.verify", entry)
    _not_own(actor, entry)
    if not reason.strip():
        raise LedgerError(_("Say why the hours are declined."), field="reason")
    entry.reason = reason.strip()[:300]
    entry.verified_by = user_or_none(actor)
    entry.verified_at = timezone.now()
    HOUR_FLOW.apply(
        entry, "decline", actor=actor, expected_version=expected_version,
        fields=["reason", "verified_by", "verified_at"],
    )  # fmt: skip
    return entry


def _reverse(*, actor: Actor, entry: HourEntry, reason: str) -> HourEntry:
    """Under the profile lock: the reversing entry of a verified credit."""
    if entry.is_reversal:
        raise Conflict(_("A reversal cannot itself be reversed."), code="is_reversal")
    if entry.status != HourStatus.VERIFIED:
        raise Conflict(
            _("Only verified hours are corrected; decline pending hours instead."),
            code="not_verified",
        )
    if HourEntry.objects.filter(reverses=entry).exists():
        raise Conflict(_("These hours have already been corrected."), code="already_reversed")
    rev = HourEntry.objects.create(
        community_id=entry.community_id,
        profile_id=entry.profile_id,
        team_id=entry.team_id,
        started_at=entry.started_at,
        ended_at=entry.ended_at,
        minutes=-entry.minutes,
        travel_minutes=-entry.travel_minutes,
        source=HourSource.CORRECTION,
        description=entry.description,
        status=HourStatus.VERIFIED,
        reverses=entry,
        reason=reason[:300],
        created_by=user_or_none(actor),
        verified_by=user_or_none(actor),
        verified_at=timezone.now(),
    )
    log_event(
        actor=actor, verb="hours.reversed", obj=rev, parent=entry,
        data={"minutes": rev.minutes, "reverses": entry.pk},
    )  # fmt: skip
    return rev


def hours_correct(
    *,
    actor: Actor,
    entry: HourEntry,
    reason: str,
    started_at: dt.datetime | None = None,
    ended_at: dt.datetime | None = None,
) -> tuple[HourEntry, HourEntry | None]:
    """Correct verified hours: a reversing entry and, when the right times are given, a new
    verified entry with them. Both kept, with the reason."""
    authorize(actor, "hours.correct", entry)
    reason = reason.strip()
    if not reason:
        raise LedgerError(_("Say why the hours are corrected."), field="reason")
    if (started_at is None) != (ended_at is None):
        raise LedgerError(_("Give both the right start and the right end."), field="started_at")
    with transaction.atomic():
        lock_row(VolunteerProfile, entry.profile_id)
        rev = _reverse(actor=actor, entry=entry, reason=reason)
        new = None
        if started_at is not None and ended_at is not None:
            new = _record(
                actor=actor,
                profile=entry.profile,
                team=entry.team,
                started_at=started_at,
                ended_at=ended_at,
                source=HourSource.CORRECTION,
                source_object=None,
                description=entry.description,
                status=HourStatus.VERIFIED,
                corrects=entry,
                reason=reason,
                travel_minutes=entry.travel_minutes,  # the times are corrected, not the travel
            )
    return rev, new


def hours_dispute(*, actor: Actor, entry: HourEntry, reason: str) -> HourDispute:
    """The volunteer says an entry of theirs is wrong; the leader or the office answers."""
    authorize(actor, "hours.dispute", entry)
    if entry.is_reversal:
        raise Conflict(_("Dispute the entry itself, not its correction."), code="is_reversal")
    reason = reason.strip()
    if not reason:
        raise LedgerError(_("Say what is wrong with these hours."), field="reason")
    with transaction.atomic():
        if HourDispute.objects.filter(entry=entry, status="open").exists():
            raise Conflict(_("These hours are already disputed."), code="already_disputed")
        d = HourDispute.objects.create(
            community_id=entry.community_id,
            entry=entry,
            raised_by=user_or_none(actor),
            reason=reason[:500],
        )
        log_event(actor=actor, verb="hours.disputed", obj=d, parent=entry)
    return d


def dispute_resolve(
    *,
    actor: Actor,
    dispute: HourDispute,
    uphold: bool,
    outcome: str,
    started_at: dt.datetime | None = None,
    ended_at: dt.datetime | None = None,
) -> HourDispute:
    """Answer a dispute. Upheld: verified hours are reversed (and re-entered with the right
    times when given); pending hours are declined (and likewise re-entered); declined hours
    are entered with the right times. Rejected: nothing changes but the record of the answer."""
    authorize(actor, "hours.resolve", dispute)
    outcome = outcome.strip()
    if not outcome:
        raise LedgerError(_("Write the outcome for the volunteer."), field="outcome")
    entry = dispute.entry
    _not_own(actor, entry)
    with transaction.atomic():
        data: dict[str, Any] = {}
        if uphold:
            times = started_at is not None and ended_at is not None
            if entry.status == HourStatus.VERIFIED:
                hours_correct(
                    actor=actor, entry=entry, reason=outcome, started_at=started_at,
                    ended_at=ended_at,
                )  # fmt: skip
            else:
                if entry.status == HourStatus.PENDING:
                    hours_decline(actor=actor, entry=entry, reason=outcome)
                elif not times:
                    raise LedgerError(
                        _("Give the right times: the declined hours are entered again."),
                        field="started_at",
                    )
                if times:
                    assert started_at is not None and ended_at is not None
                    _record(
                        actor=actor, profile=entry.profile, team=entry.team,
                        started_at=started_at, ended_at=ended_at,
                        source=HourSource.CORRECTION, description=entry.description,
                        status=HourStatus.VERIFIED, corrects=entry, reason=outcome,
                    )  # fmt: skip
        dispute.outcome = outcome[:500]
        dispute.resolved_by = user_or_none(actor)
        dispute.resolved_at = timezone.now()
        DISPUTE_FLOW.apply(
            dispute, "uphold" if uphold else "reject", actor=actor, data=data,
            fields=["outcome", "resolved_by", "resolved_at"], parent=entry,
        )  # fmt: skip
    return dispute


# The most travel a community may credit per attendance: two hours.
TRAVEL_MAX = 120


def travel_minutes_for(community_id: int) -> int:
    """The travel time a community credits per attendance (0: travel excluded, the default)."""
    from ..models import VolunteerSettings

    found = (
        VolunteerSettings.objects.filter(community_id=community_id)
        .values_list("travel_minutes", flat=True)
        .first()
    )
    return found or 0


def settings_update(*, actor: Actor, community: Community, travel_minutes: int) -> Any:
    """The office sets whether (and how much) travel time is credited with each attendance.
    Applies to attendance recorded from now on; entries already recorded keep their minutes."""
    from ..models import VolunteerSettings

    authorize(actor, "hours.settings", community)
    if not 0 <= travel_minutes <= TRAVEL_MAX:
        raise LedgerError(
            _("Travel time is between 0 and %(max)d minutes.") % {"max": TRAVEL_MAX},
            field="travel_minutes",
        )
    obj, _created = VolunteerSettings.objects.update_or_create(
        community=community, defaults={"travel_minutes": travel_minutes}
    )
    log_event(
        actor=actor, verb="volunteers.settings_changed", obj=obj,
        data={"travel_minutes": travel_minutes},
    )  # fmt: skip
    return obj
