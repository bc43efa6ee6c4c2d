"""The printed work order of a request (派工单, issue 11, item 11): what a handler takes to the
job — number, category, place, description, deadlines, who handles it — with lines for the
handler's signature, the date done and the requester's confirmation.

Printed by whoever works on requests (``ticket.note``: the office, building leaders, grid
workers, the assigned handler and team); a resident, even the requester, gets 403, anyone
outside the request's places 404. The requester's phone goes through ``core.disclosure``:
in full for the office (who call back), masked (``138****5678``) for everyone else. Printing
it is a read of the requester's data, recorded (``core.access``) when they are registered.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core import access, disclosure, documents, policy

from . import handler_names, queries

PURPOSE = "tickets.work_order"
access.register_read_purposes(
    {PURPOSE: gettext_lazy("printed a work order for your request, with your name and phone")}
)


def _when(value) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i") if value else "—"


@login_required
def work_order_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    t = queries.ticket_get_for(actor, pk)
    policy.authorize(actor, "ticket.note", t)
    requesters = [r for r in queries.ticket_requesters(t) if r.primary] or []
    full_phone = disclosure.sees_full_phone(actor, t)
    people = []
    for r in requesters:
        phone = "" if r.anonymous else (r.phone or "")
        if phone and not full_phone:
            phone = disclosure.phone(disclosure.MASKED, phone)
        people.append({"name": r.display_name or "—", "phone": phone or "—"})
    access.record_reads(
        actor,
        [r.resident_id for r in requesters if r.resident_id and not r.anonymous],
        kind=access.VIEWED,
        purpose=PURPOSE,
        community_id=t.community_id,
    )
    facts = [
        (_("Request No."), f"#{t.pk}"),
        (_("Category"), str(t.category)),
        (_("Status"), t.get_status_display()),
        (_("Place"), t.place_label or "—"),
        (_("Received at"), _when(t.created_at)),
        (_("Respond by"), _when(t.respond_by)),
        (_("Resolve by"), _when(t.resolve_by)),
        (_("Handled by"), handler_names.staff_label(t)),
    ]
    if t.external_handler:
        facts.append((_("Their contact"), t.external_contact or "—"))
    data = {
        "ticket": {
            "number": f"#{t.pk}",
            "emergency": t.emergency,
            "facts": facts,
            "description": t.description,
            "requesters": people,
        },
        "labels": {
            "heading": _("Work order"),
            "emergency": _("Emergency"),
            "description": _("What was reported"),
            "requester": _("Requester"),
            "phone": _("Phone"),
            "work_done": _("Work done"),
            "handler_sign": _("Handler's signature"),
            "done_at": _("Done on"),
            "requester_sign": _("Requester's confirmation"),
            "date": _("Date"),
        },
    }
    doc = documents.render_pdf(
        "tickets/documents/work_order.typ",
        data,
        community=t.community.name,
        title=f"{_('Work order')} #{t.pk}",
        header=_("Work order"),
    )
    return documents.pdf_response(doc, f"work-order-{t.pk}.pdf")
