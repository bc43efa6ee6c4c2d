"""``{% work_order_link t %}``: the link to a request's printed work order, for those who may
print it (``ticket.note``, as ``tickets/printing.py`` checks) and for no one else."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from linli.core import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def work_order_link(context: template.Context, ticket: Any) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not policy.can(user, "ticket.note", ticket):
        return ""
    return format_html(
        '<p class="no-print"><a class="button" href="{}" data-testid="work-order">{}</a></p>',
        reverse("tickets:work_order_pdf", args=[ticket.pk]),
        _("Print the work order (PDF)"),
    )
