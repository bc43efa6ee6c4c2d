"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) at ``/open311/v2/``.

Every endpoint answers in ``.json`` and ``.xml``; errors use the spec's error format. The
jurisdiction is a community (``jurisdiction_id`` = its code, optional). A service is a request
category; its ``service_code`` is ``<community>.<category>`` (a bare category code is accepted
where the community is known).

Reading is public, so it follows FixMyStreet's practice: only public requests are listed
(``models.public_q``: a public category, the requester did not ask for privacy, the office
did not hide it, neither withdrawn nor merged as a duplicate); their text is the moderated
``public_text`` (scrubbed of names, phones, ID numbers and rooms, editable by the office), never
the description as typed; the office's replies are not published (they are written to one
person — ``status_notes`` is the status); no requester data at all; and for a request about a
household only the building (never the room, the map position or a photo). A request that is
not public answers as an unknown one (404).

Posting needs an API key (``apikeys.py``), in the POST body (``api_key``) or the
``X-Api-Key`` header — never in the URL, where access logs keep it — and goes through the
services like every other channel.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from django.db.models import Q
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from linli.core.public import community_names, scrub_public_text
from linli.core.ratelimit import rate_limit
from linli.registry.models import Community

from . import apikeys
from .apikeys import Open311Error, qualified_code, split_service_code
from .models import (
    FINAL_STATES,
    OPEN_STATES,
    Category,
    Channel,
    Status,
    Ticket,
    public_q,
)
from .workflow import TicketError

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-25T00:00:00Z"  # when this endpoint's behaviour last changed
FORMATS = ["text/xml", "application/json"]
MAX_PAGE_SIZE = 1000
DEFAULT_DAYS = 90

# XML: a list under a plural tag holds one child per item under the singular tag.
_SINGULAR = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


# --- rendering -----------------------------------------------------------------------------


# Characters XML 1.0 cannot carry at all (escaping does not help): control characters, lone
# surrogates and the two non-characters. A request's text may hold them; the XML must not.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _XML_ILLEGAL.sub("\ufffd", str(value))


def _xml_fill(parent: ET.Element, data: dict) -> None:
    for key, value in data.items():
        el = ET.SubElement(parent, key)
        if isinstance(value, list):
            child_tag = _SINGULAR.get(key, "item")
            for item in value:
                child = ET.SubElement(el, child_tag)
                if isinstance(item, dict):
                    _xml_fill(child, item)
                else:
                    child.text = _text(item)
        elif isinstance(value, dict):
            _xml_fill(el, value)
        else:
            el.text = _text(value)


def _render(fmt: str, data, *, root: str, item: str | None = None, status: int = 200):
    """``data`` is a list of dicts (rendered as ``<root><item>…</item></root>``) or, with
    ``item=None``, one dict (``<root>…</root>``)."""
    if fmt == "xml":
        el = ET.Element(root)
        if item is None:
            _xml_fill(el, data)
        else:
            for row in data:
                _xml_fill(ET.SubElement(el, item), row)
        body = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(el, encoding="unicode")
        return HttpResponse(body.encode(), status=status, content_type="text/xml; charset=utf-8")
    return HttpResponse(
        json.dumps(data, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def _error(fmt: str, status: int, description) -> HttpResponse:
    return _render(
        fmt,
        [{"code": status, "description": str(description)}],
        root="errors",
        item="error",
        status=status,
    )


def _when(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _open311_errors(view):
    """Domain and protocol errors → the spec's error format with the right HTTP code."""

    def wrapped(request, *args, fmt: str, **kwargs):
        try:
            _refuse_nul(request.GET)
            return view(request, *args, fmt=fmt, **kwargs)
        except TicketError as e:
            return _error(fmt, getattr(e, "status_code", 400), e.message)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _jurisdiction(params) -> Community | None:
    code = (params.get("jurisdiction_id") or "").strip()
    if not code:
        return None
    community = Community.objects.filter(code=code).first()
    if community is None:
        raise Open311Error(_("Unknown jurisdiction_id: %(id)s") % {"id": code[:40]}, 404)
    return community


# --- discovery and services ----------------------------------------------------------------


@require_GET
@_open311_errors
def discovery(request, fmt: str):
    data = {
        "changeset": CHANGESET,
        "contact": _("Ask your community office."),
        "key_service": _("API keys are issued by the community office (linli open311-key)."),
        "endpoints": [
            {
                "specification": SPEC_URL,
                "url": request.build_absolute_uri(reverse("open311:root")).rstrip("/"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": FORMATS,
            }
        ],
    }
    return _render(fmt, data, root="discovery")


def _service(c: Category) -> dict:
    return {
        "service_code": qualified_code(c),
        "service_name": str(c),
        "description": c.description or None,
        "metadata": bool(c.attributes),
        "type": "realtime",
        "keywords": c.keywords or None,
        "group": c.community.name,
    }


def _categories(community: Community | None):
    qs = Category.objects.filter(active=True).select_related("community")
    if community is not None:
        qs = qs.filter(community=community)
    return qs.order_by("community__code", "sort", "name")


@require_GET
@_open311_errors
def services_list(request, fmt: str):
    cats = _categories(_jurisdiction(request.GET))
    return _render(fmt, [_service(c) for c in cats], root="services", item="service")


def _find_category(code: str, community: Community | None) -> Category:
    community_code, bare = split_service_code(code)
    qs = _categories(community).filter(code=bare)
    if community_code is not None:
        qs = qs.filter(community__code=community_code)
    found = list(qs[:2])
    if len(found) != 1:  # unknown, or a bare code that several communities use
        raise Open311Error(_("Unknown service_code: %(code)s") % {"code": code[:60]}, 404)
    return found[0]


def _attribute(order: int, a: dict) -> dict:
    return {
        "variable": True,
        "code": a.get("code"),
        "datatype": a.get("datatype") or "string",
        "required": bool(a.get("required")),
        "datatype_description": a.get("datatype_description") or None,
        "order": a.get("order") or order,
        "description": a.get("description") or a.get("code"),
        "values": [{"key": v.get("key"), "name": v.get("name")} for v in a.get("values", [])],
    }


@require_GET
@_open311_errors
def service_definition(request, service_code: str, fmt: str):
    category = _find_category(service_code, _jurisdiction(request.GET))
    data = {
        "service_code": qualified_code(category),
        "attributes": [_attribute(i, a) for i, a in enumerate(category.attributes or [], 1)],
    }
    return _render(fmt, data, root="service_definition")


# --- reading requests ----------------------------------------------------------------------


def _address(t: Ticket, names: dict) -> str:
    """Building level at most: never a room; a place described in words is scrubbed."""
    parts: list[str] = []
    if t.building_id:
        parts.append(str(t.building))
    if not t.household_id:
        if t.unit_id:
            parts.append(str(t.unit))
        if t.location_text:
            if t.community_id not in names:  # once per community and answer
                names[t.community_id] = community_names(t.community_id)
            parts.append(scrub_public_text(t.location_text, known=names[t.community_id]))
    parts.append(t.community.name)
    return ", ".join(parts)


def _request(t: Ticket, names: dict) -> dict:
    public_spot = not t.household_id
    with translation.override("en"):
        state = str(Status(t.status).label)
    media = t.attributes.get("media_url") if isinstance(t.attributes, dict) else None
    return {
        "service_request_id": t.pk,
        "status": "open" if t.status in OPEN_STATES else "closed",
        # The status only: replies are written to the requester, not to the public.
        "status_notes": state,
        "service_name": str(t.category),
        "service_code": qualified_code(t.category),
        "description": t.public_text,
        "agency_responsible": t.community.name,
        "service_notice": None,
        "requested_datetime": _when(t.created_at),
        "updated_datetime": _when(t.updated_at),
        "expected_datetime": _when(t.resolve_by),
        "address": _address(t, names),
        "address_id": f"building:{t.building.number}" if public_spot and t.building_id else None,
        "zipcode": None,
        "lat": float(t.lat) if public_spot and t.lat is not None else None,
        "long": float(t.long) if public_spot and t.long is not None else None,
        "media_url": media if public_spot and media and re.match(r"^https?://", media) else None,
    }


def _requests(rows) -> list[dict]:
    names: dict = {}
    return [_request(t, names) for t in rows]


def _tickets():
    """The requests the public may read, and nothing else."""
    return (
        Ticket.objects.filter(public_q())
        .select_related("community", "category__community", "building", "unit")
        .defer("description")
    )


def _moment(raw: str, name: str, *, end: bool = False) -> dt.datetime:
    try:
        value = parse_datetime(raw)
        day = parse_date(raw) if value is None else None
    except ValueError:  # well formed but impossible, e.g. 2026-13-45
        value = day = None
    if value is None:
        if day is None:
            raise Open311Error(_("%(name)s is not an ISO 8601 date.") % {"name": name}, 400)
        value = dt.datetime.combine(day, dt.time.max if end else dt.time.min)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _positive(raw: str, name: str, default: int, top: int) -> int:
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise Open311Error(_("%(name)s must be a positive whole number.") % {"name": name}, 400)
    return min(int(raw), top)


def _split(raw: str) -> list[str]:
    return [p.strip() for p in (raw or "").split(",") if p.strip()]


def _requests_get(request, fmt: str) -> HttpResponse:
    params = request.GET
    community = _jurisdiction(params)
    qs = _tickets()
    if community is not None:
        qs = qs.filter(community=community)
    ids = _split(params.get("service_request_id", ""))
    if ids:
        # The spec: a list of ids overrides every other argument.
        if not all(i.isdigit() and len(i) <= 18 for i in ids):
            raise Open311Error(_("service_request_id must be numbers."), 400)
        qs = qs.filter(pk__in=[int(i) for i in ids[:MAX_PAGE_SIZE]])
        return _render(fmt, _requests(qs), root="service_requests", item="request")

    codes = _split(params.get("service_code", ""))
    if codes:
        q = Q()
        for code in codes:
            community_code, bare = split_service_code(code)
            term = Q(category__code=bare)
            if community_code is not None:
                term &= Q(community__code=community_code)
            q |= term
        qs = qs.filter(q)
    statuses = _split(params.get("status", ""))
    if statuses:
        if not set(statuses) <= {"open", "closed"}:
            raise Open311Error(_("status must be open or closed."), 400)
        wanted = set()
        if "open" in statuses:
            wanted |= OPEN_STATES
        if "closed" in statuses:
            wanted |= FINAL_STATES
        qs = qs.filter(status__in=wanted)
    end = _moment(params["end_date"], "end_date", end=True) if params.get("end_date") else None
    start = _moment(params["start_date"], "start_date") if params.get("start_date") else None
    if start is None:
        start = (end or timezone.now()) - dt.timedelta(days=DEFAULT_DAYS)
    qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lte=end)

    page = _positive(params.get("page", ""), "page", 1, 10**6)
    size = _positive(params.get("page_size", ""), "page_size", MAX_PAGE_SIZE, MAX_PAGE_SIZE)
    rows = qs.order_by("-created_at", "-id")[(page - 1) * size : page * size]
    return _render(fmt, _requests(rows), root="service_requests", item="request")


def _attributes_from(post) -> dict[str, Any]:
    """``attribute[code]=v`` and, for several values, ``attribute[code][]=v``."""
    values: dict[str, Any] = {}
    for name in post:
        m = re.fullmatch(r"attribute\[([^\]]+)\](\[\])?", name)
        if not m:
            continue
        got = post.getlist(name)
        if m.group(2) or len(got) > 1:
            values.setdefault(m.group(1), [])
            if isinstance(values[m.group(1)], list):
                values[m.group(1)].extend(got)
        else:
            values[m.group(1)] = got[0] if got else ""
    return values


def _api_key(request) -> str:
    """The key from the POST body or the ``X-Api-Key`` header. In the URL it would be kept
    by every access log and proxy on the way: refused, so that clients move it."""
    if "api_key" in request.GET:
        raise Open311Error(
            _(
                "Send api_key in the POST body or the X-Api-Key header, not in the URL "
                "(URLs are written to access logs). Treat this key as exposed and ask the "
                "office for a new one."
            ),
            400,
        )
    return request.POST.get("api_key") or request.headers.get("X-Api-Key") or ""


def _refuse_nul(post) -> None:
    """A NUL character is no text anyone typed; PostgreSQL cannot even store it."""
    for name, values in post.lists():
        if "\x00" in name or any("\x00" in v for v in values):
            raise Open311Error(
                _("%(name)s contains a NUL character.") % {"name": name.replace("\x00", "")[:40]},
                400,
            )


def _requests_post(request, fmt: str) -> HttpResponse:
    post = request.POST
    key = apikeys.apikey_authenticate(_api_key(request))
    _refuse_nul(post)
    community = _jurisdiction(post) or _jurisdiction(request.GET)
    if community is not None and community.pk != key.community_id:
        raise Open311Error(_("This api_key is not valid for this jurisdiction."), 403)
    fields = (
        "service_code",
        "description",
        "lat",
        "long",
        "address_string",
        "address_id",
        "first_name",
        "last_name",
        "phone",
        "email",
        "device_id",
        "account_id",
        "media_url",
    )
    ticket = apikeys.open311_ticket_create(
        key=key,
        attributes=_attributes_from(post),
        # Not in GeoReport v2: the requester asked that the report never be public.
        private=(post.get("private") or "").strip().lower() in ("1", "true", "yes", "on"),
        **{f: post.get(f, "") for f in fields},
    )
    notice = _(
        "We respond within %(hours)s hours and aim to resolve it within %(days)s working days."
    ) % {
        "hours": ticket.category.respond_within_hours,
        "days": ticket.category.resolve_within_workdays,
    }
    account = post.get("account_id") or None
    return _render(
        fmt,
        [{"service_request_id": ticket.pk, "service_notice": notice, "account_id": account}],
        root="service_requests",
        item="request",
    )


@csrf_exempt  # a machine client posting with an api_key, not a browser session
@require_http_methods(["GET", "POST"])
@rate_limit("open311_post")
@_open311_errors
def requests(request, fmt: str):
    if request.method == "POST":
        return _requests_post(request, fmt)
    return _requests_get(request, fmt)


@require_GET
@_open311_errors
def request_detail(request, service_request_id: str, fmt: str):
    community = _jurisdiction(request.GET)
    qs = _tickets().filter(pk=int(service_request_id))
    if community is not None:
        qs = qs.filter(community=community)
    t = qs.first()
    if t is None:
        raise Open311Error(
            _("Unknown service_request_id: %(id)s") % {"id": service_request_id}, 404
        )
    return _render(fmt, _requests([t]), root="service_requests", item="request")


@require_GET
@_open311_errors
def token(request, token: str, fmt: str):
    """Requests are created at once, so a token is the request's own id."""
    found = (
        Ticket.objects.filter(pk=int(token), channel=Channel.OPEN311).values("pk").first()
        if token.isdigit() and len(token) <= 18
        else None
    )
    if found is None:
        raise Open311Error(_("Unknown token: %(token)s") % {"token": token[:40]}, 404)
    return _render(
        fmt,
        [{"service_request_id": found["pk"], "token": token}],
        root="service_requests",
        item="request",
    )
