"""What a council meeting records, and its printed pages: resolutions with their counts and the
follow-up work a passed one creates, the minutes and the public summary, publishing them, and
the printable agenda and minutes (page and PDF)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.core import documents

from ..forms.meetings import (
    MinutesForm,
    ResolutionForm,
)
from ..models import (
    Meeting,
    Resolution,
    when_text,
)
from ..queries import meetings as meeting_queries
from ..services import meeting_minutes as minutes_svc
from ..services import meetings as svc
from .common import follow_up_form, paper, row_of
from .meetings import MS, PAGE, _button, _get_managed


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

    return PAGE.form(request, meeting, form, run, resolution=form)


def _resolution(meeting: Meeting, rid: int) -> Resolution:
    return row_of(meeting, meeting.resolutions, rid, "topic")


@login_required
@require_POST
def meeting_resolution_delete(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    actor = request.user
    meeting = _get_managed(actor, pk)
    resolution = _resolution(meeting, rid)
    return PAGE.act(
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
    form = follow_up_form(actor, meeting.community_id, request.POST, prefix_id=f"fu{resolution.pk}")
    return PAGE.form(
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
    return PAGE.form(
        request,
        meeting,
        form,
        lambda d: minutes_svc.meeting_save_minutes(actor=actor, meeting=meeting, **d),
        done=_("Minutes saved."),
        minutes=form,
    )


meeting_close = _button(minutes_svc.meeting_close, gettext_lazy("Minutes published."))


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
    return paper(
        meeting,
        "meeting_agenda",
        data,
        header=_("Meeting notice"),
        filename=f"meeting-{meeting.pk}-agenda.pdf",
    )


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
    return paper(
        meeting,
        "meeting_minutes",
        data,
        header=heading,
        filename=f"meeting-{meeting.pk}-minutes.pdf",
    )


_when = when_text


def _day(value: dt.datetime) -> str:
    return date_format(timezone.localtime(value), "Y-m-d")
