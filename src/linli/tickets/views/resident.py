"""The resident's pages: their requests and tasks, and reporting a problem."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from linli.core import policy
from linli.core.pages import form_page
from linli.core.ratelimit import rate_limit

from .. import pending, queries, services
from ..forms import (
    SubmitForm,
)
from ..models import (
    Ticket,
)
from ._common import _flag

# --- the resident --------------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    actor = request.user
    page = Paginator(queries.tickets_requested_by(actor), 20).get_page(request.GET.get("page"))
    _flag(page.object_list)
    ctx = {
        "page": page,
        "tasks": _flag(queries.tasks_for(actor)),
        "can_submit": policy.has_any(actor, "ticket.submit"),
        "can_intake": policy.has_any(actor, "ticket.intake"),
        "can_queue": policy.has_any(actor, "ticket.queue"),
    }
    return render(request, "tickets/mine.html", ctx)


def _emergency_post(request, kwargs) -> bool:
    return request.POST.get("emergency") in ("on", "1", "true")


@login_required
@rate_limit("submit")
@rate_limit("emergency", when=_emergency_post)
def submit(request: HttpRequest) -> HttpResponse:
    actor = request.user
    policy.require_any(actor, "ticket.submit")
    community, households = queries.resident_places(actor)
    if community is None:
        raise PermissionDenied
    categories = queries.submit_categories(community)
    buildings, units = queries.estate_units(community)
    initial = {}
    wanted = request.GET.get("category")
    if wanted:
        initial["category"] = next((c.pk for c in categories if c.code == wanted), None)
    # Photos survive a report sent back for a mistake (tickets/pending.py): the uploader's
    # kept ones, and each new upload that passes the checks, stored under a token.
    kept: list = []
    files = request.FILES or None
    if request.method == "POST":
        kept = pending.kept(actor, request.POST)
        new, left = pending.store(actor, request.FILES.getlist("photos"), len(kept))
        kept += new
        files = MultiValueDict({"photos": left}) if left else None
    form = SubmitForm(
        request.POST or None,
        files,
        initial=initial,
        categories=categories,
        households=households,
        buildings=buildings,
        units=units,
    )

    def run(_data) -> Ticket:
        kw = form.service_kwargs()
        kw["photos"] = pending.as_files(kept) + list(kw["photos"])
        t = services.ticket_submit(actor=actor, **kw)
        pending.attached(kept)
        if t.emergency:
            messages.warning(
                request,
                _("Emergency request #%(n)s sent; the community office has been alerted.")
                % {"n": t.pk},
            )
        else:
            messages.success(request, _("Request #%(n)s sent. We will reply.") % {"n": t.pk})
        return t

    return form_page(
        request,
        form,
        run,
        template="tickets/submit.html",
        context={
            "community": community,
            "categories": categories,
            "kept_photos": kept,
            "keep_field": pending.KEEP_FIELD,
            "remove_field": pending.REMOVE_FIELD,
        },
        to=lambda t: f"{reverse('tickets:detail', args=[t.pk])}?sent=1",
    )
