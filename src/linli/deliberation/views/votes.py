"""Vote pages: thin — parse a form, call one service, render. This module has the list,
preparing a vote, the minimum notice periods, the vote's page (with its result once counted)
and the office's steps; ballots are ``views/vote_ballots.py``, the follow-up, exports and print
pages ``views/vote_results.py``.

A ``DomainError`` (through ``core.pages``) re-renders the vote page with its message and HTTP status (400 bad
input, 403 not on the electorate, 409 not possible now); ``PermissionDenied`` / ``Http404``
come from the one policy. The public result shows aggregates only; ballots are for the
secretary as auditor (``vote.audit``)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, ngettext, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core import policy
from linli.core.pages import form_action, form_page, run_action
from linli.registry.models import Building, Community

from ..forms.votes import (
    BallotForm,
    CountsForm,
    FollowupForm,
    NoticeRulesForm,
    VoteForm,
)
from ..models import (
    LEGAL_NOTICE_FLOOR_DAYS,
    VOTE_FLOW,
    BallotChoice,
    BallotMethod,
    Topic,
    TopicStatus,
    Vote,
    VoteRule,
    VoteStatus,
)
from ..queries import notice as notice_queries
from ..queries import votes as vote_queries
from ..services import notice
from ..services import vote_results as result_svc
from ..services import votes as services

# --- forms ------------------------------------------------------------------------------------


def _share(num, den) -> str:
    """``num/den`` as a percentage to two places, ``≈`` when rounded (display only)."""
    num, den = Fraction(Decimal(str(num))), Fraction(Decimal(str(den)))
    if den == 0:
        return "—"
    f = num * 100 / den
    q = Decimal(round(f * 100)) / 100
    return f"{'' if Fraction(q) == f else '≈'}{q:.2f}%"


def _result_rows(vote: Vote) -> list[dict]:
    r = vote.result
    if not r:
        return []
    if r.get("rule") == VoteRule.OWNERS:
        return [
            {
                "label": _("Floor area that took part"),
                "num": r["participating_area"],
                "den": r["total_area"],
                "unit": "m²",
                "share": _share(r["participating_area"], r["total_area"]),
                "needs": _("at least 2/3"),
            },
            {
                "label": _("Owners who took part"),
                "num": r["participating_owners"],
                "den": r["total_owners"],
                "unit": "",
                "share": _share(r["participating_owners"], r["total_owners"]),
                "needs": _("at least 2/3"),
            },
            {
                "label": _("Floor area in favour (of the area that took part)"),
                "num": r["yes_area"],
                "den": r["participating_area"],
                "unit": "m²",
                "share": _share(r["yes_area"], r["participating_area"]),
                "needs": _("at least 3/4")
                if vote.matter in services.tally_mod.SUPERMAJORITY_MATTERS
                else _("more than 1/2"),
            },
            {
                "label": _("Owners in favour (of those who took part)"),
                "num": r["yes_owners"],
                "den": r["participating_owners"],
                "unit": "",
                "share": _share(r["yes_owners"], r["participating_owners"]),
                "needs": _("at least 3/4")
                if vote.matter in services.tally_mod.SUPERMAJORITY_MATTERS
                else _("more than 1/2"),
            },
        ]
    present_label = (
        _("Answered")
        if r.get("rule") == VoteRule.CONSULTATIVE
        else _("Present (of those entitled)")
    )
    return [
        {
            "label": present_label,
            "num": r["participating_owners"],
            "den": r["total_owners"],
            "unit": "",
            "share": _share(r["participating_owners"], r["total_owners"]),
            "needs": "" if r.get("rule") == VoteRule.CONSULTATIVE else _("more than 1/2"),
        },
        {
            "label": _("In favour (of those present)"),
            "num": r["yes_owners"],
            "den": r["participating_owners"],
            "unit": "",
            "share": _share(r["yes_owners"], r["participating_owners"]),
            "needs": _("more than 1/2"),
        },
    ]


def _explanation(vote: Vote) -> str:
    expl = vote.result.get("explanation") or {}
    lang = (get_language() or "zh-hans").lower()
    return expl.get("zh" if lang.startswith("zh") else "en") or expl.get("en", "")


def _topic_url(topic_id: int) -> str | None:
    try:
        return reverse("deliberation:topic_detail", args=[topic_id])
    except NoReverseMatch:
        return None


def _render_detail(
    request: HttpRequest,
    vote: Vote,
    *,
    status: int = 200,
    error: str = "",
    ballot_form=None,
    counts_form=None,
    followup_form=None,
) -> HttpResponse:
    actor = request.user
    can = {
        "manage": policy.can(actor, "vote.manage", vote),
        "enter": policy.can(actor, "vote.enter_ballot", vote),
        "audit": policy.can(actor, "vote.audit", vote),
    }
    voter, my_ballot = vote_queries.my_ballot_info(vote, actor)
    now = services._now()
    in_window = bool(vote.opens_at and vote.closes_at and vote.opens_at <= now < vote.closes_at)
    is_open = vote.status == VoteStatus.OPEN and in_window
    show_result = vote.status == VoteStatus.PUBLISHED or (
        vote.status == VoteStatus.CLOSED and can["manage"]
    )
    ctx = {
        "vote": vote,
        "error": error,
        "can": can,
        "rule_words": services.rule_in_plain_words(vote.rule, vote.matter),
        "buildings": (buildings := list(vote.buildings.all().order_by("sort_key"))),
        "buildings_label": buildings_label(buildings),
        "voter": voter,
        "my_ballot": my_ballot,
        "is_open": is_open,
        "in_window": in_window,
        "is_owners": vote.rule == VoteRule.OWNERS,
        "finished": vote.status in services.FINISHED,
        "results_due": result_svc.results_due(vote),
        "late": result_svc.published_late(vote)
        or (vote.status == VoteStatus.CLOSED and (result_svc.results_due(vote) or now) < now),
        "show_result": show_result,
        "result_rows": _result_rows(vote) if show_result else [],
        "explanation": _explanation(vote) if show_result else "",
        "outcome_words": services.OUTCOME_WORDS.get(vote.result.get("outcome", ""), ""),
        "topic_url": _topic_url(vote.topic_id),
        "choices": BallotChoice.choices,
        "not_on_list": voter is None
        and vote.rule == VoteRule.OWNERS
        and vote.status != VoteStatus.NOTICED
        and policy.can(actor, "vote.cast", vote),
    }
    if can["manage"]:
        ctx["progress"] = vote_queries.progress(vote) if vote.rule == VoteRule.OWNERS else None
        ctx["opening"] = vote_queries.opening_summary(vote)
        ctx["can_close"] = vote.status == VoteStatus.OPEN and (
            vote.rule != VoteRule.OWNERS or now >= vote.closes_at
        )
        ctx["can_open"] = vote.status == VoteStatus.NOTICED and vote.opens_at <= now
        if vote.rule != VoteRule.OWNERS and vote.status == VoteStatus.OPEN:
            ctx["counts_form"] = counts_form or CountsForm(
                initial={
                    "eligible": vote.eligible,
                    "present": vote.present,
                    "yes": vote.yes_count,
                }
            )
        if ctx["show_result"] and vote.result.get("outcome") == "passed":
            ctx["followup_form"] = followup_form or FollowupForm(
                community_id=vote.community_id, initial={"title": vote.title}
            )
    if can["enter"] and vote.rule == VoteRule.OWNERS and vote.status == VoteStatus.OPEN:
        ctx["ballot_form"] = ballot_form or BallotForm(initial={"method": BallotMethod.PAPER})
    return render(request, "deliberation/vote_detail.html", ctx, status=status)


def _again(request, vote: Vote, **forms_):
    """The vote's page again (``form_action`` / ``run_action``): for bad input, the form with
    its errors; for a refusal, the vote as it is now with the refusal."""

    def page(message: str, status: int) -> HttpResponse:
        if status == 400 and any(f.is_bound and not f.is_valid() for f in forms_.values()):
            return _render_detail(
                request, vote, status=400, error=_("Please correct the form below."), **forms_
            )
        fresh = Vote.objects.select_related("topic", "community").get(pk=vote.pk)
        return _render_detail(request, fresh, status=status, error=message, **forms_)

    return page


def _refused(request, vote: Vote):
    page = _again(request, vote)
    return lambda e: page(str(e.message), e.status)


def _detail_url(vote: Vote) -> str:
    return reverse("deliberation:vote_detail", args=[vote.pk])


def _form(request, vote, form, run, *, done=None, **forms_) -> HttpResponse:
    return form_action(
        request, form, run, page=_again(request, vote, **forms_), done=done, to=_detail_url(vote)
    )


# --- pages ------------------------------------------------------------------------------------


@login_required
def vote_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    qs = vote_queries.votes_for(actor)
    topic_id = request.GET.get("topic")
    if topic_id and topic_id.isdigit():
        qs = qs.filter(topic_id=int(topic_id))
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "deliberation/vote_list.html",
        {
            "page": page,
            "can_create": policy.has_any(actor, "vote.manage"),
            "notice_communities": list(
                policy.scope_filter(actor, Community.objects.all(), "vote.manage")
            ),
        },
    )


@login_required
def notice_rules_edit(request: HttpRequest, code: str) -> HttpResponse:
    """The office raises the community's minimum notice per rule (never below the legal
    floor, which the form states)."""
    actor = request.user
    community = policy.get_for(actor, Community, "vote.manage", code=code)
    rules = notice_queries.notice_rules_for(community.pk)
    initial = {k: getattr(rules, k) for k in NoticeRulesForm.base_fields}
    form = NoticeRulesForm(request.POST or None, initial=initial)
    floors = {
        "owners": LEGAL_NOTICE_FLOOR_DAYS[VoteRule.OWNERS],
        "residents": LEGAL_NOTICE_FLOOR_DAYS[VoteRule.RESIDENTS],
        "consultative": LEGAL_NOTICE_FLOOR_DAYS[VoteRule.CONSULTATIVE],
    }
    return form_page(
        request,
        form,
        lambda d: notice.notice_rules_update(actor=actor, community=community, **d),
        template="deliberation/notice_rules.html",
        context={"community": community, "floors": floors},
        done=_("Minimum notice periods saved."),
        to=reverse("deliberation:notice_rules", kwargs={"code": community.code}),
    )


def _topics_for_votes(actor):
    return policy.scope_filter(
        actor, Topic.objects.exclude(status=TopicStatus.DROPPED), "vote.manage"
    ).order_by("-created_at")


def _vote_form_page(request, form, run, *, topic, vote, done, refusal=None) -> HttpResponse:
    """The vote's form: bad input shows on the form, a refusal above it (``vote-error``)."""

    def page(error: str = "", status: int = 200) -> HttpResponse:
        if status == 400 and form.is_bound and not form.is_valid():
            error = ""  # the form's own errors say what is wrong
        ctx = {"form": form, "topic": topic, "error": error, "vote": vote}
        return render(request, "deliberation/vote_form.html", ctx, status=status)

    if refusal is not None:
        return page(str(refusal.message), refusal.status)
    if request.method != "POST":
        return page()
    return form_action(request, form, run, page=page, done=done, to=_detail_url)


def _service_kwargs(form: VoteForm) -> dict:
    d = form.cleaned_data
    return {
        k: d[k]
        for k in (
            "title",
            "question",
            "rule",
            "matter",
            "buildings",
            "notice_days",
            "results_due_days",
            "opens_at",
            "closes_at",
        )
    }


@login_required
def vote_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    policy.require_any(actor, "vote.manage")
    topic_id = request.GET.get("topic") or request.POST.get("topic")
    if not (topic_id and str(topic_id).isdigit()):
        topics = _topics_for_votes(actor)[:200]
        return render(request, "deliberation/vote_pick_topic.html", {"topics": topics})
    topic = policy.get_for(actor, Topic, "vote.manage", pk=int(topic_id))
    form = VoteForm(request.POST or None, community_id=topic.community_id)
    return _vote_form_page(
        request,
        form,
        lambda d: services.vote_create(actor=actor, topic=topic, **_service_kwargs(form)),
        topic=topic,
        vote=None,
        done=_("Vote prepared. Publish its notice when ready."),
    )


@login_required
def vote_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    vote = vote_queries.vote_get_for(actor, pk, "vote.manage")
    initial = {
        "title": vote.title,
        "question": vote.question,
        "rule": vote.rule,
        "matter": vote.matter,
        "buildings": list(vote.buildings.all()),
        "notice_days": vote.notice_days,
        "results_due_days": vote.results_due_days,
        "opens_at": timezone.localtime(vote.opens_at) if vote.opens_at else None,
        "closes_at": timezone.localtime(vote.closes_at) if vote.closes_at else None,
    }
    form = VoteForm(request.POST or None, initial=initial, community_id=vote.community_id)
    return _vote_form_page(
        request,
        form,
        lambda d: services.vote_update(actor=actor, vote=vote, **_service_kwargs(form)),
        topic=vote.topic,
        vote=vote,
        done=_("Vote saved."),
        # Once the notice is out the form is shown with the table's refusal, and not saved.
        refusal=None if VOTE_FLOW.can(vote, "edit") else VOTE_FLOW.refusal(vote, "edit"),
    )


@login_required
def vote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, vote_queries.vote_get_for(request.user, pk))


_STEPS = {
    "notice": (services.vote_notice, gettext_lazy("Notice published; members were told.")),
    "open": (services.vote_open, gettext_lazy("Voting is open.")),
    "close": (result_svc.vote_close, gettext_lazy("Voting closed and counted.")),
    "publish": (result_svc.vote_publish, gettext_lazy("Result published.")),
}


@login_required
@require_POST
def vote_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """The office moves a vote on: publish its notice, open, close and count, publish."""
    if step not in _STEPS:
        return HttpResponse(status=404)
    vote = vote_queries.vote_get_for(request.user, pk, "vote.manage")
    service, done = _STEPS[step]
    return run_action(
        request,
        lambda: service(actor=request.user, vote=vote),
        done=done,
        to=_detail_url(vote),
        on_error=_refused(request, vote),
    )


def buildings_label(buildings: list[Building]) -> str:
    """ "3号楼、5号楼" reads "3、5号楼" in Chinese and "Buildings 3, 5" in English; one building,
    "3号楼" / "Building 3"."""
    numbers = pgettext("list separator", ", ").join(b.number for b in buildings)
    return ngettext("Building %(numbers)s", "Buildings %(numbers)s", len(buildings)) % {
        "numbers": numbers
    }
