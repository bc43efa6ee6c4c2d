"""The CSRF cookie (Django's CsrfViewMiddleware with core/middleware.py's
CsrfCookieKeptMiddleware inside it): sent when it is new or changes,
and with every answer that sends the session cookie; not sent back unchanged to a signed-in
person on every page. The protection itself is Django's: a POST without the token is refused."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

NAME = settings.CSRF_COOKIE_NAME


def _signed_in(user) -> Client:
    c = Client(enforce_csrf_checks=True)
    c.force_login(user, backend="linli.accounts.backends.PhoneOrUsernameBackend")
    return c


def _token(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())[1]


def test_a_signed_in_persons_unchanged_cookie_is_not_sent_again(world):
    client = _signed_in(world.resident)
    first = client.get("/")
    assert NAME in first.cookies  # none yet in this browser: set
    again = client.get("/")
    assert NAME not in again.cookies
    assert "Cookie" in again["Vary"]  # the page still varies with the cookies (the session)
    # The unchanged cookie and the page's token still pass the check.
    r = client.post(reverse("elder_mode"), {"on": "1", "csrfmiddlewaretoken": _token(again)})
    assert r.status_code == 302


def test_a_visitor_gets_the_cookie_on_every_form_as_django_does(client):
    assert NAME in client.get(reverse("accounts:login")).cookies
    assert NAME in client.get(reverse("accounts:login")).cookies


def test_a_log_in_sends_a_new_cookie(world):
    client = Client()
    client.get(reverse("accounts:login"))
    before = client.cookies[NAME].value
    world.resident.set_password("a-long-test-password-1")
    world.resident.save()
    r = client.post(
        reverse("accounts:login"),
        {"username": "resident", "password": "a-long-test-password-1"},
    )
    assert r.status_code == 302
    assert NAME in r.cookies and r.cookies[NAME].value != before


def test_a_changed_or_malformed_cookie_is_replaced(world):
    client = _signed_in(world.resident)
    client.get("/")
    client.cookies[NAME] = "not-a-token"
    r = client.get("/")
    assert NAME in r.cookies and r.cookies[NAME].value != "not-a-token"


@pytest.mark.parametrize("session_changed", [True, False])
def test_the_cookie_goes_with_the_session_cookie(world, session_changed):
    # A changed session re-sends the session cookie (14 more days): the CSRF cookie's year
    # is pushed forward with it, so it never expires before the session does.
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse
    from django.middleware.csrf import CsrfViewMiddleware, _get_new_csrf_string, get_token
    from django.test import RequestFactory

    from linli.core.middleware import CsrfCookieKeptMiddleware

    def view(request):
        get_token(request)
        request.user = world.resident
        request.session = SessionStore()
        if session_changed:
            request.session["seen"] = 1
        return HttpResponse()

    middleware = CsrfViewMiddleware(CsrfCookieKeptMiddleware(view))
    request = RequestFactory().get("/")
    request.COOKIES[NAME] = _get_new_csrf_string()
    response = middleware(request)
    assert (NAME in response.cookies) is session_changed


def test_a_post_without_the_token_is_still_refused(world):
    client = _signed_in(world.resident)
    client.get("/")
    assert client.post(reverse("elder_mode"), {"on": "1"}).status_code == 403


def test_the_tokens_mask_is_ours_and_django_reads_it_back():
    from django.middleware import csrf

    from linli.core.middleware import mask_cipher_secret

    assert csrf._mask_cipher_secret is mask_cipher_secret  # installed by CoreConfig.ready
    secret = csrf._get_new_csrf_string()
    tokens = {mask_cipher_secret(secret) for _ in range(200)}
    assert len(tokens) == 200  # a new mask every time
    for token in tokens:
        assert len(token) == csrf.CSRF_TOKEN_LENGTH
        assert set(token) <= set(csrf.CSRF_ALLOWED_CHARS)
        assert csrf._unmask_cipher_token(token) == secret
        assert csrf._does_token_match(token, secret)
    # Every character of the alphabet turns up in the masks (uniform draws, not a subset).
    assert set("".join(t[: csrf.CSRF_SECRET_LENGTH] for t in tokens)) == set(
        csrf.CSRF_ALLOWED_CHARS
    )
