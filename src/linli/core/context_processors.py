from django.conf import settings

from . import policy


def shell(request):
    user = getattr(request, "user", None)
    return {
        "elder_mode": getattr(request, "elder_mode", False),
        "site_name": settings.LINLI_SITE_NAME,
        "nav_registry": bool(
            user and user.is_authenticated and policy.has_any(user, "registry.browse")
        ),
    }
