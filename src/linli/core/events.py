"""Recording and reading the event log (``core.Event``)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Model, Q

from .models import Event

# Plain-language labels for verbs, shown on timelines. Domains add theirs at import time.
VERB_LABELS: dict[str, Any] = {}


def register_verbs(labels: dict[str, Any]) -> None:
    VERB_LABELS.update(labels)


def log_event(
    *,
    actor,
    verb: str,
    obj: Model,
    parent: Model | None = None,
    data: dict | None = None,
    community_id: int | None = None,
) -> Event:
    if community_id is None:
        community_id = getattr(obj, "community_id", None)
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return Event.objects.create(
        actor=actor_obj,
        actor_name=(actor_obj.get_full_name() or actor_obj.get_username()) if actor_obj else "",
        verb=verb,
        community_id=community_id,
        object_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        parent_type=ContentType.objects.get_for_model(type(parent)) if parent else None,
        parent_id=parent.pk if parent else None,
        object_repr=str(getattr(obj, "log_repr", None) or obj)[:200],
        data=data or {},
    )


def timeline_for(obj: Model, *, page: int = 1, per_page: int = 30, verbs_prefix: str = "") -> Page:
    """Events about ``obj`` and about objects whose parent is ``obj``, newest first."""
    ct = ContentType.objects.get_for_model(type(obj))
    qs = Event.objects.filter(
        Q(object_type=ct, object_id=obj.pk) | Q(parent_type=ct, parent_id=obj.pk)
    ).select_related("actor")
    if verbs_prefix:
        qs = qs.filter(verb__startswith=verbs_prefix)
    return Paginator(qs, per_page).get_page(page)


def verb_label(verb: str) -> str:
    return str(VERB_LABELS.get(verb, verb))
