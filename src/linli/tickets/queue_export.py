"""The office's queue as a spreadsheet (issue 11, item 11): exactly what the queue shows
with its filters — every page, in its order — as XLSX or CSV (``core.lists``, written by
``core.exports``). Office only (``ticket.export``, read through that action's scope: a staff
member who is also a building leader elsewhere exports only their office's requests). The
requester's phone is masked by the one disclosure function (the file travels; the full
number stays one click away on the request's page), and every resident named in the file
is recorded as read (``core.access``, "My data")."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import access, disclosure, lists, policy
from linli.core.exports import Column
from linli.registry.models import Resident

from . import queries
from .forms import SORT_CHOICES
from .models import TicketRequester
from .views._common import _flag

ACTION = "ticket.export"
PURPOSE = "ticket.export"


def columns() -> list[Column]:
    return [
        Column(_("Number"), width=8, kind="number"),
        Column(_("Community"), width=14),
        Column(_("Category"), width=14),
        Column(_("Description"), width=40),
        Column(_("Place"), width=16),
        Column(_("Status"), width=10),
        Column(_("Emergency"), width=8),
        Column(_("Overdue"), width=8),
        Column(_("Channel"), width=10),
        Column(_("Assigned to"), width=14),
        Column(_("Requester"), width=12),
        Column(_("Requester's phone"), width=14),
        Column(_("Reported at"), width=16, kind="datetime"),
        Column(_("Resolve by"), width=16, kind="datetime"),
    ]


def row(t: Any) -> list[Any]:
    """One request (a ``Ticket``, flagged here as the queue's rows are)."""
    _flag([t])
    people = [r for r in getattr(t, "primary_requesters", []) if not r.anonymous]
    anonymous = bool(getattr(t, "primary_requesters", [])) and not people
    yes, no = _("Yes"), _("No")
    local = timezone.localtime
    return [
        t.pk,
        str(t.community),
        str(t.category),
        t.description,
        t.place_label,
        t.status_label,
        yes if t.emergency else no,
        yes if t.overdue else no,
        t.channel_label,
        t.assignee_label,
        _("Anonymous")
        if anonymous
        else "、".join(r.display_name for r in people if r.display_name),
        "、".join(disclosure.phone(disclosure.MASKED, r.phone) for r in people if r.phone),
        local(t.created_at).replace(tzinfo=None),
        local(t.resolve_by).replace(tzinfo=None) if t.resolve_by else None,
    ]


def export(
    request: HttpRequest, params: QueryDict, filters: dict[str, Any]
) -> HttpResponse | FileResponse:
    """The queue filtered by ``filters`` (the address's or the remembered ones)."""
    actor = request.user
    policy.require_any(actor, ACTION)
    qs, _counts, total = queries.queue_filtered(actor, **filters, action=ACTION)
    listing = lists.list_page(
        request,
        qs.select_related(*queries.LIST_RELATED).prefetch_related(
            Prefetch(
                "requesters",
                queryset=TicketRequester.objects.filter(primary=True)
                .select_related("user")
                .order_by("added_at", "id"),
                to_attr="primary_requesters",
            )
        ),
        sorts={k: lists.Sort(label, queries.queue_sorts()[k]) for k, label in SORT_CHOICES},
        default_sort="newest",
        data=params,
        count=total,
        allow_export=True,
    )
    named = TicketRequester.objects.filter(
        ticket__in=listing.queryset.order_by().values("pk"),
        primary=True,
        anonymous=False,
        resident__isnull=False,
    ).values("resident_id")
    access.record_reads(
        actor, Resident.objects.filter(pk__in=named), kind=access.EXPORTED, purpose=PURPOSE
    )
    stamp = timezone.localdate().isoformat()
    return listing.export(columns(), row, title=_("Requests"), filename=f"requests-{stamp}")
