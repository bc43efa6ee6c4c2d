"""Users and the roles they hold at places in the territory."""

import re

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.roles import ROLE_LEVEL, Role
from linli.core.text import NameField

# The model's phone validator accepts any 5–20 digits (landlines, +86…); people type spaces
# and hyphens, which we drop so the same number is stored, and looked up, one way.
_PHONE_SEPARATORS = re.compile(r"[\s\-()]")


def normalise_phone(phone: str | None) -> str:
    return _PHONE_SEPARATORS.sub("", phone or "")


class User(AbstractUser):
    # An account belongs to the communities where it holds or held a role (for the secretary's
    # look-up, accounts.queries.user_find_for); it is not a territory object otherwise.
    SCOPE_PATHS = {
        "street": "memberships__community__street_office_id",
        "community": "memberships__community_id",
    }

    phone = models.CharField(
        _("phone"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        validators=[RegexValidator(r"^\+?[0-9]{5,20}$", _("Digits only, e.g. 13812345678."))],
    )
    display_name = NameField(_("display name"), max_length=50, blank=True)
    # None: follow the browser's cookie; True/False: the user's own choice.
    elder_mode = models.BooleanField(_("elder mode"), null=True, blank=True)
    resident = models.OneToOneField(
        "registry.Resident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
        verbose_name=_("resident record"),
    )

    # Bumped whenever one of the user's role memberships is saved or deleted: each server
    # process may then reuse the memberships it loaded for this user while the number is
    # unchanged (``core.policy.memberships``); the user row is read on every request anyway.
    roles_version = models.PositiveIntegerField(default=0, editable=False)

    def get_full_name(self) -> str:
        return self.display_name or super().get_full_name() or self.username

    def __str__(self) -> str:
        return self.get_full_name()


class RoleMembership(models.Model):
    """``user`` holds ``role`` at one place. The place's level is fixed by the role
    (``ROLE_LEVEL``); ``community`` is filled for every level below the street office."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    street_office = models.ForeignKey(
        "registry.StreetOffice", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        "registry.Community",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    grid = models.ForeignKey(
        "registry.Grid", null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    building = models.ForeignKey(
        "registry.Building",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    household = models.ForeignKey(
        "registry.Household",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role membership")
        constraints = [
            models.CheckConstraint(
                name="membership_place_matches_role",
                condition=(
                    Q(
                        role="street_supervisor",
                        street_office__isnull=False,
                        community__isnull=True,
                        grid__isnull=True,
                        building__isnull=True,
                        household__isnull=True,
                    )
                    | Q(
                        role__in=[
                            "volunteer",
                            "team_leader",
                            "mediator",
                            "community_staff",
                            "secretary",
                        ],
                        community__isnull=False,
                        grid__isnull=True,
                        building__isnull=True,
                        household__isnull=True,
                    )
                    | Q(
                        role="grid_worker",
                        community__isnull=False,
                        grid__isnull=False,
                        building__isnull=True,
                        household__isnull=True,
                    )
                    | Q(
                        role="building_leader",
                        community__isnull=False,
                        building__isnull=False,
                        grid__isnull=True,
                        household__isnull=True,
                    )
                    | Q(
                        role="resident",
                        community__isnull=False,
                        household__isnull=False,
                        grid__isnull=True,
                        building__isnull=True,
                    )
                ),
            ),
        ]
        indexes = [models.Index(fields=["community", "role"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"

    @property
    def level(self) -> str:
        return ROLE_LEVEL[self.role]

    @property
    def place_id(self) -> int | None:
        return {
            "street": self.street_office_id,
            "community": self.community_id,
            "grid": self.grid_id,
            "building": self.building_id,
            "household": self.household_id,
        }[self.level]

    @property
    def place(self):
        return {
            "street": "street_office",
            "community": "community",
            "grid": "grid",
            "building": "building",
            "household": "household",
        }[self.level]


def _roles_changed(sender, instance: RoleMembership, **kwargs) -> None:
    from linli.core import policy

    User.objects.filter(pk=instance.user_id).update(roles_version=models.F("roles_version") + 1)
    policy.forget_memberships_of(instance.user_id)


models.signals.post_save.connect(_roles_changed, sender=RoleMembership)
models.signals.post_delete.connect(_roles_changed, sender=RoleMembership)
