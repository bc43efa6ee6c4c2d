"""Caching, cookies and the client's address (issue 9, findings 9 and 12)."""

import pytest
from django.test import RequestFactory

from linli.core.security import client_ip

pytestmark = pytest.mark.django_db


# --- Cache-Control ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/", "/registry/", "/requests/", "/accounts/my-data/", "/api/tickets/", "/notifications/"],
)
def test_every_signed_in_answer_is_not_stored(as_user, world, path):
    r = as_user(world.staff).get(path)
    assert r.status_code in (200, 302, 403)
    assert "no-store" in r["Cache-Control"]


def test_a_residents_household_api_answer_is_not_stored(as_user, world):
    r = as_user(world.resident).get(f"/api/registry/households/{world.hh_3_2_501.pk}")
    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"]


def test_public_pages_keep_their_caching(client, world):
    assert "no-store" not in client.get("/open311/v2/discovery.json").get("Cache-Control", "")
    assert "no-store" not in client.get("/").get("Cache-Control", "")


# --- the language cookie -------------------------------------------------------------------


def test_language_cookie_follows_the_cookie_settings(client, settings, db):
    settings.LANGUAGE_COOKIE_SECURE = True
    r = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    cookie = r.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"] is True


# --- the client's address ------------------------------------------------------------------


def _req(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_forwarded_for_is_ignored_without_trusted_proxies(settings):
    settings.TRUSTED_PROXY_NETWORKS = ()
    assert client_ip(_req("203.0.113.5", "1.2.3.4")) == "203.0.113.5"


def test_forwarded_for_is_read_from_a_trusted_proxy(settings):
    from linli.core.checks import parse_networks

    settings.TRUSTED_PROXY_NETWORKS = parse_networks(["10.0.0.0/8", "::1"])
    # The client wrote "6.6.6.6" itself; the proxy appended the address it saw.
    assert client_ip(_req("10.0.0.2", "6.6.6.6, 198.51.100.7")) == "198.51.100.7"
    # Two proxies in a row: the first address from the right that is not one of them.
    assert client_ip(_req("10.0.0.2", "198.51.100.7, 10.0.0.9")) == "198.51.100.7"
    # A request that does not come from a proxy: its own header is not believed.
    assert client_ip(_req("203.0.113.5", "1.2.3.4")) == "203.0.113.5"
    # A malformed chain: only what the server saw.
    assert client_ip(_req("10.0.0.2", "not-an-ip")) == "10.0.0.2"
    assert client_ip(_req("::1", "2001:db8::5")) == "2001:db8::5"
