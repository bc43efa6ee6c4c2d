"""``{% entered_by entry requesters %}``: who is named beside a request's timeline entry.

When someone enters a request for another person (a desk clerk taking a phone call, a grid
worker on a round), "收到诉求 · 梁洁" reads as if 梁洁 had asked. The entry of the request's
receipt then says both: "梁洁 代 黄海辉 登记" / "entered by 梁洁 for 黄海辉". Other entries, and
a request entered by its requester, name the actor as before. Only the staff's full timeline
has ``requesters`` (the requester's own view names nobody else), so nothing new is disclosed.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def entered_by(entry: dict[str, Any], requesters: Any) -> str:
    who = str(entry.get("who") or "")
    if entry.get("verb") != "ticket.submitted" or not requesters:
        return who
    primary = next((r for r in requesters if r.primary), None)
    if primary is None or (primary.user_id and str(primary.user_id) == entry.get("actor")):
        return who
    name = primary.display_name
    if not name or name == who:
        return who
    return _("entered by %(who)s for %(requester)s") % {"who": who, "requester": name}
