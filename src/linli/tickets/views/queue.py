"""The office's queue: filters (remembered), the page of requests, bulk assignment."""

from __future__ import annotations

import html
import unicodedata
from typing import cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core import lists, policy, versions

from .. import queries, queue_export, services
from ..forms import (
    SORT_CHOICES,
    BulkAssignForm,
    QueueFilterForm,
)
from ..models import (
    Status,
    Ticket,
)
from ._common import _back, _flag
from ._fields import chosen_html, fields_html, unchosen_parts

# --- the office's queue --------------------------------------------------------------------


def _assign_targets(actor, choices: dict | None = None) -> tuple[list, list]:
    """Who the actor may give requests to. The queue's filter choices already hold the
    people and teams of the communities the actor queues in; when those are the communities
    the actor may assign in (the usual case), they are reused rather than asked for again."""
    same_scope = policy.allowed_memberships(actor, "ticket.assign") == (
        policy.allowed_memberships(actor, "ticket.queue")
    )
    if choices is not None and same_scope:
        return choices["people"], choices["teams"]
    ids = [c.pk for c in queries.communities_for(actor, "ticket.assign")]
    return queries.people_for(ids), queries.teams_for(ids)


def _queue_choices(actor, can_assign: bool) -> dict:
    """The filters' choices (``queries.queue_choices``) with what the page makes of them that
    does not change from one request to the next, kept as those choices are (per person while
    their roles and their communities' choice-list counters are unchanged; one key, one read
    of the counters): the filters' fields with nothing chosen and the bulk assignment's person
    and team, as HTML (``_fields``)."""

    def read() -> dict:
        choices = queries.read_queue_choices(actor)
        out: dict = {"choices": choices}
        out["filters"] = unchosen_parts(QueueFilterForm(choices=choices))
        if can_assign:
            people, teams = _assign_targets(actor, choices)
            bulk = BulkAssignForm(people=people, teams=teams)  # never bound here: nothing chosen
            out["bulk"] = str(fields_html([bulk["user"], bulk["team"]]))
        return out

    name = f"queue_page:{get_language()}:{int(can_assign)}"
    return versions.cached_for_scope(name, actor, read)


# The queue opens on what is still to do, most overdue first; a person's last filter is kept
# (in a cookie: no database write, nothing personal — statuses, ids and an order) and used when
# they come back to the queue without one.
QUEUE_DEFAULT = {"status": "open", "sort": "deadline"}
QUEUE_COOKIE = "linli_queue"


def _queue_params(request: HttpRequest) -> tuple[QueryDict, str | None]:
    """The filters to apply — those in the address, else the person's last ones, else the
    default — and the value to remember, when it changed."""
    given = {k: v for k, v in request.GET.lists() if k in QueueFilterForm.base_fields}
    if given:
        wanted = urlencode(given, doseq=True)[:1000]
        return request.GET, (wanted if request.COOKIES.get(QUEUE_COOKIE) != wanted else None)
    params = QueryDict(request.COOKIES.get(QUEUE_COOKIE) or urlencode(QUEUE_DEFAULT), mutable=True)
    if "page" in request.GET:
        params["page"] = request.GET["page"]
    return params, None


def _remember_queue(response: HttpResponse, request: HttpRequest, value: str | None) -> None:
    if value is not None:
        response.set_cookie(
            QUEUE_COOKIE,
            value,
            max_age=90 * 24 * 3600,
            path=reverse("tickets:queue"),
            samesite="Lax",
            secure=request.is_secure(),
            httponly=True,
        )


@login_required
def queue(request: HttpRequest) -> HttpResponse | FileResponse:
    actor = request.user
    policy.require_any(actor, "ticket.queue")
    if "reset" in request.GET:
        back = redirect("tickets:queue")
        back.delete_cookie(QUEUE_COOKIE, path=reverse("tickets:queue"))
        return back
    params, remember = _queue_params(request)
    can_assign = policy.has_any(actor, "ticket.assign")
    kept = _queue_choices(actor, can_assign)
    choices = kept["choices"]
    form = QueueFilterForm(params, choices=choices)
    filters = form.filters()
    if request.GET.get("export"):
        return queue_export.export(request, params, filters)
    qs, counts, total = queries.queue_filtered(actor, **filters)
    listing = lists.list_page(
        request,
        # Its page is read by ``queries.queue_rows`` (the columns a row shows); the other
        # relations by ``attach`` below.
        qs,
        sorts={k: lists.Sort(label, queries.queue_sorts()[k]) for k, label in SORT_CHOICES},
        default_sort="newest",
        per_page=queries.QUEUE_PAGE_SIZE,
        data=params,
        count=total,
        allow_export=policy.has_any(actor, "ticket.export"),
    )
    page = listing.page
    page.object_list = queries.attach(
        queries.queue_rows(actor, cast(QuerySet[Ticket], page.object_list), filters),
        community=choices["communities"],
        category=choices["categories"],
        building=choices["buildings"],
        assignee_user=choices["people"],
        assignee_team=choices["teams"],
    )
    _flag(page.object_list)
    rows = _rows(page.object_list, bulk=can_assign, several=len(choices["communities"]) > 1)
    tabs = [
        ("", _("All"), sum(n for s, n in counts.items() if s != "open")),
        ("open", _("Open"), counts.get("open", 0)),
    ]
    # A status with nothing in it is left out, unless it is the one being looked at.
    tabs += [
        (s.value, s.label, counts.get(s.value, 0))
        for s in Status
        if counts.get(s.value) or s.value == filters["status"]
    ]
    tabs_html = _tabs(tabs, params, filters["status"])
    ctx = {
        "form": form,
        "query": params,
        "listing": listing,
        "page": page,
        "rows": rows,
        "tabs": tabs_html,
        "current_status": filters["status"],
        "filter_fields": chosen_html(form, kept["filters"]),
        "bulk": can_assign,
        "bulk_fields": kept.get("bulk", ""),
        "several": len(choices["communities"]) > 1,
        "can_intake": policy.has_any(actor, "ticket.intake"),
    }
    response = render(request, "tickets/queue.html", ctx)
    _remember_queue(response, request, remember)
    return response


def _esc(value) -> str:
    """``conditional_escape`` (what ``{{ value }}`` does) without its lazy-argument wrapper."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _summary(text: str, length: int = 60) -> str:
    """``{{ text|truncatechars:60 }}``. A text no longer than that comes back whole (in NFC,
    as ``Truncator`` returns it) without ``Truncator``'s character-by-character count."""
    if len(text) <= length:
        return unicodedata.normalize("NFC", text)
    return Truncator(text).chars(length)


def _tabs(tabs: list[tuple[str, str, int]], query: QueryDict, current: str) -> list[SafeString]:
    """The status tabs as ``<li>`` items, as the template's loop over ``{% querystring query
    status=value page=None %}`` made them (13 tabs through the template language were
    ~1.5 ms of the queue's CPU). ``querystring``'s answer is escaped as a simple tag's is."""
    params = query.copy()
    params.pop("page", None)
    out = []
    for value, label, n in tabs:
        params["status"] = value
        primary, aria = (" primary", ' aria-current="page"') if value == current else ("", "")
        href = _esc("?" + params.urlencode())
        out.append(
            mark_safe(  # noqa: S308 - every value escaped here
                f'<li><a class="button{primary}" href="{href}"{aria}>{_esc(label)} '
                f'<span class="count" data-status="{_esc(value or "all")}">{int(n)}</span></a></li>'
            )
        )
    return out


def _rows(tickets: list, *, bulk: bool, several: bool) -> list[SafeString]:
    """Each request of the page as its row of the queue's table. Built here rather than in the
    template: the 25 rows' ~20 values each cost ~3 ms through the template language, more
    than the rest of the page's template (docs/performance.md). Every value is escaped as
    ``{{ value }}`` escapes it (``_esc``); the labels are translated once a page."""
    select_l, place_l, status_l = _esc(_("Select")), _esc(_("Place")), _esc(_("Status"))
    assigned_l, reported_l = _esc(_("Assigned to")), _esc(_("Reported at"))
    resolve_l = _esc(_("Resolve by"))
    out = []
    for t in tickets:
        pk = int(t.pk)
        css = ("urgent" if t.emergency and getattr(t, "urgent", None) == 0 else "") + (
            " overdue" if t.overdue else ""
        )
        select = ""
        if bulk:
            aria = _esc(_("Select request #%(n)s") % {"n": pk})
            select = (
                f'<td data-label="{select_l}"><input type="checkbox" name="ids" value="{pk}" '
                f'form="bulk-form" id="sel-{pk}" aria-label="{aria}"></td>'
            )
        where = f'<span class="muted">{_esc(t.community)} · </span>' if several else ""
        place = _esc(t.place_label)
        if t.household_id:
            place = f'<span class="room">{place}</span>'
        flags = "".join(f'<span class="tag {_esc(c)}">{_esc(label)}</span>' for c, label in t.flags)
        summary = _esc(_summary(t.description))
        out.append(
            mark_safe(  # noqa: S308 - every value escaped above
                f'<tr class="{css}" data-ticket="{pk}">\n'
                f"      {select}\n"
                f'      <th scope="row"><a href="{_esc(t.url)}" class="nowrap">#{pk}</a></th>\n'
                f'      <td data-label="">{where}{_esc(t.category)}'
                f'<div class="muted">{summary}</div></td>\n'
                f'      <td data-label="{place_l}">{place}</td>\n'
                f'      <td data-label="{status_l}"><span class="tag">{_esc(t.status_label)}</span>'
                f"{flags}</td>\n"
                f'      <td data-label="{assigned_l}">{_esc(t.assignee_label or "—")}</td>\n'
                f'      <td data-label="{reported_l}"><time datetime="{_esc(t.created_iso)}">'
                f'{_esc(t.created_text)}</time><div class="muted">{_esc(t.channel_label)}</div>'
                "</td>\n"
                f'      <td data-label="{resolve_l}"><time datetime="{_esc(t.resolve_by_iso)}">'
                f"{_esc(t.resolve_by_text)}</time></td>\n"
                "    </tr>"
            )
        )
    return out


@login_required
@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    actor = request.user
    policy.require_any(actor, "ticket.assign")
    back = _back(request, reverse("tickets:queue"))
    people, teams = _assign_targets(actor)
    form = BulkAssignForm(request.POST, people=people, teams=teams)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect(back)
    ids = form.cleaned_data["ids"]
    tickets = list(
        queries.tickets_for(actor, "ticket.assign")
        .filter(pk__in=ids)
        .select_related("community", "category")
    )
    done, failed = services.ticket_bulk_assign(
        actor=actor, tickets=tickets, user=form.cleaned_data["user"], team=form.cleaned_data["team"]
    )
    found = {t.pk for t in tickets}
    refused = [f"#{t.pk}: {reason}" for t, reason in failed]
    refused += [f"#{pk}: {_('not found')}" for pk in ids if pk not in found]
    messages.success(
        request,
        ngettext("%(n)s request assigned.", "%(n)s requests assigned.", len(done))
        % {"n": len(done)},
    )
    if refused:
        messages.warning(request, _("Not assigned: %(list)s") % {"list": "; ".join(refused)})
    return redirect(back)
