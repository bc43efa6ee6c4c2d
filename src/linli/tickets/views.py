"""Request pages: thin — parse a form, call one service or query, render.

Domain errors (``DomainError``) are shown by ``core.pages`` (``form_page``/``run_action``) with
their message and HTTP status (400, or 409 for a stale page or a transition not possible now);
``PermissionDenied`` is a 403 and ``Http404`` a 404, both raised by the one policy.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from linli.core import policy
from linli.core.links import object_url
from linli.core.pages import form_page, run_action
from linli.core.public import scrub_public_text
from linli.core.ratelimit import rate_limit
from linli.core.roles import roles_for
from linli.registry.models import Community

from . import handler_names, queries, services, services_admin
from .forms import (
    ActionForm,
    AssignForm,
    BulkAssignForm,
    CategoryForm,
    CommentForm,
    DuplicateForm,
    ExtendForm,
    HoldForm,
    HolidayForm,
    IntakeForm,
    ModerateForm,
    QueueFilterForm,
    RateForm,
    ReferForm,
    ReplyForm,
    RequestSettingsForm,
    ResolveForm,
    RevisitForm,
    SubmitForm,
    TeamForm,
    TeamMemberForm,
    WithdrawForm,
)
from .models import (
    UNPUBLISHED_STATES,
    Category,
    Channel,
    CommentKind,
    HandlingTeam,
    Rating,
    Status,
    Ticket,
)
from .sight import sight
from .workflow import ACTION_LABELS, TicketError, allowed_actions

S = Status

# What a requester reads instead of the office's status names.
PLAIN_STATUS = {
    S.SUBMITTED: gettext_lazy("Received — waiting for the community"),
    S.ACCEPTED: gettext_lazy("Accepted — being arranged"),
    S.ASSIGNED: gettext_lazy("Someone has been given it"),
    S.IN_PROGRESS: gettext_lazy("Being worked on"),
    S.ON_HOLD: gettext_lazy("Waiting"),
    S.RESOLVED: gettext_lazy("Done — the community will reply to you"),
    S.REPLIED: gettext_lazy("Replied — please tell us if you are satisfied"),
    S.CLOSED: gettext_lazy("Finished"),
    S.DUPLICATE: gettext_lazy("Joined another request about the same problem"),
    S.REFERRED: gettext_lazy("Passed to another office"),
    S.WITHDRAWN: gettext_lazy("Withdrawn"),
}

# The form of each action on one request (``services.TICKET_ACTIONS``, in its order).
_FORMS = {
    "assign": AssignForm,
    "resolve": ResolveForm,
    "reply": ReplyForm,
    "rate": RateForm,
    "revisit": RevisitForm,
    "hold": HoldForm,
    "extend": ExtendForm,
    "mark_duplicate": DuplicateForm,
    "refer": ReferForm,
    "withdraw": WithdrawForm,
}
ACTION_FORMS = {a: _FORMS.get(a, ActionForm) for a in services.TICKET_ACTIONS}


_STATUS_LABELS = dict(Status.choices)
_CHANNEL_LABELS = dict(Channel.choices)


def _flag(tickets, now=None) -> list:
    """Overdue (the resolution deadline passed while work is still due) and late response
    flags, the plain-language status and the labels a list row shows, on each row. Done
    here once per row rather than by template filters and includes (a row of the queue cost
    0.36 ms to render before; see docs/performance.md)."""
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    for t in tickets:
        # The two halves of ``Ticket.overdue_at``, flagged apart (the deadline each is about).
        t.overdue = t.resolution_late(now)
        t.late_response = t.response_late(now)
        t.status_label = _STATUS_LABELS.get(t.status, t.status)
        t.channel_label = _CHANNEL_LABELS.get(t.channel, t.channel)
        plain = PLAIN_STATUS.get(t.status)
        t.plain_status = plain if plain is not None else t.status_label
        flags = []
        if t.emergency:
            flags.append(("tag-emergency", _FLAG_EMERGENCY))
        if t.overdue:
            flags.append(("tag-overdue", _FLAG_OVERDUE))
        elif t.late_response:
            flags.append(("tag-overdue", _FLAG_LATE))
        t.flags = flags
        t.url = object_url("tickets:detail", t.pk)
        created = t.created_at.astimezone(tz)
        t.created_iso = created.isoformat()
        t.created_text = created.strftime("%Y-%m-%d %H:%M")
        due = t.resolve_by.astimezone(tz)
        t.resolve_by_iso = due.isoformat()
        t.resolve_by_text = due.strftime("%Y-%m-%d")
    return tickets


_FLAG_EMERGENCY = gettext_lazy("Emergency")
_FLAG_OVERDUE = gettext_lazy("Overdue")
_FLAG_LATE = gettext_lazy("No response yet, late")


def _back(request: HttpRequest, default: str) -> str:
    nxt = request.POST.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(
        nxt, {request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return default


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
    form = SubmitForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        categories=categories,
        households=households,
        buildings=buildings,
        units=units,
    )

    def run(_data) -> Ticket:
        t = services.ticket_submit(actor=actor, **form.service_kwargs())
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
        context={"community": community, "categories": categories},
        to=lambda t: f"{reverse('tickets:detail', args=[t.pk])}?sent=1",
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

    def run(_data) -> Ticket:
        t = services.ticket_intake(actor=actor, **form.service_kwargs())
        messages.success(request, _("Request #%(n)s recorded.") % {"n": t.pk})
        return t

    ctx = {"room": room, "found": found, "phone": phone, "callers": callers, "residents": residents}
    return form_page(
        request,
        form,
        run,
        template="tickets/intake.html",
        context=ctx,
        to=lambda t: reverse("tickets:detail", args=[t.pk]),
    )


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
def queue(request: HttpRequest) -> HttpResponse:
    actor = request.user
    policy.require_any(actor, "ticket.queue")
    if "reset" in request.GET:
        back = redirect("tickets:queue")
        back.delete_cookie(QUEUE_COOKIE, path=reverse("tickets:queue"))
        return back
    params, remember = _queue_params(request)
    choices = queries.queue_choices(actor)
    form = QueueFilterForm(params, choices=choices)
    filters = form.filters()
    page, counts = queries.ticket_queue(
        actor, **filters, page=params.get("page") or 1, related=("household", "unit")
    )
    page.object_list = queries.attach(
        list(page.object_list),
        community=choices["communities"],
        category=choices["categories"],
        building=choices["buildings"],
        assignee_user=choices["people"],
        assignee_team=choices["teams"],
    )
    _flag(page.object_list)
    can_assign = policy.has_any(actor, "ticket.assign")
    bulk = None
    if can_assign:
        people, teams = _assign_targets(actor, choices)
        bulk = BulkAssignForm(people=people, teams=teams)
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
    ctx = {
        "form": form,
        "query": params,
        "page": page,
        "tabs": tabs,
        "current_status": filters["status"],
        "bulk": bulk,
        "several": len(choices["communities"]) > 1,
        "can_intake": policy.has_any(actor, "ticket.intake"),
    }
    response = render(request, "tickets/queue.html", ctx)
    _remember_queue(response, request, remember)
    return response


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


# --- one request ---------------------------------------------------------------------------


class _Can:
    """``policy.can`` memoised per set of roles: many actions share the office's roles, so
    the page asks the database once per distinct set, not once per action. ``known``: the
    actor's requester relations, read from the requesters the page has loaded anyway."""

    def __init__(self, actor, ticket: Ticket, known: dict[str, bool] | None = None):
        self.actor, self.ticket, self._memo, self.known = actor, ticket, {}, known

    def __call__(self, action: str) -> bool:
        key = roles_for(action)
        if key not in self._memo:
            self._memo[key] = policy.can(self.actor, action, self.ticket, known=self.known)
        return self._memo[key]


def _available(can: _Can, t: Ticket) -> list[str]:
    acts = [a for a in allowed_actions(t.status) if can(f"ticket.{a}")]
    pool = bool(t.assignee_team_id and not t.assignee_user_id)
    # Taking a team's pool request is "claim"; starting one's own is "start".
    acts = [a for a in acts if not (a == "claim" and not pool) and not (a == "start" and pool)]
    if t.is_extendable and can("ticket.extend"):
        acts.append("extend")
    return sorted(acts, key=list(ACTION_FORMS).index)


SIMPLE_ACTIONS = frozenset({"accept", "claim", "start", "resume", "close"})


def _make_form(action: str, t: Ticket, cache: dict, data=None, files=None):
    kwargs = {}
    if action == "assign":
        if "targets" not in cache:
            cache["targets"] = (
                queries.people_for([t.community_id]),
                queries.teams_for([t.community_id]),
            )
        kwargs["people"], kwargs["teams"] = cache["targets"]
    if data is None:
        kwargs["initial"] = {"version": t.version}
    # Several forms on one page: ids must not collide (hold and refer both have "reason").
    return ACTION_FORMS[action](data, files, auto_id=f"id_{action}_%s", **kwargs)


def _event_details(e, public: bool) -> list[str]:
    d, verb = e.data or {}, e.verb
    out: list[str] = []
    if verb == "ticket.submitted":
        if not public and d.get("channel"):
            out.append(
                _("Channel: %(c)s")
                % {
                    "c": Channel(d["channel"]).label
                    if d["channel"] in Channel.values
                    else d["channel"]
                }
            )
        if d.get("emergency"):
            out.append(_("Emergency"))
    elif verb == "ticket.assigned" and not public and d.get("to"):
        out.append(_("To: %(to)s") % {"to": d["to"]})
    elif verb == "ticket.held":
        until = parse_date(d.get("until") or "")
        out.append(
            _("Until %(date)s: %(reason)s")
            % {"date": until.isoformat() if until else "—", "reason": d.get("reason", "")}
        )
    elif verb == "ticket.extended":
        new = parse_datetime(d.get("to") or "")
        out.append(
            _("New deadline %(date)s: %(reason)s")
            % {
                "date": timezone.localtime(new).date().isoformat() if new else "—",
                "reason": d.get("reason", ""),
            }
        )
    elif verb == "ticket.marked_duplicate" and d.get("original"):
        out.append(_("Same problem as request #%(n)s") % {"n": d["original"]})
    elif verb == "ticket.merged" and d.get("duplicate"):
        if public:  # the requester is told that someone else reported it, never who
            out.append(_("Another resident reported the same problem; it was joined to this one."))
        else:
            out.append(_("Request #%(n)s was merged into this one") % {"n": d["duplicate"]})
    elif verb == "ticket.referred":
        out.append(
            _("To %(to)s: %(reason)s") % {"to": d.get("to", ""), "reason": d.get("reason", "")}
        )
    elif verb in ("ticket.rated", "ticket.revisited") and d.get("rating") in Rating.values:
        out.append(_("Rating: %(r)s") % {"r": Rating(d["rating"]).label})
        if d.get("reopened"):
            out.append(_("Reopened: back to the people doing it"))
    elif verb == "ticket.withdrawn" and d.get("reason"):
        out.append(d["reason"])
    return out


COMMENT_TITLES = {
    CommentKind.REPLY: gettext_lazy("The community replied"),
    CommentKind.PROGRESS: gettext_lazy("Progress update"),
    CommentKind.NOTE: gettext_lazy("Internal note"),
}


def _keep(text: str) -> str:
    return text


def _timeline(t: Ticket, actor, *, public: bool, scrub=_keep) -> list[dict]:
    """Events and comments in one list, oldest first. The requester's (``public``) version
    holds only the public verbs, replies and progress updates, and names nobody but them and
    the handlers, by the public name the community chose (``handler_names``).
    ``scrub``: applied to every text shown (a joined requester reads them without another
    household's names, phones and rooms)."""
    events = queries.ticket_events(t, public_only=public)
    comments = queries.ticket_comments(t, public_only=public)
    by_id = {c.pk: c for c in comments}
    used: set[int] = set()
    entries = []
    choice: list[str] = []  # the community's handler-name setting, read once if needed

    def handler_of(c) -> str:
        """A progress update's author as the requester may read them (handler_names)."""
        if not c.author_id:
            return _("A handler")
        if not choice:
            choice.append(handler_names.handler_choice(t.community_id))
        return handler_names.person_name(c.author, choice[0]) or _("A handler")

    for e in events:
        c = by_id.get((e.data or {}).get("comment"))
        if c is not None:
            used.add(c.pk)
        if public:
            who = _("You") if e.actor_id and e.actor_id == actor.pk else ""
            if not who and c is not None and c.kind == CommentKind.PROGRESS:
                who = handler_of(c)
        else:
            who = e.actor_name or _("system")
        entries.append(
            {
                "at": e.created_at,
                "title": e.verb_label,
                "who": who,
                "details": [scrub(d) for d in _event_details(e, public)],
                "comment": c,
                "body": scrub(c.body) if c is not None else "",
                "internal": e.verb == "ticket.note",
            }
        )
    for c in comments:
        if c.pk in used:
            continue
        if public:
            who = _("The community") if c.kind == CommentKind.REPLY else handler_of(c)
        else:
            who = c.author.get_full_name() if c.author_id else _("system")
        entries.append(
            {
                "at": c.created_at,
                "title": COMMENT_TITLES[c.kind],
                "who": who,
                "details": [],
                "comment": c,
                "body": scrub(c.body),
                "internal": c.kind == CommentKind.NOTE,
            }
        )
    entries.sort(key=lambda x: x["at"])
    return entries


def _answers(t: Ticket) -> list[tuple[str, str]]:
    """The extra questions' answers, with the question asked and the choices' names."""
    out = []
    for attr in t.category.attributes or []:
        value = (t.attributes or {}).get(attr.get("code"))
        if value in (None, "", []):
            continue
        names = {str(v.get("key")): v.get("name") for v in attr.get("values", [])}
        values = value if isinstance(value, list) else [value]
        out.append(
            (
                attr.get("description") or attr.get("code"),
                ", ".join(str(names.get(str(v), v)) for v in values),
            )
        )
    return out


def _detail_context(
    request: HttpRequest, t: Ticket, *, bound: tuple | None = None, error=None
) -> dict:
    actor = request.user
    requesters = queries.ticket_requesters(t)
    own = [r for r in requesters if r.user_id and r.user_id == actor.pk]
    is_requester = any(r.primary for r in own)
    # Someone whose own report was merged into this one: they follow it, nothing more.
    joined = [r for r in own if not r.primary] if not is_requester else []
    can = _Can(actor, t, known={"requester": is_requester, "joined": bool(joined)})
    seen = sight(can)
    full, details = seen.staff, seen.details
    if details:
        scrub = _keep
    else:

        def scrub(text: str) -> str:
            return scrub_public_text(text, community=t.community_id)

    cache: dict = {}
    forms = []
    available = _available(can, t)
    # A failed action keeps its form (and the person's input) if it is still possible now;
    # if it is not, the error message says what is.
    failed = bound[0] if bound and bound[0] != "comment" else None
    for action in available:
        form = bound[1] if action == failed else _make_form(action, t, cache)
        forms.append(
            {
                "action": action,
                "label": ACTION_LABELS.get(action, _("Extend the deadline")),
                "form": form,
                "simple": action in SIMPLE_ACTIONS,
                "open": action == failed,
                "multipart": action == "resolve",
            }
        )
    photos = queries.ticket_photos(t) if details else []
    _flag([t])
    comment_forms = []
    for kind, action in (
        (CommentKind.PROGRESS, "ticket.progress"),
        (CommentKind.NOTE, "ticket.note"),
    ):
        if not can(action):
            continue
        if bound and bound[0] == "comment" and bound[1].data.get("kind") == kind:
            form = bound[1]
        else:
            form = CommentForm(initial={"kind": kind}, auto_id=f"id_{kind}_%s")
        comment_forms.append(
            {"kind": kind, "label": kind.label, "form": form, "open": form.is_bound}
        )
    assignee = handler_names.staff_label(t) if full else handler_names.resident_label(t)
    moderate = None
    if can("ticket.moderate"):
        if bound and bound[0] == "moderate":
            mform = bound[1]
        else:
            mform = ModerateForm(
                initial={"public_text": t.public_text, "hidden": t.public_hidden},
                auto_id="id_moderate_%s",
            )
        moderate = {"form": mform, "open": mform.is_bound, "why_not": _why_not_public(t)}
    return {
        "t": t,
        "full": full,
        "details": details,
        "joined": joined,
        "hold_reason": scrub(t.hold_reason),
        "referral_reason": scrub(t.referral_reason),
        "moderate": moderate,
        "is_requester": is_requester or bool(joined),
        "requesters": requesters if full else [],
        "others": sum(1 for r in requesters if r.user_id != actor.pk) if not full else 0,
        "timeline": _timeline(t, actor, public=not full, scrub=scrub),
        "report_photos": [p for p in photos if p.stage == "report"],
        "result_photos": [p for p in photos if p.stage == "result"],
        "forms": forms,
        "comment_forms": comment_forms,
        "assignee": assignee,
        "error": error,
        "sent": request.GET.get("sent") == "1",
        "answers": _answers(t) if details else [],
    }


def _why_not_public(t: Ticket) -> str:
    """Why the public does not read this request ("" when it does)."""
    if t.status in UNPUBLISHED_STATES:
        return _("Not public: withdrawn and merged requests are never published.")
    if not t.category.public:
        return _("Not public: this category is not shown publicly.")
    if t.private:
        return _("Not public: the requester asked to keep it private.")
    if t.public_hidden:
        return _("Not public: hidden by the office.")
    return ""


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    t = queries.ticket_get_for(request.user, pk)
    return render(request, "tickets/detail.html", _detail_context(request, t))


def _call(action: str, actor, t: Ticket, d: dict) -> None:
    """Run ``action`` with the cleaned form data ``d`` (``services.ticket_act``). The original
    of a duplicate is one the actor may merge into, else a refusal on the page."""
    fields = {k: v for k, v in d.items() if k != "version"}
    if action == "mark_duplicate":
        try:
            fields["original"] = queries.ticket_get_for(
                actor, d["original"], "ticket.mark_duplicate"
            )
        except (Http404, PermissionDenied):
            raise TicketError(
                _("There is no request #%(n)s you can merge into.") % {"n": d["original"]}
            ) from None
    services.ticket_act(
        actor=actor, ticket=t, action=action, expected_version=d.get("version"), **fields
    )


def _on_detail(request, t: Ticket, bound: tuple, run, *, done, reread: bool = False):
    """A form posted from a request's page: the service, then back to the page with ``done``;
    an invalid form (400) or a refusal (its status and message) shows the page again with the
    form as it was sent."""
    form = bound[1]

    def again(error=None, status: int = 400) -> HttpResponse:
        shown = queries.ticket_get_for(request.user, t.pk) if reread else t
        ctx = _detail_context(request, shown, bound=bound, error=error)
        return render(request, "tickets/detail.html", ctx, status=status)

    if not form.is_valid():
        return again()
    return run_action(
        request,
        lambda: run(form.cleaned_data),
        done=done,
        to=reverse("tickets:detail", args=[t.pk]),
        on_error=lambda e: again(e.message, e.status),
    )


DONE_MESSAGES = {
    "rate": gettext_lazy("Thank you for telling us."),
    "withdraw": gettext_lazy("Your request was withdrawn."),
}


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTION_FORMS:
        raise Http404
    actor = request.user
    t = queries.ticket_get_for(actor, pk)
    # Refuse before reading the form: someone who may not take this action gets a 403
    # whatever they sent. The service checks again under its row lock.
    policy.authorize(actor, f"ticket.{action}", t)
    form = _make_form(action, t, {}, request.POST, request.FILES)
    label = ACTION_LABELS.get(action, _("Extend the deadline"))
    return _on_detail(
        request,
        t,
        (action, form),
        lambda d: _call(action, actor, t, d),
        done=DONE_MESSAGES.get(action) or _("Done: %(action)s.") % {"action": label},
        reread=True,  # shown as it is now, not as the failed attempt left it
    )


@login_required
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    t = queries.ticket_get_for(actor, pk)
    kind = request.POST.get("kind")
    if kind in (CommentKind.PROGRESS, CommentKind.NOTE):
        # Refused before the text is read, as for the actions.
        policy.authorize(actor, f"ticket.{kind}", t)
    prefix = kind if kind in (CommentKind.PROGRESS, CommentKind.NOTE) else "comment"
    form = CommentForm(request.POST, auto_id=f"id_{prefix}_%s")
    return _on_detail(
        request,
        t,
        ("comment", form),
        lambda d: services.ticket_comment(actor=actor, ticket=t, body=d["body"], kind=kind),
        done=_("Saved."),
    )


@login_required
@require_POST
def moderate(request: HttpRequest, pk: int) -> HttpResponse:
    """The office edits the public text of a request or hides it (logged as an event)."""
    actor = request.user
    t = queries.ticket_get_for(actor, pk)
    policy.authorize(actor, "ticket.moderate", t)  # refused before the text is read
    form = ModerateForm(request.POST, auto_id="id_moderate_%s")
    return _on_detail(
        request,
        t,
        ("moderate", form),
        lambda d: services.ticket_moderate(
            actor=actor, ticket=t, public_text=d["public_text"], hidden=d["hidden"]
        ),
        done=_("Public text saved."),
    )


@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    """A request's photo, streamed only to someone who may see the request (uploads are not
    served publicly)."""
    p = queries.photo_get_for(request.user, pk)
    try:
        f = p.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(f, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- the secretary's settings --------------------------------------------------------------


def _settings_community(request: HttpRequest, code: str) -> Community:
    return policy.get_for(request.user, Community.objects.all(), "ticket.categories", code=code)


def _settings_page(request: HttpRequest, c: Community, *, status: int = 200, **bound):
    return render(request, "tickets/categories.html", _settings_context(c, **bound), status=status)


def _settings_context(c: Community, **bound) -> dict:
    data = queries.category_admin(c)
    teams = data["teams"]
    people = queries.people_for([c.pk])
    ctx = {
        "community": c,
        **data,
        "category_form": bound.get("category_form")
        or CategoryForm(teams=[t for t in teams if t.active]),
        "team_form": bound.get("team_form") or TeamForm(),
        "holiday_form": bound.get("holiday_form") or HolidayForm(),
        "settings_form": bound.get("settings_form")
        or RequestSettingsForm(
            initial={"handler_name": handler_names.handler_choice(c.pk)}, auto_id="id_rs_%s"
        ),
        "member_form": TeamMemberForm(people=people),
        "bound_member": bound.get("member_form"),
        "bound_team": bound.get("team_pk"),
        "error": bound.get("error"),
    }
    return ctx


def _saved(request: HttpRequest, obj, message: str):
    """``obj`` just saved: say so by its name."""
    messages.success(request, message % {"name": obj.name})
    return obj


def _settings_form(request: HttpRequest, c: Community, key: str, form, run, *, done=None):
    """One of the settings page's forms posted: the service, then back to the settings; the
    page again with the form (and the refusal on it) as ``key`` otherwise."""
    return form_page(
        request,
        form,
        run,
        template="tickets/categories.html",
        context=lambda: _settings_context(c, **{key: form}),
        done=done,
        to=reverse("tickets:categories", kwargs={"code": c.code}),
    )


@login_required
def categories(request: HttpRequest, code: str) -> HttpResponse:
    c = _settings_community(request, code)
    if request.method != "POST":
        return _settings_page(request, c)
    form = CategoryForm(request.POST, teams=queries.teams_for([c.pk]))
    return _settings_form(
        request,
        c,
        "category_form",
        form,
        lambda d: _saved(
            request,
            services_admin.category_save(actor=request.user, community=c, **d),
            _("Category “%(name)s” saved."),
        ),
    )


@login_required
def category_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    c = _settings_community(request, code)
    cat = get_object_or_404(Category.objects.select_related("default_team"), community=c, pk=pk)
    teams = queries.teams_for([c.pk])
    if cat.default_team_id and cat.default_team not in teams:
        teams.append(cat.default_team)
    initial = {
        "name": cat.name,
        "name_en": cat.name_en,
        "description": cat.description,
        "default_team": cat.default_team_id,
        "respond_within_hours": cat.respond_within_hours,
        "resolve_within_workdays": cat.resolve_within_workdays,
        "active": cat.active,
        "public": cat.public,
        "attributes": json.dumps(cat.attributes, ensure_ascii=False, indent=2)
        if cat.attributes
        else "",
    }
    form = CategoryForm(request.POST or None, initial=initial, teams=teams, editing=True)
    return form_page(
        request,
        form,
        lambda d: _saved(
            request,
            services_admin.category_save(actor=request.user, community=c, category=cat, **d),
            _("Category “%(name)s” saved."),
        ),
        template="tickets/category_form.html",
        context={"community": c, "category": cat},
        to=reverse("tickets:categories", kwargs={"code": c.code}),
    )


@login_required
@require_POST
def team_save(request: HttpRequest, code: str, pk: int | None = None) -> HttpResponse:
    c = _settings_community(request, code)
    team = get_object_or_404(HandlingTeam, community=c, pk=pk) if pk else None
    return _settings_form(
        request,
        c,
        "team_form",
        TeamForm(request.POST),
        lambda d: _saved(
            request,
            services_admin.team_save(actor=request.user, community=c, team=team, **d),
            _("Team “%(name)s” saved."),
        ),
    )


@login_required
@require_POST
def team_members(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    c = _settings_community(request, code)
    team = get_object_or_404(HandlingTeam.objects.select_related("community"), community=c, pk=pk)
    people = queries.people_for([c.pk])
    if request.POST.get("op") == "remove":
        people = list({u.pk: u for u in [*people, *team.members.all()]}.values())
    form = TeamMemberForm(request.POST, people=people)

    def again(error=None) -> HttpResponse:
        # Refused or invalid: 400, the message on top of the page (as an invalid form's).
        return _settings_page(
            request, c, status=400, member_form=form, team_pk=team.pk, error=error
        )

    if not form.is_valid():
        return again()
    d = form.cleaned_data
    fn = (
        services_admin.team_member_remove if d["op"] == "remove" else services_admin.team_member_add
    )
    return run_action(
        request,
        lambda: fn(actor=request.user, team=team, user=d["user"]),
        done=_("Team “%(name)s” saved.") % {"name": team.name},
        to=reverse("tickets:categories", kwargs={"code": c.code}),
        on_error=lambda e: again(e.message),
    )


@login_required
@require_POST
def holiday_add(request: HttpRequest, code: str) -> HttpResponse:
    c = _settings_community(request, code)
    return _settings_form(
        request,
        c,
        "holiday_form",
        HolidayForm(request.POST),
        lambda d: services_admin.holiday_add(actor=request.user, community=c, **d),
        done=_("Added to the calendar."),
    )


@login_required
@require_POST
def request_settings(request: HttpRequest, code: str) -> HttpResponse:
    c = _settings_community(request, code)
    return _settings_form(
        request,
        c,
        "settings_form",
        RequestSettingsForm(request.POST, auto_id="id_rs_%s"),
        lambda d: services_admin.request_settings_save(actor=request.user, community=c, **d),
        done=_("Saved."),
    )
