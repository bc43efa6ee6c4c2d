"""``{% search_rows result.residents %}``: the rows of the registry search's results.

The same markup a ``{% for %}`` loop in ``_search_results.html`` made, every value escaped
as Django escapes (``html.escape``, which ``django.utils.html.escape`` calls), but one string
format a row: 50 rows of ten values through the template engine (or ``format_html``, whose
lazy-aware escaping costs ~2 µs a value) were a third of a search's CPU on a cache miss
(docs/performance.md, session 5)."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def search_rows(rows: Iterable[Any]) -> SafeString:
    """Each row as the view prepared it (``url``, ``shown_name``, ``household_url``,
    ``household_label``, ``community_name``, ``shown_phone``, ``status_label``)."""
    room, phone, status = escape(_("Room")), escape(_("Phone")), escape(_("Status"))
    out = [
        f'<tr><th scope="row"><a href="{escape(r.url)}">{escape(str(r.shown_name))}</a></th>\n'
        f'      <td data-label="{room}"><a href="{escape(r.household_url)}" class="room">'
        f"{escape(str(r.household_label))}</a> "
        f'<span class="muted">{escape(str(r.community_name))}</span></td>\n'
        f'      <td data-label="{phone}" class="nowrap">{escape(str(r.shown_phone))}</td>'
        f'<td data-label="{status}">{escape(str(r.status_label))}</td></tr>'
        for r in rows
    ]
    return mark_safe("\n      ".join(out))  # noqa: S308 - every value escaped above
