"""The territory: street office → community → grid → building → unit → household → resident.

Every model here declares ``SCOPE_PATHS`` (see ``linli.core.policy``); those below the
community inherit ``core.models.CommunityScoped`` for its default paths and keep their own
community keys (each with its reverse name: ``community.buildings``, ``community.residents``). Records are never
hard-deleted: residents move out or die, and the event log keeps every change.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import personal
from linli.core.models import CommunityScoped
from linli.core.text import NameField

from .sorting import SortKeyField

code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{0,39}$", _("Use lower-case letters, digits and hyphens.")
)
number_validator = RegexValidator(
    r"^[0-9A-Za-z]{1,10}$", _("Use up to 10 letters or digits, no spaces or hyphens.")
)
# A resident's phone as the registry keeps it (a mobile, a landline with its dash): the
# model, the forms, the contact corrections and the spreadsheet import all check this one.
PHONE_RE = r"^\+?[0-9-]{5,20}$"
phone_validator = RegexValidator(PHONE_RE, _("Digits only, e.g. 13812345678."))


class StreetOffice(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)

    # Lower levels reach up through to-many paths: a building leader's community and street
    # office are "in scope" as containers (for navigation); actions still decide what is allowed.
    SCOPE_PATHS = {
        "street": "id",
        "community": "communities__id",
        "grid": "communities__grids__id",
        "building": "communities__buildings__id",
        "household": "communities__households__id",
    }

    class Meta:
        verbose_name = _("street office")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    street_office = models.ForeignKey(
        StreetOffice,
        on_delete=models.PROTECT,
        related_name="communities",
        verbose_name=_("street office"),
    )
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("office phone"), max_length=30, blank=True)

    SCOPE_PATHS = {
        "street": "street_office_id",
        "community": "id",
        "grid": "grids__id",
        "building": "buildings__id",
        "household": "households__id",
    }

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Grid(CommunityScoped):
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="grids")
    number = models.CharField(_("number"), max_length=10, validators=[number_validator])
    sort_key = SortKeyField(source="number")
    name = models.CharField(_("name"), max_length=100)
    area_description = models.CharField(_("area"), max_length=200, blank=True)
    supervision_phone = models.CharField(_("supervision phone"), max_length=30, blank=True)

    SCOPE_PATHS = {
        **CommunityScoped.SCOPE_PATHS,
        "grid": "id",
        "building": "buildings__id",
        "household": "buildings__households__id",
    }

    class Meta:
        verbose_name = _("grid")
        ordering = ["community_id", "sort_key", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="grid_unique_number")
        ]

    def __str__(self) -> str:
        return self.name


class Building(CommunityScoped):
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="buildings")
    grid = models.ForeignKey(
        Grid,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="buildings",
        verbose_name=_("grid"),
    )
    number = models.CharField(_("building number"), max_length=10, validators=[number_validator])
    # 9号楼 before 10号楼 (sorting.py); every building list orders by it.
    sort_key = SortKeyField(source="number")
    name = models.CharField(_("name"), max_length=100, blank=True)
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    year_built = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)

    SCOPE_PATHS = {
        **CommunityScoped.SCOPE_PATHS,
        "grid": "grid_id",
        "building": "id",
        "household": "households__id",
    }

    class Meta:
        verbose_name = _("building")
        ordering = ["community_id", "sort_key", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="building_unique_number")
        ]

    def __str__(self) -> str:
        return self.name or _("Building %(number)s") % {"number": self.number}


class Unit(CommunityScoped):
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="units")
    number = models.CharField(_("unit number"), max_length=10, validators=[number_validator])
    sort_key = SortKeyField(source="number")

    SCOPE_PATHS = {
        **CommunityScoped.SCOPE_PATHS,
        "grid": "building__grid_id",
        "building": "building_id",
        "household": "households__id",
    }

    class Meta:
        verbose_name = _("unit")
        ordering = ["building_id", "sort_key", "id"]
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="unit_unique_number")
        ]

    def __str__(self) -> str:
        return _("Unit %(number)s") % {"number": self.number}


class Occupancy(models.TextChoices):
    OWNER_OCCUPIED = "owner", _("Owner-occupied")
    RENTED = "rented", _("Rented")
    VACANT = "vacant", _("Vacant")
    OTHER = "other", _("Other")


class Household(CommunityScoped):
    """A dwelling and the people registered in it. ``label`` is ``building-unit-room``."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="households")
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="households")
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="households"
    )
    room = models.CharField(_("room"), max_length=10, validators=[number_validator])
    # The room's own key (201 before 1101); a building's rooms order by unit, then this.
    sort_key = SortKeyField(source="room")
    label = models.CharField(_("room label"), max_length=40)
    floor_area = models.DecimalField(
        _("floor area (m²)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    occupancy = models.CharField(
        _("occupancy"), max_length=10, choices=Occupancy.choices, default=Occupancy.OWNER_OCCUPIED
    )
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    # Unsold flats still owned by the developer: together they count as one owner in votes
    # (Supreme People's Court interpretation on building ownership, Art. 9).
    developer_owned = models.BooleanField(_("unsold, owned by the developer"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATHS = {
        **CommunityScoped.SCOPE_PATHS,
        "grid": "building__grid_id",
        "building": "building_id",
        "household": "id",
    }

    class Meta:
        verbose_name = _("household")
        ordering = ["building_id", "unit_id", "sort_key", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "label"], name="household_unique_label"),
            models.CheckConstraint(
                condition=Q(floor_area__isnull=True) | Q(floor_area__gt=0),
                name="household_area_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["building", "unit", "room"]),
            models.Index(
                fields=["label"], name="household_label_idx", opclasses=["text_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @staticmethod
    def make_label(building_number: str, unit_number: str | None, room: str) -> str:
        parts = [building_number, unit_number, room] if unit_number else [building_number, room]
        return "-".join(parts)


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    CHILD_IN_LAW = "child_in_law", _("Son- or daughter-in-law")
    PARENT = "parent", _("Parent")
    PARENT_IN_LAW = "parent_in_law", _("Parent-in-law")
    GRANDCHILD = "grandchild", _("Grandchild")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other")


class Tenure(models.TextChoices):
    OWNER = "owner", _("Owner")
    TENANT = "tenant", _("Tenant")
    FAMILY = "family", _("Owner's family")
    OTHER = "other", _("Other")


class ResidentStatus(models.TextChoices):
    ACTIVE = "active", _("Living here")
    MOVED_OUT = "moved_out", _("Moved out")
    DECEASED = "deceased", _("Deceased")


class Tag(models.Model):
    """A care or civic tag. Built-in tags have a ``code`` and no community; a community may
    add its own."""

    community = models.ForeignKey(
        Community, null=True, blank=True, on_delete=models.PROTECT, related_name="tags"
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_(
            "Sensitive tags (health, disability, income) are seen and set by the community "
            "office only."
        ),
    )

    class Meta:
        verbose_name = _("tag")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "code"], name="tag_unique_code"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(community__isnull=True), name="tag_unique_builtin"
            ),
        ]

    def __str__(self) -> str:
        from .tags import builtin_label

        return str(builtin_label(self.code) or self.name)


class Resident(CommunityScoped):
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="residents")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="residents")
    name = NameField(_("name"), max_length=50)
    name_pinyin = models.CharField(max_length=200, editable=False, default="")
    name_initials = models.CharField(max_length=50, editable=False, default="")
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    # Only the month is known (an imported "1978.05"): birth_date is its first day.
    birth_month_only = models.BooleanField(default=False, editable=False)
    phone = models.CharField(
        _("phone"),
        max_length=20,
        blank=True,
        validators=[phone_validator],
    )
    phone_tail = models.CharField(max_length=4, editable=False, default="")
    # The number as a desk clerk types it back from a call: digits only, without +86
    # (search.phone_key); an exact, indexed look-up for search and intake.
    phone_key = models.CharField(max_length=20, editable=False, default="")
    id_number_sealed = models.TextField(editable=False, default="", blank=True)
    # Only the region code is kept in clear (never a masked copy with the sequence digits,
    # which with ``birth_date`` would give the number back; see core.personal).
    id_number_region = models.CharField(max_length=6, editable=False, default="", blank=True)
    id_number_digest = models.CharField(max_length=40, editable=False, default="")
    health_note_sealed = models.TextField(editable=False, default="", blank=True)
    relation = models.CharField(
        _("relation to household"), max_length=16, choices=Relation.choices, default=Relation.HEAD
    )
    tenure = models.CharField(
        _("owner or tenant"), max_length=8, choices=Tenure.choices, default=Tenure.OWNER
    )
    moved_in_on = models.DateField(_("moved in"), null=True, blank=True)
    # A child's guardian (监护人), for care and for whom to call; optional for everyone.
    guardian_name = models.CharField(_("guardian"), max_length=50, blank=True)
    guardian_phone = models.CharField(
        _("guardian's phone"),
        max_length=20,
        blank=True,
        validators=[phone_validator],
    )
    # A second number (a landline, a child's mobile): a sheet often has two in one cell.
    other_phone = models.CharField(
        _("other phone"),
        max_length=20,
        blank=True,
        validators=[phone_validator],
    )
    moved_out_on = models.DateField(_("moved out"), null=True, blank=True)
    deceased_on = models.DateField(_("date of death"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ResidentStatus.choices, default=ResidentStatus.ACTIVE
    )
    tags = models.ManyToManyField(Tag, through="ResidentTag", blank=True, related_name="residents")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATHS = {
        **CommunityScoped.SCOPE_PATHS,
        "grid": "household__building__grid_id",
        "building": "household__building_id",
        "household": "household_id",
    }
    # Keys that event data about a resident may never carry (``core.events.log_event``
    # refuses them): what changed is recorded by field name, never by value.
    PERSONAL_FIELDS = frozenset(
        {"name", "gender", "birth_date", "phone", "id_number", "health_note", "tags"}
    )

    class Meta:
        verbose_name = _("resident")
        ordering = ["household_id", "id"]
        indexes = [
            # Search is prefix look-ups on these, always within the actor's communities.
            # text_pattern_ops lets PostgreSQL use them for LIKE 'x%' under any collation;
            # SQLite ignores opclasses and is queried with a range instead (queries.py).
            models.Index(
                fields=["community", "name_initials"],
                name="resident_initials_idx",
                opclasses=["int8_ops", "text_pattern_ops"],
            ),
            models.Index(
                fields=["community", "name_pinyin"],
                name="resident_pinyin_idx",
                opclasses=["int8_ops", "text_pattern_ops"],
            ),
            models.Index(
                fields=["community", "name"],
                name="resident_name_idx",
                opclasses=["int8_ops", "text_pattern_ops"],
            ),
            models.Index(fields=["community", "phone_tail"], name="resident_phone_tail_idx"),
            models.Index(fields=["community", "phone_key"], name="resident_phone_key_idx"),
            models.Index(fields=["household", "status"]),
            models.Index(fields=["community", "id_number_digest"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="deceased") | Q(deceased_on__isnull=False),
                name="resident_deceased_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="moved_out") | Q(moved_out_on__isnull=False),
                name="resident_moved_out_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def log_repr(self) -> str:
        """How the event log names this resident: a child's name is masked (PIPL Art. 31)."""
        return personal.mask_name(self.name) if self.is_minor_under_14 else self.name

    # --- derived values, kept in step by ``refresh_derived`` --------------------------------
    def refresh_derived(self) -> None:
        from .search import initials_of, phone_key, pinyin_of

        self.name_pinyin = pinyin_of(self.name)
        self.name_initials = initials_of(self.name)
        digits = "".join(c for c in self.phone if c.isdigit())
        self.phone_tail = digits[-4:] if len(digits) >= 4 else ""
        self.phone_key = phone_key(self.phone)

    def set_id_number(self, value: str) -> None:
        value = (value or "").strip().upper()
        self.id_number_sealed = personal.seal(value)
        self.id_number_region = personal.id_number_region(value)
        self.id_number_digest = personal.blind_index(value)

    def set_health_note(self, value: str) -> None:
        self.health_note_sealed = personal.seal((value or "").strip())

    @property
    def has_health_note(self) -> bool:
        return bool(self.health_note_sealed)

    @property
    def id_number_masked(self) -> str:
        """What every page shows of the ID number (``110105************``); the full number
        only through ``resident_reveal``, which is a permission and an event."""
        if not self.id_number_sealed:
            return ""
        return personal.masked_id_from_region(self.id_number_region)

    @property
    def phone_masked(self) -> str:
        return personal.mask_phone(self.phone)

    @property
    def guardian_phone_masked(self) -> str:
        return personal.mask_phone(self.guardian_phone)

    @property
    def other_phone_masked(self) -> str:
        return personal.mask_phone(self.other_phone)

    def age(self, on: dt.date | None = None) -> int | None:
        if not self.birth_date:
            return None
        on = on or timezone.localdate()
        b = self.birth_date
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))

    @property
    def is_minor_under_14(self) -> bool:
        age = self.age()
        return age is not None and age < 14

    @property
    def is_active(self) -> bool:
        return self.status == ResidentStatus.ACTIVE


class ResidentTag(models.Model):
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="tag_links")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="resident_links")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resident", "tag"], name="resident_tag_unique")
        ]
        indexes = [models.Index(fields=["community", "tag"])]

    def __str__(self) -> str:
        return f"{self.resident_id}:{self.tag_id}"


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("Checked, not yet imported")
    RUNNING = "running", _("Importing")
    COMMITTED = "committed", _("Imported")


class RegistryImport(CommunityScoped):
    """An uploaded registry spreadsheet. Uploading only checks it (a dry run whose result is
    ``summary``); applying it is a separate, explicit step (``registry.importing``)."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    # Relative to MEDIA_ROOT. The file holds plain ID numbers, so it is stored sealed.
    file_path = models.CharField(max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED
    )
    summary = models.JSONField(default=dict, blank=True)
    # How the file is read: {"sheets": [...], "header_rows": {sheet: n}, "mapping": {...}}.
    options = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    # The background commit (registry.importing.commit.import_run): who started it, how far it
    # is (rows written / to write, and the counts so far), and when its worker last wrote.
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    progress = models.JSONField(default=dict, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("registry import")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return _("Import %(id)s: %(name)s") % {"id": self.pk, "name": self.original_name}


class ImportMapping(CommunityScoped):
    """How a community's files were last read: header → field and fixed values, offered again
    for its next file (``registry.importing.mapping``)."""

    community = models.OneToOneField(
        Community, on_delete=models.CASCADE, related_name="import_mapping"
    )
    columns = models.JSONField(default=dict, blank=True)  # normalised header → field
    fixed = models.JSONField(default=dict, blank=True)  # field → value for every row
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"import mapping of {self.community_id}"


from .correction_models import ContactCorrection  # noqa: E402, F401 - contact corrections
