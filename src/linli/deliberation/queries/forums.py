"""Reads for the building forum pages: the forums an actor may see, a forum's opinions grouped
by theme."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from linli.core import policy

from ..models import Forum, Opinion


@dataclass
class Theme:
    name: str
    opinions: list[Opinion] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.opinions)


def forums_for(actor) -> QuerySet[Forum]:
    return (
        policy.scope_filter(actor, Forum.objects.all(), "forum.view")
        .select_related("building", "community", "topic")
        .annotate(n_opinions=Count("opinions"))
        .order_by("-held_on", "-id")
    )


def forum_themes(forum: Forum) -> list[Theme]:
    """The forum's opinions grouped by theme, the most-heard theme first."""
    themes: dict[str, Theme] = {}
    for o in forum.opinions.order_by("theme", "id"):
        themes.setdefault(o.theme, Theme(o.theme)).opinions.append(o)
    return sorted(themes.values(), key=lambda t: (-t.count, t.name))
