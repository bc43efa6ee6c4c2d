"""``may_open_mediation``: whether the "refer to mediation" button shows on a request page."""

from __future__ import annotations

from typing import Any

from django import template

from linli.core import policy

register = template.Library()


@register.filter
def may_open_mediation(user: Any, ticket: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and any(
            m.community_id == ticket.community_id
            for m in policy.allowed_memberships(user, "mediation.case.open")
        )
    )
