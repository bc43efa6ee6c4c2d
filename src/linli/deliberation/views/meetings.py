"""Council meeting pages: the list, calling a meeting, its page (what each reader sees,
with the office's forms), its agenda and invitations, the notice and cancelling. Attendance is
``views/meeting_attendance.py``, resolutions, minutes and the printed pages
``views/meeting_minutes.py``; both post back to the meeting's page through the helpers here.

Members without the manage permission see the agenda, time and place, and after the minutes
are published the public summary and the resolutions with their counts; attendance only as a
count (the names of who came are the office's record, PIPL Art. 25)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.core import policy
from linli.core.pages import ObjectPage, form_page
from linli.registry.models import Community

from ..forms.meetings import (
    AgendaForm,
    CancelForm,
    InviteForm,
    MeetingForm,
    MinutesForm,
    ResolutionForm,
)
from ..forms.topics import FollowUpForm
from ..models import (
    ActionItem,
    Invitation,
    Meeting,
    MeetingStatus,
    Topic,
    TopicStatus,
)
from ..queries import meetings as meeting_queries
from ..queries.topics import follow_up_choices
from ..services import meetings as svc
from ..views.common import PAGE_SIZE, row_of

MS = MeetingStatus


# --- forms -----------------------------------------------------------------------------------


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    policy.require_any(actor, "meeting.view")
    when = request.GET.get("when") or "upcoming"
    since = timezone.now() - svc.CHECKIN_OPENS_BEFORE
    qs = meeting_queries.meetings_for(actor).select_related("community")
    if when == "past":
        qs = qs.filter(Q(starts_at__lt=since) | Q(status__in=[MS.CLOSED, MS.CANCELLED]))
        qs = qs.order_by("-starts_at", "-id")
    else:
        when = "upcoming"
        qs = qs.filter(starts_at__gte=since).exclude(status__in=[MS.CLOSED, MS.CANCELLED])
        qs = qs.order_by("starts_at", "id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    ctx = {"page": page, "when": when, "can_manage": policy.has_any(actor, "meeting.manage")}
    return render(request, "deliberation/meeting_list.html", ctx)


def _manageable_communities(actor) -> list:
    return list(policy.scope_filter(actor, Community.objects.all(), "meeting.manage"))


@login_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    policy.require_any(actor, "meeting.manage")
    communities = _manageable_communities(actor)
    form = MeetingForm(request.POST or None, communities=communities)
    return form_page(
        request,
        form,
        lambda d: svc.meeting_create(actor=actor, **d),  # the form's fields are its arguments
        done=_("Meeting prepared. Now set its agenda and invite the members."),
        to=PAGE.url,
        template="deliberation/meeting_form.html",
        context={},
    )


def _get_managed(actor, pk: int) -> Meeting:
    """A meeting the actor manages: 404 out of scope or (for anyone but the office) still
    being prepared, as its detail page; 403 when it is visible but not theirs to manage."""
    return meeting_queries.meeting_get_for(actor, pk, "meeting.manage")[0]


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting = _get_managed(actor, pk)
    initial = {
        "title": meeting.title,
        "starts_at": timezone.localtime(meeting.starts_at),
        "location": meeting.location,
        "notice_days": meeting.notice_days,
    }
    form = MeetingForm(request.POST or None, initial=initial, editing=True, meeting=meeting)
    return form_page(
        request,
        form,
        lambda d: svc.meeting_update(actor=actor, meeting=meeting, **d),
        done=_("Meeting details saved."),
        to=PAGE.url,
        template="deliberation/meeting_form.html",
        context={"meeting": meeting},
    )


# --- one meeting -----------------------------------------------------------------------------


def checkin_url(request: HttpRequest, meeting: Meeting) -> str:
    """What the sign-in QR code opens (drawn in the template by ``{% qr %}``)."""
    return request.build_absolute_uri(
        reverse("deliberation:meeting_checkin", args=[meeting.checkin_token])
    )


def _detail_context(
    request: HttpRequest,
    meeting: Meeting,
    manage: bool,
    *,
    bound: dict | None = None,
    error: str = "",
) -> dict:
    actor = request.user
    bound = bound or {}
    agenda = list(meeting.agenda.select_related("topic").order_by("order", "id"))
    published = meeting.status == MS.CLOSED
    ctx: dict = {
        "meeting": meeting,
        "manage": manage,
        "agenda": agenda,
        "error": error,
        "resolution_rule": svc.RESOLUTION_RULE,
    }
    if manage:
        invitations = list(
            meeting.invitations.select_related("user").order_by(
                "user__display_name", "user__username", "id"
            )
        )
        invited, present = len(invitations), sum(1 for i in invitations if i.attended)
        ctx["invitations"] = invitations
        ctx["my_invitation"] = next((i for i in invitations if i.user_id == actor.pk), None)
    else:
        counts = meeting.invitations.aggregate(
            invited=Count("id"), present=Count("id", filter=Q(attended=True))
        )
        invited, present = counts["invited"], counts["present"]
        ctx["my_invitation"] = meeting.invitations.filter(user_id=actor.pk).first()
    ctx["quorum"] = svc.quorum(meeting.body, invited=invited, present=present)
    ctx["show_attendance"] = meeting.status in (MS.NOTICED, MS.HELD, MS.CLOSED)
    if manage or published:
        resolutions = list(meeting.resolutions.select_related("topic").order_by("id"))
        ctx["resolutions"] = resolutions
    else:
        resolutions = []
    # Minutes: the office, and after publication the invited members; residents read the
    # public summary.
    ctx["show_minutes"] = manage or (published and ctx["my_invitation"] is not None)
    if not manage:
        return ctx

    s = meeting.status
    ctx["can_edit"] = s == MS.DRAFT
    ctx["can_invite"] = s in (MS.DRAFT, MS.NOTICED)
    ctx["can_attend"] = s in (MS.NOTICED, MS.HELD) and not resolutions
    ctx["can_cancel"] = s in (MS.DRAFT, MS.NOTICED)
    ctx["can_hold"] = s == MS.NOTICED
    ctx["can_resolve"] = s == MS.HELD
    ctx["earliest_start"] = timezone.now() + dt.timedelta(days=meeting.notice_days)
    if s in (MS.NOTICED, MS.HELD):
        ctx["checkin_url"] = checkin_url(request, meeting)
    if ctx["can_edit"]:
        on_agenda = {a.topic_id for a in agenda}
        topics = [
            t
            for t in policy.scope_filter(
                actor,
                Topic.objects.filter(
                    community_id=meeting.community_id,
                    status__in=[TopicStatus.OPEN, TopicStatus.DECIDED],
                ),
                "topic.manage",
            ).order_by("-created_at", "-id")[:200]
            if t.pk not in on_agenda
        ]
        ctx["agenda_form"] = bound.get("agenda") or AgendaForm(topics=topics)
    if ctx["can_invite"]:
        invited_ids = {i.user_id for i in ctx["invitations"]}
        members = [
            m
            for m in meeting_queries.community_members(meeting.community_id)
            if m.user_id not in invited_ids
        ]
        ctx["invite_form"] = bound.get("invite") or InviteForm(members=members)
    if ctx["can_resolve"]:
        ctx["resolution_form"] = bound.get("resolution") or ResolutionForm(
            topics=[a.topic for a in agenda]
        )
        ctx["minutes_form"] = bound.get("minutes") or MinutesForm(
            initial={"minutes": meeting.minutes, "public_summary": meeting.public_summary},
            auto_id="id_min_%s",
        )
    if ctx["can_cancel"]:
        ctx["cancel_form"] = CancelForm(auto_id="id_cancel_%s")
    passed = [r for r in resolutions if r.passed]
    if passed:
        work = ActionItem.objects.filter(
            source_type="resolution", source_id__in=[r.pk for r in passed]
        )
        by_resolution: dict[int, list] = {}
        for a in work.select_related("owner", "ticket").order_by("id"):
            by_resolution.setdefault(a.source_id, []).append(a)
        people, categories = follow_up_choices(actor, meeting.community_id)
        failed = bound.get("follow_up")
        for r in passed:
            r.work = by_resolution.get(r.pk, [])
            if failed is not None and failed[0] == r.pk:
                r.follow_up_form = failed[1]
            else:
                r.follow_up_form = FollowUpForm(
                    people=people, categories=categories, prefix_id=f"fu{r.pk}"
                )
    return ctx


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, manage = meeting_queries.meeting_get_for(request.user, pk)
    return render(request, PAGE.template, _detail_context(request, meeting, manage))


# The meeting's page as its manager sees it (every post to it is a manager's), and where the
# forms and buttons posted from it end (``PAGE.form`` / ``PAGE.act``).
PAGE = ObjectPage(
    "deliberation/meeting_detail.html",
    lambda request, meeting, **kw: _detail_context(request, meeting, True, **kw),
    "deliberation:meeting_detail",
)


def _button(
    service: Callable[..., object], done: str | Promise
) -> Callable[[HttpRequest, int], HttpResponse]:
    """The view of a button that moves the meeting on (publish the notice, mark it held,
    publish the minutes): ``service(actor=, meeting=)`` on a meeting the actor manages, then
    the meeting's page, with the refusal if there is one."""

    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        meeting = _get_managed(request.user, pk)
        return PAGE.act(
            request, meeting, lambda: service(actor=request.user, meeting=meeting), done
        )

    return view


@login_required
@require_POST
def meeting_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a topic to the agenda, remove one, or move one up or down."""
    actor = request.user
    meeting = _get_managed(actor, pk)
    op = request.POST.get("op")
    done = _("Agenda saved.")
    if op == "add":
        topics = policy.scope_filter(
            actor,
            Topic.objects.filter(
                community_id=meeting.community_id, pk=_int(request.POST.get("topic"))
            ),
            "topic.manage",
        )
        form = AgendaForm(request.POST, topics=list(topics))
        return PAGE.form(
            request,
            meeting,
            form,
            lambda d: svc.agenda_add(actor=actor, meeting=meeting, topic=d["topic"]),
            done=done,
            agenda=form,
        )
    if op in ("remove", "up", "down"):
        item = row_of(meeting, meeting.agenda, _int(request.POST.get("item")))
        if op == "remove":
            return PAGE.act(
                request, meeting, lambda: svc.agenda_remove(actor=actor, item=item), done
            )
        return PAGE.act(
            request, meeting, lambda: svc.agenda_move(actor=actor, item=item, up=op == "up"), done
        )
    return PAGE.again(request, meeting)(_("Unknown change."), 400)


def _int(value) -> int | None:
    return int(value) if (value or "").isdigit() else None


@login_required
@require_POST
def meeting_invite(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting = _get_managed(actor, pk)
    form = InviteForm(request.POST, members=meeting_queries.community_members(meeting.community_id))

    return PAGE.form(
        request,
        meeting,
        form,
        lambda d: svc.meeting_invite(actor=actor, meeting=meeting, users=form.chosen_users()),
        done=lambda new: _("%(n)s members invited.") % {"n": len(new)},
        invite=form,
    )


def _invitation(meeting: Meeting, inv: int) -> Invitation:
    return row_of(meeting, meeting.invitations, inv, "user")


@login_required
@require_POST
def meeting_uninvite(request: HttpRequest, pk: int, inv: int) -> HttpResponse:
    actor = request.user
    meeting = _get_managed(actor, pk)
    invitation = _invitation(meeting, inv)
    return PAGE.act(
        request,
        meeting,
        lambda: svc.meeting_uninvite(actor=actor, invitation=invitation),
        _("Invitation withdrawn."),
    )


meeting_notice = _button(
    svc.meeting_publish_notice,
    gettext_lazy("Notice published; the invited members have been told."),
)


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting = _get_managed(actor, pk)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return PAGE.act(
        request,
        meeting,
        lambda: svc.meeting_cancel(actor=actor, meeting=meeting, reason=reason),
        _("Meeting cancelled."),
    )
