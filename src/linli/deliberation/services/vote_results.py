"""The count of a vote and its publication: ``vote_close`` counts with ``tally.tally`` (the
code ``linli tally`` runs) from the frozen voters and their ballots and keeps the output
verbatim; ``vote_publish`` posts it (late posting is allowed and flagged); a passed vote
becomes follow-up work on its topic."""

from __future__ import annotations

import datetime as dt
from typing import Unpack

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core import policy
from linli.core.errors import Conflict, DomainError
from linli.core.events import register_verbs
from linli.core.notifications import notify

from .. import tally as tally_mod
from ..models import (
    COUNT_RULES,
    VOTE_FLOW,
    Vote,
)
from ..queries.votes import tally_input
from . import votes
from .topics import FollowUpWork
from .votes import OUTCOME_WORDS, _locked, _managed, _member_users, _when, open_if_due

register_verbs(
    {
        "vote.closed": gettext_lazy("Vote counted"),
        "vote.published": gettext_lazy("Vote result published"),
    }
)


def _now() -> dt.datetime:
    return votes._now()  # the votes' one clock (tests move it there)


@transaction.atomic
def vote_close(*, actor, vote: Vote) -> Vote:
    """Close voting and count it with the one counting rule; the output is kept verbatim."""
    policy.authorize(actor, "vote.manage", vote)
    vote = open_if_due(vote)
    vote = _locked(vote)
    VOTE_FLOW.check(vote, "close")
    now = _now()
    if vote.rule in COUNT_RULES:
        if vote.eligible is None or vote.present is None or vote.yes_count is None:
            raise DomainError(_("Enter the counts taken at the meeting first."))
    elif now < vote.closes_at:
        raise Conflict(
            _("Voting is open until %(at)s; count it after it closes.")
            % {"at": _when(vote.closes_at)}
        )
    try:
        result = tally_mod.tally(tally_input(vote)).as_json()
    except tally_mod.TallyInputError as e:  # the frozen data should never be invalid
        raise DomainError(_("The vote cannot be counted: %(error)s") % {"error": str(e)}) from None
    vote.result, vote.closed_at = result, now
    VOTE_FLOW.apply(
        vote,
        "close",
        actor=actor,
        fields=["result", "closed_at"],
        data={"outcome": result["outcome"]},
        lock=False,
    )
    return vote


def results_due(vote: Vote) -> dt.datetime | None:
    """When the result must be posted by: ``results_due_days`` after voting closes."""
    end = vote.closes_at
    if vote.closed_at and (end is None or vote.closed_at < end):
        end = vote.closed_at
    return end + dt.timedelta(days=vote.results_due_days) if end else None


def published_late(vote: Vote) -> bool:
    due = results_due(vote)
    return bool(vote.published_at and due and vote.published_at > due)


@transaction.atomic
def vote_publish(*, actor, vote: Vote) -> Vote:
    """Post the result publicly (aggregates only). Late posting is allowed and flagged."""
    vote = _managed(actor, vote, "publish")
    vote.published_at = _now()
    late = published_late(vote)
    VOTE_FLOW.apply(
        vote,
        "publish",
        actor=actor,
        fields=["published_at"],
        data={"outcome": vote.result.get("outcome"), "late": late},
        lock=False,
    )
    notify(
        recipients=_member_users(vote),
        verb="vote.published",
        title=gettext_lazy("Vote result: %(title)s"),
        body=gettext_lazy("The result is %(outcome)s. See the count on the vote page."),
        params={"title": vote.title, "outcome": OUTCOME_WORDS.get(vote.result.get("outcome"), "")},
        url=reverse("deliberation:vote_detail", args=[vote.pk]),
        obj=vote,
        dedupe_key=f"vote.published:{vote.pk}",
    )
    return vote


def vote_followup(
    *,
    actor,
    vote: Vote,
    **work: Unpack[FollowUpWork],
):
    """A passed vote becomes work: an action on its topic (``services.action_create``)."""
    from ..services.topics import action_create

    policy.authorize(actor, "vote.manage", vote)
    VOTE_FLOW.check(vote, "follow_up")
    if vote.result.get("outcome") != "passed":
        raise VOTE_FLOW.refusal(vote, "follow_up")
    return action_create(
        actor=actor,
        topic=vote.topic,
        source=vote,
        **work,
    )
