"""Look-alike text on the requests paths (issue 9, finding 14): the JSON API, the intake page
and Open311 all go through the same model fields."""

import json

import pytest

from linli.tickets import apikeys
from linli.tickets.models import Ticket, TicketRequester

pytestmark = pytest.mark.django_db

API = "/api/tickets/"


def test_a_description_loses_its_right_to_left_override_through_the_api(tw, as_user):
    body = {
        "category_id": tw.water.pk,
        "description": "厨房\u202e水管漏水\u200b",
        "household_id": tw.hh_3_2_501.pk,
    }
    r = as_user(tw.resident).post(API, body, content_type="application/json")
    assert r.status_code == 201
    assert r.json()["description"] == "厨房水管漏水"
    assert Ticket.objects.get().description == "厨房水管漏水"


def test_a_requester_name_with_a_zero_width_space_is_refused_through_the_api(tw, as_user):
    body = {
        "category_id": tw.water.pk,
        "description": "漏水",
        "household_id": tw.hh_3_2_501.pk,
        "channel": "phone",
        "requester_name": "梁\u200b洁",
    }
    r = as_user(tw.staff).post(API, body, content_type="application/json")
    assert r.status_code == 400
    assert r.json()["detail"]
    assert not Ticket.objects.exists() and not TicketRequester.objects.exists()


@pytest.mark.parametrize("field", [("description", "水管\x00漏水"), ("first_name", "王\u202e五")])
def test_open311_refuses_nul_and_look_alike_names_with_a_400(client, tw, field):
    _, raw = apikeys.apikey_create(name="城市App", community=tw.xincun)
    data = {
        "api_key": raw,
        "service_code": "water",
        "address_id": str(tw.hh_4_1_101.pk),
        "description": "水管漏水",
    }
    data[field[0]] = field[1]
    r = client.post("/open311/v2/requests.json", data)
    assert r.status_code == 400
    assert json.loads(r.content)[0]["code"] == 400
    assert not Ticket.objects.exists()
