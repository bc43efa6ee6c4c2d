"""Request-wide concerns: the elder mode (长辈版) switch, no caching of personal pages, the
request-size limit, the JSON API's rate limit, and the CSRF cookie sent only when it changes
for a signed-in person."""

from __future__ import annotations

import os
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware import csrf as django_csrf
from django.shortcuts import render
from django.utils.translation import gettext as _

from .ratelimit import exceeded, too_many
from .text import TextRefused

ELDER_COOKIE = "linli_elder"

GetResponse = Callable[[HttpRequest], HttpResponse]


class ElderModeMiddleware:
    """Sets ``request.elder_mode``: the signed-in user's preference, else the browser's cookie."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.elder_mode is not None:
            elder = bool(user.elder_mode)
        else:
            elder = request.COOKIES.get(ELDER_COOKIE) == "1"
        # An attribute of Linli's own that Django's HttpRequest does not declare (the context
        # processor reads it with getattr).
        request.elder_mode = elder  # type: ignore[attr-defined]
        return self.get_response(request)


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every response to a signed-in person: pages and API
    answers carry personal data, which no browser cache, shared proxy or back button on a
    shared phone should keep. Public pages and static files (served before this, by
    WhiteNoise) keep their own caching."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in and "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "no-store, private"
        return response


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body (``Content-Length``) is over
    ``LINLI_MAX_REQUEST_BYTES`` before a byte of it is read: 413 with a clear page. Django reads
    no body without a Content-Length; the proxy in front should refuse first (deployment doc)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.LINLI_MAX_REQUEST_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit and length > limit:
            return _too_large(request, limit)
        return self.get_response(request)


def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
    message = _(
        "What you sent is too large (more than %(mb)s MB in all). Please send fewer or smaller "
        "photos."
    ) % {"mb": limit // (1024 * 1024)}
    if request.path.startswith(("/api/", "/open311/")):
        response: HttpResponse = JsonResponse({"detail": message}, status=413)
    else:
        response = render(
            request, "core/refused.html", {"title": _("Too large"), "message": message}, status=413
        )
    # The body is not read; the connection cannot carry another request after it.
    response["Connection"] = "close"
    return response


class ApiRateLimitMiddleware:
    """Every JSON API call counts against the ``api`` rate limit (``LINLI_RATE_API``), per
    person or, signed out, per address; specific writes have their own limits on top
    (``core.ratelimit.rate_limit``)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            retry_after = exceeded(request, "api")
            if retry_after is not None:
                return too_many(request, retry_after, "api")
        return self.get_response(request)


class RefusedTextMiddleware:
    """A write refused by the text rules (``core.text.TextRefused``: a NUL, an invisible
    character in a name) that no form caught is a 400 with its message, not a 500."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, TextRefused):
            return None
        message = " ".join(exception.messages)
        if request.path.startswith("/open311/"):
            return JsonResponse([{"code": 400, "description": message}], status=400, safe=False)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        return render(
            request,
            "core/refused.html",
            {"title": _("This text cannot be saved"), "message": message},
            status=400,
        )


class CsrfCookieKeptMiddleware:
    """Placed just inside Django's ``CsrfViewMiddleware`` (which stays in ``MIDDLEWARE``, the
    protection unchanged): a signed-in person's browser is not sent the CSRF cookie it has
    just sent us.

    Django sets the CSRF cookie again on every page that shows a form, only to push its
    expiry (``CSRF_COOKIE_AGE``, a year) forward. A signed-in person's cookie was set anew at
    log-in (``login`` rotates the token) and their session cookie lasts
    ``SESSION_COOKIE_AGE`` (14 days) from when it was last sent; so the CSRF cookie is still
    sent whenever the session cookie is (a changed session), and otherwise it cannot expire
    while they are signed in: sending it again is one more header on every answer for
    nothing. A new or changed secret (a first visit, a log-in, a malformed cookie replaced) is
    sent as before, and a visitor who is not signed in keeps Django's behaviour."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not settings.CSRF_USE_SESSIONS
            and settings.CSRF_COOKIE_AGE is not None
            and settings.CSRF_COOKIE_AGE >= settings.SESSION_COOKIE_AGE
            and request.META.get("CSRF_COOKIE")
            and request.COOKIES.get(settings.CSRF_COOKIE_NAME) == request.META["CSRF_COOKIE"]
            and _signed_in(request)
            and not _session_cookie_sent(request)
        ):
            request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
        return response


def _session_cookie_sent(request: HttpRequest) -> bool:
    """Whether the session middleware (outside this one) will send the session cookie."""
    session = getattr(request, "session", None)
    return settings.SESSION_SAVE_EVERY_REQUEST or bool(session is not None and session.modified)


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return user is not None and bool(user.is_authenticated)


# --- the CSRF token's mask ------------------------------------------------------------------

_CHARS = django_csrf.CSRF_ALLOWED_CHARS
_INDEX = {c: i for i, c in enumerate(_CHARS)}
_N = len(_CHARS)
_BELOW = 256 - 256 % _N  # bytes at or above this are dropped: the rest map evenly onto _CHARS


def mask_cipher_secret(secret: str) -> str:
    """Django's ``_mask_cipher_secret`` (a new random mask per token, BREACH mitigation), with
    the mask drawn from one read of the operating system's random source instead of one per
    character: 32 ``SystemRandom.choice`` calls took ~0.1 ms of every page that shows a form.
    The same alphabet, each character uniform (bytes that would bias it are dropped) and
    independent; Django's ``_unmask_cipher_token`` reads it back unchanged."""
    length = django_csrf.CSRF_SECRET_LENGTH
    mask: list[int] = []
    while len(mask) < length:
        mask.extend(b % _N for b in os.urandom(2 * length) if b < _BELOW)
    del mask[length:]
    cipher = [_CHARS[(_INDEX[c] + m) % _N] for c, m in zip(secret, mask, strict=True)]
    return "".join(_CHARS[m] for m in mask) + "".join(cipher)


def install_csrf_mask() -> None:
    """Used by ``get_token`` from here on (``CoreConfig.ready``)."""
    # A private function of Django's (tests/security/test_csrf_cookie.py checks it is used).
    setattr(django_csrf, "_mask_cipher_secret", mask_cipher_secret)  # noqa: B010
