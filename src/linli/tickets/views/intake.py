"""Someone else's request, taken by the office (phone, walk-in, patrol …)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from linli.core import policy
from linli.core.pages import form_page

from .. import queries, services
from ..forms import (
    IntakeForm,
)

# --- someone else's request, taken by the office -------------------------------------------


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    actor = request.user
    policy.require_any(actor, "ticket.intake")
    choices = queries.intake_choices(actor)
    if request.method == "POST":
        room = (request.POST.get("lookup_room") or "").strip()
        phone = (request.POST.get("lookup_phone") or "").strip()[:24]
    else:
        room = (request.GET.get("room") or "").strip()
        phone = (request.GET.get("phone") or "").strip()[:24]
    found = queries.households_by_label(actor, room) if room else []
    residents = [r for hh in found for r in queries.residents_of(actor, hh)]
    # The caller's number finds them (and their room) as the room does.
    callers = queries.residents_by_phone(actor, phone) if phone else []
    residents += [r for r in callers if r.pk not in {x.pk for x in residents}]
    initial: dict = {}
    if found:
        initial.update(lookup_room=room, room_label=room)
    if callers:
        initial.update(lookup_phone=phone, requester_phone=phone)
        homes = {r.household.label for r in callers}
        if not found and len(homes) == 1:
            initial["room_label"] = homes.pop()
        if len(callers) == 1:
            initial["requester_resident"] = callers[0].pk
    form = IntakeForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        categories=choices["categories"],
        buildings=choices["buildings"],
        units=choices["units"],
        residents=residents,
        households_by_label=lambda label: queries.households_by_label(actor, label),
        actor=actor,
    )

    ctx = {"room": room, "found": found, "phone": phone, "callers": callers, "residents": residents}
    return form_page(
        request,
        form,
        lambda _d: services.ticket_intake(actor=actor, **form.service_kwargs()),
        template="tickets/intake.html",
        context=ctx,
        done=lambda t: _("Request #%(n)s recorded.") % {"n": t.pk},
        to=lambda t: reverse("tickets:detail", args=[t.pk]),
    )
