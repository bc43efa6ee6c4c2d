"""Reads for the topic pages: who can be given follow-up work and under which request
categories."""

from __future__ import annotations

from linli.accounts.queries import members_of
from linli.core import policy
from linli.core.roles import WORKERS
from linli.tickets.models import Category


def follow_up_choices(actor, community_id: int) -> tuple[list, list]:
    """Who can be given follow-up work in the community, and the request categories the
    actor may file work under."""
    people = list(members_of(community_id, WORKERS))
    categories = list(
        policy.scope_filter(actor, Category.objects.filter(active=True), "ticket.intake")
        .filter(community_id=community_id)
        .order_by("sort", "name")
    )
    return people, categories
