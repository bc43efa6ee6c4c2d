"""Open311 GeoReport v2 at /open311/v2/: every endpoint in JSON and XML against the spec's
field names, the filters, posting with an API key, and what a public reader never sees."""

import datetime as dt
import hashlib
import io
import json
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.utils import timezone

from linli.tickets import apikeys, services
from linli.tickets.models import ApiKey, Channel, Status, Ticket

pytestmark = pytest.mark.django_db

BASE = "/open311/v2/"

# The field names of http://wiki.open311.org/GeoReport_v2, written out here on purpose.
DISCOVERY_FIELDS = {"changeset", "contact", "key_service", "endpoints"}
ENDPOINT_FIELDS = {"specification", "url", "changeset", "type", "formats"}
SERVICE_FIELDS = {
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
}
DEFINITION_FIELDS = {"service_code", "attributes"}
ATTRIBUTE_FIELDS = {
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
POSTED_FIELDS = {"service_request_id", "service_notice", "account_id"}
TOKEN_FIELDS = {"service_request_id", "token"}
ERROR_FIELDS = {"code", "description"}


def parse_xml(content: bytes):
    # Our own responses, in a test: not untrusted input.
    return ET.fromstring(content)  # noqa: S314


def tags(el):
    return {c.tag for c in el}


def get_json(client, path, **params):
    r = client.get(BASE + path + ".json", params)
    assert r["Content-Type"].startswith("application/json")
    return r.status_code, json.loads(r.content)


def get_xml(client, path, **params):
    r = client.get(BASE + path + ".xml", params)
    assert r["Content-Type"].startswith("text/xml")
    assert r.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return r.status_code, parse_xml(r.content)


def assert_error(status, body, code):
    assert status == code
    if isinstance(body, list):
        assert len(body) == 1 and set(body[0]) == ERROR_FIELDS and body[0]["code"] == code
        assert body[0]["description"]
    else:
        assert body.tag == "errors" and [e.tag for e in body] == ["error"]
        assert tags(body[0]) == ERROR_FIELDS and body[0].findtext("code") == str(code)
        assert body[0].findtext("description")


@pytest.fixture
def key(tw):
    k, raw = apikeys.apikey_create(name="城市App", community=tw.xincun)
    return raw


def post(client, fmt="json", **data):
    r = client.post(BASE + f"requests.{fmt}", data)
    body = json.loads(r.content) if fmt == "json" else parse_xml(r.content)
    return r.status_code, body


# --- discovery and services ----------------------------------------------------------------


def test_discovery_names_the_spec_and_both_formats(client, tw):
    status, data = get_json(client, "discovery")
    assert status == 200 and set(data) == DISCOVERY_FIELDS
    (endpoint,) = data["endpoints"]
    assert set(endpoint) == ENDPOINT_FIELDS
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    status, root = get_xml(client, "discovery")
    assert root.tag == "discovery" and tags(root) == DISCOVERY_FIELDS
    endpoint = root.find("endpoints/endpoint")
    assert tags(endpoint) == ENDPOINT_FIELDS
    assert {f.text for f in endpoint.findall("formats/format")} == {"text/xml", "application/json"}


def test_services_of_every_community_or_of_the_jurisdiction(client, tw):
    status, data = get_json(client, "services")
    assert status == 200 and all(set(s) == SERVICE_FIELDS for s in data)
    assert {s["service_code"] for s in data} == {"xincun.water", "xincun.lights", "nancun.water"}
    water = next(s for s in data if s["service_code"] == "xincun.water")
    assert water["metadata"] is True and water["type"] == "realtime"
    assert water["group"] == "新村社区"

    status, data = get_json(client, "services", jurisdiction_id="nancun")
    assert [s["service_code"] for s in data] == ["nancun.water"]

    status, root = get_xml(client, "services", jurisdiction_id="xincun")
    assert root.tag == "services" and {c.tag for c in root} == {"service"}
    assert all(tags(s) == SERVICE_FIELDS for s in root)
    assert {s.findtext("service_code") for s in root} == {"xincun.water", "xincun.lights"}
    assert root.find("service/metadata").text in ("true", "false")


def test_unknown_jurisdiction_is_404_in_the_error_format(client, tw):
    assert_error(*get_json(client, "services", jurisdiction_id="atlantis"), 404)
    assert_error(*get_xml(client, "requests", jurisdiction_id="atlantis"), 404)


def test_service_definition_lists_the_extra_questions(client, tw):
    tw.lights.attributes = [
        {
            "code": "pole",
            "description": "Which pole?",
            "datatype": "singlevaluelist",
            "required": True,
            "values": [{"key": "n1", "name": "North gate"}, {"key": "s2", "name": "South road"}],
        },
        {"code": "since", "description": "Since when?", "datatype": "string"},
    ]
    tw.lights.save()
    status, data = get_json(client, "services/xincun.lights")
    assert status == 200 and set(data) == DEFINITION_FIELDS
    assert data["service_code"] == "xincun.lights"
    assert all(set(a) == ATTRIBUTE_FIELDS for a in data["attributes"])
    pole = data["attributes"][0]
    assert pole["variable"] is True and pole["required"] is True and pole["order"] == 1
    assert pole["values"] == [
        {"key": "n1", "name": "North gate"},
        {"key": "s2", "name": "South road"},
    ]

    status, root = get_xml(client, "services/xincun.lights")
    assert root.tag == "service_definition" and tags(root) == DEFINITION_FIELDS
    attrs = root.findall("attributes/attribute")
    assert len(attrs) == 2 and all(tags(a) == ATTRIBUTE_FIELDS for a in attrs)
    assert [v.findtext("key") for v in attrs[0].findall("values/value")] == ["n1", "s2"]
    assert attrs[0].findtext("required") == "true"

    # A bare code is fine where it is unambiguous (or the jurisdiction is named).
    assert get_json(client, "services/lights")[0] == 200
    assert get_json(client, "services/water", jurisdiction_id="nancun")[1]["service_code"] == (
        "nancun.water"
    )
    assert_error(*get_json(client, "services/water"), 404)  # two communities have "water"
    assert_error(*get_xml(client, "services/xincun.nothing"), 404)


# --- reading requests ----------------------------------------------------------------------


def test_requests_in_json_and_xml_have_the_spec_fields(client, tw, submit):
    t = submit()
    status, data = get_json(client, "requests")
    assert status == 200 and [r["service_request_id"] for r in data] == [t.pk]
    (r,) = data
    assert set(r) == REQUEST_FIELDS
    assert r["status"] == "open" and r["status_notes"] == "Submitted"
    assert r["service_code"] == "xincun.water" and r["agency_responsible"] == "新村社区"
    assert r["expected_datetime"] == timezone.localtime(t.resolve_by).isoformat(timespec="seconds")
    assert r["requested_datetime"].endswith("+08:00")

    status, root = get_xml(client, "requests")
    assert root.tag == "service_requests" and [c.tag for c in root] == ["request"]
    assert tags(root[0]) == REQUEST_FIELDS
    assert root[0].findtext("service_request_id") == str(t.pk)
    assert root[0].findtext("status") == "open"


def test_a_single_request_and_an_unknown_one(client, tw, submit):
    t = submit()
    status, data = get_json(client, f"requests/{t.pk}")
    assert status == 200 and len(data) == 1 and set(data[0]) == REQUEST_FIELDS
    status, root = get_xml(client, f"requests/{t.pk}")
    assert tags(root.find("request")) == REQUEST_FIELDS
    assert_error(*get_json(client, "requests/999999"), 404)
    assert_error(*get_xml(client, "requests/999999"), 404)
    assert_error(*get_json(client, f"requests/{t.pk}", jurisdiction_id="nancun"), 404)


def test_states_map_to_open_and_closed_and_the_reply_and_withdrawn_are_not_public(
    client, tw, submit
):
    t = submit()
    services.ticket_assign(actor=tw.staff, ticket=t, team=tw.repair_team)
    services.ticket_claim(actor=tw.handler, ticket=t)
    services.ticket_resolve(actor=tw.handler, ticket=t, result="换了阀门")
    services.ticket_reply(actor=tw.staff, ticket=t, body="已修好，请查看")
    r = get_json(client, f"requests/{t.pk}")[1][0]
    # The reply is written to the requester, not to the public (issue 9, finding 5).
    assert r["status"] == "open" and r["status_notes"] == "Replied"
    services.ticket_rate(actor=tw.resident, ticket=t, rating="satisfied")
    withdrawn = submit()
    services.ticket_withdraw(actor=tw.resident, ticket=withdrawn)
    data = {r["service_request_id"]: r for r in get_json(client, "requests")[1]}
    assert data[t.pk]["status"] == "closed" and data[t.pk]["status_notes"].startswith("Closed")
    # A withdrawn request is not published at all.
    assert withdrawn.pk not in data


def test_filters_by_id_code_status_and_dates(client, tw, submit):
    a = submit()
    b = submit(category=tw.lights, household=None, building=tw.b4, location_text="4号楼北侧")
    c = submit()
    # Closed by a referral (a withdrawn request is not public at all: see the test above).
    services.ticket_refer(actor=tw.staff, ticket=c, to="白源自来水公司", reason="市政主管网")
    old = submit()
    Ticket.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=120))

    def ids(**params):
        status, data = get_json(client, "requests", **params)
        assert status == 200
        return {r["service_request_id"] for r in data}

    assert ids() == {a.pk, b.pk, c.pk}  # the last 90 days by default
    assert ids(service_request_id=f"{a.pk},{old.pk}") == {a.pk, old.pk}  # overrides the rest
    assert ids(service_code="xincun.lights") == {b.pk}
    assert ids(service_code="water,lights") == {a.pk, b.pk, c.pk}
    assert ids(status="closed") == {c.pk}
    assert ids(status="open") == {a.pk, b.pk}
    long_ago = (timezone.now() - dt.timedelta(days=200)).isoformat()
    assert ids(start_date=long_ago) == {a.pk, b.pk, c.pk, old.pk}
    assert ids(
        start_date=long_ago, end_date=(timezone.now() - dt.timedelta(days=100)).isoformat()
    ) == {old.pk}
    assert ids(jurisdiction_id="nancun") == set()
    assert_error(*get_json(client, "requests", status="pending"), 400)
    assert_error(*get_xml(client, "requests", start_date="yesterday"), 400)
    assert_error(*get_json(client, "requests", end_date="2026-13-45"), 400)
    assert_error(*get_json(client, "requests", service_request_id="1,x"), 400)
    assert_error(*get_json(client, "requests", service_request_id="9" * 30), 400)


def test_page_and_page_size_extension(client, tw, submit):
    made = [submit().pk for _ in range(5)]
    newest_first = sorted(made, reverse=True)
    page1 = [r["service_request_id"] for r in get_json(client, "requests", page_size=2)[1]]
    page3 = [r["service_request_id"] for r in get_json(client, "requests", page_size=2, page=3)[1]]
    assert page1 == newest_first[:2] and page3 == newest_first[4:]
    status, root = get_xml(client, "requests", page_size=2, page=2)
    assert [int(r.findtext("service_request_id")) for r in root] == newest_first[2:4]
    assert_error(*get_json(client, "requests", page_size="0"), 400)


def test_a_public_reader_never_sees_the_room_the_name_or_the_phone(client, tw, submit):
    t = submit(description="3-2-501 厨房水管漏水", lat="31.230416", long="121.473701")
    services.ticket_intake(
        actor=tw.staff,
        category=tw.water,
        channel=Channel.PHONE,
        description="楼道漏水",
        requester_name="王阿姨",
        requester_phone="13900001111",
        household=tw.hh_3_2_502,
    )
    spot = submit(
        category=tw.lights,
        household=None,
        building=tw.b4,
        location_text="4号楼北侧路灯",
        lat="31.2",
        long="121.4",
    )
    for fmt in ("json", "xml"):
        r = client.get(BASE + f"requests.{fmt}")
        text = r.content.decode()
        for secret in (
            "501",
            "502",
            "3-2",
            tw.resident.get_full_name(),
            "张三",
            "王阿姨",
            "13812341234",
            "13900001111",
            "31.230416",
        ):
            assert secret not in text, (fmt, secret)
    data = {r["service_request_id"]: r for r in get_json(client, "requests")[1]}
    assert data[t.pk]["address"] == "3号楼, 新村社区"  # the building, never the room
    assert data[t.pk]["address_id"] is None and data[t.pk]["lat"] is None
    assert data[t.pk]["description"] == "*** 厨房水管漏水"
    # A public spot keeps its place, map position and building id.
    assert data[spot.pk]["lat"] == 31.2 and "4号楼北侧路灯" in data[spot.pk]["address"]
    assert data[spot.pk]["address_id"] == "building:4"


def test_query_count_of_requests_is_constant(client, tw, django_assert_max_num_queries):
    def make(n):
        now = timezone.now()
        rows = []
        for i in range(n):
            hh = tw.hh_3_2_501 if i % 2 else None
            rows.append(
                Ticket(
                    community=tw.xincun,
                    category=tw.water if i % 3 else tw.lights,
                    description=f"问题 {i}",
                    household=hh,
                    building=tw.b3 if hh else tw.b4,
                    unit=tw.u3_2 if hh else None,
                    location_text="" if hh else "路口",
                    created_at=now - dt.timedelta(minutes=i),
                    respond_by=now,
                    resolve_by=now,
                    status=Status.REPLIED if i % 5 == 0 else Status.SUBMITTED,
                )
            )
        made = Ticket.objects.bulk_create(rows)
        from linli.tickets.models import CommentKind, TicketComment

        TicketComment.objects.bulk_create(
            TicketComment(ticket=t, kind=CommentKind.REPLY, body="好了")
            for t in made
            if t.status == Status.REPLIED
        )

    make(10)
    with django_assert_max_num_queries(3):
        assert len(get_json(client, "requests")[1]) == 10
    make(190)
    with django_assert_max_num_queries(3):
        data = get_json(client, "requests")[1]
    assert len(data) == 200
    # The replies are not published (issue 9, finding 5): the status only.
    assert any(r["status_notes"] == "Replied" for r in data)
    assert not any("好了" in r["status_notes"] for r in data)


# --- posting -------------------------------------------------------------------------------


def test_post_with_lat_long_creates_a_request_in_the_keys_community(client, tw, key):
    status, data = post(
        client,
        api_key=key,
        service_code="xincun.lights",
        lat="31.230416",
        long="121.473701",
        description="北门路灯不亮",
        first_name="Mei",
        last_name="Chen",
        phone="+86 139-0000-2222",
        email="mei@example.org",
        device_id="dev-1",
        account_id="acc-9",
    )
    assert status == 200 and len(data) == 1 and set(data[0]) == POSTED_FIELDS
    t = Ticket.objects.get(pk=data[0]["service_request_id"])
    assert t.channel == Channel.OPEN311 and t.community == tw.xincun and t.category == tw.lights
    assert str(t.lat) == "31.230416" and t.status == Status.SUBMITTED
    assert data[0]["account_id"] == "acc-9" and data[0]["service_notice"]
    req = t.requesters.get()
    assert req.name == "Mei Chen" and req.phone == "+8613900002222" and req.user is None
    assert t.attributes["open311"] == {
        "key": key[:8],
        "email": "mei@example.org",
        "device_id": "dev-1",
        "account_id": "acc-9",
    }
    assert t.created_by is None
    # The token endpoint: created at once, so the token is the id.
    status, tok = get_json(client, f"tokens/{t.pk}")
    assert status == 200 and tok == [{"service_request_id": t.pk, "token": str(t.pk)}]
    status, root = get_xml(client, f"tokens/{t.pk}")
    assert tags(root.find("request")) == TOKEN_FIELDS
    assert_error(*get_json(client, "tokens/abc"), 404)


def test_post_with_an_address_string_or_an_address_id(client, tw, key):
    status, data = post(
        client,
        api_key=key,
        service_code="lights",
        address_string="5号楼东侧停车场",
        description="灯坏了",
    )
    assert status == 200
    assert Ticket.objects.get(pk=data[0]["service_request_id"]).location_text == "5号楼东侧停车场"

    status, data = post(
        client,
        api_key=key,
        service_code="xincun.water",
        address_id="3-2-501",
        description="水管漏水",
        jurisdiction_id="xincun",
    )
    assert status == 200
    t = Ticket.objects.get(pk=data[0]["service_request_id"])
    assert t.household == tw.hh_3_2_501 and t.building == tw.b3 and t.unit == tw.u3_2
    assert t.requesters.get().anonymous

    status, data = post(
        client,
        api_key=key,
        service_code="water",
        address_id=str(tw.hh_4_1_101.pk),
        description="水管漏水",
    )
    assert Ticket.objects.get(pk=data[0]["service_request_id"]).household == tw.hh_4_1_101

    status, data = post(
        client, api_key=key, service_code="lights", address_id="building:5", description="楼门灯"
    )
    assert Ticket.objects.get(pk=data[0]["service_request_id"]).building == tw.b5

    # Another community's room is not found within the key's community.
    before = Ticket.objects.count()
    assert_error(
        *post(
            client,
            api_key=key,
            service_code="water",
            address_id=tw.hh_nancun.label,
            description="x",
        ),
        400,
    )
    assert_error(
        *post(
            client,
            api_key=key,
            service_code="water",
            address_id=str(tw.hh_nancun.pk),
            description="x",
        ),
        400,
    )
    assert Ticket.objects.count() == before


def test_post_with_attribute_values(client, tw, key):
    tw.lights.attributes = [
        {
            "code": "pole",
            "description": "Which pole?",
            "datatype": "singlevaluelist",
            "required": True,
            "values": [{"key": "n1", "name": "North"}, {"key": "s2", "name": "South"}],
        },
        {
            "code": "issues",
            "description": "What is wrong?",
            "datatype": "multivaluelist",
            "values": [{"key": "dark", "name": "Dark"}, {"key": "flicker", "name": "Flickers"}],
        },
    ]
    tw.lights.save()
    status, data = post(
        client,
        **{
            "api_key": key,
            "service_code": "xincun.lights",
            "address_string": "北门",
            "description": "路灯",
            "attribute[pole]": "n1",
            "attribute[issues][]": ["dark", "flicker"],
            "media_url": "https://example.org/p/1.jpg",
        },
    )
    assert status == 200
    t = Ticket.objects.get(pk=data[0]["service_request_id"])
    assert t.attributes["pole"] == "n1" and t.attributes["issues"] == ["dark", "flicker"]
    assert t.attributes["media_url"] == "https://example.org/p/1.jpg"
    assert get_json(client, f"requests/{t.pk}")[1][0]["media_url"] == (
        "https://example.org/p/1.jpg"
    )

    before = Ticket.objects.count()
    assert_error(
        *post(
            client,
            api_key=key,
            service_code="xincun.lights",
            address_string="北门",
            description="路灯",
        ),
        400,
    )  # pole required
    assert_error(
        *post(
            client,
            api_key=key,
            service_code="xincun.lights",
            address_string="北门",
            description="路灯",
            **{"attribute[pole]": "zz"},
        ),
        400,
    )
    assert Ticket.objects.count() == before


def test_post_without_a_location_is_400_in_the_error_format(client, tw, key):
    for fmt in ("json", "xml"):
        status, body = post(
            client, fmt, api_key=key, service_code="xincun.water", description="漏水"
        )
        assert_error(status, body, 400)
    status, body = post(
        client, api_key=key, service_code="xincun.water", description="漏水", lat="31.2"
    )
    assert_error(status, body, 400)
    assert not Ticket.objects.exists()


def test_post_with_an_impossible_place_saves_nothing(client, tw, key):
    payload = {"api_key": key, "service_code": "water", "description": "漏水"}
    assert_error(*post(client, lat="1e30", long="121.4", **payload), 400)
    assert_error(*post(client, lat="north", long="121.4", **payload), 400)
    assert_error(*post(client, lat="95", long="121.4", **payload), 400)
    assert_error(*post(client, address_id="9" * 30, **payload), 400)
    assert not Ticket.objects.exists()


def test_post_without_a_description_saves_nothing(client, tw, key):
    assert_error(
        *post(
            client,
            api_key=key,
            service_code="xincun.water",
            lat="31.2",
            long="121.4",
            description="  ",
        ),
        400,
    )
    assert not Ticket.objects.exists()


def test_post_needs_a_valid_key(client, tw, key):
    payload = {"service_code": "xincun.water", "address_string": "北门", "description": "漏水"}
    assert_error(*post(client, **payload), 403)
    assert_error(*post(client, "xml", api_key="not-a-key", **payload), 403)
    apikeys.apikey_revoke(prefix=key[:8])
    assert_error(*post(client, api_key=key, **payload), 403)
    assert not Ticket.objects.exists()


def test_a_key_is_bound_to_its_community(client, tw, key):
    payload = {"api_key": key, "address_string": "北门", "description": "漏水"}
    assert_error(*post(client, service_code="nancun.water", **payload), 403)
    assert_error(*post(client, service_code="water", jurisdiction_id="nancun", **payload), 403)
    assert_error(*post(client, service_code="water", jurisdiction_id="atlantis", **payload), 404)
    assert_error(*post(client, service_code="xincun.parking", **payload), 400)
    assert not Ticket.objects.exists()


def test_an_off_the_shelf_client_lists_services_reads_and_posts(client, tw, key):
    """As a GeoReport client does it: GET services.xml, POST form-encoded, parse with
    ElementTree, then GET the request back."""
    root = parse_xml(client.get(BASE + "services.xml").content)
    code = next(
        s.findtext("service_code")
        for s in root.iter("service")
        if s.findtext("service_code").endswith(".water") and s.findtext("group") == tw.xincun.name
    )
    body = urlencode(
        {
            "api_key": key,
            "service_code": code,
            "lat": "31.230416",
            "long": "121.473701",
            "description": "Water leaking on the road",
            "attribute[floor]": "1",
        }
    )
    r = client.post(BASE + "requests.xml", body, content_type="application/x-www-form-urlencoded")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/xml")
    root = parse_xml(r.content)
    assert root.tag == "service_requests"
    request_id = root.find("request/service_request_id").text
    assert tags(root.find("request")) == POSTED_FIELDS
    got = parse_xml(client.get(BASE + f"requests/{request_id}.xml").content)
    assert got.find("request/status").text == "open"
    assert got.find("request/service_code").text == code
    assert got.find("request/description").text == "Water leaking on the road"


# --- keys ----------------------------------------------------------------------------------


def test_the_command_prints_a_key_once_and_keeps_only_its_hash(tw, client):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "open311_key", "create", "Fix app", "--community", "xincun", stdout=out, stderr=err
    )
    raw = out.getvalue().strip()
    assert len(raw) >= 40 and "only time" in err.getvalue()
    k = ApiKey.objects.get()
    assert k.key_hash == hashlib.sha256(raw.encode()).hexdigest() and k.prefix == raw[:8]
    assert k.community == tw.xincun and k.name == "Fix app"
    assert raw not in {
        str(v) for v in ApiKey.objects.values_list("name", "prefix", "key_hash").get()
    }

    listing = io.StringIO()
    call_command("open311-key", "list", stdout=listing)
    assert k.prefix in listing.getvalue() and raw not in listing.getvalue()
    assert "active" in listing.getvalue()

    payload = {
        "api_key": raw,
        "service_code": "water",
        "address_string": "北门",
        "description": "漏水",
    }
    assert post(client, **payload)[0] == 200
    call_command("open311-key", "revoke", k.prefix, stdout=io.StringIO())
    assert_error(*post(client, **payload), 403)
    listing = io.StringIO()
    call_command("open311-key", "list", stdout=listing)
    assert "revoked" in listing.getvalue()


def test_the_command_refuses_an_unknown_community_or_prefix(tw):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("open311-key", "create", "x", "--community", "atlantis")
    with pytest.raises(CommandError):
        call_command("open311-key", "revoke", "nothing")
    assert not ApiKey.objects.exists()
