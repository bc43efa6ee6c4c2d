"""Small helpers shared by the deliberation pages."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from ..models import (
    Topic,
)

PAGE_SIZE = 20


# --- shared by the deliberation pages --------------------------------------------------------


def sub_path(kind: str, pk: int) -> str:
    """Links to the vote and survey pages, which other parts of the module serve under
    /deliberation/votes/<id>/ and /deliberation/surveys/<id>/."""
    return f"{reverse('deliberation:index')}{kind}/{pk}/"


def place_label(topic: Topic) -> str:
    if topic.unit_id:
        return f"{topic.unit.building} · {topic.unit}"
    if topic.building_id:
        return str(topic.building)
    if topic.grid_id:
        return str(topic.grid)
    return _("The whole community")


# --- the landing page ------------------------------------------------------------------------
