from functools import cache

from django.conf import settings

from . import policy
from .notifications import unread_count_for


def shell(request):
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "elder_mode": getattr(request, "elder_mode", False),
        "site_name": settings.LINLI_SITE_NAME,
        "nav_registry": bool(signed_in and policy.has_any(user, "registry.browse")),
        # A callable, so the COUNT runs only when a template shows it, and only once.
        "unread_notifications": _unread_count(user) if signed_in else 0,
    }


def _unread_count(user):
    @cache
    def count() -> int:
        return unread_count_for(user)

    return count
