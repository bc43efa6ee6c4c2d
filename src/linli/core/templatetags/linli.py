"""Template tags that show personal values through ``core.disclosure`` (one rule per kind)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, TypeVar

from django import template
from django.db.models import Model
from django.utils.translation import gettext as _

from linli.core import disclosure

register = template.Library()


class _WithPhone(Protocol):
    @property
    def phone(self) -> str: ...


class _Tag(Protocol):
    @property
    def sensitive(self) -> bool: ...


_T = TypeVar("_T", bound=_Tag)


def _viewer(v: disclosure.Viewer | bool) -> disclosure.Viewer:
    # Older callers passed ``mask_minors`` (a bool): True means "may not see minors".
    if isinstance(v, disclosure.Viewer):
        return v
    return disclosure.MASKED if v else disclosure.Viewer(minors=True)


@register.simple_tag
def person_name(resident: disclosure.Person, viewer: disclosure.Viewer | bool) -> str:
    """A resident's name, masked (张**) for a child under 14 unless the viewer may see it."""
    return disclosure.name(_viewer(viewer), resident)


@register.simple_tag
def shown_phone(resident: _WithPhone, viewer: disclosure.Viewer | bool) -> str:
    return disclosure.phone(_viewer(viewer), resident.phone) or "—"


@register.simple_tag
def shown_birth(resident: disclosure.Person, viewer: disclosure.Viewer | bool) -> str:
    """The birth date, or the age where the viewer sees no more."""
    day = disclosure.birth_date(_viewer(viewer), resident)
    if day is not None:
        return day.isoformat()
    age = disclosure.age(resident)
    if age is None:
        return "—"
    return _("%(n)s years old") % {"n": age}


@register.filter
def visible_tags(tags: Iterable[_T], viewer: disclosure.Viewer | bool) -> list[_T]:
    return disclosure.tags(_viewer(viewer), tags)


@register.simple_tag(takes_context=True)
def requester_phone(context: template.Context, requester: Any, ticket: Model) -> str:
    """A request's requester's phone as this viewer may see it (full for the office).
    ``requester``: a ``tickets.Requester`` (core does not import it; Any)."""
    value = "" if requester.anonymous else (requester.phone or "")
    if not value:
        return ""
    request = context.get("request")
    user = getattr(request, "user", None)
    if disclosure.sees_full_phone(user, ticket):
        return value
    return disclosure.phone(disclosure.MASKED, value)


@register.simple_tag(takes_context=True)
def may(context: template.Context, action: str, obj: Model | None = None) -> bool:
    """``{% may "ticket.queue" as can_queue %}``: whether the person looking may take
    ``action`` — on ``obj`` if given (``policy.can``), else anywhere (``policy.has_any``).
    For links on shared pages: never show a link the person may not follow. Answered from
    the request's memberships (no query for a role held at a place)."""
    from linli.core import policy

    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return False
    if obj is None:
        return policy.has_any(user, action)
    return policy.can(user, action, obj)
