"""Volunteer teams (standing teams such as the veterans' safety patrol and the Mums' Help
Group). Activities, patrol logs and service hours come in a later round."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TeamKind(models.TextChoices):
    STANDING = "standing", _("Standing team")
    THEMED = "themed", _("Theme activities")


class VolunteerTeam(models.Model):
    community = models.ForeignKey(
        "registry.Community", on_delete=models.PROTECT, related_name="volunteer_teams"
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=10, choices=TeamKind.choices, default=TeamKind.STANDING
    )
    description = models.TextField(_("description"), blank=True)

    SCOPE_PATHS = {"street": "community__street_office_id", "community": "community_id"}

    class Meta:
        verbose_name = _("volunteer team")
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="team_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(VolunteerTeam, on_delete=models.CASCADE, related_name="members")
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
    is_leader = models.BooleanField(_("team leader"), default=False)
    joined_on = models.DateField(_("joined"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "resident"], name="team_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.team_id}:{self.resident_id or self.user_id}"
