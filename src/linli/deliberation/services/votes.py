"""Votes (表决): preparing a vote, its notice, and opening it (the electorate is frozen then),
with the plain words voters read and the votes' one clock. Ballots are
``services/ballots.py``, the count and its publication ``services/vote_results.py``. Every
write is a ``vote_*`` / ``ballot_*`` service; the vote pages' reads are in ``queries/votes.py``.

The count is never done by hand: ``vote_close`` builds the JSON input of ``linli tally`` from the
frozen ``Voter`` rows and their ``Ballot`` rows and hands it to ``tally.tally`` — the very code
the command runs — and keeps its output verbatim in ``Vote.result``. The audit export is that
same JSON, so ``linli tally export.json`` reproduces the result to the last digit.

The electorate (owners' rule) is frozen when voting opens (``services/electorate.py``).

Time: the window is ``opens_at ≤ t < closes_at``. Results are due ``results_due_days`` after
``closes_at``; publishing later is allowed and flagged."""

from __future__ import annotations

import datetime as dt
from typing import Any, Required, TypedDict, Unpack

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core import policy
from linli.core.errors import Conflict, DomainError
from linli.core.events import log_event, register_verbs
from linli.core.notifications import notify
from linli.core.roles import Role

from .. import tally as tally_mod
from ..models import (
    VOTE_FLOW,
    Matter,
    Topic,
    Vote,
    Voter,
    VoteRule,
    VoteStatus,
    when_text,
)
from ..services import notice
from ..services.electorate import freeze_electorate
from .common import office_step

register_verbs(
    {
        "vote.created": gettext_lazy("Vote prepared"),
        "vote.updated": gettext_lazy("Vote changed"),
        "vote.noticed": gettext_lazy("Vote notice published"),
        "vote.opened": gettext_lazy("Voting opened"),
    }
)

MAX_NOTICE_DAYS = 90
MAX_RESULTS_DUE_DAYS = 30
FINISHED = frozenset({VoteStatus.CLOSED, VoteStatus.PUBLISHED})


def _now() -> dt.datetime:
    """The clock (one place, so tests can move it)."""
    return timezone.now()


_when = when_text


# --- plain words ---------------------------------------------------------------------------


def rule_in_plain_words(rule: str, matter: str = "") -> list[str]:
    """What a voter reads about how the vote is counted (translated, thresholds spelled out)."""
    if rule == VoteRule.OWNERS:
        supermajority = matter in tally_mod.SUPERMAJORITY_MATTERS
        lines = [
            _(
                "This is a joint decision of the owners (Civil Code Art. 278). It is valid only "
                "if owners holding at least 2/3 of the total floor area AND at least 2/3 of all "
                "owners take part. If fewer take part, the vote is void: nothing is decided "
                "(this is not the same as being rejected)."
            ),
            _(
                "It passes if owners holding at least 3/4 of the participating floor area AND "
                "at least 3/4 of the participating owners agree."
            )
            if supermajority
            else _(
                "It passes if owners holding more than half of the participating floor area "
                "AND more than half of the participating owners agree. Exactly half is not "
                "enough."
            ),
            _(
                "An owner of several flats is one person; the developer's unsold flats together "
                "are one person. Floor areas come from the registry. Abstaining counts as "
                "taking part, but not as agreeing."
            ),
        ]
        return lines
    if rule == VoteRule.RESIDENTS:
        return [
            _(
                "This is a residents' meeting (Organic Law of Urban Residents' Committees, "
                "Arts. 9–10). It is valid only if more than half of those entitled (residents "
                "aged 18 and over, or household representatives) are present."
            ),
            _("It passes if more than half of those present agree. Exactly half is not enough."),
        ]
    return [
        _(
            "This is a consultative poll: it has no legal effect. The result shows whether "
            "more than half of those who answered agree, for the community to take into "
            "account."
        )
    ]


OUTCOME_WORDS = {
    "passed": gettext_lazy("Passed"),
    "failed": gettext_lazy("Not passed"),
    "void": gettext_lazy("Void — not enough took part, so nothing was decided"),
}


# --- validation shared by create and update -------------------------------------------------


class VoteFields(TypedDict, total=False):
    """What the office sets on a vote, in ``vote_create`` and ``vote_update`` alike (checked
    by ``_clean_fields``, which holds the defaults)."""

    title: Required[str]
    question: Required[str]
    rule: Required[str]
    matter: str
    buildings: Any  # the vote's buildings (none: the whole community)
    notice_days: int
    results_due_days: int
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None


def _clean_fields(
    *,
    community_id: int,
    title: str,
    question: str,
    rule: str,
    matter: str = "",
    buildings=(),
    notice_days: int = 15,
    results_due_days: int = 3,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
) -> dict[str, Any]:
    title = (title or "").strip()
    question = (question or "").strip()
    if not title:
        raise DomainError(_("Give the vote a title."))
    if not question:
        raise DomainError(_("Write the question put to the vote."))
    if len(title) > 120 or len(question) > 2000:
        raise DomainError(_("The text is too long."))
    if rule not in VoteRule.values:
        raise DomainError(_("Choose how the vote is counted."))
    if rule == VoteRule.OWNERS:
        if matter not in Matter.values:
            raise DomainError(
                _("An owners' joint decision must name which of the nine matters it decides.")
            )
    else:
        matter = ""
    buildings = list(buildings or ())
    if any(b.community_id != community_id for b in buildings):
        raise DomainError(_("A chosen building is not in this community."))
    for value, top, message in (
        (
            notice_days,
            MAX_NOTICE_DAYS,
            _("The notice period must be between 0 and %(n)s days.") % {"n": MAX_NOTICE_DAYS},
        ),
        (
            results_due_days,
            MAX_RESULTS_DUE_DAYS,
            _("Results must be posted within 1 to %(n)s days.") % {"n": MAX_RESULTS_DUE_DAYS},
        ),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > top:
            raise DomainError(message)
    if results_due_days < 1:
        raise DomainError(
            _("Results must be posted within 1 to %(n)s days.") % {"n": MAX_RESULTS_DUE_DAYS}
        )
    notice.check_vote_notice(community_id, rule, notice_days)
    if opens_at and closes_at and closes_at <= opens_at:
        raise DomainError(_("Voting must close after it opens."))
    return {
        "title": title,
        "question": question,
        "rule": rule,
        "matter": matter,
        "buildings": buildings,
        "notice_days": notice_days,
        "results_due_days": results_due_days,
        "opens_at": opens_at,
        "closes_at": closes_at,
    }


def _locked(vote: Vote) -> Vote:
    return Vote.objects.select_for_update().get(pk=vote.pk)


def _managed(actor, vote: Vote, step: str) -> Vote:
    """The office changes the vote: ``vote.manage``, locked, ``step`` allowed by ``VOTE_FLOW``."""
    return office_step(actor, vote, "vote.manage", VOTE_FLOW, step)


# --- preparing and the notice ---------------------------------------------------------------


@transaction.atomic
def vote_create(
    *,
    actor,
    topic: Topic,
    **fields: Unpack[VoteFields],
) -> Vote:
    """A vote on a topic, prepared by the office (not yet announced)."""
    policy.authorize(actor, "vote.manage", topic)
    f = _clean_fields(community_id=topic.community_id, **fields)
    buildings = f.pop("buildings")
    vote = Vote.objects.create(community_id=topic.community_id, topic=topic, created_by=actor, **f)
    if buildings:
        vote.buildings.set(buildings)
    log_event(
        actor=actor,
        verb="vote.created",
        obj=vote,
        parent=topic,
        data={"rule": vote.rule, "matter": vote.matter},
    )
    return vote


@transaction.atomic
def vote_update(
    *,
    actor,
    vote: Vote,
    **fields: Unpack[VoteFields],
) -> Vote:
    """Change a vote while it is being prepared. Once its notice is out, what owners were told
    is fixed (nothing may be put to the vote that was not in the notice)."""
    vote = _managed(actor, vote, "edit")
    f = _clean_fields(community_id=vote.community_id, **fields)
    buildings = f.pop("buildings")
    for k, v in f.items():
        setattr(vote, k, v)
    vote.save()
    vote.buildings.set(buildings)
    log_event(actor=actor, verb="vote.updated", obj=vote)
    return vote


def _member_users(vote: Vote) -> list:
    """Everyone who belongs to the vote's community and is concerned by it: residents of the
    households in scope, and every other role held in the community."""
    User = get_user_model()
    building_ids = list(vote.buildings.values_list("pk", flat=True))
    residents = Q(memberships__role=Role.RESIDENT)
    if building_ids:
        residents &= Q(memberships__household__building_id__in=building_ids)
    others = ~Q(memberships__role=Role.RESIDENT)
    return list(
        User.objects.filter(
            Q(residents | others),
            is_active=True,
            memberships__active=True,
            memberships__community_id=vote.community_id,
        ).distinct()
    )


@transaction.atomic
def vote_notice(*, actor, vote: Vote) -> Vote:
    """Publish the notice: voting may open no sooner than ``notice_days`` after today."""
    vote = _managed(actor, vote, "notice")
    if vote.opens_at is None or vote.closes_at is None:
        raise DomainError(_("Set when voting opens and closes before publishing the notice."))
    # Again: the community may have raised its minimum since the vote was prepared.
    notice.check_vote_notice(vote.community_id, vote.rule, vote.notice_days)
    now = _now()
    earliest = now + dt.timedelta(days=vote.notice_days)
    if vote.opens_at < earliest:
        raise DomainError(
            _(
                "Voting can open on %(date)s at the earliest: the notice period is %(n)s days "
                "from today."
            )
            % {"date": _when(earliest), "n": vote.notice_days}
        )
    vote.noticed_at = now
    VOTE_FLOW.apply(
        vote,
        "notice",
        actor=actor,
        fields=["noticed_at"],
        data={"opens_at": vote.opens_at.isoformat(), "closes_at": vote.closes_at.isoformat()},
        lock=False,
    )
    notify(
        recipients=_member_users(vote),
        verb="vote.noticed",
        title=gettext_lazy("Vote announced: %(title)s"),
        body=gettext_lazy(
            "Voting runs from %(opens)s to %(closes)s. Read the question and "
            "how it is counted on the vote page."
        ),
        params={
            "title": vote.title,
            "opens": _when(vote.opens_at),
            "closes": _when(vote.closes_at),
        },
        url=reverse("deliberation:vote_detail", args=[vote.pk]),
        obj=vote,
        dedupe_key=f"vote.noticed:{vote.pk}",
    )
    return vote


# --- opening: the electorate is frozen -------------------------------------------------------


@transaction.atomic
def vote_open(*, actor, vote: Vote) -> Vote:
    """Open voting at ``opens_at``: for the owners' rule, freeze the electorate. ``actor`` is
    None when a page opens it lazily as the window starts."""
    if actor is not None:
        policy.authorize(actor, "vote.manage", vote)
    vote = _locked(vote)
    if vote.status == VoteStatus.OPEN and actor is None:
        return vote  # opened a moment ago by another page
    VOTE_FLOW.check(vote, "open")
    now = _now()
    if vote.opens_at is None or now < vote.opens_at:
        raise Conflict(_("Voting is not open: it opens at %(at)s.") % {"at": _when(vote.opens_at)})
    summary: dict[str, Any] = {}
    if vote.rule == VoteRule.OWNERS:
        voters, summary = freeze_electorate(vote)
        Voter.objects.bulk_create(voters)
    VOTE_FLOW.apply(vote, "open", actor=actor, data=summary, lock=False)
    return vote


def open_if_due(vote: Vote) -> Vote:
    """Voting opens by itself when its window starts: called before a vote is shown or used."""
    if vote.status == VoteStatus.NOTICED and vote.opens_at and vote.opens_at <= _now():
        return vote_open(actor=None, vote=vote)
    return vote
