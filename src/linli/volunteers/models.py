"""Volunteers: who volunteers (one profile per person and community), the teams they belong to
(one membership with its role), and the service-hour ledger kept under MCA Order 67 (2021).

The ledger is append-only: an entry is never edited or deleted in place. A correction is a
reversing entry (negative minutes, a reason) pointing at the entry it reverses, both kept; a
dispute by the volunteer and its outcome are rows of their own.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.models import COMMUNITY_WIDE, CommunityScoped, by_user, scope_through
from linli.core.workflow import Transition, Workflow


class TeamKind(models.TextChoices):
    STANDING = "standing", _("Standing team")
    THEMED = "themed", _("Theme activities")


class Limit(models.TextChoices):
    """What a volunteer should not be given (Volunteer Service Regulations Art. 15); a task
    that demands one of these refuses the sign-up."""

    HEAVY = "heavy", _("No heavy lifting")
    NIGHT = "night", _("No night duty")
    HEIGHTS = "heights", _("No work at heights")
    LONG_STANDING = "standing", _("No long standing or walking")


# Team leaders and deputies run the team: approve joins, verify hours, mark attendance.
LEADING_ROLES = ("leader", "deputy")


def team_relation(team: str = "", *, leading: bool = False) -> tuple[str, dict[str, object]]:
    """A ``SCOPE_SELF_PATHS`` relation to the team reached by the path ``team`` (empty: the
    row is the team): its active members, or with ``leading`` its leader and deputies — the
    ``self:team_member`` and ``self:team_leader`` of ``volunteers/roles.py``."""
    members = f"{team}__members" if team else "members"
    where: dict[str, object] = {f"{members}__status": "active"}
    if leading:
        where[f"{members}__role__in"] = LEADING_ROLES
    return f"{members}__user_id", where


class VolunteerProfile(CommunityScoped):
    """One per person and community: linked to a signed-in user, to a resident, or both (an
    outside person may be neither a resident nor have a log-in yet)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_profiles",
    )
    resident = models.ForeignKey(
        "registry.Resident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_profiles",
    )
    name = models.CharField(_("name"), max_length=60)
    number = models.CharField(_("volunteer number"), max_length=20)
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    limits = models.JSONField(_("limits"), default=list, blank=True)
    # Art. 20: a volunteer's name appears on public pages only with consent.
    public_name_consent = models.BooleanField(_("may show my name publicly"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    SCOPE_SELF_PATHS = {"volunteer": "user_id"}

    class Meta:
        verbose_name = _("volunteer profile")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="vol_profile_number"),
            models.UniqueConstraint(
                fields=["community", "user"],
                condition=Q(user__isnull=False),
                name="vol_profile_user",
            ),
            models.UniqueConstraint(
                fields=["community", "resident"],
                condition=Q(resident__isnull=False),
                name="vol_profile_resident",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def public_name(self) -> str:
        return self.name if self.public_name_consent else ""


class VolunteerTeam(CommunityScoped):
    community = models.ForeignKey(
        "registry.Community", on_delete=models.PROTECT, related_name="volunteer_teams"
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=10, choices=TeamKind.choices, default=TeamKind.STANDING
    )
    description = models.TextField(_("description"), blank=True)

    SCOPE_PATHS = COMMUNITY_WIDE
    # A team's leader and deputies, and its members, by their active membership.
    SCOPE_SELF_PATHS = {
        "team_leader": team_relation(leading=True),
        "team_member": team_relation(),
    }

    class Meta:
        verbose_name = _("volunteer team")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="team_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    MEMBER = "member", _("Member")
    DEPUTY = "deputy", _("Deputy leader")
    LEADER = "leader", _("Team leader")


class MemberStatus(models.TextChoices):
    REQUESTED = "requested", _("Asked to join")
    ACTIVE = "active", _("Member")
    DECLINED = "declined", _("Not admitted")
    LEFT = "left", _("Left")


MEMBER_FLOW = Workflow(
    "team_member",
    [
        Transition(
            "approve", {MemberStatus.REQUESTED}, MemberStatus.ACTIVE, "team.member_approved",
            _("Admit"),
        ),
        Transition(
            "decline", {MemberStatus.REQUESTED}, MemberStatus.DECLINED, "team.member_declined",
            _("Decline"),
        ),
        Transition(
            "leave", {MemberStatus.ACTIVE}, MemberStatus.LEFT, "team.member_left", _("Leave")
        ),
        Transition(
            "set_role", {MemberStatus.ACTIVE}, None, "team.member_role_set", _("Change role")
        ),
    ],
    version_field=None,
    noun=_("The membership"),
)  # fmt: skip


class TeamMember(models.Model):
    """A person's membership of a team, from the request to join to leaving. A membership
    that ended stays (history); joining again is a new row."""

    team = models.ForeignKey(VolunteerTeam, on_delete=models.CASCADE, related_name="members")
    profile = models.ForeignKey(
        VolunteerProfile, on_delete=models.PROTECT, related_name="memberships"
    )
    # The profile's user, kept on the row so "who leads this team" is one indexed join.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="team_memberships",
    )
    resident = models.ForeignKey(
        "registry.Resident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="team_memberships",
    )
    role = models.CharField(
        _("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    joined_on = models.DateField(_("joined"), null=True, blank=True)
    left_on = models.DateField(_("left"), null=True, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)

    SCOPE_PATHS = scope_through("team", CommunityScoped.SCOPE_PATHS)
    SCOPE_SELF_PATHS = {
        "member": "user_id",
        "team_leader": team_relation("team", leading=True),
    }

    class Meta:
        verbose_name = _("team membership")
        ordering = ["team_id", "-role", "profile__number"]
        constraints = [
            # One current membership (asked or active) per person and team; history is free.
            models.UniqueConstraint(
                fields=["team", "profile"],
                condition=Q(status__in=["requested", "active"]),
                name="team_member_current",
            )
        ]
        indexes = [models.Index(fields=["user", "status"], name="team_member_user_status")]

    def __str__(self) -> str:
        return f"{self.team_id}:{self.profile_id}"

    @property
    def is_leader(self) -> bool:
        return self.role in LEADING_ROLES


# --- The service-hour ledger ------------------------------------------------------------------


class HourSource(models.TextChoices):
    ATTENDANCE = "attendance", _("Activity attendance")
    PATROL = "patrol", _("Patrol")
    CARE = "care", _("Care visit")
    MANUAL = "manual", _("Entered by a leader")
    CORRECTION = "correction", _("Correction")


class HourStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for verification")
    VERIFIED = "verified", _("Verified")
    DECLINED = "declined", _("Declined")


HOUR_FLOW = Workflow(
    "hours",
    [
        Transition(
            "verify", {HourStatus.PENDING}, HourStatus.VERIFIED, "hours.verified", _("Verify")
        ),
        Transition(
            "decline", {HourStatus.PENDING}, HourStatus.DECLINED, "hours.declined", _("Decline")
        ),
    ],
    noun=_("The hours entry"),
)


class HourEntry(CommunityScoped):
    """One credit of service time (positive minutes) or the reversal of one (negative minutes,
    ``reverses`` set, a reason). Only status, version and verifier ever change on a row."""

    profile = models.ForeignKey(
        VolunteerProfile, on_delete=models.PROTECT, related_name="hour_entries"
    )
    team = models.ForeignKey(
        VolunteerTeam, null=True, blank=True, on_delete=models.PROTECT, related_name="hours"
    )
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"))
    minutes = models.IntegerField(_("minutes"))
    # Of ``minutes``, the travel credited by the community's setting (VolunteerSettings);
    # 0 unless the community credits travel. A reversal carries the travel it takes back.
    travel_minutes = models.IntegerField(_("of which travel (minutes)"), default=0)
    source = models.CharField(_("source"), max_length=12, choices=HourSource.choices)
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source_object = GenericForeignKey("source_type", "source_id")
    description = models.CharField(_("service content"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=HourStatus.choices, default=HourStatus.PENDING
    )
    version = models.PositiveIntegerField(default=0)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    # The entry a correction replaces (the new, right times), when it was not simply undone.
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = by_user()
    verified_by = by_user(blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)

    SCOPE_SELF_PATHS = {
        "volunteer": "profile__user_id",
        "team_leader": team_relation("team", leading=True),
    }

    class Meta:
        verbose_name = _("hours entry")
        verbose_name_plural = _("hours entries")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["profile", "started_at"], name="hour_profile_start"),
            models.Index(fields=["community", "status", "started_at"], name="hour_comm_status"),
            models.Index(fields=["team", "status"], name="hour_team_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__gt=models.F("started_at")), name="hour_span"
            ),
            # A credit is positive; a reversal negative and names what it reverses.
            models.CheckConstraint(
                condition=(Q(reverses__isnull=True) & Q(minutes__gt=0))
                | (Q(reverses__isnull=False) & Q(minutes__lt=0)),
                name="hour_sign",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} {self.started_at:%Y-%m-%d} {self.minutes}min"

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld: corrected")
    REJECTED = "rejected", _("Rejected")


DISPUTE_FLOW = Workflow(
    "hour_dispute",
    [
        Transition(
            "uphold", {DisputeStatus.OPEN}, DisputeStatus.UPHELD, "hours.dispute_upheld",
            _("Uphold and correct"),
        ),
        Transition(
            "reject", {DisputeStatus.OPEN}, DisputeStatus.REJECTED, "hours.dispute_rejected",
            _("Reject"),
        ),
    ],
    version_field=None,
    noun=_("The dispute"),
)  # fmt: skip


class HourDispute(CommunityScoped):
    """A volunteer says an entry is wrong (Order 67: a record is corrected promptly)."""

    entry = models.ForeignKey(HourEntry, on_delete=models.PROTECT, related_name="disputes")
    raised_by = by_user()
    reason = models.CharField(_("what is wrong"), max_length=500)
    status = models.CharField(
        _("status"), max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    outcome = models.CharField(_("outcome"), max_length=500, blank=True)
    resolved_by = by_user(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    SCOPE_SELF_PATHS = {
        "volunteer": "entry__profile__user_id",
        "team_leader": team_relation("entry__team", leading=True),
    }

    class Meta:
        verbose_name = _("hours dispute")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"], condition=Q(status="open"), name="hour_dispute_one_open"
            )
        ]


# --- Activities, shifts and sign-ups ---------------------------------------------------------


def _token() -> str:
    return secrets.token_urlsafe(16)


class Audience(models.TextChoices):
    TEAM = "team", _("The team's members")
    VOLUNTEERS = "volunteers", _("Any volunteer of the community")
    RESIDENTS = "residents", _("Any resident")


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Open for sign-up")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVITY_FLOW = Workflow(
    "activity",
    [
        Transition(
            "publish", {ActivityStatus.DRAFT}, ActivityStatus.PUBLISHED, "activity.published",
            _("Publish"),
        ),
        Transition(
            "cancel", {ActivityStatus.DRAFT, ActivityStatus.PUBLISHED}, ActivityStatus.CANCELLED,
            "activity.cancelled", _("Cancel the activity"),
        ),
    ],
    noun=_("The activity"),
)  # fmt: skip


class Activity(CommunityScoped):
    """A one-off activity, or one of a series (``series``: the first of them), of a team or
    of the whole community, in shifts with a number of places."""

    team = models.ForeignKey(
        VolunteerTeam, null=True, blank=True, on_delete=models.PROTECT, related_name="activities"
    )
    title = models.CharField(_("title"), max_length=120)
    template = models.CharField(_("template"), max_length=20, blank=True)
    description = models.TextField(_("description"), blank=True)
    place = models.CharField(_("place"), max_length=120, blank=True)
    bring = models.CharField(_("what to bring"), max_length=200, blank=True)
    audience = models.CharField(
        _("who may sign up"), max_length=12, choices=Audience.choices, default=Audience.TEAM
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.DRAFT
    )
    version = models.PositiveIntegerField(default=0)
    series = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="repeats"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    created_by = by_user()
    created_at = models.DateTimeField(default=timezone.now)

    SCOPE_PATHS = COMMUNITY_WIDE
    SCOPE_SELF_PATHS = {
        "team_leader": team_relation("team", leading=True),
    }

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["community", "starts_at"], name="activity_comm_start")]

    def __str__(self) -> str:
        return self.title


class Shift(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="shifts")
    label = models.CharField(_("shift"), max_length=60, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    places = models.PositiveIntegerField(_("places"))
    # Limits a volunteer must not have to take this shift (Art. 15: heavy, night …).
    demands = models.JSONField(_("demands"), default=list, blank=True)
    # The secret in the check-in QR code shown by the leader at the venue.
    checkin_token = models.CharField(max_length=32, default=_token, editable=False)

    SCOPE_PATHS = scope_through("activity", COMMUNITY_WIDE)

    class Meta:
        verbose_name = _("shift")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="shift_span"
            )
        ]

    def __str__(self) -> str:
        return self.label or f"{self.activity_id}"

    @property
    def team(self) -> VolunteerTeam | None:
        return self.activity.team


# A person's row on a shift (a sign-up, an attendance): where the activity is, and seen by
# the person and the leaders of the activity's team.
ON_SHIFT_PATHS = scope_through("shift__activity", CommunityScoped.SCOPE_PATHS)
ON_SHIFT_SELF_PATHS = {
    "volunteer": "profile__user_id",
    "team_leader": team_relation("shift__activity__team", leading=True),
}


class SignUpStatus(models.TextChoices):
    SIGNED = "signed", _("Signed up")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class SignUp(models.Model):
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="signups")
    profile = models.ForeignKey(VolunteerProfile, on_delete=models.PROTECT, related_name="signups")
    status = models.CharField(_("status"), max_length=10, choices=SignUpStatus.choices)
    # A team leader who signed up an elder without a phone.
    proxy_by = by_user(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    SCOPE_PATHS = ON_SHIFT_PATHS
    SCOPE_SELF_PATHS = ON_SHIFT_SELF_PATHS

    class Meta:
        verbose_name = _("sign-up")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "profile"],
                condition=Q(status__in=["signed", "waiting"]),
                name="signup_current",
            )
        ]
        indexes = [models.Index(fields=["shift", "status"], name="signup_shift_status")]

    def __str__(self) -> str:
        return f"{self.shift_id}:{self.profile_id}:{self.status}"


class Attendance(models.Model):
    """Who was there: checked in and out by QR, or marked by the leader; a walk-in may exceed
    the places. One per person and shift; ``flagged`` when the system closed it at the
    shift's end (never checked out) or a leader corrected it."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="attendances")
    profile = models.ForeignKey(
        VolunteerProfile, on_delete=models.PROTECT, related_name="attendances"
    )
    checked_in_at = models.DateTimeField(_("checked in"))
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    walk_in = models.BooleanField(_("walk-in"), default=False)
    by_leader = models.BooleanField(_("marked by the leader"), default=False)
    flagged = models.BooleanField(_("for the leader to check"), default=False)
    hour_entry = models.ForeignKey(
        HourEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    SCOPE_PATHS = ON_SHIFT_PATHS
    SCOPE_SELF_PATHS = ON_SHIFT_SELF_PATHS

    class Meta:
        verbose_name = _("attendance")
        ordering = ["checked_in_at", "id"]
        constraints = [models.UniqueConstraint(fields=["shift", "profile"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.shift_id}:{self.profile_id}"

    @property
    def team(self) -> VolunteerTeam | None:
        return self.shift.activity.team


# --- Certificates ------------------------------------------------------------------------------


class CommunitySeal(CommunityScoped):
    """The residents' committee's seal image, uploaded by the secretary, printed on
    certificates (Order 67: the issuer certifies)."""

    community = models.OneToOneField(
        "registry.Community", on_delete=models.PROTECT, related_name="volunteer_seal"
    )
    image = models.BinaryField()
    uploaded_by = by_user()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("seal image")


def _verify_token() -> str:
    return secrets.token_urlsafe(18)


class Certificate(CommunityScoped):
    """A numbered proof of service for a period: only verified hours, each traced to its
    entries (``entries``). Issued once; never changed."""

    number = models.CharField(_("certificate number"), max_length=30, unique=True)
    profile = models.ForeignKey(
        VolunteerProfile, on_delete=models.PROTECT, related_name="certificates"
    )
    period_from = models.DateField(_("from"))
    period_to = models.DateField(_("until"))
    minutes = models.PositiveIntegerField(_("verified minutes"))
    content = models.CharField(_("service content"), max_length=300)
    # The name as the holder consented to show it publicly (Art. 20), or empty.
    public_name = models.CharField(max_length=60, blank=True)
    entries = models.ManyToManyField(HourEntry, related_name="certificates")
    verify_token = models.CharField(max_length=40, unique=True, default=_verify_token)
    issued_by = by_user()
    issued_at = models.DateTimeField(default=timezone.now)

    SCOPE_SELF_PATHS = {"volunteer": "profile__user_id"}

    class Meta:
        verbose_name = _("service certificate")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.number


# --- Safety patrols and civility persuasion ---------------------------------------------------


class PatrolRoute(CommunityScoped):
    team = models.ForeignKey(VolunteerTeam, on_delete=models.PROTECT, related_name="routes")
    name = models.CharField(_("route"), max_length=100)
    active = models.BooleanField(default=True)

    SCOPE_PATHS = COMMUNITY_WIDE
    SCOPE_SELF_PATHS = {
        "team_leader": team_relation("team", leading=True),
        "team_member": team_relation("team"),
    }

    class Meta:
        verbose_name = _("patrol route")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Checkpoint(models.Model):
    route = models.ForeignKey(PatrolRoute, on_delete=models.CASCADE, related_name="checkpoints")
    name = models.CharField(_("checkpoint"), max_length=100)
    order = models.PositiveSmallIntegerField(default=0)
    # The secret of the checkpoint's printed QR sticker.
    token = models.CharField(max_length=32, default=_token, editable=False)

    class Meta:
        ordering = ["route_id", "order", "id"]

    def __str__(self) -> str:
        return self.name


class PatrolStatus(models.TextChoices):
    ON_PATROL = "on_patrol", _("On patrol")
    ENDED = "ended", _("Ended")


PATROL_FLOW = Workflow(
    "patrol",
    [
        Transition(
            "end", {PatrolStatus.ON_PATROL}, PatrolStatus.ENDED, "patrol.ended", _("End the patrol")
        )
    ],
    noun=_("The patrol"),
)


class Patrol(CommunityScoped):
    """One walk of a route by one volunteer: started, checkpoints passed, findings, ended."""

    route = models.ForeignKey(PatrolRoute, on_delete=models.PROTECT, related_name="patrols")
    team = models.ForeignKey(VolunteerTeam, on_delete=models.PROTECT, related_name="patrols")
    profile = models.ForeignKey(VolunteerProfile, on_delete=models.PROTECT, related_name="patrols")
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=PatrolStatus.choices, default=PatrolStatus.ON_PATROL
    )
    version = models.PositiveIntegerField(default=0)
    hour_entry = models.ForeignKey(
        HourEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    SCOPE_SELF_PATHS = {
        "patroller": "profile__user_id",
        "team_leader": team_relation("team", leading=True),
    }

    class Meta:
        verbose_name = _("patrol")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.route_id}@{self.started_at:%Y-%m-%d}"


class CheckpointPass(models.Model):
    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="passes")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="+")
    passed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patrol", "checkpoint"], name="checkpoint_once")
        ]

    def __str__(self) -> str:
        return f"{self.patrol_id}:{self.checkpoint_id}"


class FindingKind(models.TextChoices):
    HAZARD = "hazard", _("Safety hazard")
    DAMAGE = "damage", _("Damaged facility")
    PARKING = "parking", _("Parking")
    FIRE_PASSAGE = "fire_passage", _("Fire passage blocked")
    DISPUTE = "dispute", _("Dispute")
    OPINION = "opinion", _("Residents' opinion")


class FindingOutcome(models.TextChoices):
    OPEN = "open", _("Not yet decided")
    REQUEST = "request", _("Became a request")
    TOPIC = "topic", _("Became a topic")
    NO_ACTION = "no_action", _("No action")


FINDING_FLOW = Workflow(
    "finding",
    [
        Transition("to_request", {FindingOutcome.OPEN}, FindingOutcome.REQUEST,
                   "finding.became_request", _("Make it a request")),
        Transition("to_topic", {FindingOutcome.OPEN}, FindingOutcome.TOPIC,
                   "finding.became_topic", _("Make it a topic")),
        Transition("no_action", {FindingOutcome.OPEN}, FindingOutcome.NO_ACTION,
                   "finding.no_action", _("No action")),
    ],
    status_field="outcome",
    noun=_("The finding"),
)  # fmt: skip


class Finding(models.Model):
    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(_("kind"), max_length=14, choices=FindingKind.choices)
    place = models.CharField(_("place"), max_length=120)
    building = models.ForeignKey(
        "registry.Building", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.CharField(_("what was found"), max_length=1000)
    photo = models.FileField(upload_to="patrol/%Y/%m/", blank=True)
    found_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(
        max_length=10, choices=FindingOutcome.choices, default=FindingOutcome.OPEN
    )
    version = models.PositiveIntegerField(default=0)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    topic = models.ForeignKey(
        "deliberation.Topic", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    no_action_reason = models.CharField(_("why no action"), max_length=300, blank=True)

    SCOPE_PATHS = scope_through("patrol", CommunityScoped.SCOPE_PATHS)
    SCOPE_SELF_PATHS = {
        "patroller": "patrol__profile__user_id",
        "team_leader": team_relation("patrol__team", leading=True),
    }

    class Meta:
        verbose_name = _("patrol finding")
        ordering = ["found_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind}:{self.place}"


class VolunteerSettings(CommunityScoped):
    """A community's choices for its volunteers' ledger. Hours are actual service time and
    travel is excluded (Order 67's default, ``travel_minutes = 0``); a community that credits
    the way to and from an activity sets the minutes added to each attendance."""

    community = models.OneToOneField(
        "registry.Community", on_delete=models.PROTECT, related_name="volunteer_settings"
    )
    travel_minutes = models.PositiveSmallIntegerField(
        _("travel time credited per attendance (minutes)"), default=0
    )

    class Meta:
        verbose_name = _("volunteer settings")
