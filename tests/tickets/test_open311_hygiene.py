"""Open311's smaller findings (issue 9, finding 15): the API key only in the POST body or the
X-Api-Key header (a URL is written to access logs), NUL characters refused, and the JSON API's
``category.name`` the name, not a dict's string form."""

import json
import logging

import pytest

from linli.tickets import apikeys
from linli.tickets.models import Ticket

pytestmark = pytest.mark.django_db

BASE = "/open311/v2/"
PAYLOAD = {"service_code": "xincun.lights", "address_string": "东门路灯", "description": "不亮"}


@pytest.fixture
def key(tw):
    return apikeys.apikey_create(name="城市App", community=tw.xincun)[1]


def test_a_key_in_the_query_string_is_refused_with_a_clear_error(client, tw, key):
    r = client.post(BASE + f"requests.json?api_key={key}", PAYLOAD)
    assert r.status_code == 400
    error = json.loads(r.content)[0]
    assert "X-Api-Key" in error["description"] and key not in error["description"]
    assert not Ticket.objects.exists()


def test_a_key_in_the_post_body_or_the_header_is_accepted(client, tw, key):
    r = client.post(BASE + "requests.json", {**PAYLOAD, "api_key": key})
    assert r.status_code == 200, r.content
    r = client.post(BASE + "requests.json", PAYLOAD, headers={"X-Api-Key": key})
    assert r.status_code == 200, r.content
    assert Ticket.objects.count() == 2


def test_a_refused_key_is_not_written_to_the_log(client, tw, key, caplog):
    with caplog.at_level(logging.DEBUG):
        client.post(BASE + f"requests.json?api_key={key}", PAYLOAD)
        client.post(BASE + "requests.json", {**PAYLOAD, "api_key": key + "x"})
    assert key not in caplog.text


@pytest.mark.parametrize("field", ["description", "address_string", "first_name"])
def test_a_nul_character_is_refused_and_nothing_saved(client, tw, key, field):
    data = {**PAYLOAD, "api_key": key, field: "东门\x00路灯"}
    r = client.post(BASE + "requests.json", data)
    assert r.status_code == 400
    assert "NUL" in json.loads(r.content)[0]["description"]
    assert not Ticket.objects.exists()


def test_a_nul_character_in_a_query_is_refused(client, tw):
    r = client.get(BASE + "requests.json", {"jurisdiction_id": "xin\x00cun"})
    assert r.status_code == 400


def test_a_private_request_posted_through_open311_is_not_published(client, tw, key):
    r = client.post(BASE + "requests.json", {**PAYLOAD, "api_key": key, "private": "true"})
    pk = json.loads(r.content)[0]["service_request_id"]
    assert Ticket.objects.get(pk=pk).private
    assert client.get(BASE + f"requests/{pk}.json").status_code == 404


def test_the_api_category_name_is_the_name(as_user, tw, submit):
    t = submit()
    c = as_user(tw.resident)
    got = c.get(f"/api/tickets/{t.pk}").json()
    assert got["category"]["name"] == str(tw.water)
    assert "{" not in got["category"]["name"]
    listed = c.get("/api/tickets/").json()["items"][0]
    assert listed["category"]["name"] == str(tw.water)
