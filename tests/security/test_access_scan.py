"""Access scan: every route that names an object or a community, requested by the personas who
must be refused.

Routes are found by walking the URL resolver and the API's OpenAPI schema, never listed by
hand, so a new page or endpoint is scanned the day it is added. Each parameter is mapped to an
object through ``ROUTE_PARAMS``; a new route whose parameters are not mapped there fails
``test_every_route_is_mapped`` (and its own scan test) with its name, so it cannot ship
unscanned. Truly public routes sit in ``PUBLIC`` with the reason they may answer anyone.

Refused personas and what they must get, for GET and for an empty POST:
- the outsider (staff of nancun) on xincun objects: 404 — outside their places the object does
  not exist for them (``core.policy``); 403 only where ``DOCUMENTED_403`` says why;
- the resident of 3-2-501 on household 4-1-101's records (household, resident, request,
  photo, notification): 404;
- the leader of building 3 on building 4's records (and the forum of building 4): 404 or 403;
- anonymous: a redirect to the login page, or 401/403/404.
Never a 200 with data, never a redirect that means "done", never a 500. 405 (the route does not
take that method) is no leak and is accepted.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image

from linli.accounts.models import RoleMembership
from linli.api.api import api
from linli.care import services as care_services
from linli.core.models import Notification
from linli.deliberation.models import (
    ActionItem,
    Forum,
    Invitation,
    Meeting,
    Opinion,
    Question,
    Resolution,
    Survey,
    SurveyAssignment,
    Topic,
    Vote,
)
from linli.mediation import services as mediation_services
from linli.mediation.models import Case as MediationCase
from linli.registry.models import ContactCorrection, RegistryImport
from linli.tickets import services as ticket_services
from linli.tickets.models import Category, HandlingTeam, TicketPhoto
from tests.factories import grant, make_user

# ---------------------------------------------------------------------------------------------
# Enumeration


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the pattern text for an unnamed route
    pattern: str
    params: tuple[str, ...]
    method: str | None = None  # API operations: the one method; pages: None (GET and POST)
    api_path: str | None = None
    body: str = "{}"  # API operations: a body that passes validation, so the scope check runs

    @property
    def id(self) -> str:
        return f"{self.method} {self.api_path}" if self.api_path else self.name


def _walk(patterns, ns=(), prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            sub = ns + ((p.namespace,) if p.namespace else ())
            yield from _walk(p.url_patterns, sub, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            params = tuple(getattr(p.pattern, "converters", None) or p.pattern.regex.groupindex)
            params = tuple(k for k in params if k not in (p.default_args or {}))
            full = prefix + str(p.pattern)
            name = ":".join((*ns, p.name)) if p.name else full
            yield Route(name=name, pattern=full, params=params)


def page_routes() -> list[Route]:
    """Every URL pattern with a parameter, except the API (scanned from its schema)."""
    return [
        r
        for r in _walk(get_resolver().url_patterns)
        if r.params and not r.name.startswith("api:") and not r.pattern.startswith("api/")
    ]


# Values for body fields that must be one of a few words; other fields get a plain value by type.
API_BODY_VALUES = {"action": "close", "rating": "satisfied", "kind": "public"}


def _example(schema: dict, field: str, components: dict):
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    if field in API_BODY_VALUES:
        return API_BODY_VALUES[field]
    if "anyOf" in schema:
        return _example(schema["anyOf"][0], field, components)
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {k: _example(props[k], k, components) for k in schema.get("required", [])}
    return {"integer": 1, "number": 1, "boolean": False, "array": []}.get(kind, "扫描")


def api_routes() -> list[Route]:
    schema = api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})
    out = []
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            params = tuple(p["name"] for p in op.get("parameters", []) if p["in"] == "path")
            if params:
                out.append(
                    Route(
                        name=op.get("operationId", path),
                        pattern=path,
                        params=params,
                        method=method.upper(),
                        api_path=path,
                        body=json.dumps(
                            _example(
                                op["requestBody"]["content"]["application/json"]["schema"],
                                "",
                                components,
                            )
                            if "requestBody" in op
                            else {}
                        ),
                    )
                )
    return out


PAGES = page_routes()
APIS = api_routes()

# If the enumeration breaks (a resolver change, a schema that no longer loads), the scan must
# not pass by scanning nothing. These are the counts when this file was written, less a margin.
MIN_PAGE_ROUTES = 80
MIN_API_OPERATIONS = 7

# ---------------------------------------------------------------------------------------------
# Parameters → objects

# A value is the kind of object (a key of the scan data) or ("literal", value) for a parameter
# that selects a variant, not an object.
ROUTE_PARAMS: dict[str, dict[str, object]] = {
    "notifications_read": {"pk": "notification"},
    "notifications_read_group": {"pk": "notification"},  # h/newoffice: grouped inbox
    "accounts:roles": {"code": "community"},
    "accounts:role_grant": {"code": "community"},
    "accounts:role_revoke": {"code": "community", "pk": "membership"},
    "accounts:user_create": {"code": "community"},
    "accounts:user_password_reset": {"code": "community", "pk": "user"},
    "registry:community": {"code": "community"},
    "registry:building_create": {"code": "community"},
    "registry:grid_create": {"code": "community"},
    "registry:tags": {"code": "community"},
    "registry:tag_list": {"code": "community", "tag": ("literal", "empty_nest")},
    "registry:building": {"pk": "building"},
    "registry:household_create": {"pk": "building"},
    "registry:household": {"pk": "household"},
    "registry:household_edit": {"pk": "household"},
    "registry:resident_create": {"pk": "household"},
    "registry:resident": {"pk": "resident"},
    "registry:resident_edit": {"pk": "resident"},
    "registry:resident_move_out": {"pk": "resident"},
    "registry:resident_reveal": {"pk": "resident", "field": ("literal", "id_number")},
    "registry:import": {"code": "community"},
    "registry:import_preview": {"code": "community", "pk": "import"},
    "registry:import_mapping": {"code": "community", "pk": "import"},
    "registry:import_errors": {"code": "community", "pk": "import"},
    "registry:import_progress": {"code": "community", "pk": "import"},
    "registry:export": {"code": "community"},
    # contact corrections (h/newoffice)
    "registry:contact_corrections": {"code": "community"},
    "registry:contact_correction_apply": {"pk": "correction"},
    "registry:contact_correction_reject": {"pk": "correction"},
    "tickets:categories": {"code": "community"},
    "tickets:category_edit": {"code": "community", "pk": "category"},
    "tickets:team_create": {"code": "community"},
    "tickets:team_edit": {"code": "community", "pk": "team"},
    "tickets:team_members": {"code": "community", "pk": "team"},
    "tickets:holiday_add": {"code": "community"},
    "tickets:request_settings": {"code": "community"},
    "tickets:photo": {"pk": "photo"},
    "tickets:detail": {"pk": "ticket"},
    "tickets:act": {"pk": "ticket", "action": ("literal", "close")},
    "tickets:comment": {"pk": "ticket"},
    "tickets:moderate": {"pk": "ticket"},
    # issue 11 office paper (h/newoffice)
    "tickets:work_order_pdf": {"pk": "ticket"},
    "deliberation:topic_detail": {"pk": "topic"},
    "deliberation:topic_decide": {"pk": "topic"},
    "deliberation:action_new": {"pk": "topic"},
    "deliberation:action_done": {"pk": "action"},
    "deliberation:meeting_uninvite": {"pk": "meeting", "inv": "invitation"},
    "deliberation:meeting_attendance": {"pk": "meeting", "inv": "invitation"},
    "deliberation:meeting_resolution_delete": {"pk": "meeting", "rid": "resolution"},
    "deliberation:meeting_follow_up": {"pk": "meeting", "rid": "resolution"},
    "deliberation:survey_question_edit": {"pk": "survey", "qid": "question"},
    "deliberation:survey_question_move": {"pk": "survey", "qid": "question"},
    "deliberation:survey_question_remove": {"pk": "survey", "qid": "question"},
    "deliberation:survey_text_answers": {"pk": "survey", "qid": "question"},
    "deliberation:survey_unassign": {"pk": "survey", "household_id": "household"},
    "deliberation:survey_door": {"pk": "survey", "household_id": "household"},
    "deliberation:opinion_delete": {"pk": "forum", "oid": "opinion"},
    "deliberation:vote_step": {"pk": "vote", "step": ("literal", "open")},
    "deliberation:notice_rules": {"code": "community"},
    # mediation
    "mediation:from_request": {"ticket_pk": "ticket"},
    "mediation:committee": {"code": "community"},
    "mediation:committee_settings": {"code": "community"},
    "mediation:act": {"pk": "mediation_case", "action": ("literal", "accept")},
    "mediation:agreement_step": {"pk": "mediation_case", "step": ("literal", "fix")},
    # care
    **{
        f"care:{n}": {"pk": "careperson"}
        for n in ("person", "visit_new", "tier", "frequency", "assign", "contact", "consent")
    },
    "care:health_note": {"pk": "careperson"},
    **{
        f"care:{n}": {"code": "community"}
        for n in (
            "register",
            "enroll",
            "event_new",
            "coverage",
            "unvisited",
            "export",
            "meals",
            "meal_deliver",
            "help_new",
        )
    },
    # volunteers (objects: tests/volunteers/scan_objects.py)
    "volunteers:activity_detail": {"pk": "vactivity"},
    "volunteers:signup": {"pk": "vshift"},
    "volunteers:shift_attendance": {"pk": "vshift"},
    "volunteers:checkin": {"pk": "vshift", "token": ("literal", "not-a-real-token")},
    "volunteers:signup_cancel": {"pk": "vsignup"},
    "volunteers:entry_verify": {"pk": "ventry"},
    "volunteers:entry_decline": {"pk": "ventry"},
    "volunteers:team_detail": {"pk": "vteam"},
    "volunteers:certificate_request": {"pk": "vprofile"},
    "volunteers:certificate_pdf": {"pk": "vcert"},
    "volunteers:seal": {"code": "community"},
    "volunteers:patrol_start": {"pk": "vroute"},
    "volunteers:patrol_detail": {"pk": "vpatrol"},
    "volunteers:patrol_pass": {"pk": "vpatrol"},
    "volunteers:patrol_end": {"pk": "vpatrol"},
    "volunteers:finding_decide": {"pk": "vfinding"},
    "volunteers:office": {"code": "community"},
    "volunteers:team_join": {"pk": "vteam"},  # volunteers (vol2: profile and joining)
    "volunteers:member_approve": {"pk": "vmember"},
    "volunteers:member_decline": {"pk": "vmember"},
    "volunteers:profile_edit": {"pk": "vprofile"},
    "volunteers:settings": {"code": "community"},
}
# Whole families whose only object parameter is ``pk`` of one kind.
PREFIX_PK = {
    "deliberation:meeting_": "meeting",
    "deliberation:survey_": "survey",
    "deliberation:forum_": "forum",
    "deliberation:opinion_": "forum",
    "deliberation:vote_": "vote",
    "mediation:": "mediation_case",
}
API_PARAM_KIND = {
    "ticket_id": "ticket",
    "household_id": "household",
    "person_id": "careperson",
    # volunteers
    "activity_id": "vactivity",
    "shift_id": "vshift",
    "signup_id": "vsignup",
}

# Routes that answer anyone by design, with the reason. They are still requested (never a 500).
PUBLIC: dict[str, str] = {
    "open311:discovery": "Open311 discovery is public by the GeoReport v2 spec",
    "open311:services": "Open311 service list is public by the GeoReport v2 spec",
    "open311:service": "Open311 service definitions are public by the GeoReport v2 spec",
    "open311:requests": "Open311 request list is public and carries no personal data",
    "open311:request": "Open311 request detail is public and carries no personal data "
    "(checked below: no room, no requester)",
    "open311:token": "Open311 token lookup; an unknown token is an Open311 404 error",
    "deliberation:meeting_checkin": "the QR check-in token is the credential; a wrong token is 404",
    "volunteers:certificate_verify": "the certificate's QR token is the credential; it shows no "
    "personal data beyond the name its holder consented to show; a wrong token is 404",
    "volunteers:public": "a community's public activities: no names but those consented to",
}
PUBLIC_VALUES = {
    "fmt": "json",
    "service_code": "xincun.scan",
    "token": "not-a-real-token",
    "code": "xincun",  # volunteers:public (a community's public activities)
}

# Where the outsider may get 403 rather than 404, and why.
DOCUMENTED_403: dict[str, str] = {}

# Kinds that belong to one household / one building: the resident of 3-2-501 and the leader of
# building 3 are scanned on routes whose every object is of these kinds.
HOUSEHOLD_KINDS = {
    "household",
    "resident",
    "ticket",
    "photo",
    "notification",
    "correction",
    "careperson",
}
BUILDING_KINDS = HOUSEHOLD_KINDS | {"building", "forum", "opinion"}


def is_admin(route: Route) -> bool:
    return route.name.startswith("admin:") or route.pattern.startswith("admin/")


def param_map(route: Route) -> dict[str, object]:
    """Parameter → kind or literal, or raise naming the route and the unmapped parameter."""
    if route.api_path:
        found = dict(ROUTE_PARAMS.get(route.name, {}))
        for p in route.params:
            found.setdefault(p, API_PARAM_KIND.get(p))
    else:
        found = dict(ROUTE_PARAMS.get(route.name, {}))
        if "pk" in route.params and "pk" not in found:
            for prefix, kind in PREFIX_PK.items():
                if route.name.startswith(prefix):
                    found["pk"] = kind
                    break
    missing = [p for p in route.params if found.get(p) is None]
    if missing:
        raise LookupError(
            f"route {route.id!r} ({route.pattern}) takes {missing} that the access scan cannot "
            "map to an object: add it to ROUTE_PARAMS (or PUBLIC, with a reason) in "
            "tests/security/test_access_scan.py"
        )
    return {p: found[p] for p in route.params}


def _value(spec, objs: dict):
    if isinstance(spec, tuple):
        return spec[1]
    obj = objs[spec]
    return obj.code if spec == "community" else obj.pk


def build_url(route: Route, objs: dict) -> str:
    spec = param_map(route)
    kwargs = {p: _value(s, objs) for p, s in spec.items()}
    if route.api_path:
        return "/api" + route.api_path.removeprefix("/api").format(**kwargs)
    return reverse(route.name, kwargs=kwargs)


def kinds(route: Route) -> set[str]:
    return {s for s in param_map(route).values() if isinstance(s, str)}


# ---------------------------------------------------------------------------------------------
# Data
# Access-scan data: every kind of object that a URL can name, in both communities.
#
# The xincun objects sit in building 4 / household 4-1-101 where they have a place, so one set
# serves every refused persona: the outsider (nancun staff), the resident of 3-2-501, and the
# leader of building 3. The nancun twins exist so the outsider's own scope is not empty (a view
# that looked an object up by id alone would then hand over the xincun one) and so the scan can
# show that each URL it builds does reach a real object for someone allowed to see it.


def _jpeg() -> ContentFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(buf, "JPEG")
    return ContentFile(buf.getvalue(), name="p.jpg")


def _objects(*, community, building, household, resident, requester, staff) -> dict:
    """One of each kind, in ``community`` (placed in ``building``/``household``)."""
    o: dict = {"community": community, "building": building, "household": household}
    o["resident"] = resident
    o["careperson"] = care_services.person_enroll(
        actor=staff, resident=resident, tier="high", reason="扫描"
    )  # care
    o["membership"] = RoleMembership.objects.filter(community=community).first()
    o["user"] = o["membership"].user  # an account of the community
    o["notification"] = Notification.objects.create(
        recipient=requester, channel="in_app", verb="scan.test", title="scan"
    )
    o["import"] = RegistryImport.objects.create(
        community=community, uploaded_by=staff, original_name="名册.xlsx", file_path="x.sealed"
    )
    o["correction"] = ContactCorrection.objects.create(  # h/newoffice
        community=community, resident=resident, household=household, phone="13900000000"
    )
    o["team"] = HandlingTeam.objects.create(community=community, name="scan team")
    o["category"] = Category.objects.create(community=community, code="scan", name="扫描")
    o["ticket"] = ticket_services.ticket_submit(
        actor=requester, category=o["category"], description="扫描用", household=household
    )
    photo = TicketPhoto(ticket=o["ticket"], uploaded_by=requester)
    photo.image.save("p.jpg", _jpeg(), save=True)
    o["photo"] = photo
    topic = Topic.objects.create(community=community, title="扫描议题", source="staff")
    o["topic"] = topic
    o["action"] = ActionItem.objects.create(
        topic=topic, community=community, title="扫描行动", owner=staff
    )
    meeting = Meeting.objects.create(
        community=community,
        body="residents_council",
        status="noticed",  # so its QR page exists too
        title="扫描会议",
        starts_at=timezone.now() + dt.timedelta(days=10),
        location="活动室",
        created_by=staff,
    )
    o["meeting"] = meeting
    o["invitation"] = Invitation.objects.create(meeting=meeting, user=staff)
    o["resolution"] = Resolution.objects.create(meeting=meeting, topic=topic, text="扫描决议")
    survey = Survey.objects.create(community=community, title="扫描调查", created_by=staff)
    o["survey"] = survey
    o["question"] = Question.objects.create(survey=survey, kind="text", text="意见?")
    SurveyAssignment.objects.create(survey=survey, household=household, surveyor=staff)
    forum = Forum.objects.create(
        community=community,
        building=building,
        held_on=timezone.localdate(),
        title="扫描楼栋会",
        created_by=staff,
    )
    o["forum"] = forum
    o["opinion"] = Opinion.objects.create(forum=forum, theme="电梯", text="扫描意见")
    o["vote"] = Vote.objects.create(
        community=community,
        topic=topic,
        title="扫描表决",
        question="是否?",
        rule="consultative",
        created_by=staff,
    )
    o["mediation_case"] = MediationCase.objects.create(
        community=community,
        committee=mediation_services.committee_for(community),
        number="2026-999",
        dispute_type="noise",
        facts="扫描用",
    )
    from tests.volunteers.scan_objects import volunteer_objects  # volunteers

    o.update(volunteer_objects(community=community, staff=staff))
    return o


@pytest.fixture
def scan(world):
    """``scan.target``: xincun objects (building 4, household 4-1-101); ``scan.own``: the
    nancun twins that the outsider may reach."""
    nancun_user = make_user("nancun_resident", phone="13600001111", resident=world.nancun_resident)
    grant(nancun_user, "resident", world.hh_nancun)
    target = _objects(
        community=world.xincun,
        building=world.b4,
        household=world.hh_4_1_101,
        resident=world.wang_wu,
        requester=world.other_resident,
        staff=world.staff,
    )
    own = _objects(
        community=world.nancun,
        building=world.hh_nancun.building,
        household=world.hh_nancun,
        resident=world.nancun_resident,
        requester=nancun_user,
        staff=world.outsider,
    )
    # The outsider's own notification, so notifications_read has a reachable twin.
    own["notification"].recipient = world.outsider
    own["notification"].save()

    class Scan:
        pass

    s = Scan()
    s.world, s.target, s.own = world, target, own
    return s


# ---------------------------------------------------------------------------------------------
# Requests and verdicts


def _requests(client, route: Route, url: str):
    """(method, response) pairs: the API operation's own method; GET and an empty POST for a
    page (POST-only views answer GET with 405, so the POST is what reaches them)."""
    if route.api_path:
        if route.method == "GET":
            return [("GET", client.get(url))]
        return [(route.method, client.generic(route.method, url, route.body, "application/json"))]
    return [("GET", client.get(url)), ("POST", client.post(url, {}))]


def _login_redirect(resp) -> bool:
    if resp.status_code not in (301, 302):
        return False
    target = urlsplit(resp["Location"]).path
    return target.startswith(resolve_url(settings.LOGIN_URL)) or target.startswith("/admin/login/")


def _check(route: Route, who: str, method: str, resp, allowed: set[int], *, anon: bool = False):
    where = f"{route.id} as {who} ({method} {resp.request['PATH_INFO']})"
    assert resp.status_code < 500, f"{where}: server error {resp.status_code}"
    if resp.status_code == 405:
        return
    if anon and _login_redirect(resp):
        return
    assert resp.status_code in allowed, (
        f"{where}: got {resp.status_code}, expected one of {sorted(allowed)} "
        f"(Location: {resp.get('Location', '-')})"
    )


SCANNED = [r for r in PAGES + APIS if r.name not in PUBLIC and not is_admin(r)]


def test_the_scan_enumerates_routes():
    assert len(PAGES) >= MIN_PAGE_ROUTES, f"only {len(PAGES)} page routes with parameters found"
    assert len(APIS) >= MIN_API_OPERATIONS, f"only {len(APIS)} API operations with parameters"
    assert len(SCANNED) >= MIN_PAGE_ROUTES + MIN_API_OPERATIONS - len(PUBLIC) - 1


def test_every_route_is_mapped():
    """A route added without a mapping (or a PUBLIC entry) fails here, by name."""
    problems = []
    for r in SCANNED:
        try:
            param_map(r)
        except LookupError as e:
            problems.append(str(e))
    assert not problems, "\n".join(problems)


def test_allow_lists_name_real_routes():
    names = {r.name for r in PAGES + APIS}
    stale = [n for n in [*PUBLIC, *DOCUMENTED_403] if n not in names]
    assert not stale, f"allow-list entries for routes that no longer exist: {stale}"
    for name, reason in [*PUBLIC.items(), *DOCUMENTED_403.items()]:
        assert reason.strip(), name


@pytest.mark.parametrize("route", SCANNED, ids=lambda r: r.id)
def test_refused_personas_get_nothing(route, scan, as_user):
    _scan_route(route, scan, as_user)


def _scan_route(route: Route, scan, as_user) -> None:
    w, target, own = scan.world, scan.target, scan.own
    url = build_url(route, target)  # raises, naming the route, if unmapped
    route_kinds = kinds(route)

    outsider_codes = {404} | ({403} if route.name in DOCUMENTED_403 else set())
    for method, resp in _requests(as_user(w.outsider), route, url):
        _check(route, "outsider (nancun staff)", method, resp, outsider_codes)

    if route_kinds <= HOUSEHOLD_KINDS:
        for method, resp in _requests(as_user(w.resident), route, url):
            _check(route, "resident of 3-2-501", method, resp, {404})

    if route_kinds <= BUILDING_KINDS:
        for method, resp in _requests(as_user(w.leader), route, url):
            _check(route, "leader of building 3", method, resp, {403, 404})

    for method, resp in _requests(as_user(None), route, url):
        _check(route, "anonymous", method, resp, {401, 403, 404}, anon=True)

    # The control: the same route, built the same way, does reach the outsider's own nancun
    # object, so the 404s above are refusals and not a mis-built URL.
    own_url = build_url(route, own)
    assert own_url != url
    resp = as_user(w.outsider).get(own_url)
    assert resp.status_code != 404 or route.name in CONTROL_404, (
        f"{route.id}: the outsider gets 404 on their own community's object too ({own_url}); "
        "the scan's URL for this route is not reaching an object"
    )


# Routes whose GET is 404 even on an object the outsider may handle, with the reason.
CONTROL_404: dict[str, str] = {}


def test_an_unmapped_route_fails_by_name():
    new = Route(name="things:thing_detail", pattern="things/<int:thing>/", params=("thing",))
    with pytest.raises(LookupError, match="things:thing_detail"):
        param_map(new)


@pytest.mark.parametrize(
    "name", ["tickets:detail", "registry:household", "GET /api/tickets/{ticket_id}"]
)
def test_the_scan_catches_a_scope_leak(name, scan, as_user, monkeypatch):
    """With the policy's scope check switched off, the scan must fail: it tests something."""
    from linli.core import policy

    monkeypatch.setattr(policy, "in_scope", lambda actor, qs: qs)
    monkeypatch.setattr(policy, "can", lambda actor, action, obj, **known: True)
    monkeypatch.setattr(policy, "_get_in_scope_by_pk", lambda actor, qs, lookup: qs.get(**lookup))
    route = next(r for r in SCANNED if r.id == name)
    with pytest.raises(AssertionError):
        _scan_route(route, scan, as_user)


@pytest.mark.parametrize("route", [r for r in PAGES if r.name in PUBLIC], ids=lambda r: r.name)
def test_public_routes_never_fail(route, scan, as_user):
    kwargs = {p: PUBLIC_VALUES[p] for p in route.params if p in PUBLIC_VALUES}
    if route.name == "open311:request":
        kwargs["service_request_id"] = scan.target["ticket"].pk
    url = reverse(route.name, kwargs=kwargs)
    for who in (None, scan.world.outsider, scan.world.resident):
        resp = as_user(who).get(url)
        assert resp.status_code < 500, f"{route.name}: {resp.status_code}"
        if route.name in ("deliberation:meeting_checkin", "open311:token"):
            assert resp.status_code in (302, 404), f"{route.name}: wrong token answered"
            if resp.status_code == 302:
                assert who is None and _login_redirect(resp)
        if route.name == "open311:request" and resp.status_code == 200:
            body = resp.content.decode()
            assert scan.target["household"].label not in body
            assert scan.world.wang_wu.name not in body
            assert not re.search(r"13700009999", body)


def test_admin_routes_need_staff_status(scan, as_user):
    """The Django admin (is_staff only) is reached by none of the personas: every admin route
    that takes an id sends them to the admin login."""
    admin_routes = [r for r in PAGES if is_admin(r)]
    assert admin_routes
    for r in admin_routes:
        url = "/" + re.sub(r"<[^>]+>", "1", r.pattern)
        if "(?P<" in url:
            url = "/admin/registry/household/1/change/"
        for who in (None, scan.world.outsider, scan.world.staff, scan.world.secretary):
            resp = as_user(who).get(url)
            assert resp.status_code < 500, f"{r.name}: {resp.status_code}"
            assert resp.status_code in (302, 404) and (
                resp.status_code == 404 or _login_redirect(resp)
            ), f"{r.name} as {who}: {resp.status_code}"
