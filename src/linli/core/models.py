"""Shared models: the event log every domain writes to."""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .actors import User


class CommunityScoped(models.Model):
    """The base of every model that belongs to one community: its key, and the default scope
    paths the policy (``core.policy``) reads — the street office above it and the community.
    A model that also lives at a grid, building or household adds those levels to
    ``SCOPE_PATHS`` (``{**CommunityScoped.SCOPE_PATHS, "building": "building_id"}``)."""

    community = models.ForeignKey(
        "registry.Community",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
    )

    SCOPE_PATHS: dict[str, str] = {
        "street": "community__street_office_id",
        "community": "community_id",
    }

    class Meta:
        abstract = True


# A community-wide object (a team, an activity) is seen by everyone who belongs to the
# community, whatever the level of their role (a resident's is their household).
COMMUNITY_WIDE: dict[str, str] = {
    "street": "community__street_office_id",
    "community": "community_id",
    "grid": "community__grids__id",
    "building": "community__buildings__id",
    "household": "community__households__id",
}


def scope_through(relation: str, paths: Mapping[str, str]) -> dict[str, str]:
    """The scope paths of a row that lives where another row lives: ``paths`` (that row's
    ``SCOPE_PATHS``) reached through ``relation`` — a shift is where its activity is,
    ``scope_through("activity", Activity.SCOPE_PATHS)``."""
    return {level: f"{relation}__{path}" for level, path in paths.items()}


def by_user(**options: Any) -> models.ForeignKey[Any, Any]:
    """The account that did something to a row (recorded, created, signed it): kept when the
    account goes (``SET_NULL``) so the record outlives it, and no reverse accessor on the user
    (``related_name="+"``). ``blank=True`` and the like pass through."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        **options,
    )


class Event(models.Model):
    """One thing that happened: ``actor`` did ``verb`` to ``object`` (under ``parent``).

    Verbs are namespaced (``resident.created``, ``resident.id_number.revealed``). ``parent``
    lets a household's timeline include its residents' events. ``community_id`` is kept as a
    plain integer so core does not depend on the registry app.
    """

    created_at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    verb = models.CharField(max_length=64)
    community_id = models.BigIntegerField(null=True, blank=True)
    object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField()
    object = GenericForeignKey("object_type", "object_id")
    parent_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    parent_id = models.BigIntegerField(null=True, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "created_at"]),
            models.Index(fields=["parent_type", "parent_id", "created_at"]),
            models.Index(fields=["community_id", "created_at"]),
            models.Index(fields=["verb", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.verb} {self.object_repr}"

    @property
    def verb_label(self) -> str:
        from .events import verb_label

        return verb_label(self.verb)


# --- Notifications outbox -------------------------------------------------------------------


class Notification(models.Model):
    """One message to one person on one channel. Domains enqueue through
    ``core.notifications.notify``; the huey tasks in ``core.tasks`` deliver.

    The in-app row is the inbox entry (``read_at``); e-mail and SMS rows are an outbox whose
    ``status`` is claimed with a conditional UPDATE so two workers never send the same row.
    ``title`` and ``body`` are stored already rendered in the recipient's language; ``message``
    keeps the message ids and parameters (``core.i18n``) so that the inbox shows it in the
    reader's language and delivery sends it in the recipient's (``texts``).
    """

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("in the app")
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("not sent")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    verb = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    message = models.JSONField(null=True, blank=True)
    url = models.CharField(max_length=300, blank=True)
    community_id = models.BigIntegerField(null=True, blank=True)
    # The text is self-contained, so a notification outlives a model that disappears.
    object_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_id = models.BigIntegerField(null=True, blank=True)
    object = GenericForeignKey("object_type", "object_id")
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Held back for the recipient's daily summary instead of being delivered one by one.
    digest = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Marks the rows one digest run claimed, so two runs never mail the same rows.
    claim_token = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "channel", "dedupe_key"],
                condition=models.Q(dedupe_key__isnull=False),
                name="notification_unique_dedupe_key",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "channel", "read_at"], name="notification_inbox_idx"),
            models.Index(fields=["status", "created_at"], name="notification_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient_id}: {self.verb} ({self.status})"

    def texts(self, language: str | None = None) -> tuple[str, str]:
        """(title, body) in ``language`` (default: the active one), from the message ids when
        kept, else as stored."""
        if self.message:
            from .i18n import render_spec

            try:
                return render_spec(self.message, language)
            except (KeyError, TypeError, ValueError):  # a catalogue whose placeholders differ
                pass
        return self.title, self.body

    @property
    def title_text(self) -> str:
        return self.texts()[0]

    @property
    def body_text(self) -> str:
        return self.texts()[1]


class NotificationPreference(models.Model):
    """How one person wants to be told. No row means the defaults (``default_for``)."""

    class Digest(models.TextChoices):
        IMMEDIATE = "immediate", _("Right away")
        DAILY = "daily", _("Once a day, in the evening")

    class Language(models.TextChoices):
        # Language names are shown in their own language, as on the switch in the top bar.
        ZH_HANS = "zh-hans", "简体中文"
        EN = "en", "English"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.BooleanField(_("Send me e-mails"), default=True)
    sms = models.BooleanField(_("Send me text messages (SMS)"), default=False)
    digest = models.CharField(
        _("E-mails and text messages"),
        max_length=10,
        choices=Digest.choices,
        default=Digest.IMMEDIATE,
    )
    language = models.CharField(
        _("Language of my notifications"),
        max_length=10,
        choices=Language.choices,
        default=Language.ZH_HANS,
    )

    def __str__(self) -> str:
        return f"{self.user_id}: email={self.email} sms={self.sms} {self.digest} {self.language}"

    @classmethod
    def default_for(cls, user: "User") -> "NotificationPreference":
        """The unsaved preference of someone who never chose: e-mail on when they have an
        address, SMS off, right away, Chinese."""
        return cls(user=user, email=bool(user.email))


# --- The working-day calendar ----------------------------------------------------------------


class Holiday(models.Model):
    """The working-day calendar (``core.calendar``): public holidays (``is_workday=False``) and
    the weekend days that are worked in exchange (调休, ``is_workday=True``). No community =
    nationwide; a community's own entry wins. ``official``: seeded from the published national
    schedule (``calendar.seed_official_holidays``), not typed in by an office.

    ``community_id`` is a plain number, as on ``Notification``: core knows no registry model."""

    community_id = models.BigIntegerField(null=True, blank=True)
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=60)
    is_workday = models.BooleanField(_("worked day"), default=False)
    official = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("holiday")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["community_id", "date"], name="core_holiday_unique_date"
            ),
            models.UniqueConstraint(
                fields=["date"],
                condition=models.Q(community_id__isnull=True),
                name="core_holiday_unique_global_date",
            ),
        ]
        indexes = [models.Index(fields=["date", "community_id"], name="core_holiday_date_idx")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"

    @property
    def label(self) -> str:
        """The name in the reader's language for the official festivals; as entered otherwise."""
        from .calendar import official_label

        return official_label(self.name)


# --- Reads of personal data ------------------------------------------------------------------


class PersonalDataRead(models.Model):
    """One person's record was read by ``actor`` (PIPL Art. 45: the person may know who
    processed their data). Written in bulk by ``core.access.record_reads``, read back,
    aggregated, on "My data".

    A lean table rather than ``Event``: a building page lists ~100 residents and an export a
    whole community, so reads outnumber every other event by far; kept out of the event log
    they do not swamp its indexes and timelines. It holds no personal value: the subject's
    id, what kind of read, on which page (``purpose``), the actor and the role they read as.
    ``subject_id`` is a ``registry.Resident`` id, kept as a plain integer so core does not
    depend on the registry app."""

    at = models.DateTimeField(default=timezone.now)
    # No database constraint and no index of its own: a cached page's hit writes its ~50 reads
    # again, and PostgreSQL checked the key once a row (a deferred trigger locking the user's
    # row ``FOR KEY SHARE``) and kept a fourth index that ``read_actor_idx`` (actor, at)
    # already serves: 0.9 → 0.45 ms of the server's CPU for 50 rows (docs/performance.md,
    # session 7). ``SET_NULL`` is Django's (the deleting query nulls the column), as before.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    actor_role = models.CharField(max_length=32, blank=True)
    subject_id = models.BigIntegerField()
    community_id = models.BigIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=16)
    purpose = models.CharField(max_length=40)

    class Meta:
        indexes = [
            models.Index(fields=["subject_id", "at"], name="read_subject_idx"),
            models.Index(fields=["actor", "at"], name="read_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.kind} {self.subject_id}"


class ChangeCounter(models.Model):
    """How many committed changes a community (``key`` = its id; minus its id: changes of its
    choice lists, categories, buildings, teams, memberships) has seen: bumped in the
    transaction of every write a page of it shows (``core.versions.bump``, called by ``core.events.log_event`` and on every save of a row
    with a community). Pages are cached under keys that include it (``core.pagecache``), so a
    committed write changes the key and no one is shown the page from before it."""

    key = models.BigIntegerField(primary_key=True)
    n = models.BigIntegerField(default=0)

    class Meta:
        db_table = "core_change_counter"

    def __str__(self) -> str:
        return f"{self.key}: {self.n}"


def lock_row(model: type[models.Model], pk: int) -> None:
    """Take the row lock of ``model``'s row ``pk`` until the transaction ends, so that writers
    that go through the same row wait for each other (a shift's places, a person's hours).
    Nothing is read from it; on SQLite the IMMEDIATE transaction already serialises writers."""
    model._default_manager.select_for_update().filter(pk=pk).first()
