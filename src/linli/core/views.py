"""Shell pages: home (per role), elder-mode switch, health check."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .home import home_context
from .middleware import ELDER_COOKIE


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", home_context(request))


def _safe_next(request: HttpRequest, default: str = "/") -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return default


@require_POST
def elder_mode(request: HttpRequest) -> HttpResponse:
    on = request.POST.get("on") == "1"
    response = redirect(_safe_next(request))
    response.set_cookie(
        ELDER_COOKIE,
        "1" if on else "0",
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )
    if request.user.is_authenticated:
        request.user.elder_mode = on
        request.user.save(update_fields=["elder_mode"])
    return response


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure is "unhealthy", not a 500 page
        return JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})
