"""Council meeting attendance pages: the office signing members in (or undoing it) and marking
the meeting held, the sign-in QR code to show or print for the door, and what that code opens
(a member signs themselves in with a button)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from linli.core.pages import run_action

from ..queries import meetings as meeting_queries
from ..services import meeting_attendance as attendance_svc
from .meetings import MS, PAGE, _button, _get_managed, _invitation, checkin_url


@login_required
@require_POST
def meeting_attendance(request: HttpRequest, pk: int, inv: int) -> HttpResponse:
    actor = request.user
    meeting = _get_managed(actor, pk)
    attended = request.POST.get("attended") == "1"
    invitation = _invitation(meeting, inv)
    return PAGE.act(
        request,
        meeting,
        lambda: attendance_svc.meeting_sign_in(
            actor=actor, invitation=invitation, attended=attended
        ),
        _("Signed in.") if attended else _("Sign-in undone."),
    )


meeting_held = _button(
    attendance_svc.meeting_mark_held,
    gettext_lazy("Marked as held. Record the resolutions and the minutes."),
)


@login_required
def meeting_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The sign-in code, large, to show on a screen or print for the door of the room."""
    meeting = _get_managed(request.user, pk)
    if meeting.status not in (MS.NOTICED, MS.HELD):
        raise Http404
    ctx = {"meeting": meeting, "checkin_url": checkin_url(request, meeting)}
    return render(request, "deliberation/meeting_qr.html", ctx)


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
