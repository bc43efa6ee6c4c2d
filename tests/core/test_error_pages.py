"""Error pages keep people inside Linli: the shell (navigation, phone viewport, elder mode), what
happened in their language, and the way home — never Django's bare English page."""

import logging

import pytest
from django.test import override_settings
from django.urls import reverse

from linli.core.logs import ClientErrorsOneLine

pytestmark = pytest.mark.django_db

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def _page(r):
    return r.content.decode()


def test_unknown_address_is_a_chinese_page_in_the_shell_with_the_way_home(client):
    r = client.get("/no-such-page/")
    page = _page(r)
    assert r.status_code == 404
    assert "找不到这个页面" in page and "Not Found" not in page
    assert VIEWPORT in page and 'class="mainnav"' in page
    assert 'data-testid="error-home"' in page and f'href="{reverse("home")}"' in page
    # Anonymous: offered the log-in, which brings them back here.
    assert reverse("accounts:login") + "?next=/no-such-page/" in page


def test_the_error_page_speaks_english_to_an_english_reader(client):
    client.cookies["django_language"] = "en"
    page = _page(client.get("/no-such-page/"))
    assert "We could not find this page" in page and "Go to the home page" in page
    assert "找不到" not in page


def test_a_refused_page_says_so_and_offers_home_and_the_page_before(world, as_user):
    c = as_user(world.resident)
    queue = reverse("tickets:queue")
    r = c.get(queue, HTTP_REFERER="http://testserver" + reverse("tickets:mine"))
    page = _page(r)
    assert r.status_code == 403
    assert "这个页面不对您开放" in page and "社区办公室" in page
    assert f'href="http://testserver{reverse("tickets:mine")}"' in page  # back
    assert 'data-testid="error-home"' in page
    assert reverse("accounts:login") + "?next" not in page  # signed in: no log-in offer


def test_a_back_link_never_leads_off_site(world, as_user):
    c = as_user(world.resident)
    page = _page(c.get(reverse("tickets:queue"), HTTP_REFERER="https://evil.example/x"))
    assert "evil.example" not in page and 'data-testid="error-back"' not in page


def test_elder_mode_is_kept_on_error_pages(client):
    client.cookies["linli_elder"] = "1"
    page = _page(client.get("/no-such-page/"))
    assert 'class="elder"' in page


def test_an_unmatched_api_address_answers_in_json(client):
    r = client.get("/api/no-such-endpoint")
    assert r.status_code == 404 and r["Content-Type"].startswith("application/json")
    assert r.json()["code"] == 404


@override_settings(ROOT_URLCONF="tests.core.urls_boom")
def test_a_server_error_is_our_page_with_the_way_home(client):
    client.raise_request_exception = False
    r = client.get("/boom/")
    page = _page(r)
    assert r.status_code == 500
    assert "出了点问题" in page and 'data-testid="error-home"' in page
    assert "RuntimeError" not in page and "Traceback" not in page


def _record(status, exc=True):
    try:
        raise PermissionError("refused")
    except PermissionError:
        import sys

        info = sys.exc_info() if exc else None
    rec = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "x", (), info)
    rec.status_code = status
    return rec


def test_a_refusal_is_one_log_line_without_traceback_and_a_server_error_keeps_its_own():
    f = ClientErrorsOneLine()
    refused = _record(403)
    assert f.filter(refused) and refused.exc_info is None
    crashed = _record(500)
    assert f.filter(crashed) and crashed.exc_info is not None


def test_the_console_handler_applies_the_one_line_rule():
    from django.conf import settings

    assert "client_errors_one_line" in settings.LOGGING["handlers"]["console"]["filters"]
