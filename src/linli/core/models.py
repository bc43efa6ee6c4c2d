"""Shared models: the event log every domain writes to."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
