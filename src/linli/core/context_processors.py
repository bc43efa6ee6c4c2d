from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest

from . import pagecache, policy
from .notifications import unread_count_for

if TYPE_CHECKING:
    from .actors import Actor, User


def shell(request: HttpRequest) -> dict[str, Any]:
    # No ``user`` before the authentication middleware (an early error page).
    user: Actor | None = getattr(request, "user", None)
    me = user if user is not None and user.is_authenticated else None
    common = {
        "elder_mode": getattr(request, "elder_mode", False),
        "site_name": settings.LINLI_SITE_NAME,
        "nav_registry": bool(me and policy.has_any(me, "registry.browse")),
        # Someone who holds a role beyond their own household's (visits, duties).
        "nav_work": bool(me and any(m.role != "resident" for m in policy.memberships(me))),
    }
    if me is not None and pagecache.rendering_for_cache(request):
        # A page to be stored: what varies per request is a placeholder, filled in on the way
        # out of every copy (core/pagecache.py); the builtin ``csrf`` processor comes first.
        # What is the same for the person (the nav) is in ``common``, one definition for both.
        return {
            **common,
            "unread_notifications": pagecache.UNREAD_HOLE,
            "csrf_token": pagecache.CSRF_HOLE,
        }
    return {
        **common,
        # A callable, so the COUNT runs only when a template shows it, and only once.
        "unread_notifications": _unread_count(me) if me else 0,
    }


class _unread_count:  # noqa: N801 - used as the function it replaces
    """The unread count, asked for once at most (a closure under ``functools.cache`` cost
    ~10 µs a request to build)."""

    __slots__ = ("user", "value")

    def __init__(self, user: User) -> None:
        self.user = user
        self.value: int | None = None

    def __call__(self) -> int:
        if self.value is None:
            self.value = unread_count_for(self.user)
        return self.value
