"""One request: its page, its actions (``services.ticket_act``), comments, moderation, photos."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.core import policy
from linli.core.pages import run_action
from linli.core.public import scrub_public_text

from .. import handler_names, queries, services
from ..forms import (
    ActionForm,
    AssignForm,
    CommentForm,
    DuplicateForm,
    ExtendForm,
    HoldForm,
    ModerateForm,
    RateForm,
    ReferForm,
    ReplyForm,
    ResolveForm,
    RevisitForm,
    WithdrawForm,
)
from ..models import (
    UNPUBLISHED_STATES,
    Channel,
    CommentKind,
    Rating,
    Ticket,
)
from ..sight import sight
from ..workflow import ACTION_LABELS, TicketError, allowed_actions
from ._common import _flag
from ._fields import blank_fields, fields_html

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


# --- one request ---------------------------------------------------------------------------


def _available(can: Callable[[str], bool], t: Ticket) -> list[str]:
    acts = [a for a in allowed_actions(t.status) if can(f"ticket.{a}")]
    pool = bool(t.assignee_team_id and not t.assignee_user_id)
    # Taking a team's pool request is "claim"; starting one's own is "start".
    acts = [a for a in acts if not (a == "claim" and not pool) and not (a == "start" and pool)]
    if t.is_extendable and can("ticket.extend"):
        acts.append("extend")
    return sorted(acts, key=list(ACTION_FORMS).index)


SIMPLE_ACTIONS = frozenset({"accept", "claim", "start", "resume", "close"})


def _make_form(action: str, t: Ticket, cache: dict, data=None, files=None):
    kwargs: dict[str, Any] = {}
    if action == "assign":
        kwargs["people"], kwargs["teams"] = queries.assign_targets(
            t.community_id, _choices_version(t, cache)
        )
    if data is None:
        kwargs["initial"] = {"version": t.version}
    # Several forms on one page: ids must not collide (hold and refer both have "reason").
    return ACTION_FORMS[action](data, files, auto_id=f"id_{action}_%s", **kwargs)


def _blank_action_fields(action: str, t: Ticket, cache: dict) -> list:
    return _make_form(action, t, cache).visible_fields()


def _choices_version(t: Ticket, cache: dict) -> int:
    if "choices" not in cache:
        cache["choices"] = queries.choices_version(t.community_id)
    return cache["choices"]


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
                "verb": e.verb,
                "actor": str(e.actor_id or ""),
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
    # The page's one checker (``policy.checker``: memoised per request and set of roles); the
    # requester relations are known from the requesters read above, so they need no query.
    can = policy.checker(actor).on(t, known={"requester": is_requester, "joined": bool(joined)})
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
        form, fields = None, ""
        if action == failed:
            form = bound[1]
            fields = fields_html(form.visible_fields())
        elif action == "rate":  # its template shows the fields one by one
            form = _make_form(action, t, cache)
        elif action not in SIMPLE_ACTIONS:
            fields = blank_fields(
                action,
                partial(_blank_action_fields, action, t, cache),
                f"{t.community_id}:{_choices_version(t, cache)}" if action == "assign" else "",
            )
        forms.append(
            {
                "action": action,
                "label": ACTION_LABELS.get(action, _("Extend the deadline")),
                "form": form,
                "fields": fields,
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
            fields = fields_html(form)
        else:
            form = None
            fields = blank_fields(
                f"comment-{kind}",
                partial(CommentForm, initial={"kind": kind}, auto_id=f"id_{kind}_%s"),
            )
        comment_forms.append(
            {
                "kind": kind,
                "label": kind.label,
                "form": form,
                "fields": fields,
                "open": form is not None,
            }
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
