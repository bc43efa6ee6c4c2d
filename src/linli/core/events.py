"""Recording and reading the event log (``core.Event``)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Model, Q

from . import fastpath, versions
from .actors import Actor
from .models import Event

# Plain-language labels for verbs, shown on timelines. Domains add theirs at import time.
VERB_LABELS: dict[str, Any] = {}


def register_verbs(labels: dict[str, Any]) -> None:
    VERB_LABELS.update(labels)


# Keys that event data never carries, whatever the object: personal values do not go into the
# log (it is read by timelines, audits and "My data", and kept for years). A model adds its own
# with ``PERSONAL_FIELDS`` (``registry.Resident``: name, birth date …). Record *that* a personal
# field changed by listing its name (``{"changed": ["phone"]}``), never its old or new value.
PERSONAL_KEYS = frozenset(
    {
        "phone",
        "old_phone",
        "new_phone",
        "mobile",
        "id_number",
        "id_card",
        "birth_date",
        "health_note",
        "password",
        "email",
    }
)


class PersonalDataInEvent(ValueError):
    """A programming error: a service tried to log a personal value."""


def _personal_keys(data: object, banned: frozenset[str], path: str = "") -> list[str]:
    found: list[str] = []
    if isinstance(data, dict):
        for k, v in data.items():
            where = f"{path}.{k}" if path else str(k)
            if str(k).lower() in banned:
                found.append(where)
            found += _personal_keys(v, banned, where)
    elif isinstance(data, (list, tuple)):
        for i, v in enumerate(data):
            found += _personal_keys(v, banned, f"{path}[{i}]")
    return found


def check_event_data(data: dict[str, Any], *models: Model | type[Model] | None) -> None:
    """Refuse event data that holds a personal value (by key, at any depth)."""
    banned = PERSONAL_KEYS.union(*(getattr(m, "PERSONAL_FIELDS", ()) for m in models if m))
    found = _personal_keys(data, banned)
    if found:
        raise PersonalDataInEvent(
            f"event data must not hold personal values: {', '.join(found)} "
            '(record the field names that changed, e.g. {"changed": ["phone"]})'
        )


def log_event(
    *,
    actor: Actor | None,
    verb: str,
    obj: Model,
    parent: Model | None = None,
    data: dict[str, Any] | None = None,
    community_id: int | None = None,
) -> Event:
    if community_id is None:
        community_id = getattr(obj, "community_id", None)
    data = data or {}
    check_event_data(data, obj, parent)
    actor_obj = actor if actor is not None and actor.is_authenticated else None
    # The one service-layer hook of cached pages: every state change records an event, in the
    # change's transaction; the community's change counter is bumped in it too.
    versions.bump(community_id)
    # The SQL compiled once (``fastpath.insert``): every service's write records one or more.
    return fastpath.insert(
        Event(
            actor=actor_obj,
            actor_name=(actor_obj.get_full_name() or actor_obj.get_username()) if actor_obj else "",
            verb=verb,
            community_id=community_id,
            object_type=ContentType.objects.get_for_model(type(obj)),
            object_id=obj.pk,
            parent_type=ContentType.objects.get_for_model(type(parent)) if parent else None,
            parent_id=parent.pk if parent else None,
            object_repr=str(getattr(obj, "log_repr", None) or obj)[:200],
            data=data,
        )
    )


def timeline_for(
    obj: Model, *, page: int = 1, per_page: int = 30, verbs_prefix: str = ""
) -> Page[Event]:
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
