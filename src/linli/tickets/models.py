"""Residents' requests (民事民办): one model, ``Ticket``, followed from intake to closing.

The status enum and its table of allowed transitions (``TICKET_TRANSITIONS``, a
``core.workflow`` table) live here; ``workflow.py`` applies them and records the event. Every
write goes through ``services.py``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.models import CommunityScoped
from linli.core.text import FreeTextField, NameField
from linli.core.workflow import Transition

# The requests' models keep the community keys they were made with (each with its reverse
# name, e.g. ``community.tickets``), overriding ``CommunityScoped.community``: changing them
# to its ``related_name="+"`` would drop those names and take a migration.


class HandlingTeam(CommunityScoped):
    """A pool tickets can be dispatched to: the office, a volunteer team, a repair crew."""

    community = models.ForeignKey(
        "registry.Community", on_delete=models.PROTECT, related_name="handling_teams"
    )
    name = models.CharField(_("name"), max_length=100)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="handling_teams",
        verbose_name=_("members"),
    )
    volunteer_team = models.ForeignKey(
        "volunteers.VolunteerTeam",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("handling team")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="handling_team_unique")
        ]

    def __str__(self) -> str:
        return self.name


code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9_-]{0,39}$", _("Use lower-case letters, digits, - and _.")
)


class Category(CommunityScoped):
    """A kind of request (an Open311 "service"), with its time limits and default team."""

    community = models.ForeignKey(
        "registry.Community", on_delete=models.PROTECT, related_name="ticket_categories"
    )
    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    default_team = models.ForeignKey(
        HandlingTeam,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("default handling team"),
    )
    respond_within_hours = models.PositiveSmallIntegerField(
        _("respond within (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
    )
    resolve_within_workdays = models.PositiveSmallIntegerField(
        _("resolve within (working days)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    # Working hours (local time) the response limit is counted in: a limit of 4 hours given
    # at 17:00 on a Friday ends on Monday morning, never in the night. Both empty: the limit
    # runs round the clock (as for a duty line). Emergencies always run round the clock.
    work_from = models.TimeField(_("working hours from"), null=True, blank=True)
    work_until = models.TimeField(_("working hours until"), null=True, blank=True)
    # Open311 attributes: [{"code", "description", "datatype", "required", "values": [...]}]
    attributes = models.JSONField(_("extra questions"), default=list, blank=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    # Requests of a public category appear (moderated) in Open311 and public lists; a
    # category about people's homes or neighbours (noise, a parent alone) is not public.
    public = models.BooleanField(
        _("shown publicly"),
        default=True,
        help_text=_(
            "Requests of this kind appear on public lists and Open311, without names, "
            "phone numbers or rooms, unless the resident asks to keep theirs private."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    sort = models.PositiveSmallIntegerField(default=100)

    SCOPE_PATHS = {
        **CommunityScoped.SCOPE_PATHS,
        "grid": "community__grids__id",
        "building": "community__buildings__id",
        "household": "community__households__id",
    }

    class Meta:
        verbose_name = _("request category")
        verbose_name_plural = _("request categories")
        ordering = ["sort", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "code"], name="category_unique_code")
        ]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    def clean(self) -> None:
        super().clean()
        if (self.work_from is None) != (self.work_until is None):
            raise ValidationError(_("Give both ends of the working hours, or neither."))
        if self.work_from is not None and self.work_until <= self.work_from:  # type: ignore[operator]
            raise ValidationError(_("The working hours must end after they begin."))

    def respond_by(self, start: dt.datetime, *, emergency: bool = False) -> dt.datetime:
        """The response deadline of a request of this kind made at ``start``: in working hours
        when the category has them (nights, weekends and holidays skipped), else clock hours;
        an emergency always counts clock hours (it is accepted at once anyway)."""
        hours = self.respond_within_hours
        if emergency or self.work_from is None or self.work_until is None:
            return start + dt.timedelta(hours=hours)
        from linli.core.calendar import add_working_hours

        return add_working_hours(
            start, hours, self.community_id, opens=self.work_from, closes=self.work_until
        )


class Channel(models.TextChoices):
    WEB = "web", _("Web (by the resident)")
    PHONE = "phone", _("Phone call")
    WALK_IN = "walk_in", _("Walk-in")
    PATROL = "patrol", _("Met on a patrol")
    BUILDING_LEADER = "leader", _("Through the building leader")
    COUNCIL = "council", _("At a council meeting")
    HOTLINE = "hotline", _("12345 hotline")
    OPEN311 = "open311", _("Open311 client")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    ON_HOLD = "on_hold", _("On hold")
    RESOLVED = "resolved", _("Resolved")
    REPLIED = "replied", _("Replied")
    CLOSED = "closed", _("Closed")
    DUPLICATE = "duplicate", _("Duplicate")
    REFERRED = "referred", _("Referred elsewhere")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = Status
OPEN_STATES = frozenset(
    {S.SUBMITTED, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS, S.ON_HOLD, S.RESOLVED, S.REPLIED}
)
FINAL_STATES = frozenset({S.CLOSED, S.DUPLICATE, S.REFERRED, S.WITHDRAWN})
# States in which the work is still to be done (deadlines and overdue flags apply).
WORKING_STATES = frozenset({S.SUBMITTED, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS, S.ON_HOLD})

_ACTIVE = (S.SUBMITTED, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS)

# Never published: a withdrawn request (its requester took it back) and a duplicate (its
# original stands for the problem; publishing both would show two households' words).
UNPUBLISHED_STATES = frozenset({S.WITHDRAWN, S.DUPLICATE})


def public_q() -> Q:
    """The requests the public may read (``Ticket.is_public`` in SQL)."""
    return Q(category__public=True, private=False, public_hidden=False) & ~Q(
        status__in=UNPUBLISHED_STATES
    )


# The one table of allowed moves (``core.workflow``): action, from states, to state, the
# past-tense event it records and the button's label. ``None`` as the target means "decided
# by the service" (resume returns to the state before the hold; rating "unsatisfied"
# reopens). Permissions per action are in core/roles.py as "ticket.<action>". The services
# apply it through ``workflow.TICKET_FLOW`` (which adds what is ticket-specific: the moment
# of the first response, the refusal's wording).
T = Transition
TICKET_TRANSITIONS = (
    T("accept", {S.SUBMITTED}, S.ACCEPTED, "ticket.accepted", _("Accept")),
    T(
        "assign",
        {S.SUBMITTED, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS},
        S.ASSIGNED,
        "ticket.assigned",
        _("Assign"),
    ),
    T("claim", {S.ACCEPTED, S.ASSIGNED}, S.IN_PROGRESS, "ticket.claimed", _("Take it on")),
    T("start", {S.ASSIGNED}, S.IN_PROGRESS, "ticket.started", _("Start work")),
    T("hold", {S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS}, S.ON_HOLD, "ticket.held", _("Put on hold")),
    T("resume", {S.ON_HOLD}, None, "ticket.resumed", _("Resume")),
    T("resolve", {S.ASSIGNED, S.IN_PROGRESS}, S.RESOLVED, "ticket.resolved", _("Mark resolved")),
    T("reply", {S.RESOLVED}, S.REPLIED, "ticket.replied", _("Reply to the requester")),
    T("rate", {S.REPLIED}, None, "ticket.rated", _("Rate")),
    T("revisit", {S.REPLIED}, None, "ticket.revisited", _("Record a return visit")),
    T("close", {S.REPLIED}, S.CLOSED, "ticket.closed", _("Close")),
    T(
        "mark_duplicate",
        {S.SUBMITTED, S.ACCEPTED, S.ASSIGNED},
        S.DUPLICATE,
        "ticket.marked_duplicate",
        _("Mark as duplicate"),
    ),
    T("refer", set(_ACTIVE), S.REFERRED, "ticket.referred", _("Refer elsewhere")),
    T("withdraw", {*_ACTIVE, S.ON_HOLD}, S.WITHDRAWN, "ticket.withdrawn", _("Withdraw")),
)
# The same table as action → (from states, to state), for readers of the older shape.
TRANSITIONS: dict[str, tuple[frozenset, str | None]] = {
    t.action: (frozenset(t.sources), t.target) for t in TICKET_TRANSITIONS
}

# Giving more time is not a move in the table (the status stays): allowed while the work is
# still due and someone has taken it up.
EXTENDABLE_STATES = frozenset({S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS, S.ON_HOLD})


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class ContactPreference(models.TextChoices):
    PHONE = "phone", _("Phone call")
    SMS = "sms", _("Text message")
    IN_APP = "in_app", _("In Linli")
    NONE = "none", _("No contact")


def overdue_q(now: dt.datetime) -> Q:
    """The one rule of "overdue", in SQL: still being worked on and past a deadline — not
    accepted in time (still submitted after ``respond_by``) or not resolved by ``resolve_by``.
    A deadline is passed once it is behind ``now`` (at the very moment it is not yet).
    ``Ticket.overdue_at`` is the same rule in Python."""
    return Q(status__in=WORKING_STATES) & (
        Q(resolve_by__lt=now) | Q(status=S.SUBMITTED, respond_by__lt=now)
    )


class TicketQuerySet(models.QuerySet):
    def overdue(self, now: dt.datetime | None = None) -> TicketQuerySet:
        """The overdue requests (``overdue_q``): the queue's filter, the API's
        ``?overdue=true``, the metrics' count and the reminders all read this."""
        return self.filter(overdue_q(now or timezone.now()))

    def not_overdue(self, now: dt.datetime | None = None) -> TicketQuerySet:
        return self.exclude(overdue_q(now or timezone.now()))


class Ticket(CommunityScoped):
    community = models.ForeignKey(
        "registry.Community", on_delete=models.PROTECT, related_name="tickets"
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("category")
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    emergency = models.BooleanField(_("emergency"), default=False)
    description = FreeTextField(_("description"), max_length=2000)
    attributes = models.JSONField(default=dict, blank=True)

    # What the public may read (Open311, public lists; FixMyStreet's practice): a request is
    # public only if its category is public, the requester did not ask to keep it private
    # and the office did not hide it; its text is ``public_text`` — the description scrubbed
    # of names, phones, ID numbers and rooms (core/public.py), editable by the office.
    private = models.BooleanField(_("keep my report private"), default=False)
    public_text = models.TextField(_("public text"), max_length=2000, blank=True)
    public_hidden = models.BooleanField(_("hidden from the public"), default=False)
    public_moderated_at = models.DateTimeField(null=True, blank=True)

    # Where: a household, a building or unit, or a public spot described in words / on a map.
    building = models.ForeignKey(
        "registry.Building", null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    unit = models.ForeignKey(
        "registry.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "registry.Household",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    location_text = models.CharField(_("place"), max_length=200, blank=True)
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    contact_preference = models.CharField(
        _("how to reach the requester"),
        max_length=8,
        choices=ContactPreference.choices,
        default=ContactPreference.IN_APP,
    )

    # Dispatch: a person, a team's pool, or an outside contractor/agency.
    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_tickets",
    )
    assignee_team = models.ForeignKey(
        HandlingTeam, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    external_handler = models.CharField(
        _("outside contractor or agency"), max_length=100, blank=True
    )
    external_contact = models.CharField(_("their contact"), max_length=100, blank=True)

    # Time limits and the moments that measure them.
    created_at = models.DateTimeField(_("submitted at"), db_index=True)
    respond_by = models.DateTimeField(_("respond by"))
    resolve_by = models.DateTimeField(_("resolve by"))
    responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    extension_count = models.PositiveSmallIntegerField(default=0)

    hold_until = models.DateField(null=True, blank=True)
    hold_reason = models.CharField(max_length=300, blank=True)
    hold_from = models.CharField(max_length=12, blank=True)

    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    rated_by_revisit = models.BooleanField(default=False)
    reopen_count = models.PositiveSmallIntegerField(default=0)

    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    referred_to = models.CharField(max_length=100, blank=True)
    referral_reason = models.CharField(max_length=300, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped by every change: two people acting on the same version — one wins, one is told.
    version = models.PositiveIntegerField(default=1)

    SCOPE_PATHS = {
        **CommunityScoped.SCOPE_PATHS,
        "grid": "building__grid_id",
        "building": "building_id",
        "household": "household_id",
    }
    SCOPE_SELF_PATHS = {
        # Who reported it; and someone whose report of the same problem was merged into it
        # (core/policy.py ``self_path``): two relations with different rights.
        "requester": ("requesters__user_id", {"requesters__primary": True}),
        "joined": ("requesters__user_id", {"requesters__primary": False}),
        "handler": "assignee_user_id",
        "team": "assignee_team__members__id",
    }

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("request")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["community", "status", "created_at"]),
            models.Index(fields=["community", "category", "created_at"]),
            models.Index(fields=["community", "resolve_by"]),
            models.Index(fields=["assignee_user", "status"]),
            models.Index(fields=["assignee_team", "status"]),
            models.Index(fields=["building", "status"]),
            models.Index(fields=["status", "respond_by"]),
            models.Index(fields=["status", "resolve_by"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="duplicate") | Q(duplicate_of__isnull=False),
                name="ticket_duplicate_has_original",
            ),
            models.CheckConstraint(
                condition=Q(rating="") | Q(rated_at__isnull=False), name="ticket_rating_dated"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    def response_late(self, now: dt.datetime) -> bool:
        """Nobody accepted it by ``respond_by``."""
        return self.status == S.SUBMITTED and self.respond_by < now

    def resolution_late(self, now: dt.datetime) -> bool:
        """Work is still due and ``resolve_by`` has passed."""
        return self.status in WORKING_STATES and self.resolve_by < now

    def overdue_at(self, now: dt.datetime) -> bool:
        """``overdue_q`` in Python: not accepted in time, or not resolved in time."""
        return self.response_late(now) or self.resolution_late(now)

    @property
    def is_overdue(self) -> bool:
        return self.overdue_at(timezone.now())

    @property
    def is_extendable(self) -> bool:
        """Whether it may be given more time (``EXTENDABLE_STATES``)."""
        return self.status in EXTENDABLE_STATES

    @property
    def is_public(self) -> bool:
        """Whether the public may read it (``public_q`` is the same rule in SQL)."""
        return (
            self.category.public
            and not self.private
            and not self.public_hidden
            and self.status not in UNPUBLISHED_STATES
        )

    @property
    def place_label(self) -> str:
        if self.household_id:
            return self.household.label
        parts = [
            str(self.building) if self.building_id else "",
            str(self.unit) if self.unit_id else "",
            self.location_text,
        ]
        return " · ".join(p for p in parts if p)

    @property
    def assignee_label(self) -> str:
        if self.assignee_user_id:
            return self.assignee_user.get_full_name()
        if self.assignee_team_id:
            return str(self.assignee_team)
        if self.external_handler:
            return self.external_handler
        return ""


class TicketRequester(models.Model):
    """Who asked. A duplicate's requesters join the original's list, so everyone hears back.
    A requester may be a registered user, a name and phone only, or anonymous."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="requesters")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ticket_requests",
    )
    resident = models.ForeignKey(
        "registry.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = NameField(_("name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    primary = models.BooleanField(default=True)
    joined_from = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "ticket"])]

    def __str__(self) -> str:
        return self.name or str(self.user or "")

    @property
    def display_name(self) -> str:
        if self.anonymous:
            return str(_("Anonymous"))
        return self.name or (self.user.get_full_name() if self.user_id else "")


class CommentKind(models.TextChoices):
    REPLY = "reply", _("Reply to the requester")
    PROGRESS = "progress", _("Progress update")
    NOTE = "note", _("Internal note")


class TicketComment(models.Model):
    """Replies and progress updates reach the requester; internal notes never do."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=CommentKind.choices)
    body = FreeTextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "kind", "created_at"])]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.kind}"

    @property
    def public(self) -> bool:
        return self.kind != CommentKind.NOTE


class PhotoStage(models.TextChoices):
    REPORT = "report", _("When reported")
    RESULT = "result", _("Result")


def _photo_path(instance, filename: str) -> str:
    return f"tickets/{instance.ticket.community_id}/{instance.ticket_id}/{filename}"


class TicketPhoto(models.Model):
    """A photo, re-encoded on upload (EXIF and location stripped, resized)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=_photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    stage = models.CharField(max_length=8, choices=PhotoStage.choices, default=PhotoStage.REPORT)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.image.name


class PendingPhoto(models.Model):
    """A photo chosen on a report that was sent back for a mistake, kept so it need not be
    chosen again: already checked and re-encoded (``photos.process_photos``), bound to the
    one who uploaded it and named on the form by an unguessable token. Attached (and
    deleted) when the report is sent; purged a day after upload (``tasks``)."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    image = models.ImageField(upload_to="pending/")
    name = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name or self.token[:8]


class ApiKey(CommunityScoped):
    """An Open311 client's key, bound to one community. Only a SHA-256 hash of the key is
    stored (with its first characters, to tell keys apart); the key itself is shown once."""

    community = models.ForeignKey(
        "registry.Community", on_delete=models.PROTECT, related_name="open311_keys"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 API key")
        ordering = ["community_id", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class HandlerName(models.TextChoices):
    """How a resident reading their request sees who handles it (the team always shows)."""

    SURNAME_SHIFU = "shifu", _("Surname and 师傅 (吴师傅)")
    SURNAME_TONGZHI = "tongzhi", _("Surname and 同志 (吴同志)")
    FULL = "full", _("Full name (吴建国)")
    TEAM = "team", _("The team only")


class RequestSettings(CommunityScoped):
    """A community's choices about its residents' requests. No row: the defaults.

    ``handler_name`` defaults to surname + 师傅: what residents call the repairer or the office
    worker at their door, enough to recognise the person, without putting a full name on a
    page the family shares."""

    community = models.OneToOneField(
        "registry.Community", on_delete=models.CASCADE, related_name="request_settings"
    )
    handler_name = models.CharField(
        _("the handler's name shown to residents"),
        max_length=10,
        choices=HandlerName.choices,
        default=HandlerName.SURNAME_SHIFU,
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("request settings")
        verbose_name_plural = _("request settings")

    def __str__(self) -> str:
        return str(self.community)
