"""Template tags that show personal values through ``core.disclosure`` (one rule per kind)."""

from django import template
from django.utils.translation import gettext as _

from linli.core import disclosure

register = template.Library()


def _viewer(v) -> disclosure.Viewer:
    # Older callers passed ``mask_minors`` (a bool): True means "may not see minors".
    if isinstance(v, disclosure.Viewer):
        return v
    return disclosure.MASKED if v else disclosure.Viewer(minors=True)


@register.simple_tag
def person_name(resident, viewer) -> str:
    """A resident's name, masked (张**) for a child under 14 unless the viewer may see it."""
    return disclosure.name(_viewer(viewer), resident)


@register.simple_tag
def shown_phone(resident, viewer) -> str:
    return disclosure.phone(_viewer(viewer), resident.phone) or "—"


@register.simple_tag
def shown_birth(resident, viewer) -> str:
    """The birth date, or the age where the viewer sees no more."""
    day = disclosure.birth_date(_viewer(viewer), resident)
    if day is not None:
        return day.isoformat()
    age = disclosure.age(resident)
    if age is None:
        return "—"
    return _("%(n)s years old") % {"n": age}


@register.filter
def visible_tags(tags, viewer) -> list:
    return disclosure.tags(_viewer(viewer), tags)


@register.simple_tag(takes_context=True)
def requester_phone(context, requester, ticket) -> str:
    """A request's requester's phone as this viewer may see it (full for the office)."""
    value = "" if requester.anonymous else (requester.phone or "")
    if not value:
        return ""
    request = context.get("request")
    user = getattr(request, "user", None)
    if disclosure.sees_full_phone(user, ticket):
        return value
    return disclosure.phone(disclosure.MASKED, value)
