"""What the deliberation services share: the start of every change the office makes to a
meeting, a survey or a vote, and the check of a line or a text someone typed."""

from __future__ import annotations

from typing import TypeVar

from django.db import models
from django.utils.translation import gettext as _

from linli.core import policy
from linli.core.errors import DomainError
from linli.core.workflow import Workflow

M = TypeVar("M", bound=models.Model)


def office_step(actor, obj: M, action: str, flow: Workflow, step: str) -> M:
    """The permission ``action`` on ``obj``, the row locked for the change, and ``step``
    allowed in its status by ``flow``. Returns the locked row."""
    policy.authorize(actor, action, obj)
    obj = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    flow.check(obj, step)
    return obj


def clean_text(value: str, *, limit: int, required_message=None) -> str:
    """``value`` stripped; refused when longer than ``limit`` or, with ``required_message``,
    empty."""
    value = (value or "").strip()
    if required_message is not None and not value:
        raise DomainError(required_message)
    if len(value) > limit:
        raise DomainError(_("The text is too long (at most %(n)s characters).") % {"n": limit})
    return value
