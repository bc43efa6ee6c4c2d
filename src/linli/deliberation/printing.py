"""Paper for votes and meetings beyond the agenda, minutes and ballots (issue 11, item 10):

- the **proxy authorisation form** of an owners' vote (业主投票授权委托书): a blank form an
  owner fills in, signs and hands to the office with the proxy's ballot. It carries no personal
  data, so whoever may read the vote may print it, until the vote is counted;
- the **sign-in sheet** of a meeting (签到表): the invited members by name with a column to
  sign and the time, and blank rows for those who come uninvited. Names are the office's: only
  who manages the meeting prints it, while it is announced or being held.

Both go through ``core/documents.py`` (Typst, the vendored font) like the other print pages.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import BallotChoice, MeetingStatus, VoteRule, when_text
from .queries import meetings, votes
from .services.votes import FINISHED
from .views.common import form_errors, paper, plain_text

MAX_COPIES = 200
MAX_BLANK_ROWS = 60


class CopiesForm(forms.Form):
    count = forms.IntegerField(
        label=gettext_lazy("Number of forms"), min_value=1, max_value=MAX_COPIES, initial=1
    )


class SheetForm(forms.Form):
    blank = forms.IntegerField(
        label=gettext_lazy("Blank rows"), min_value=0, max_value=MAX_BLANK_ROWS, initial=10
    )


_when = when_text


@login_required
def vote_proxy_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Blank proxy authorisation forms for an owners' vote, one a page (``?count=``)."""
    vote = votes.vote_get_for(request.user, pk)
    if vote.rule != VoteRule.OWNERS:
        return plain_text(
            _("This vote is counted at a meeting: owners do not appoint proxies."), 409
        )
    if vote.status in FINISHED:
        return plain_text(_("The vote is counted: no more proxy forms."), 409)
    form = CopiesForm({"count": 1, **request.GET.dict()})
    if not form.is_valid():
        return plain_text(form_errors(form), 400)
    closes = _when(vote.closes_at) if vote.closes_at else _("the end of the voting period")
    data = {
        "vote": {"title": vote.title, "question": vote.question},
        "count": form.cleaned_data["count"],
        "labels": {
            "heading": _("Proxy authorisation"),
            "vote": _("Vote"),
            "question": _("The question"),
            "owner": _("Owner's name"),
            "room": _("Flat"),
            "proxy": _("Proxy's name"),
            "proxy_phone": _("Proxy's phone"),
            "authorise": _(
                "I, the owner named above, authorise the proxy named above to cast my vote "
                "in this vote on my behalf. The authorisation covers this vote only."
            ),
            "choice": _("My instruction to the proxy (optional, mark one box):"),
            "yes": BallotChoice.YES.label,
            "no": BallotChoice.NO.label,
            "abstain": BallotChoice.ABSTAIN.label,
            "free": _("The proxy decides"),
            "owner_sign": _("Owner's signature"),
            "proxy_sign": _("Proxy's signature"),
            "date": _("Date"),
            "hand_in": _(
                "Hand this form, signed by both, to the community office with the proxy's "
                "ballot before %(closes)s. The office keeps it with the ballots."
            )
            % {"closes": closes},
        },
    }
    return paper(
        vote,
        "proxy_form",
        data,
        header=_("Proxy authorisation"),
        filename=f"vote-{vote.pk}-proxy-forms.pdf",
    )


@login_required
def meeting_signin_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The sign-in sheet of a meeting: invited members by name, then ``?blank=`` empty rows."""
    meeting, _manage = meetings.meeting_get_for(request.user, pk, "meeting.manage")
    if meeting.status not in (MeetingStatus.DRAFT, MeetingStatus.NOTICED, MeetingStatus.HELD):
        return plain_text(_("The meeting is over: its attendance is in the minutes."), 409)
    form = SheetForm({"blank": 10, **request.GET.dict()})
    if not form.is_valid():
        return plain_text(form_errors(form), 400)
    names = [
        i.user.get_full_name()
        for i in meeting.invitations.select_related("user").order_by(
            "user__display_name", "user__username", "id"
        )
    ]
    data = {
        "meeting": {
            "title": meeting.title,
            "facts": [
                (_("Body"), meeting.get_body_display()),
                (_("Starts at"), _when(meeting.starts_at)),
                (_("Place"), meeting.location),
            ],
        },
        "names": names,
        "blank": form.cleaned_data["blank"],
        "labels": {
            "heading": _("Sign-in sheet"),
            "no": _("No."),
            "name": _("Name"),
            "sign": _("Signature"),
            "time": _("Time"),
            "invited": _("%(n)s invited") % {"n": len(names)},
            "checked": _("Checked by"),
        },
    }
    return paper(
        meeting,
        "meeting_signin",
        data,
        header=_("Sign-in sheet"),
        filename=f"meeting-{meeting.pk}-sign-in.pdf",
    )
