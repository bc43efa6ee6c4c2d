"""After the count, and on paper: the follow-up work a passed vote creates, the audit exports
(the exact ``linli tally`` input and the ballots as CSV), the printed notice (page and PDF) and
blank paper ballots."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core import documents

from ..forms.votes import (
    FollowupForm,
    PaperBallotsForm,
)
from ..models import (
    BallotChoice,
    Vote,
    VoteRule,
    VoteStatus,
    when_text,
)
from ..queries import votes as vote_queries
from ..services import vote_results as result_svc
from ..services import votes as services
from .common import form_errors, paper, plain_text
from .votes import _form, buildings_label


@login_required
@require_POST
def vote_followup(request: HttpRequest, pk: int) -> HttpResponse:
    vote = vote_queries.vote_get_for(request.user, pk, "vote.manage")
    form = FollowupForm(request.POST, community_id=vote.community_id)
    return _form(
        request,
        vote,
        form,
        lambda d: result_svc.vote_followup(
            actor=request.user, vote=vote, title=d["title"], owner=d["owner"], due_on=d["due_on"]
        ),
        done=_("Follow-up work created on the topic."),
        followup_form=form,
    )


def _export_refused(vote: Vote) -> HttpResponse | None:
    if vote.status not in services.FINISHED:
        return plain_text(_("The vote is exported for audit once it is counted."), 409)
    return None


@login_required
def vote_export_json(request: HttpRequest, pk: int) -> HttpResponse:
    """The exact ``linli tally`` input: ``linli tally`` on it reproduces ``Vote.result``."""
    vote = vote_queries.vote_get_for(request.user, pk, "vote.audit")
    if (refused := _export_refused(vote)) is not None:
        return refused
    body = json.dumps(vote_queries.tally_input(vote), ensure_ascii=False, indent=2)
    resp = HttpResponse(body, content_type="application/json; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="vote-{vote.pk}-tally-input.json"'
    return resp


@login_required
def vote_export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    vote = vote_queries.vote_get_for(request.user, pk, "vote.audit")
    if (refused := _export_refused(vote)) is not None:
        return refused
    resp = HttpResponse(
        "\ufeff" + vote_queries.ballots_csv(vote), content_type="text/csv; charset=utf-8"
    )
    resp["Content-Disposition"] = f'attachment; filename="vote-{vote.pk}-ballots.csv"'
    return resp


def _notice_context(request: HttpRequest, pk: int) -> dict:
    """What the printed notice shows, for the page and the PDF: one permission check."""
    vote = vote_queries.vote_get_for(request.user, pk)
    return {
        "vote": vote,
        "url": request.build_absolute_uri(reverse("deliberation:vote_detail", args=[vote.pk])),
        "rule_words": services.rule_in_plain_words(vote.rule, vote.matter),
        "buildings": (buildings := list(vote.buildings.all().order_by("sort_key"))),
        "buildings_label": buildings_label(buildings),
        "results_due": result_svc.results_due(vote),
    }


@login_required
def vote_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The notice to post in the building: the question, the rule in plain words, the window,
    and a QR code to the vote page."""
    return render(request, "deliberation/vote_print.html", _notice_context(request, pk))


_when = when_text


def _vote_facts(vote: Vote, buildings: list) -> list[tuple[str, str]]:
    who = buildings_label(buildings) if buildings else _("The whole community")
    facts = [(_("Counting rule"), vote.get_rule_display())]
    if vote.matter:
        facts.append((_("Matter"), vote.get_matter_display()))
    facts.append((_("Who votes"), who))
    if vote.opens_at:
        window = f"{_when(vote.opens_at)} – {_when(vote.closes_at)}"
    else:
        window = _("Not yet set")
    facts.append((_("Voting period"), window))
    return facts


@login_required
def vote_print_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = _notice_context(request, pk)
    vote = ctx["vote"]
    facts = _vote_facts(vote, ctx["buildings"])
    if ctx["results_due"]:
        facts.append((_("Result posted by"), _when(ctx["results_due"])))
    data = {
        "vote": {
            "heading": f"{_('Notice of a vote')}: {vote.title}",
            "draft": vote.status == VoteStatus.DRAFT,
            "question": vote.question,
            "facts": facts,
            "rule_words": [str(line) for line in ctx["rule_words"]],
        },
        "qr": documents.qr_svg(ctx["url"]),
        "url": ctx["url"],
        "labels": {
            "draft": _("Draft: this notice is not published yet."),
            "question": _("The question"),
            "how": _("How the vote is counted"),
            "scan": _("Scan to read the vote and to vote online (owners, after logging in)."),
            "paper": _(
                "Owners who prefer paper can hand a signed paper ballot, or a written "
                "authorisation for a proxy, to the community office during the voting period."
            ),
        },
    }
    return paper(
        vote,
        "vote_notice",
        data,
        header=_("Notice of a vote"),
        filename=f"vote-{vote.pk}-notice.pdf",
    )


def paper_serial(vote: Vote, n: int) -> str:
    """The serial number printed on blank ballot ``n`` and typed in when it is entered."""
    return f"{vote.pk}-{n:04d}"


@login_required
def vote_ballots_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Blank paper ballots for an owners' vote, one a page, numbered ``first`` to
    ``first + count - 1``: the office hands them out and enters each returned one by its
    number. For whoever may enter paper ballots, until the vote is counted; a vote counted at
    a meeting has none (409, as for entering one)."""
    vote = vote_queries.vote_get_for(request.user, pk, "vote.enter_ballot")
    refusal = ""
    if vote.rule != VoteRule.OWNERS:
        refusal = _("This vote is counted at a meeting: there are no individual ballots.")
    elif vote.status in services.FINISHED:
        refusal = _("The vote is counted: no more paper ballots.")
    if refusal:
        return plain_text(refusal, 409)
    form = PaperBallotsForm({"first": 1, "count": 20, **request.GET.dict()})
    if not form.is_valid():
        return plain_text(form_errors(form), 400)
    first, count = form.cleaned_data["first"], form.cleaned_data["count"]
    closes = _when(vote.closes_at) if vote.closes_at else _("the end of the voting period")
    data = {
        "vote": {
            "title": vote.title,
            "question": vote.question,
            "facts": _vote_facts(vote, list(vote.buildings.all().order_by("sort_key"))),
            "hand_in": _(
                "Mark one box, sign, and hand this ballot to the community office before "
                "%(closes)s. One ballot per owner."
            )
            % {"closes": closes},
        },
        "serials": [paper_serial(vote, n) for n in range(first, first + count)],
        "labels": {
            "heading": _("Paper ballot"),
            "serial": _("Ballot No."),
            "question": _("The question"),
            "mark_one": _("Mark one box:"),
            "yes": BallotChoice.YES.label,
            "no": BallotChoice.NO.label,
            "abstain": BallotChoice.ABSTAIN.label,
            "owner": _("Owner's name"),
            "room": _("Flat"),
            "sign": _("Owner's signature"),
            "date": _("Date"),
        },
    }
    return paper(
        vote,
        "paper_ballots",
        data,
        header=_("Paper ballot"),
        filename=f"vote-{vote.pk}-ballots-{first}-{first + count - 1}.pdf",
    )
