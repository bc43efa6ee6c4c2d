"""Small helpers shared by the deliberation pages."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from linli.core import policy
from linli.core.roles import roles_for

from ..models import (
    Topic,
)

PAGE_SIZE = 20


# --- shared by the deliberation pages --------------------------------------------------------


class Can:
    """``policy.can`` on one object, memoised per set of roles: many actions share the
    office's roles, so a page asks the database once per distinct set."""

    def __init__(self, actor, obj):
        self.actor, self.obj, self._memo = actor, obj, {}

    def __call__(self, action: str) -> bool:
        key = roles_for(action)
        if key not in self._memo:
            self._memo[key] = policy.can(self.actor, action, self.obj)
        return self._memo[key]


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
