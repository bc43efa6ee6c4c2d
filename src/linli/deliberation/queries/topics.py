"""Reads for the topic pages: who can be given follow-up work and under which request
categories."""

from __future__ import annotations

from linli.core import policy
from linli.core.roles import Role
from linli.tickets.models import Category

from ..queries import meetings as meeting_queries

# Roles whose holders can be given follow-up work (not every resident of the community).
WORKER_ROLES = frozenset(Role) - {Role.RESIDENT, Role.STREET_SUPERVISOR}


def follow_up_choices(actor, community_id: int) -> tuple[list, list]:
    """Who can be given follow-up work in the community, and the request categories the
    actor may file work under."""
    people, seen = [], set()
    for m in meeting_queries.community_members(community_id):
        if m.role in WORKER_ROLES and m.user_id not in seen:
            seen.add(m.user_id)
            people.append(m.user)
    categories = list(
        policy.scope_filter(actor, Category.objects.filter(active=True), "ticket.intake")
        .filter(community_id=community_id)
        .order_by("sort", "name")
    )
    return people, categories
