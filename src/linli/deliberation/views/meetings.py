"""Council meeting pages: calling a meeting, its agenda and invitations, the notice,
attendance (staff sign-in and the QR code members scan), quorum, resolutions, minutes, the
printable agenda and minutes, and the public view.

Members without the manage permission see the agenda, time and place, and after the minutes
are published the public summary and the resolutions with their counts; attendance only as a
count (the names of who came are the office's record, PIPL Art. 25)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from linli.core import documents, policy
from linli.core.pages import form_action, form_page, run_action
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
    AgendaItem,
    Invitation,
    Meeting,
    MeetingStatus,
    Resolution,
    Topic,
    TopicStatus,
)
from ..queries import meetings as meeting_queries
from ..queries.topics import follow_up_choices
from ..services import meeting_attendance as attendance_svc
from ..services import meeting_minutes as minutes_svc
from ..services import meetings as svc
from ..views.common import PAGE_SIZE

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
        lambda d: svc.meeting_create(
            actor=actor,
            community=d["community"],
            body=d["body"],
            title=d["title"],
            starts_at=d["starts_at"],
            location=d["location"],
            notice_days=d["notice_days"],
        ),
        done=_("Meeting prepared. Now set its agenda and invite the members."),
        to=_url,
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
        lambda d: svc.meeting_update(
            actor=actor,
            meeting=meeting,
            title=d["title"],
            starts_at=d["starts_at"],
            location=d["location"],
            notice_days=d["notice_days"],
        ),
        done=_("Meeting details saved."),
        to=_url,
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
    return render(
        request, "deliberation/meeting_detail.html", _detail_context(request, meeting, manage)
    )


def _again(request, meeting, **bound):
    """The meeting's page again (as its manager sees it), with the posted form and the
    message (``form_action`` / ``run_action``)."""

    def page(message: str, status: int) -> HttpResponse:
        ctx = _detail_context(request, meeting, True, bound=bound, error=message)
        return render(request, "deliberation/meeting_detail.html", ctx, status=status)

    return page


def _url(meeting: Meeting) -> str:
    return reverse("deliberation:meeting_detail", args=[meeting.pk])


def _form(request, meeting, form, run, *, done=None, **bound) -> HttpResponse:
    return form_action(
        request, form, run, page=_again(request, meeting, **bound), done=done, to=_url(meeting)
    )


def _act(request, meeting, call, done) -> HttpResponse:
    """A one-step action: the service, then the meeting page (with the refusal, if any)."""
    page = _again(request, meeting)
    return run_action(
        request,
        call,
        done=done,
        to=_url(meeting),
        on_error=lambda e: page(str(e.message), e.status),
    )


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
        return _form(
            request,
            meeting,
            form,
            lambda d: svc.agenda_add(actor=actor, meeting=meeting, topic=d["topic"]),
            done=done,
            agenda=form,
        )
    if op in ("remove", "up", "down"):
        item = AgendaItem.objects.filter(meeting=meeting, pk=_int(request.POST.get("item"))).first()
        if item is None:
            raise Http404
        item.meeting = meeting
        if op == "remove":
            return _act(request, meeting, lambda: svc.agenda_remove(actor=actor, item=item), done)
        return _act(
            request, meeting, lambda: svc.agenda_move(actor=actor, item=item, up=op == "up"), done
        )
    return _again(request, meeting)(_("Unknown change."), 400)


def _int(value) -> int | None:
    return int(value) if (value or "").isdigit() else None


@login_required
@require_POST
def meeting_invite(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting = _get_managed(actor, pk)
    form = InviteForm(request.POST, members=meeting_queries.community_members(meeting.community_id))

    def run(d):
        new = svc.meeting_invite(actor=actor, meeting=meeting, users=form.chosen_users())
        messages.success(request, _("%(n)s members invited.") % {"n": len(new)})

    return _form(request, meeting, form, run, invite=form)


def _child(related, meeting: Meeting, pk: int, *select: str):
    """A row of one of the meeting's own lists (an invitation, a resolution): another
    meeting's row is not found."""
    obj = related.select_related(*select).filter(pk=pk).first()
    if obj is None:
        raise Http404
    obj.meeting = meeting
    return obj


def _invitation(meeting: Meeting, inv: int) -> Invitation:
    return _child(meeting.invitations, meeting, inv, "user")


@login_required
@require_POST
def meeting_uninvite(request: HttpRequest, pk: int, inv: int) -> HttpResponse:
    actor = request.user
    meeting = _get_managed(actor, pk)
    invitation = _invitation(meeting, inv)
    return _act(
        request,
        meeting,
        lambda: svc.meeting_uninvite(actor=actor, invitation=invitation),
        _("Invitation withdrawn."),
    )


@login_required
@require_POST
def meeting_notice(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting = _get_managed(actor, pk)
    return _act(
        request,
        meeting,
        lambda: svc.meeting_publish_notice(actor=actor, meeting=meeting),
        _("Notice published; the invited members have been told."),
    )


@login_required
@require_POST
def meeting_attendance(request: HttpRequest, pk: int, inv: int) -> HttpResponse:
    actor = request.user
    meeting = _get_managed(actor, pk)
    attended = request.POST.get("attended") == "1"
    invitation = _invitation(meeting, inv)
    return _act(
        request,
        meeting,
        lambda: attendance_svc.meeting_sign_in(
            actor=actor, invitation=invitation, attended=attended
        ),
        _("Signed in.") if attended else _("Sign-in undone."),
    )


@login_required
@require_POST
def meeting_held(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting = _get_managed(actor, pk)
    return _act(
        request,
        meeting,
        lambda: attendance_svc.meeting_mark_held(actor=actor, meeting=meeting),
        _("Marked as held. Record the resolutions and the minutes."),
    )


@login_required
@require_POST
def meeting_resolution(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting = _get_managed(actor, pk)
    topics = [a.topic for a in meeting.agenda.select_related("topic")]
    form = ResolutionForm(request.POST, topics=topics)

    def run(d):
        r = minutes_svc.resolution_record(actor=actor, meeting=meeting, **d)
        messages.success(
            request,
            _("Resolution recorded: passed.")
            if r.passed
            else _("Resolution recorded: not passed."),
        )

    return _form(request, meeting, form, run, resolution=form)


def _resolution(meeting: Meeting, rid: int) -> Resolution:
    return _child(meeting.resolutions, meeting, rid, "topic")


@login_required
@require_POST
def meeting_resolution_delete(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    actor = request.user
    meeting = _get_managed(actor, pk)
    resolution = _resolution(meeting, rid)
    return _act(
        request,
        meeting,
        lambda: minutes_svc.resolution_delete(actor=actor, resolution=resolution),
        _("Resolution removed."),
    )


@login_required
@require_POST
def meeting_follow_up(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    actor = request.user
    meeting = _get_managed(actor, pk)
    resolution = _resolution(meeting, rid)
    people, categories = follow_up_choices(actor, meeting.community_id)
    form = FollowUpForm(
        request.POST, people=people, categories=categories, prefix_id=f"fu{resolution.pk}"
    )
    return _form(
        request,
        meeting,
        form,
        lambda d: minutes_svc.resolution_follow_up(
            actor=actor, resolution=resolution, **form.service_kwargs()
        ),
        done=_("Follow-up work created; it is shown on the topic until done."),
        follow_up=(resolution.pk, form),
    )


@login_required
@require_POST
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting = _get_managed(actor, pk)
    form = MinutesForm(request.POST, auto_id="id_min_%s")
    return _form(
        request,
        meeting,
        form,
        lambda d: minutes_svc.meeting_save_minutes(actor=actor, meeting=meeting, **d),
        done=_("Minutes saved."),
        minutes=form,
    )


@login_required
@require_POST
def meeting_close(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting = _get_managed(actor, pk)
    return _act(
        request,
        meeting,
        lambda: minutes_svc.meeting_close(actor=actor, meeting=meeting),
        _("Minutes published."),
    )


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting = _get_managed(actor, pk)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(
        request,
        meeting,
        lambda: svc.meeting_cancel(actor=actor, meeting=meeting, reason=reason),
        _("Meeting cancelled."),
    )


# --- QR code and printable pages -------------------------------------------------------------


@login_required
def meeting_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The sign-in code, large, to show on a screen or print for the door of the room."""
    meeting = _get_managed(request.user, pk)
    if meeting.status not in (MS.NOTICED, MS.HELD):
        raise Http404
    ctx = {"meeting": meeting, "checkin_url": checkin_url(request, meeting)}
    return render(request, "deliberation/meeting_qr.html", ctx)


def _agenda_context(request: HttpRequest, pk: int) -> dict:
    """What the printed agenda shows, for the page and the PDF: one permission check."""
    meeting, manage = meeting_queries.meeting_get_for(request.user, pk)
    agenda = list(meeting.agenda.select_related("topic").order_by("order", "id"))
    page_url = request.build_absolute_uri(reverse("deliberation:meeting_detail", args=[meeting.pk]))
    return {
        "meeting": meeting,
        "agenda": agenda,
        "quorum_rule": svc.quorum(meeting.body, invited=0, present=0).rule,
        "page_url": page_url,
    }


@login_required
def meeting_print_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = _agenda_context(request, pk)
    return render(request, "deliberation/meeting_print_agenda.html", ctx)


@login_required
def meeting_print_agenda_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = _agenda_context(request, pk)
    meeting = ctx["meeting"]
    facts = [
        (_("Body"), meeting.get_body_display()),
        (_("Starts at"), _when(meeting.starts_at)),
        (_("Place"), meeting.location),
    ]
    if meeting.noticed_at:
        facts.append((_("Notice published"), _day(meeting.noticed_at)))
    data = {
        "meeting": {
            "title": meeting.title,
            "facts": facts,
            "agenda": [
                {"title": a.topic.title, "description": a.topic.description} for a in ctx["agenda"]
            ],
            "quorum_rule": str(ctx["quorum_rule"]),
        },
        "qr": documents.qr_svg(ctx["page_url"], _("QR code of this meeting's page")),
        "page_url": ctx["page_url"],
        "labels": {
            "heading": _("Meeting notice"),
            "agenda": _("Agenda"),
            "no_topics": _("No topics on the agenda yet."),
            "quorum": _("Quorum"),
            "scan": _("Scan for this meeting's page in Linli."),
        },
    }
    doc = documents.render_pdf(
        "deliberation/documents/meeting_agenda.typ",
        data,
        community=meeting.community.name,
        title=meeting.title,
        header=_("Meeting notice"),
    )
    return documents.pdf_response(doc, f"meeting-{meeting.pk}-agenda.pdf")


def _minutes_context(request: HttpRequest, pk: int) -> dict:
    """The minutes as published. Before publication only the office may print a draft; the
    full minutes and the names of those present are for the office and the members."""
    actor = request.user
    meeting, manage = meeting_queries.meeting_get_for(actor, pk)
    if not manage and meeting.status != MS.CLOSED:
        raise Http404
    invitations = list(
        meeting.invitations.select_related("user").order_by(
            "user__display_name", "user__username", "id"
        )
    )
    invited = len(invitations)
    present = sum(1 for i in invitations if i.attended)
    is_member = any(i.user_id == actor.pk for i in invitations)
    return {
        "meeting": meeting,
        "manage": manage,
        "agenda": list(meeting.agenda.select_related("topic").order_by("order", "id")),
        "resolutions": list(meeting.resolutions.select_related("topic").order_by("id")),
        "quorum": svc.quorum(meeting.body, invited=invited, present=present),
        "present_names": [i.user.get_full_name() for i in invitations if i.attended]
        if manage
        else [],
        "show_minutes": manage or is_member,
        "resolution_rule": svc.RESOLUTION_RULE,
    }


@login_required
def meeting_print_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = _minutes_context(request, pk)
    return render(request, "deliberation/meeting_print_minutes.html", ctx)


@login_required
def meeting_print_minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The minutes as the print page shows them, with lines for the recorder's and the
    chair's signatures."""
    ctx = _minutes_context(request, pk)
    meeting = ctx["meeting"]
    facts = [
        (_("Body"), meeting.get_body_display()),
        (_("Held at"), f"{_when(meeting.starts_at)}, {meeting.location}"),
        (_("Attendance"), str(ctx["quorum"].state)),
    ]
    if ctx["present_names"]:
        facts.append((_("Present"), ", ".join(ctx["present_names"])))
    resolutions = [
        {
            "topic": r.topic.title,
            "outcome": _("Passed") if r.passed else _("Not passed"),
            "text": r.text,
            "counts": _("%(yes)s yes, %(no)s no, %(abstain)s abstain")
            % {"yes": r.yes, "no": r.no, "abstain": r.abstain},
        }
        for r in ctx["resolutions"]
    ]
    heading = _("Minutes") if meeting.status == MS.CLOSED else _("Draft minutes")
    data = {
        "meeting": {
            "title": meeting.title,
            "facts": facts,
            "quorum_rule": str(ctx["quorum"].rule),
            "agenda": [a.topic.title for a in ctx["agenda"]],
            "resolution_rule": str(ctx["resolution_rule"]),
            "resolutions": resolutions,
            "minutes": meeting.minutes if ctx["show_minutes"] else None,
            "public_summary": meeting.public_summary,
        },
        "labels": {
            "heading": heading,
            "agenda": _("Agenda"),
            "resolutions": _("Resolutions"),
            "no_resolutions": _("No resolutions."),
            "minutes": _("Minutes"),
            "public_summary": _("Public summary"),
            "recorded_by": _("Recorded by"),
            "chaired_by": _("Chaired by"),
            "date": _("Date"),
        },
    }
    doc = documents.render_pdf(
        "deliberation/documents/meeting_minutes.typ",
        data,
        community=meeting.community.name,
        title=meeting.title,
        header=heading,
    )
    return documents.pdf_response(doc, f"meeting-{meeting.pk}-minutes.pdf")


def _when(value: dt.datetime) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i")


def _day(value: dt.datetime) -> str:
    return date_format(timezone.localtime(value), "Y-m-d")


# --- signing in by QR ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_checkin(request: HttpRequest, token: str) -> HttpResponse:
    """What the QR code opens. A wrong or expired code, or a meeting in another community,
    is a 404; a member who is not invited gets a 403. Signing in is a button (POST): a
    link that signs people in could be triggered from another site and fake a quorum."""
    actor = request.user
    meeting, invitation = meeting_queries.meeting_for_checkin(actor, token)

    def page(error: str = "", status: int = 200) -> HttpResponse:
        ctx = {"meeting": meeting, "invitation": invitation, "error": error}
        return render(request, "deliberation/meeting_checkin.html", ctx, status=status)

    if request.method != "POST":
        return page()
    return run_action(
        request,
        lambda: attendance_svc.meeting_check_in(actor=actor, token=token),
        done=_("You are signed in. Welcome."),
        to=request.path,
        on_error=lambda e: page(str(e.message), e.status),
    )
