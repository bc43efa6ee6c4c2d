"""A resident's request to correct their own contact details (issue 11, item 13): the model
and its workflow. Services, pages and permissions: ``registry/corrections.py``. Imported by
``registry/models.py`` so Django finds the model in the registry app."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.models import CommunityScoped
from linli.core.workflow import Transition, Workflow


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the office")
    APPLIED = "applied", _("Corrected")
    REJECTED = "rejected", _("Not corrected")


class ContactCorrection(CommunityScoped):
    """The new contact details a resident asks for; the office applies them to the record
    (or says why not). The values are the resident's personal data: shown to the resident and
    to the office only, never in events (which name the fields)."""

    resident = models.ForeignKey(
        "registry.Resident", on_delete=models.CASCADE, related_name="contact_corrections"
    )
    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    phone = models.CharField(_("new phone"), max_length=20, blank=True)
    other_phone = models.CharField(_("new other phone"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.PENDING
    )
    version = models.PositiveIntegerField(default=0)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATHS = {
        **CommunityScoped.SCOPE_PATHS,
        "grid": "household__building__grid_id",
        "building": "household__building_id",
        "household": "household_id",
    }

    class Meta:
        app_label = "registry"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "status", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["resident"],
                condition=models.Q(status="pending"),
                name="one_pending_contact_correction",
            )
        ]

    def __str__(self) -> str:
        return f"{self.resident_id}:{self.status}"

    @property
    def fields_asked(self) -> list[str]:
        return [f for f in ("phone", "other_phone") if getattr(self, f)]


CORRECTION_FLOW = Workflow(
    "contact_correction",
    [
        Transition(
            "apply",
            {CorrectionStatus.PENDING},
            CorrectionStatus.APPLIED,
            "contact_correction.applied",
            _("Apply the correction"),
        ),
        Transition(
            "reject",
            {CorrectionStatus.PENDING},
            CorrectionStatus.REJECTED,
            "contact_correction.rejected",
            _("Decline"),
        ),
    ],
    noun=_("This correction request"),
)
