"""Care pages: thin — parse, call one service or query, render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core import access, disclosure, policy
from linli.core.events import log_event
from linli.core.exports import Column, ListExport
from linli.core.pages import form_page, form_post, run_action
from linli.registry.models import Community, Resident

from . import coverage as cov
from . import forms, queries, services
from .models import CARE_TAGS, CarePerson, FollowUp


def _community(request: HttpRequest, code: str, action: str) -> Community:
    return policy.get_for(request.user, Community.objects.all(), action, code=code)


def _month(value: str | None) -> dt.date:
    try:
        return dt.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


def _shown(request: HttpRequest, people: list[CarePerson], on: Any) -> None:
    """Names and phones as this viewer may see them (children masked, phones per role)."""
    v = disclosure.viewer(request.user, on)
    for p in people:
        p.shown_name = disclosure.name(v, p.resident)  # type: ignore[attr-defined]
        p.shown_phone = disclosure.phone(v, p.resident.phone)  # type: ignore[attr-defined]


# --- a visitor's pages -------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    data = queries.my_visits(request.user)
    for group in ("overdue", "due"):
        for p in data[group]:
            _shown(request, [p], p)

    # The way to the office's pages (register, coverage, love lunches) of each community the
    # person may see them in: without it the register is reachable only by its address.
    def _in(action: str) -> list[Community]:
        return list(policy.scope_filter(request.user, Community.objects.order_by("code"), action))

    offices = {
        "manage": _in("care.manage"),
        "coverage": _in("care.coverage"),
        "meals": _in("care.meals"),
    }
    return render(
        request, "care/mine.html", {**data, "offices": offices, "today": timezone.localdate()}
    )


@login_required
def sheet(request: HttpRequest) -> HttpResponse:
    people = queries.week_sheet(request.user)
    for p in people:
        _shown(request, [p], p)
    return render(request, "care/sheet.html", {"people": people, "today": timezone.localdate()})


@login_required
def sheet_pdf(request: HttpRequest) -> HttpResponse:
    """The weekly visit sheet as an A4 PDF (core/documents.py)."""
    from linli.core import documents

    people = queries.week_sheet(request.user)
    today = timezone.localdate()
    rows = []
    for p in people:
        v = disclosure.viewer(request.user, p)
        rows.append(
            {
                "room": p.resident.household.label,
                "name": disclosure.name(v, p.resident),
                "phone": disclosure.phone(v, p.resident.phone),
                "last": p.last_reached_on.isoformat() if p.last_reached_on else "—",
                "due": _("Overdue")
                if p.overdue  # type: ignore[attr-defined]
                else (p.due_on.isoformat() if p.due_on else ""),
            }
        )
    labels = {
        "heading": _("Visit sheet"),
        "check": _("health, money, family, water, power, gas, heating, needs"),
        "columns": [
            _("Room"), _("Name"), _("Phone"), _("Last visited"), _("Due"), _("What to check"),
            _("Done"),
        ],
    }  # fmt: skip
    community = people[0].resident.community.name if people else ""
    doc = documents.render_pdf(
        "care/documents/visit_sheet.typ",
        {"labels": labels, "rows": rows, "subtitle": today.isoformat()},
        community=community,
        title=str(_("Visit sheet")),
    )
    return documents.pdf_response(doc, f"visit-sheet-{today.isoformat()}.pdf")


@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    p = queries.person_get_for(request.user, pk, purpose="care.person_page")
    _shown(request, [p], p)
    manage = policy.can(request.user, "care.manage", p)
    ctx: dict[str, Any] = {"p": p, "manage": manage, **queries.person_page(request.user, p)}
    ctx["can_visit"] = policy.can(request.user, "care.visit", p)
    if manage:
        ctx.update(
            tier_form=forms.TierForm(initial={"tier": p.tier}),
            frequency_form=forms.FrequencyForm(initial={"frequency_days": p.frequency_days}),
            assign_form=forms.AssignForm(community_id=p.community_id),
            contact_form=forms.ContactForm(),
            consent_form=forms.ConsentForm(),
            health_form=forms.HealthNoteForm(),
            health_note=services.health_note_of(p),
        )
        if p.has_health_note:
            access.record_reads(
                request.user, [p.resident], kind=access.REVEALED, purpose="care.person_page"
            )
    return render(request, "care/person.html", ctx)


@login_required
def visit_new(request: HttpRequest, pk: int) -> HttpResponse:
    p = queries.person_get_for(request.user, pk, "care.visit", purpose="care.visit_form")
    _shown(request, [p], p)
    form = forms.VisitForm(request.POST or None, community_id=p.community_id)

    return form_page(
        request,
        form,
        # The form's fields are the service's arguments (an empty choice is "").
        lambda d: services.visit_record(actor=request.user, person=p, **d),
        template="care/visit_form.html",
        context={"p": p, "FollowUp": FollowUp},
        done=_("The visit is recorded."),
        to=reverse("care:mine"),
    )


# --- the office's pages -------------------------------------------------------------------


# The person page's small forms: the form (bound to the POST) and the service it feeds
# (``service(actor=, person=, **cleaned_data)``); one view saves each and goes back to the page.
PERSON_FORMS: dict[str, tuple[Callable[[CarePerson, Any], Any], Callable[..., Any]]] = {
    "tier": (lambda p, data: forms.TierForm(data), services.person_set_tier),
    "frequency": (lambda p, data: forms.FrequencyForm(data), services.person_set_frequency),
    "assign": (
        lambda p, data: forms.AssignForm(data, community_id=p.community_id),
        services.visitor_assign,
    ),
    "contact": (lambda p, data: forms.ContactForm(data), services.contact_add),
    "consent": (lambda p, data: forms.ConsentForm(data), services.consent_record),
    "health_note": (lambda p, data: forms.HealthNoteForm(data), services.health_note_set),
}


@login_required
@require_POST
def person_edit(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    p = policy.get_for(
        request.user, CarePerson.objects.select_related("resident"), "care.manage", pk=pk
    )
    form, service = PERSON_FORMS[what]  # the URLconf names the form
    return form_post(
        request,
        form(p, request.POST),
        lambda d: service(actor=request.user, person=p, **d),
        done=_("Saved."),
        to=reverse("care:person", args=[p.pk]),
    )


@login_required
def register(request: HttpRequest, code: str) -> HttpResponse:
    c = _community(request, code, "care.manage")
    listing = queries.register_for(request, c)
    _shown(request, list(listing.page.object_list), c)
    return render(
        request,
        "care/register.html",
        {"community": c, "listing": listing, "page": listing.page},
    )


@login_required
def enroll(request: HttpRequest, code: str) -> HttpResponse:
    c = _community(request, code, "care.manage")
    form = forms.EnrollForm(request.POST or None)

    def run(d: dict[str, Any]) -> Any:
        resident = policy.get_for(
            request.user, Resident.objects.all(), "care.manage", pk=d["resident"]
        )
        if resident.community_id != c.pk:
            raise Http404
        return services.person_enroll(
            actor=request.user,
            resident=resident,
            tier=d["tier"],
            reason=d["reason"],
            consent={
                "given_by": d["consent_given_by"],
                "relation": d["consent_relation"],
                "given_on": d["consent_given_on"],
                "method": d["consent_method"],
            },
        )

    candidates = list(
        Resident.objects.filter(
            community=c, status="active", tags__code__in=CARE_TAGS, care__isnull=True
        )
        .select_related("household")
        .distinct()
        .order_by("household__label", "id")[:50]
    )
    access.record_reads(request.user, candidates, kind=access.LISTED, purpose="care.register")
    v = disclosure.viewer(request.user, c)
    for r in candidates:
        r.shown_name = disclosure.name(v, r)  # type: ignore[attr-defined]
    return form_page(
        request,
        form,
        run,
        template="care/enroll.html",
        context={"community": c, "candidates": candidates},
        done=_("Added to the care register."),
        to=lambda p: reverse("care:person", args=[p.pk]),
    )


@login_required
def event_new(request: HttpRequest, code: str) -> HttpResponse:
    c = _community(request, code, "care.manage")
    form = forms.EventForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda d: services.event_declare(actor=request.user, community=c, **d),
        template="care/event_form.html",
        context={"community": c},
        done=_("The event is declared: high-risk people are due a visit within 24 hours."),
        to=reverse("care:register", args=[c.code]) + "?overdue=1",
    )


@login_required
def coverage(request: HttpRequest, code: str) -> HttpResponse:
    c = _community(request, code, "care.coverage")
    month = _month(request.GET.get("month"))
    lines = cov.coverage(request.user, c, month)
    return render(
        request,
        "care/coverage.html",
        {
            "community": c,
            "month": month,
            "lines": lines,
            "total": cov.totals(lines),
            "target": cov.TARGET_PCT,
            "drill": policy.can(request.user, "care.unvisited", c),
        },
    )


@login_required
def unvisited(request: HttpRequest, code: str) -> HttpResponse:
    c = _community(request, code, "care.unvisited")
    month = _month(request.GET.get("month"))
    dim = request.GET.get("dim", "")
    if dim and dim not in cov.DIMENSIONS:
        dim = ""
    people = queries.unvisited_for(
        request.user, c, month, dim=dim, value=request.GET.get("value", "")
    )
    _shown(request, people, c)
    return render(
        request,
        "care/unvisited.html",
        {"community": c, "month": month, "people": people, "dim": dim},
    )


@login_required
def export(request: HttpRequest, code: str) -> HttpResponse | FileResponse:
    """The register as CSV: names masked by the one disclosure function, phones masked, no
    health content; the export is logged and every row a recorded read."""
    c = _community(request, code, "care.export")
    # What the register shows: its filters and order (the link carries them), every page.
    people = list(queries.register_filtered_for(request, c))
    v = disclosure.MASKED
    rows = [
        (
            p.resident.household.label,
            disclosure.name(v, p.resident),
            disclosure.phone(v, p.resident.phone),
            str(p.get_tier_display()),
            p.last_reached_on,
            p.due_on,
        )
        for p in people
    ]
    access.record_reads(
        request.user, [p.resident for p in people], kind=access.EXPORTED, purpose="care.export"
    )
    log_event(actor=request.user, verb="care.exported", obj=c, data={"rows": len(rows)})
    exp = ListExport(
        [
            Column(_("Room")),
            Column(_("Name")),
            Column(_("Phone")),
            Column(_("Risk tier")),
            Column(_("Last visited"), kind="date"),
            Column(_("Next visit due"), kind="date"),
        ],
        rows,
        title=_("Care register"),
        filename=f"care-{c.code}",
    )
    return exp.response("xlsx" if request.GET.get("format") == "xlsx" else "csv")


# --- love lunches and home help -------------------------------------------------------------


@login_required
def meals(request: HttpRequest, code: str) -> HttpResponse:
    c = _community(request, code, "care.meals")
    try:
        week_of = dt.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        week_of = timezone.localdate()
    data = queries.meal_roster(request.user, c, week_of=week_of)
    v = disclosure.viewer(request.user, c)
    for r in data["recipients"]:
        r.shown_name = disclosure.name(v, r.person.resident)
    for d in data["days"]:
        d.rows = [(r, d.status_of.get(r.person_id, "")) for r in data["recipients"]]
    return render(
        request,
        "care/meals.html",
        {
            "community": c,
            **data,
            "today": timezone.localdate(),
            "manage": policy.can(request.user, "care.manage", c),
            "help_form": forms.HelpForm(),
        },
    )


@login_required
@require_POST
def meal_deliver(request: HttpRequest, code: str) -> HttpResponse:
    from .models import MealDay

    c = _community(request, code, "care.meals")
    to = reverse("care:meals", args=[c.code])
    day = MealDay.objects.filter(community=c, pk=request.POST.get("day") or 0).first()
    if day is None:
        raise Http404
    p = policy.get_for(
        request.user,
        CarePerson.objects.select_related("resident"),
        "care.meals",
        pk=int(request.POST.get("person") or 0),
    )
    status = request.POST.get("status", "")
    return run_action(
        request,
        lambda: services.meal_deliver(actor=request.user, day=day, person=p, status=status),
        done=_("Saved."),
        to=to + f"?week={day.day.isoformat()}",
    )


@login_required
@require_POST
def help_new(request: HttpRequest, code: str) -> HttpResponse:
    c = _community(request, code, "care.meals")
    form = forms.HelpForm(request.POST)
    tz = timezone.get_current_timezone()
    return form_post(
        request,
        form,
        lambda d: services.help_record(
            actor=request.user,
            community=c,
            kind=d["kind"],
            started_at=dt.datetime.combine(d["day"], d["start"], tzinfo=tz),
            ended_at=dt.datetime.combine(d["day"], d["end"], tzinfo=tz),
            note=d["note"],
        ),
        done=_("Your care work is recorded."),
        to=reverse("care:meals", args=[c.code]),
    )
