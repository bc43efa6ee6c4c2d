"""Ballot pages of a vote: an owner voting online (choose, then confirm), the office entering a
paper or proxy ballot, the counts taken at a meeting, the auditor's list of ballots and the
office's list of owners who have not voted yet."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.pages import run_action, run_page

from ..forms.votes import (
    BallotForm,
    CountsForm,
)
from ..models import (
    BallotChoice,
    Voter,
    VoteRule,
    VoteStatus,
)
from ..queries import votes as vote_queries
from ..services import ballots as ballot_svc
from .votes import _again, _detail_url, _form, _refused


@login_required
@require_POST
def vote_cast(request: HttpRequest, pk: int) -> HttpResponse:
    vote = vote_queries.vote_get_for(request.user, pk, "vote.cast")
    choice = request.POST.get("choice", "")
    if request.POST.get("confirm") != "1":
        # First the person sees what they chose and confirms it; nothing is recorded yet.
        def confirm() -> HttpResponse:
            voter = ballot_svc.vote_cast_check(actor=request.user, vote=vote, choice=choice)
            ctx = {
                "vote": vote,
                "choice": choice,
                "choice_label": BallotChoice(choice).label,
                "voter": voter,
            }
            return render(request, "deliberation/vote_confirm.html", ctx)

        return run_page(request, confirm, on_error=_refused(request, vote))
    return run_action(
        request,
        lambda: ballot_svc.vote_cast(actor=request.user, vote=vote, choice=choice),
        done=_("Your vote is recorded. Thank you."),
        to=_detail_url(vote),
        on_error=_refused(request, vote),
    )


@login_required
@require_POST
def vote_enter_ballot(request: HttpRequest, pk: int) -> HttpResponse:
    vote = vote_queries.vote_get_for(request.user, pk, "vote.enter_ballot")
    form = BallotForm(request.POST)

    def run(d):
        ballot_svc.ballot_enter(
            actor=request.user,
            vote=vote,
            flat=d["flat"],
            choice=d["choice"],
            method=d["method"],
            paper_serial=d["paper_serial"],
            proxy_name=d["proxy_name"],
            proxy_authorization=d["proxy_authorization"],
            received_at=d["received_at"],
        )
        messages.success(request, _("Ballot for %(flat)s entered.") % {"flat": d["flat"]})

    return _form(request, vote, form, run, ballot_form=form)


@login_required
@require_POST
def vote_counts(request: HttpRequest, pk: int) -> HttpResponse:
    vote = vote_queries.vote_get_for(request.user, pk, "vote.manage")
    form = CountsForm(request.POST)
    return _form(
        request,
        vote,
        form,
        lambda d: ballot_svc.vote_counts_enter(actor=request.user, vote=vote, **d),
        done=_("Counts saved."),
        counts_form=form,
    )


@login_required
def vote_ballots(request: HttpRequest, pk: int) -> HttpResponse:
    """Individual ballots: the secretary, as auditor, only."""
    vote = vote_queries.vote_get_for(request.user, pk, "vote.audit")
    page = vote_queries.ballots_page(vote, request.GET.get("page"))
    for b in page.object_list:
        b.flats = " ".join(u["id"] for u in b.voter.units)
        b.area = vote_queries.units_area(b.voter.units)
    return render(request, "deliberation/vote_ballots.html", {"vote": vote, "page": page})


@login_required
def vote_not_yet_voted(request: HttpRequest, pk: int) -> HttpResponse:
    """Owners who have not voted yet, by building: the office's list for door-to-door
    reminders (and for handing out paper ballots) while voting is open."""
    vote = vote_queries.vote_get_for(request.user, pk, "vote.enter_ballot")
    if vote.rule != VoteRule.OWNERS or vote.status != VoteStatus.OPEN:
        return _again(request, vote)(
            _("The list of owners who have not voted exists while an owners' vote is open."), 409
        )
    groups = vote_queries.voters_not_yet_voted(vote)
    ctx = {
        "vote": vote,
        "groups": groups,
        "missing": sum(len(g["voters"]) for g in groups),
        "voters": Voter.objects.filter(vote=vote).count(),
    }
    return render(request, "deliberation/vote_not_yet_voted.html", ctx)
