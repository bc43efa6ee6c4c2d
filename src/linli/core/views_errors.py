"""Error pages inside the shell: what happened, in the person's language and elder mode, and
the way home. A 404 never says whether the thing exists outside the person's part of the
community (the policy answers 404 for that on purpose)."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

log = logging.getLogger("linli.errors")

# Paths whose clients read JSON: an unmatched URL under them answers in JSON, not HTML.
_JSON_PREFIXES = ("/api/", "/open311/")


def _messages(status: int) -> tuple[str, str]:
    return {
        400: (
            _("We could not understand that request"),
            _("Something in the address or the form was not as expected. Go back and try again."),
        ),
        403: (
            _("This page is not open to you"),
            _(
                "It is open only to the people who look after this matter. If you think you "
                "should see it, ask your community office."
            ),
        ),
        404: (
            _("We could not find this page"),
            _(
                "The page does not exist, or it is not in your part of the community. Check "
                "the address, or start again from the home page."
            ),
        ),
        500: (
            _("Something went wrong on our side"),
            _("It has been recorded. Please try again in a moment."),
        ),
    }[status]


def _back_link(request: HttpRequest) -> str:
    """The page the person came from, when it is one of ours and not this one."""
    ref = request.headers.get("Referer", "")
    if (
        ref
        and url_has_allowed_host_and_scheme(
            ref, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and not ref.endswith(request.get_full_path())
    ):
        return ref
    return ""


def _render(request: HttpRequest, status: int) -> HttpResponse:
    title, text = _messages(status)
    if request.path.startswith(_JSON_PREFIXES):
        return JsonResponse({"detail": title, "code": status}, status=status)
    ctx = {"status": status, "title": title, "text": text, "back": _back_link(request)}
    body = loader.render_to_string("errors/error.html", ctx, request=request)
    return HttpResponse(body, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 404)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    # The shell needs the database (user, memberships, unread count); if what failed was the
    # database, render the page without it rather than failing twice.
    try:
        return _render(request, 500)
    except Exception:
        log.exception("the error page itself failed; answering with the plain page")
        body = loader.render_to_string("errors/500_plain.html", {"title": _messages(500)[0]})
        return HttpResponse(body, status=500)
