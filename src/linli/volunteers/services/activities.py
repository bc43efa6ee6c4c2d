"""Activities: created from festival templates or by hand, published, signed up for.

A shift's places are taken under the shift's row lock (``select_for_update``; on SQLite the
IMMEDIATE transaction queues writers), so two people asking for the last place at the same
moment get one place and one waiting-list spot. A cancellation moves the first on the waiting
list up and tells them. Reminders the day before go through the outbox, once per person and
per version of the activity (a change of time or place is a new version, and a new reminder).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from linli.core.actors import Actor, user_or_none
from linli.core.errors import Conflict, DomainError
from linli.core.events import log_event
from linli.core.models import lock_row
from linli.core.notifications import notify
from linli.core.policy import authorize, can, holds_role_in
from linli.core.roles import VOLUNTEERING
from linli.registry.models import Community

from ..models import (
    ACTIVITY_FLOW,
    Activity,
    ActivityStatus,
    Audience,
    MemberStatus,
    Shift,
    SignUp,
    SignUpStatus,
    TeamMember,
    VolunteerProfile,
    VolunteerTeam,
)
from .members import profile_ensure


class SignUpError(DomainError):
    code = "signup"


@dataclass(frozen=True)
class Template:
    title: str | Promise
    description: str | Promise
    bring: str | Promise = ""
    audience: str = Audience.VOLUNTEERS
    monthly: bool = False


# The festivals and party days the community's theme activities follow (主题式).
TEMPLATES: dict[str, Template] = {
    "yuanxiao": Template(_("Lantern Festival riddles"), _("Riddles and lanterns in the square.")),
    "sanba": Template(_("Women's Day"), _("Health talk and flowers for the estate's women.")),
    "zhishu": Template(
        _("Tree planting"), _("Planting and watering in the green belt."), _("Gloves, a hat"),
        Audience.RESIDENTS,
    ),
    "liuyi": Template(_("Children's Day"), _("Games and a book swap for the children.")),
    "qiyi": Template(_("Party founding day"), _("Party-history talk and oath review."), "",
                     Audience.TEAM),
    "duanwu": Template(_("Dragon Boat Festival"), _("Making zongzi for elders living alone.")),
    "chongyang": Template(_("Double Ninth Festival"), _("Visits and a meal for the elderly.")),
    "chunjie": Template(_("Spring Festival"), _("Couplets, dumplings and New Year visits.")),
    "dangri": Template(_("Monthly Party day"), _("The party members' theme day."), "",
                       Audience.TEAM, monthly=True),
}  # fmt: skip


def _page(activity: Activity) -> str:
    """The activity's page, where a notification about it leads."""
    return f"/volunteers/activities/{activity.pk}/"


def _authorize_manage(actor: Actor, community: Community, team: VolunteerTeam | None) -> None:
    if team is not None:
        if team.community_id != community.pk:
            raise DomainError(_("The team belongs to another community."), field="team")
        authorize(actor, "activity.manage", team)
    elif not can(actor, "activity.manage", community):
        authorize(actor, "activity.manage", community)


@dataclass(frozen=True)
class ShiftSpec:
    starts_at: dt.datetime
    ends_at: dt.datetime
    places: int
    label: str = ""
    demands: tuple[str, ...] = ()


def activity_create(
    *,
    actor: Actor,
    community: Community,
    title: str,
    shifts: list[ShiftSpec],
    team: VolunteerTeam | None = None,
    template: str = "",
    description: str = "",
    place: str = "",
    bring: str = "",
    audience: str = Audience.TEAM,
    publish: bool = True,
    series: Activity | None = None,
) -> Activity:
    _authorize_manage(actor, community, team)
    title = title.strip()
    if not title:
        raise DomainError(_("Give the activity a title."), field="title")
    if audience not in Audience.values:
        raise DomainError(_("Say who may sign up."), field="audience")
    if audience == Audience.TEAM and team is None:
        raise DomainError(_("An activity for a team's members needs the team."), field="audience")
    if not shifts:
        raise DomainError(_("An activity needs at least one shift."), field="shifts")
    for s in shifts:
        if s.ends_at <= s.starts_at:
            raise DomainError(_("A shift must end after it starts."), field="shifts")
        if s.places < 1 or s.places > 500:
            raise DomainError(_("A shift has between 1 and 500 places."), field="shifts")
    with transaction.atomic():
        a = Activity.objects.create(
            community=community,
            team=team,
            title=title[:120],
            template=template,
            description=description,
            place=place[:120],
            bring=bring[:200],
            audience=audience,
            starts_at=min(s.starts_at for s in shifts),
            ends_at=max(s.ends_at for s in shifts),
            series=series,
            created_by=user_or_none(actor),
        )
        Shift.objects.bulk_create(
            Shift(
                activity=a, label=s.label[:60], starts_at=s.starts_at, ends_at=s.ends_at,
                places=s.places, demands=list(s.demands),
            )
            for s in shifts
        )  # fmt: skip
        log_event(actor=actor, verb="activity.created", obj=a, data={"shifts": len(shifts)})
        if publish:
            ACTIVITY_FLOW.apply(a, "publish", actor=actor)
    return a


def activity_from_template(
    *,
    actor: Actor,
    community: Community,
    template: str,
    shifts: list[ShiftSpec],
    team: VolunteerTeam | None = None,
    place: str = "",
    months: int = 1,
) -> list[Activity]:
    """One activity from a festival template; a monthly one (主题党日) ``months`` times, each
    a month after the one before, the later ones part of the first one's series."""
    spec = TEMPLATES.get(template)
    if spec is None:
        raise DomainError(_("Unknown template."), field="template")
    if months < 1 or months > 12 or (months > 1 and not spec.monthly):
        raise DomainError(_("Only a monthly activity repeats, at most 12 times."), field="months")
    audience = (
        spec.audience
        if (team is not None or spec.audience != Audience.TEAM)
        else (Audience.VOLUNTEERS)
    )
    out: list[Activity] = []
    with transaction.atomic():
        for i in range(months):
            moved = [
                ShiftSpec(_add_months(s.starts_at, i), _add_months(s.ends_at, i), s.places,
                          s.label, s.demands)
                for s in shifts
            ]  # fmt: skip
            out.append(
                activity_create(
                    actor=actor,
                    community=community,
                    team=team,
                    title=str(spec.title),
                    template=template,
                    description=str(spec.description),
                    place=place,
                    bring=str(spec.bring),
                    audience=audience,
                    shifts=moved,
                    series=out[0] if out else None,
                )  # fmt: skip
            )
    return out


def _add_months(d: dt.datetime, n: int) -> dt.datetime:
    if n == 0:
        return d
    month = d.month - 1 + n
    year, month = d.year + month // 12, month % 12 + 1
    day = min(d.day, 28)
    local = timezone.localtime(d)
    return timezone.make_aware(
        dt.datetime(year, month, day, local.hour, local.minute), timezone.get_current_timezone()
    )


def activity_cancel(*, actor: Actor, activity: Activity, reason: str) -> Activity:
    authorize(actor, "activity.manage", activity)
    if not reason.strip():
        raise DomainError(_("Say why the activity is cancelled."), field="reason")
    with transaction.atomic():
        ACTIVITY_FLOW.apply(activity, "cancel", actor=actor)
        people = list(
            SignUp.objects.filter(
                shift__activity=activity, status__in=[SignUpStatus.SIGNED, SignUpStatus.WAITING]
            ).select_related("profile__user")
        )
        transaction.on_commit(
            lambda: notify(
                recipients=[s.profile.user for s in people],
                verb="activity.cancelled",
                title=_("Activity cancelled"),
                body=_("%(activity)s has been cancelled."),
                params={"activity": activity.title},
                url=_page(activity),
                community_id=activity.community_id,
                dedupe_key=f"activity-cancelled:{activity.pk}",
            )
        )
    return activity


def _eligible(profile: VolunteerProfile, activity: Activity) -> None:
    if activity.audience == Audience.TEAM:
        ok = TeamMember.objects.filter(
            team_id=activity.team_id, profile=profile, status=MemberStatus.ACTIVE
        ).exists()
        if not ok:
            raise SignUpError(
                _("This activity is for the team's members."), status=403, code="not_in_team"
            )
    elif activity.audience == Audience.VOLUNTEERS:
        member = TeamMember.objects.filter(
            profile=profile, status=MemberStatus.ACTIVE, team__community_id=activity.community_id
        ).exists()
        role = holds_role_in(profile.user, VOLUNTEERING, activity)
        if not (member or role):
            raise SignUpError(
                _("This activity is for registered volunteers."), status=403, code="not_volunteer"
            )


def _check_fit(profile: VolunteerProfile, shift: Shift) -> None:
    clash = set(profile.limits or []) & set(shift.demands or [])
    if clash:
        raise SignUpError(
            _("This shift does not suit the volunteer's health or age limits."),
            code="limits",
            field="shift",
        )


def signup_create(*, actor: Actor, shift: Shift, profile: VolunteerProfile | None = None) -> SignUp:
    """Sign up for a shift: a place while there is one, else the waiting list (not an
    error). ``profile``: a team leader signing up someone else (an elder without a phone)."""
    activity = shift.activity
    authorize(actor, "activity.signup", activity)
    assert actor.is_authenticated
    proxy = profile is not None and profile.user_id != actor.pk
    if proxy:
        assert profile is not None
        authorize(actor, "activity.proxy", activity)
        if profile.community_id != activity.community_id:
            raise PermissionDenied
    else:
        profile = profile_ensure(community=activity.community, user=actor)
    assert profile is not None
    if activity.status != ActivityStatus.PUBLISHED:
        raise SignUpError(_("This activity is not open for sign-up."), code="not_open")
    if shift.starts_at <= timezone.now():
        raise SignUpError(_("This shift has already started."), code="started")
    _eligible(profile, activity)
    _check_fit(profile, shift)
    with transaction.atomic():
        locked = Shift.objects.select_for_update().get(pk=shift.pk)
        current = SignUp.objects.filter(
            shift=locked, profile=profile, status__in=[SignUpStatus.SIGNED, SignUpStatus.WAITING]
        )
        if current.exists():
            raise Conflict(_("Already signed up for this shift."), code="already_signed_up")
        taken = SignUp.objects.filter(shift=locked, status=SignUpStatus.SIGNED).count()
        status = SignUpStatus.SIGNED if taken < locked.places else SignUpStatus.WAITING
        s = SignUp.objects.create(
            shift=locked, profile=profile, status=status, proxy_by=actor if proxy else None
        )
        log_event(
            actor=actor, verb="signup.created", obj=s, parent=activity,
            community_id=activity.community_id, data={"status": status, "proxy": proxy},
        )  # fmt: skip
    return s


def signup_cancel(*, actor: Actor, signup: SignUp) -> SignUp:
    """Cancel before the shift starts; the first on the waiting list gets the place and is
    told."""
    authorize(actor, "signup.cancel", signup)
    shift = signup.shift
    if shift.starts_at <= timezone.now():
        raise SignUpError(_("The shift has started: tell the team leader instead."), code="started")
    with transaction.atomic():
        lock_row(Shift, shift.pk)
        fresh = SignUp.objects.get(pk=signup.pk)
        if fresh.status == SignUpStatus.CANCELLED:
            raise Conflict(_("This sign-up is already cancelled."), code="already_cancelled")
        was_signed = fresh.status == SignUpStatus.SIGNED
        signup.status = SignUpStatus.CANCELLED
        signup.cancelled_at = timezone.now()
        signup.save(update_fields=["status", "cancelled_at"])
        community_id = shift.activity.community_id
        log_event(
            actor=actor, verb="signup.cancelled", obj=signup, parent=shift.activity,
            community_id=community_id,
        )  # fmt: skip
        if was_signed:
            _promote(actor, shift)
    return signup


def _promote(actor: Actor, shift: Shift) -> SignUp | None:
    taken = SignUp.objects.filter(shift=shift, status=SignUpStatus.SIGNED).count()
    if taken >= shift.places:
        return None
    nxt = (
        SignUp.objects.filter(shift=shift, status=SignUpStatus.WAITING)
        .select_related("profile__user")
        .order_by("created_at", "id")
        .first()
    )
    if nxt is None:
        return None
    nxt.status = SignUpStatus.SIGNED
    nxt.save(update_fields=["status"])
    activity = shift.activity
    log_event(
        actor=actor, verb="signup.moved_up", obj=nxt, parent=activity,
        community_id=activity.community_id,
    )  # fmt: skip
    user = nxt.profile.user
    when = timezone.localtime(shift.starts_at)
    transaction.on_commit(
        lambda: notify(
            recipients=[user],
            verb="signup.moved_up",
            title=_("You have a place"),
            body=_("A place came free: you are signed up for %(activity)s on %(date)s."),
            params={"activity": activity.title, "date": when.strftime("%Y-%m-%d %H:%M")},
            url=_page(activity),
            community_id=activity.community_id,
            dedupe_key=f"moved-up:{nxt.pk}",
        )
    )
    return nxt


def send_reminders(*, now: dt.datetime | None = None) -> int:
    """The day-before reminder for every signed-up person of a shift starting in the next
    24-48 hours: one message per person per activity version (a change → a new one), however
    often this runs. Returns the number of messages written."""
    now = now or timezone.now()
    soon = SignUp.objects.filter(
        status=SignUpStatus.SIGNED,
        shift__starts_at__gte=now + dt.timedelta(hours=12),
        shift__starts_at__lt=now + dt.timedelta(hours=36),
        shift__activity__status=ActivityStatus.PUBLISHED,
    ).select_related("shift__activity", "profile__user")
    sent = 0
    for s in soon:
        a = s.shift.activity
        if s.profile.user is None:
            continue
        when = timezone.localtime(s.shift.starts_at)
        params: dict[str, Any] = {
            "activity": a.title,
            "date": when.strftime("%Y-%m-%d %H:%M"),
            "place": a.place or "—",
        }
        sent += len(
            notify(
                recipients=[s.profile.user],
                verb="activity.reminder",
                title=_("Reminder: %(activity)s tomorrow"),
                body=_("%(activity)s starts at %(date)s, at %(place)s."),
                params=params,
                url=_page(a),
                community_id=a.community_id,
                dedupe_key=f"remind:{a.pk}:{a.version}:{s.profile_id}",
            )
        )
    return sent
