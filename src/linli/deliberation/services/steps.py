"""The start every change the office makes to a meeting, a survey or a vote shares."""

from __future__ import annotations

from typing import TypeVar

from django.db import models

from linli.core import policy
from linli.core.workflow import Workflow

M = TypeVar("M", bound=models.Model)


def office_step(actor, obj: M, action: str, flow: Workflow, step: str) -> M:
    """The permission ``action`` on ``obj``, the row locked for the change, and ``step``
    allowed in its status by ``flow``. Returns the locked row."""
    policy.authorize(actor, action, obj)
    obj = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    flow.check(obj, step)
    return obj
