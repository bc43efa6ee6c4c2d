"""Abuse limits on requests (issue 9, finding 10): the body size, the photo's pixels, rate
limits on reporting (web, API, emergencies, Open311) and on the JSON API, the page size."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from linli.tickets import apikeys
from linli.tickets.models import Ticket
from linli.tickets.photos import process_photos
from linli.tickets.workflow import TicketError

pytestmark = pytest.mark.django_db

API = "/api/tickets/"


def _form(tw, **over):
    return {
        "category": tw.water.pk,
        "description": "厨房水管漏水",
        "place": "home",
        "household": tw.hh_3_2_501.pk,
        "contact_preference": "in_app",
        **over,
    }


@pytest.fixture
def limits(settings):
    def set_(**rates):
        settings.LINLI_RATE_LIMITS = {**settings.LINLI_RATE_LIMITS, **rates}

    return set_


# --- the body and the photo ------------------------------------------------------------------


def test_a_200_mb_body_is_refused_before_it_is_read(tw, as_user):
    r = as_user(tw.resident).post(
        reverse("tickets:submit"), _form(tw), CONTENT_LENGTH=str(200 * 1024 * 1024)
    )
    assert r.status_code == 413
    assert "MB" in r.content.decode()
    assert not Ticket.objects.exists()


def test_a_body_too_large_for_the_api_is_a_json_413(tw, as_user):
    r = as_user(tw.resident).post(
        API, {"description": "x"}, content_type="application/json", CONTENT_LENGTH="999999999"
    )
    assert r.status_code == 413 and r.json()["detail"]


def test_a_64_megapixel_png_is_refused_before_decoding(monkeypatch):
    buf = io.BytesIO()
    Image.new("1", (8000, 8000)).save(buf, "PNG")  # small file, 64 million pixels
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append(1))
    with pytest.raises(TicketError) as exc:
        process_photos([SimpleUploadedFile("big.png", buf.getvalue(), "image/png")])
    assert "24" in exc.value.message  # "at most 24 megapixels", not "not a photo"
    assert decoded == []


# --- rate limits -----------------------------------------------------------------------------


def test_reporting_too_often_on_the_web_is_a_429_with_retry_after(tw, as_user, limits):
    limits(submit="2/h")
    c = as_user(tw.resident)
    for _ in range(2):
        assert c.post(reverse("tickets:submit"), _form(tw)).status_code == 302
    r = c.post(reverse("tickets:submit"), _form(tw))
    assert r.status_code == 429
    assert int(r["Retry-After"]) > 0
    assert "请" in r.content.decode()  # the message in the person's language
    assert Ticket.objects.count() == 2
    # Another resident is not affected.
    assert as_user(tw.other_resident).get(reverse("tickets:submit")).status_code == 200


def test_too_many_emergencies_point_to_the_emergency_numbers(tw, as_user, limits):
    limits(emergency="1/h")
    c = as_user(tw.resident)
    assert c.post(reverse("tickets:submit"), _form(tw, emergency="on")).status_code == 302
    r = c.post(reverse("tickets:submit"), _form(tw, emergency="on"))
    assert r.status_code == 429
    assert "110" in r.content.decode() and "120" in r.content.decode()
    # An ordinary request still goes through.
    assert c.post(reverse("tickets:submit"), _form(tw)).status_code == 302


def test_reporting_too_often_through_the_api_is_a_429(tw, as_user, limits):
    limits(submit="1/h")
    c = as_user(tw.resident)
    body = {"category_id": tw.water.pk, "description": "漏水", "household_id": tw.hh_3_2_501.pk}
    assert c.post(API, body, content_type="application/json").status_code == 201
    r = c.post(API, body, content_type="application/json")
    assert r.status_code == 429 and r.json()["detail"] and int(r["Retry-After"]) > 0
    assert Ticket.objects.count() == 1


def test_the_json_api_as_a_whole_is_limited(tw, as_user, limits):
    limits(api="3/m")
    c = as_user(tw.staff)
    assert [c.get(API).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_open311_post_is_limited_per_address(client, tw, limits):
    limits(open311_post="1/h")
    _, raw = apikeys.apikey_create(name="城市App", community=tw.xincun)
    data = {
        "api_key": raw,
        "service_code": "water",
        "address_id": str(tw.hh_4_1_101.pk),
        "description": "水管漏水",
    }
    assert client.post("/open311/v2/requests.json", data).status_code in (200, 201)
    r = client.post("/open311/v2/requests.json", data)
    assert r.status_code == 429
    assert json.loads(r.content)[0]["code"] == 429 and r["Retry-After"]
    # Reading is not limited by it.
    assert client.get("/open311/v2/requests.json").status_code == 200


# --- page size -------------------------------------------------------------------------------


def test_api_page_size_has_an_upper_bound(tw, as_user):
    c = as_user(tw.staff)
    assert c.get(API + "?page_size=100").status_code == 200
    r = c.get(API + "?page_size=100000")
    assert r.status_code == 422


def test_staff_taking_requests_in_are_not_held_by_the_residents_limit(tw, as_user, limits):
    limits(submit="1/h")
    c = as_user(tw.staff)
    body = {
        "category_id": tw.water.pk,
        "description": "停水",
        "household_id": tw.hh_3_2_501.pk,
        "channel": "phone",
        "requester_name": "王阿姨",
    }
    assert [c.post(API, body, content_type="application/json").status_code for _ in range(3)] == [
        201,
        201,
        201,
    ]
