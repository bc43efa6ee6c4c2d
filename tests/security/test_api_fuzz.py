"""API fuzzing: schemathesis against the served OpenAPI schema (``/api/openapi.json``), every
operation, positive and negative data, as a resident and as community staff; and hypothesis
against the Open311 endpoints, which are not in that schema.

What must hold: no server error, and every answer matches the schema (ninja API) or, for an
error, the GeoReport error format (Open311). Requests go through Django's test client with a
real session cookie and the CSRF header, so CSRF is enforced exactly as for a browser.

``make test`` runs a bounded, reproducible run (``FUZZ_EXAMPLES``, default 8 per operation,
persona and mode; derandomized); ``make fuzz`` runs a deep one (``FUZZ_EXAMPLES=500``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlsplit

import pytest
import requests
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from linli.api.api import api
from linli.tickets import apikeys, services
from linli.tickets.api import ACTIONS
from linli.tickets.models import (
    Category,
    Channel,
    CommentKind,
    ContactPreference,
    HandlingTeam,
    Rating,
    Status,
)
from tests.factories import grant, make_user

pytestmark = pytest.mark.django_db

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
CSRF = "fuzzcsrf" * 4  # a 32-character CSRF secret: cookie and header carry the same one
CHECKS = [not_a_server_error, response_schema_conformance]

FUZZ_SETTINGS = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

# Every operation the API object declares: a new endpoint is fuzzed without anyone adding it.
OPERATIONS = sorted(
    f"{method.upper()} {path}"
    for path, ops in api.get_openapi_schema(path_prefix="/api/")["paths"].items()
    for method in ops
)


# --- data the fuzzer can aim at ------------------------------------------------------------


@pytest.fixture
def fuzz_world(world):
    repair = HandlingTeam.objects.create(community=world.xincun, name="维修组")
    handler = make_user("handler", display_name="老李师傅")
    grant(handler, "volunteer", world.xincun)
    repair.members.add(handler)
    water = Category.objects.create(
        community=world.xincun,
        code="water",
        name="水管漏水",
        default_team=repair,
        attributes=[
            {"code": "floor", "description": "几楼?", "datatype": "string", "required": False}
        ],
    )
    lights = Category.objects.create(community=world.xincun, code="lights", name="路灯不亮")
    nancun_cat = Category.objects.create(community=world.nancun, code="water", name="水管")
    mine = services.ticket_submit(
        actor=world.resident, category=water, description="厨房水管漏水", household=world.hh_3_2_501
    )
    resolved = services.ticket_submit(
        actor=world.resident, category=lights, description="楼道灯坏了", household=world.hh_3_2_501
    )
    for step in (services.ticket_accept, services.ticket_claim):
        step(actor=world.staff, ticket=resolved)
        resolved.refresh_from_db()
    services.ticket_resolve(actor=world.staff, ticket=resolved, result="换了灯泡")
    theirs = services.ticket_submit(
        actor=world.other_resident, category=water, description="漏水", household=world.hh_4_1_101
    )
    elsewhere = services.ticket_intake(
        actor=world.outsider,
        category=nancun_cat,
        channel=Channel.PHONE,
        description="南村漏水",
        requester_name="赵六",
        requester_phone="13600001111",
        household=world.hh_nancun,
    )
    tickets = [mine.pk, resolved.pk, theirs.pk, elsewhere.pk]
    households = [world.hh_3_2_501.pk, world.hh_3_2_502.pk, world.hh_4_1_101.pk, world.hh_nancun.pk]
    # Positive data is steered, three times in four, to real ids and enum values so the fuzzer gets
    # past "not found" and "unknown action" into the services.
    hints = {
        "ticket_id": st.sampled_from(tickets),
        "original_id": st.sampled_from(tickets),
        "household_id": st.sampled_from(households),
        "building_id": st.sampled_from([world.b3.pk, world.b4.pk]),
        "unit_id": st.sampled_from([world.u3_2.pk]),
        "category_id": st.sampled_from([water.pk, lights.pk, nancun_cat.pk]),
        "team_id": st.sampled_from([repair.pk]),
        "user_id": st.sampled_from([handler.pk, world.staff.pk, world.resident.pk]),
        "action": st.sampled_from(ACTIONS),
        "rating": st.sampled_from(Rating.values),
        "channel": st.sampled_from(Channel.values),
        "kind": st.sampled_from(CommentKind.values),
        "contact_preference": st.sampled_from(ContactPreference.values),
        "status": st.sampled_from([*Status.values, "open", "open,closed"]),
        "category": st.sampled_from(["water", "lights", "nope"]),
        "version": st.none(),
        "until": st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)).map(dt.date.isoformat),
        "days": st.integers(-5, 400),
        "q": st.sampled_from(["zs", "张", "1234", "3-2-501", "", "%", "_"]),
    }
    return world, hints


@pytest.fixture(scope="module")
def served_schema(django_db_blocker):
    with django_db_blocker.unblock():
        response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    return schemathesis.openapi.from_dict(response.json())


def _operation(schema, label: str):
    for result in schema.get_all_operations():
        op = result.ok()
        if op.label == label:
            return op
    raise AssertionError(f"{label} is declared by the API but not in /api/openapi.json")


def _steer(draw, case, hints) -> None:
    body = case.body if isinstance(case.body, dict) else None
    for container in (case.path_parameters, case.query, body):
        for name in list(container or ()):
            if name in hints and draw(st.integers(0, 3)):  # three times in four
                container[name] = draw(hints[name])


def _send(client: Client, case) -> Response:
    """The case through Django's test client (a real session and CSRF check), answered as a
    schemathesis ``Response`` so its checks can run."""
    kw = case.as_transport_kwargs(base_url="http://testserver")
    request = requests.Request(
        method=kw["method"],
        url=kw["url"],
        headers=kw.get("headers") or {},
        params=kw.get("params"),
        json=kw.get("json"),
        data=kw.get("data"),
        files=kw.get("files"),
    ).prepare()
    url = urlsplit(request.url)
    path = url.path + (f"?{url.query}" if url.query else "")
    skip = {"content-type", "content-length", "cookie", "host"}
    headers = {k: v for k, v in request.headers.items() if k.lower() not in skip}
    headers["X-CSRFToken"] = CSRF
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    answer = client.generic(
        request.method,
        path,
        data=body,
        content_type=request.headers.get("Content-Type", "application/octet-stream"),
        headers=headers,
    )
    return Response(
        status_code=answer.status_code,
        headers={k.lower(): [v] for k, v in answer.headers.items()},
        content=answer.content,
        request=request,
        elapsed=0.0,
        verify=False,
        encoding=answer.charset,
    )


def _client_for(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user, backend="linli.accounts.backends.PhoneOrUsernameBackend")
    client.cookies["csrftoken"] = CSRF
    return client


@pytest.mark.parametrize("persona", ["resident", "staff"])
@pytest.mark.parametrize("label", OPERATIONS)
def test_api_operation_survives_fuzzing(persona, label, fuzz_world, served_schema):
    world, hints = fuzz_world
    op = _operation(served_schema, label)
    client = _client_for(getattr(world, persona))

    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        _fuzz_operation(op, mode, client, hints)


def _fuzz_operation(op, mode, client, hints) -> None:
    @FUZZ_SETTINGS
    @given(data=st.data())
    def fuzz(data):
        case = data.draw(op.as_strategy(generation_mode=mode))
        if mode is GenerationMode.POSITIVE:
            _steer(data.draw, case, hints)
        case.validate_response(_send(client, case), checks=CHECKS)

    fuzz()


def test_the_fuzzed_operations_are_the_served_ones(served_schema):
    served = sorted(r.ok().label for r in served_schema.get_all_operations())
    assert served == OPERATIONS
    assert len(OPERATIONS) >= 10


def test_the_csrf_header_is_what_lets_a_session_post(fuzz_world):
    """The fuzz client's writes count: without the header the same POST is refused."""
    world, _ = fuzz_world
    client = _client_for(world.resident)
    body = json.dumps({"category_id": 1, "description": "x"})
    refused = client.post("/api/tickets/", body, content_type="application/json")
    assert refused.status_code == 403
    allowed = client.post(
        "/api/tickets/", body, content_type="application/json", headers={"X-CSRFToken": CSRF}
    )
    assert allowed.status_code != 403 or "csrf" not in allowed.content.decode().lower()


# --- Open311: not in the ninja schema, fuzzed with hypothesis directly -----------------------

O311 = "/open311/v2/"
junk = st.text(max_size=40)
dates = st.one_of(
    junk,
    st.dates().map(dt.date.isoformat),
    st.datetimes().map(lambda d: d.isoformat()),
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2})?Z?)?\Z"),
)
numbers = st.one_of(junk, st.integers().map(str))
coordinates = st.one_of(
    junk,
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", " ", "31.2", "1e400", "-0", "NaN", "0x10"]),
)
codes = st.one_of(junk, st.sampled_from(["xincun.water", "water", "nancun.water", "xincun."]))
communities = st.one_of(junk, st.sampled_from(["xincun", "nancun", ""]))


def _optional(**fields):
    return st.fixed_dictionaries({}, optional=fields)


QUERY = _optional(
    jurisdiction_id=communities,
    service_request_id=st.one_of(
        numbers, st.lists(st.integers(0, 10**20)).map(lambda ids: ",".join(map(str, ids)))
    ),
    service_code=codes,
    status=st.one_of(junk, st.sampled_from(["open", "closed", "open,closed", ",,"])),
    start_date=dates,
    end_date=dates,
    page=numbers,
    page_size=numbers,
    api_key=junk,
)
ATTRIBUTES = st.lists(
    st.tuples(
        st.one_of(junk, st.sampled_from(["floor", "]", "[", ""])),
        st.booleans(),
        st.lists(junk, min_size=0, max_size=3),
    ),
    max_size=4,
)
POST = _optional(
    jurisdiction_id=communities,
    service_code=codes,
    description=junk,
    lat=coordinates,
    long=coordinates,
    address_string=junk,
    address_id=st.one_of(junk, st.sampled_from(["building:3", "building:x", "3-2-501", "1"])),
    first_name=junk,
    last_name=junk,
    phone=junk,
    email=junk,
    device_id=junk,
    account_id=junk,
    media_url=st.one_of(junk, st.just("http://example.org/a.jpg")),
)


def _no_nul(params: dict) -> dict:
    # A NUL cannot reach a view through a real HTTP server's query or form encoding either.
    return {k.replace("\x00", ""): v.replace("\x00", "") for k, v in params.items()}


def _assert_spec_answer(response, fmt: str) -> None:
    assert response.status_code < 500, response.content[:500]
    if response.status_code < 400:
        return
    if fmt == "json":
        errors = json.loads(response.content)
        assert isinstance(errors, list) and errors
        for e in errors:
            assert set(e) == {"code", "description"}
            assert e["code"] == response.status_code and isinstance(e["description"], str)
    else:
        root = ET.fromstring(response.content)  # noqa: S314 (our own output)
        assert root.tag == "errors" and len(root)
        for e in root:
            assert e.tag == "error"
            assert (
                e.findtext("code") == str(response.status_code)
                and e.find("description") is not None
            )


@pytest.fixture
def open311(fuzz_world):
    world, _ = fuzz_world
    _key, raw = apikeys.apikey_create(name="fuzz client", community=world.xincun)
    return Client(), raw


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_reading_never_fails_on_any_query(open311, fmt):
    client, _ = open311

    @FUZZ_SETTINGS
    @given(query=QUERY, which=st.integers(0, 3), ident=st.one_of(junk, st.integers(0, 10**18)))
    def fuzz(query, which, ident):
        query = _no_nul(query)
        ident = quote(str(ident).replace("\x00", ""), safe="") or "x"
        path = [
            f"requests.{fmt}",
            f"services.{fmt}",
            f"services/{ident}.{fmt}",
            f"tokens/{ident}.{fmt}",
        ][which]
        response = client.get(O311 + path, query)
        if response.status_code == 404 and not response.get("Content-Type", "").startswith(
            ("application/json", "text/xml")
        ):
            return  # the path did not match a route at all (Django's own 404)
        _assert_spec_answer(response, fmt)

    fuzz()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_posting_never_fails_on_any_form(open311, fmt):
    client, raw_key = open311

    @FUZZ_SETTINGS
    @given(form=POST, attributes=ATTRIBUTES, keyed=st.sampled_from(["good", "none", "junk"]))
    def fuzz(form, attributes, keyed):
        form = _no_nul(form)
        if keyed == "good":
            form["api_key"] = raw_key
        elif keyed == "junk":
            form["api_key"] = "lk_" + raw_key[::-1]
        data: dict[str, list[str]] = {k: [v] for k, v in form.items()}
        for code, many, values in attributes:
            name = f"attribute[{code.replace(chr(0), '')}]" + ("[]" if many else "")
            data.setdefault(name, []).extend(v.replace("\x00", "") for v in values or [""])
        response = client.post(f"{O311}requests.{fmt}", data)
        _assert_spec_answer(response, fmt)

    fuzz()


def test_open311_xml_stays_well_formed_when_a_request_holds_control_characters(fuzz_world):
    """Found by the fuzzer: XML 1.0 cannot carry control characters, even escaped."""
    world, _ = fuzz_world
    water = Category.objects.get(community=world.xincun, code="water")
    services.ticket_submit(
        actor=world.resident,
        category=water,
        description="漏水\x01\x1b[31m 三楼\x0c",
        location_text="楼下\x08",
    )
    response = Client().get(f"{O311}requests.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 (our own output)
    assert any("漏水" in (e.findtext("description") or "") for e in root)
    missing = Client().get(f"{O311}tokens/%04x.xml")
    assert missing.status_code == 404
    assert ET.fromstring(missing.content).tag == "errors"  # noqa: S314 (our own output)


def test_a_page_number_past_the_database_offset_range_is_refused_not_a_500(fuzz_world):
    """Found by the fuzzer: ``page=2**63 // 50`` overflowed SQLite's and PostgreSQL's OFFSET."""
    world, _ = fuzz_world
    client = _client_for(world.staff)
    assert client.get("/api/tickets/", {"page": 2**62}).status_code == 422
    assert client.get("/api/tickets/", {"page": 2}).status_code == 200
