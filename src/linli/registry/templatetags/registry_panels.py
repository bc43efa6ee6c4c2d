"""``{% registry_panels "household" household %}``: the sections other apps add to the page
(``registry/panels.py``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from linli.registry import panels

register = template.Library()


@register.simple_tag(takes_context=True)
def registry_panels(context: template.Context, kind: str, obj: Any) -> SafeString:
    return panels.render_panels(kind, context["request"], obj)


@register.simple_tag(takes_context=True)
def own_correction_link(context: template.Context, resident: Any) -> str:
    """On a resident's own page: where to ask for a correction of their contact details."""
    user = getattr(context.get("request"), "user", None)
    if user is None or not resident or getattr(user, "resident_id", None) != resident.pk:
        return ""
    return format_html(
        '<p><a class="button" href="{}" data-testid="correct-contact">{}</a></p>',
        reverse("registry:contact_correction_mine"),
        _("Ask the office to correct my contact details"),
    )


@register.simple_tag(takes_context=True)
def corrections_link(context: template.Context, community: Any) -> str:
    """On the community page, for the office: the residents' correction requests (one query)."""
    from linli.core import policy
    from linli.registry import corrections

    user = getattr(context.get("request"), "user", None)
    if user is None or not policy.can(user, corrections.DECIDE, community):
        return ""
    n = corrections.pending_count(user, community)
    return format_html(
        '<p><a class="button" href="{}" data-testid="corrections-link">{}</a></p>',
        reverse("registry:contact_corrections", args=[community.code]),
        _("Contact corrections asked by residents (%(n)s waiting)") % {"n": n},
    )
