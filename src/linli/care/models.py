"""Care (关爱): the people a community visits — elderly people living alone or with their
children elsewhere, left-behind children, people who cannot care for themselves — their risk
tier, carers, assigned visitors, the consents their sensitive data needs, the visits made, the
office's major events, and love lunches and home help.

Only the next due visit is kept per person (``due_on`` / ``due_by``), computed by the pure
function in ``care.due`` from the last reached visit, the tier's frequency and any pending
major event, and stored so that lists, alerts and coverage filter and sort on an indexed
column (``services.person_refresh_due`` keeps it in step, under a row lock).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.models import CommunityScoped, by_user, scope_through
from linli.core.text import FreeTextField, NameField, TextLineField

# Scope of everything that belongs to one cared-for person (through their registry record).
PERSON_PATHS = {
    **CommunityScoped.SCOPE_PATHS,
    "grid": "resident__household__building__grid_id",
    "building": "resident__household__building_id",
    "household": "resident__household_id",
}


class Tier(models.TextChoices):
    HIGH = "high", _("High risk")
    KEY = "key", _("Key")
    GENERAL = "general", _("General")


class Frequency(models.IntegerChoices):
    """How often a person is visited, in days between visits."""

    WEEKLY = 7, _("Weekly")
    FORTNIGHTLY = 14, _("Every two weeks")
    MONTHLY = 30, _("Monthly")
    QUARTERLY = 91, _("Quarterly")


DEFAULT_FREQUENCY = {Tier.HIGH: Frequency.WEEKLY, Tier.KEY: Frequency.MONTHLY,
                     Tier.GENERAL: Frequency.QUARTERLY}  # fmt: skip

# Registry tags that put a person in the care register (registry/tags.py and the community's
# own tags with these codes).
CARE_TAGS = (
    "empty_nest",
    "living_alone",
    "left_behind_child",
    "cannot_self_care",
    "severe_disability",
    "disability",
    "family_planning_special",
)


class CareSettings(models.Model):
    """A community's default visit frequency per tier (no row: ``DEFAULT_FREQUENCY``)."""

    community = models.OneToOneField(
        "registry.Community", on_delete=models.CASCADE, related_name="care_settings"
    )
    high_days = models.PositiveSmallIntegerField(
        _("high risk"), choices=Frequency.choices, default=Frequency.WEEKLY
    )
    key_days = models.PositiveSmallIntegerField(
        _("key"), choices=Frequency.choices, default=Frequency.MONTHLY
    )
    general_days = models.PositiveSmallIntegerField(
        _("general"), choices=Frequency.choices, default=Frequency.QUARTERLY
    )

    SCOPE_PATHS = CommunityScoped.SCOPE_PATHS

    def __str__(self) -> str:
        return f"{self.community_id}: {self.high_days}/{self.key_days}/{self.general_days}"

    def days_for(self, tier: str) -> int:
        return int({"high": self.high_days, "key": self.key_days}.get(tier, self.general_days))


class CarePerson(CommunityScoped):
    """A resident in the care register."""

    resident = models.OneToOneField(
        "registry.Resident", on_delete=models.PROTECT, related_name="care"
    )
    tier = models.CharField(_("risk tier"), max_length=8, choices=Tier.choices)
    tier_reason = TextLineField(_("reason"), max_length=200)
    tier_set_by = by_user()
    tier_set_at = models.DateTimeField(default=timezone.now)
    # A frequency of the person's own, instead of the tier's default for the community.
    frequency_days = models.PositiveSmallIntegerField(
        _("visit frequency"), choices=Frequency.choices, null=True, blank=True
    )
    enrolled_on = models.DateField(_("in the register since"), default=timezone.localdate)
    # Health note for the visitors (sealed at rest; only with the person's consent).
    health_note_sealed = models.TextField(editable=False, default="", blank=True)
    # Derived (care.due): kept in step by services.person_refresh_due.
    last_visit_on = models.DateField(null=True, blank=True)
    last_reached_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    due_by = models.DateTimeField(null=True, blank=True)  # a major event's deadline
    due_reason = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    SCOPE_PATHS = PERSON_PATHS
    # "visitor": assigned to visit them; "subject": the person themselves (their own record);
    # "guardian": the recorded guardian of a left-behind child, when the guardian is a
    # registry resident with an account (``CareContact.resident``).
    SCOPE_SELF_PATHS = {
        "visitor": "visitors__user_id",
        "subject": "resident__user__id",
        "guardian": ("contacts__resident__user__id", {"contacts__kind": "guardian"}),
    }
    PERSONAL_FIELDS = frozenset({"health_note", "name", "phone"})

    class Meta:
        verbose_name = _("cared-for person")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["community", "due_on"], name="care_person_due_idx"),
            models.Index(fields=["community", "tier"], name="care_person_tier_idx"),
        ]

    def __str__(self) -> str:
        return f"care:{self.resident_id}"

    @property
    def log_repr(self) -> str:
        return f"care #{self.pk}"

    @property
    def has_health_note(self) -> bool:
        return bool(self.health_note_sealed)


class TierChange(models.Model):
    """The history of a person's tier: every setting, with its reason and who set it."""

    person = models.ForeignKey(CarePerson, on_delete=models.CASCADE, related_name="tier_history")
    tier = models.CharField(max_length=8, choices=Tier.choices)
    reason = TextLineField(_("reason"), max_length=200)
    set_by = by_user()
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-set_at", "-id"]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.tier}"


class ContactKind(models.TextChoices):
    CHILD_ELSEWHERE = "child", _("Child living elsewhere")
    GUARDIAN = "guardian", _("Guardian")
    CARER = "carer", _("Carer")
    RELATIVE = "relative", _("Other relative")
    NEIGHBOUR = "neighbour", _("Neighbour")


class CareContact(models.Model):
    """A carer or family member to call (children elsewhere, a left-behind child's guardian)."""

    person = models.ForeignKey(CarePerson, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("who"), max_length=10, choices=ContactKind.choices)
    name = NameField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    lives_in = TextLineField(_("lives in"), max_length=60, blank=True)
    # The contact's own registry record, when they are a resident of the community (a
    # guardian with an account then sees the child's care page: "self:guardian").
    resident = models.ForeignKey(
        "registry.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.kind}"


class VisitorKind(models.TextChoices):
    GRID_WORKER = "grid_worker", _("Grid worker")
    BUILDING_LEADER = "building_leader", _("Building leader")
    VOLUNTEER = "volunteer", _("Volunteer")
    STAFF = "staff", _("Community staff")


class CareVisitor(models.Model):
    """Someone assigned to visit the person (a row per current assignment; the event log
    keeps who was assigned and removed when)."""

    person = models.ForeignKey(CarePerson, on_delete=models.CASCADE, related_name="visitors")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_assignments"
    )
    kind = models.CharField(_("as"), max_length=16, choices=VisitorKind.choices)
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "user"], name="care_visitor_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.user_id}"


class ConsentSubject(models.TextChoices):
    MINOR = "minor", _("A child's data (guardian's consent)")
    HEALTH = "health", _("Health notes")


class ConsentMethod(models.TextChoices):
    PAPER = "paper", _("On paper, signed")
    ORAL = "oral", _("Orally, witnessed")
    ONLINE = "online", _("Online")


class Consent(models.Model):
    """A separate consent (PIPL Arts. 29, 31): who gave it, when and how."""

    person = models.ForeignKey(CarePerson, on_delete=models.CASCADE, related_name="consents")
    subject = models.CharField(_("consent to"), max_length=8, choices=ConsentSubject.choices)
    given_by = NameField(_("given by"), max_length=50)
    relation = TextLineField(_("relation to the person"), max_length=30, blank=True)
    given_on = models.DateField(_("given on"))
    method = models.CharField(_("how"), max_length=8, choices=ConsentMethod.choices)
    recorded_by = by_user()
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-given_on", "-id"]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.subject}"


class EventKind(models.TextChoices):
    COLD_WAVE = "cold_wave", _("Cold wave")
    HEATWAVE = "heatwave", _("Heatwave")
    STORM = "storm", _("Storm")
    OUTBREAK = "outbreak", _("Outbreak")
    FESTIVAL = "festival", _("Festival")


class MajorEvent(CommunityScoped):
    """The office declares a major event: every high-risk person is due a visit within
    ``high_within_hours``, the others within ``others_within_hours`` (none: not due)."""

    kind = models.CharField(_("event"), max_length=10, choices=EventKind.choices)
    title = TextLineField(_("title"), max_length=100, blank=True)
    declared_at = models.DateTimeField(default=timezone.now)
    declared_by = by_user()
    high_within_hours = models.PositiveSmallIntegerField(default=24)
    others_within_hours = models.PositiveSmallIntegerField(
        _("others within (hours)"), null=True, blank=True
    )

    class Meta:
        ordering = ["-declared_at"]
        indexes = [models.Index(fields=["community", "declared_at"], name="care_event_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.declared_at:%Y-%m-%d}"

    def within_hours(self, tier: str) -> int | None:
        return self.high_within_hours if tier == Tier.HIGH else self.others_within_hours


class Method(models.TextChoices):
    HOME = "home", _("At home")
    PHONE = "phone", _("By phone")
    VIDEO = "video", _("By video")


class Outcome(models.TextChoices):
    REACHED = "reached", _("Visited")
    NOT_HOME = "not_home", _("Not at home")
    REFUSED = "refused", _("Refused the visit")


class FollowUp(models.TextChoices):
    NONE = "", _("None")
    REQUEST = "request", _("A request (repair, help)")
    REFERRAL = "referral", _("A referral")
    NOTE = "note", _("A note for the next visit")


class ReferTo(models.TextChoices):
    STREET = "street", _("Street office")
    CLINIC = "clinic", _("Community clinic")
    CIVIL = "civil", _("Civil affairs")


# The checkboxes of the visit form: each a concern noticed (absent: fine).
HEALTH_CONCERNS = {
    "speech": _("Speech"),
    "mobility": _("Getting about"),
    "reactions": _("Reactions, memory"),
    "illness": _("Illness"),
    "mood": _("Mood"),
}
SAFETY_CONCERNS = {
    "water": _("Water"),
    "power": _("Electricity"),
    "gas": _("Gas"),
    "heating": _("Heating"),
}
NEEDS = {
    "daily_care": _("Daily care"),
    "rehabilitation": _("Rehabilitation"),
    "emotional": _("Emotional comfort"),
    "adaptation": _("Home adaptation"),
}


class Visit(CommunityScoped):
    """One visit (or attempt). Two visitors recording the same day are two visits."""

    person = models.ForeignKey(CarePerson, on_delete=models.PROTECT, related_name="visits")
    visitor = by_user()
    visited_on = models.DateField(_("date of the visit"))
    entered_at = models.DateTimeField(default=timezone.now)
    method = models.CharField(_("how"), max_length=6, choices=Method.choices)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.REACHED
    )
    health = models.JSONField(default=list, blank=True)
    finances_ok = models.BooleanField(_("finances and benefits in order"), default=True)
    family_contact = models.BooleanField(_("family in touch"), default=True)
    safety = models.JSONField(default=list, blank=True)
    needs = models.JSONField(default=list, blank=True)
    family_reminded = models.BooleanField(
        _("family reminded of their duty of support"), default=False
    )
    note = FreeTextField(_("note"), max_length=1000, blank=True)
    follow_up = models.CharField(
        _("follow-up"), max_length=8, choices=FollowUp.choices, default="", blank=True
    )
    refer_to = models.CharField(max_length=8, choices=ReferTo.choices, blank=True)
    follow_up_text = FreeTextField(_("follow-up"), max_length=1000, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    minutes = models.PositiveSmallIntegerField(_("minutes spent"), null=True, blank=True)
    event = models.ForeignKey(
        MajorEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    # A volunteer's visit time went to the volunteers' hours ledger (pending verification).
    hours_entered = models.BooleanField(default=False)

    # Where the person lives, by the visit's own community key.
    SCOPE_PATHS = {**scope_through("person", PERSON_PATHS), **CommunityScoped.SCOPE_PATHS}
    SCOPE_SELF_PATHS = {"visitor": "person__visitors__user_id", "author": "visitor_id"}

    class Meta:
        verbose_name = _("visit")
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["person", "visited_on"], name="care_visit_person_idx"),
            models.Index(fields=["community", "visited_on"], name="care_visit_month_idx"),
            models.Index(fields=["visitor", "visited_on"], name="care_visit_visitor_idx"),
        ]

    def __str__(self) -> str:
        return f"visit {self.person_id} {self.visited_on}"

    @property
    def reached(self) -> bool:
        return self.outcome == Outcome.REACHED


# --- love lunches and home help --------------------------------------------------------------


class MealDay(CommunityScoped):
    """One day of the love-lunch roster: who cooks, for whom (``MealDelivery``)."""

    day = models.DateField(_("day"))
    menu = TextLineField(_("menu"), max_length=200, blank=True)
    cooks = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["community", "day"], name="care_meal_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day}"


class MealRecipient(models.Model):
    """A person on the love-lunch list, with their dietary notes."""

    person = models.OneToOneField(CarePerson, on_delete=models.CASCADE, related_name="meals")
    dietary_note = TextLineField(_("dietary notes"), max_length=200, blank=True)
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"meals {self.person_id}"


class DeliveryStatus(models.TextChoices):
    DELIVERED = "delivered", _("Delivered")
    NOT_HOME = "not_home", _("Not at home")


class MealDelivery(models.Model):
    day = models.ForeignKey(MealDay, on_delete=models.CASCADE, related_name="deliveries")
    person = models.ForeignKey(CarePerson, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices)
    by = by_user()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "person"], name="care_delivery_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day_id}:{self.person_id} {self.status}"


class HelpKind(models.TextChoices):
    CLEANING = "cleaning", _("Cleaning")
    HOME_HELP = "home_help", _("Home help")
    COOKING = "cooking", _("Cooking a love lunch")
    DELIVERY = "delivery", _("Delivering love lunches")


class HelpSession(CommunityScoped):
    """Care work done by a volunteer (cleaning, home help, cooking): its hours go to the
    volunteers' hours ledger as pending hours."""

    helper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        CarePerson, null=True, blank=True, on_delete=models.PROTECT, related_name="help_sessions"
    )
    kind = models.CharField(_("work"), max_length=10, choices=HelpKind.choices)
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"))
    note = TextLineField(_("note"), max_length=200, blank=True)
    hours_entered = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__gt=models.F("started_at")), name="care_help_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d}"


class CareAlert(models.Model):
    """An overdue alert sent (to the visitors, then to the office). The unique key is the
    claim: two runs at the same moment insert the same row and only one succeeds."""

    person = models.ForeignKey(CarePerson, on_delete=models.CASCADE, related_name="alerts")
    level = models.CharField(max_length=8)  # "visitor" or "office"
    key = models.CharField(max_length=40)  # the due date (or deadline) it is about
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "level", "key"], name="care_alert_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.level} {self.key}"
