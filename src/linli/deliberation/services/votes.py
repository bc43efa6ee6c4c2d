"""Votes (表决): notice, the frozen electorate, ballots (online, paper, proxy), the count and
its publication. Every write is a ``vote_*`` / ``ballot_*`` service; the vote pages' reads are in
``queries/votes.py``.

The count is never done here: ``vote_close`` builds the JSON input of ``linli tally`` from the
frozen ``Voter`` rows and their ``Ballot`` rows and hands it to ``tally.tally`` — the very code
the command runs — and keeps its output verbatim in ``Vote.result``. The audit export is that
same JSON, so ``linli tally export.json`` reproduces the result to the last digit.

The electorate (owners' rule) is frozen when voting opens (``services/electorate.py``).

Time: the window is ``opens_at ≤ t < closes_at``. Results are due ``results_due_days`` after
``closes_at``; publishing later is allowed and flagged."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
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
    COUNT_RULES,
    VOTE_FLOW,
    Ballot,
    BallotChoice,
    BallotMethod,
    Matter,
    Topic,
    Vote,
    Voter,
    VoteRule,
    VoteStatus,
    when_text,
)
from ..queries.votes import tally_input
from ..services import notice
from ..services.electorate import freeze_electorate

register_verbs(
    {
        "vote.created": gettext_lazy("Vote prepared"),
        "vote.updated": gettext_lazy("Vote changed"),
        "vote.noticed": gettext_lazy("Vote notice published"),
        "vote.opened": gettext_lazy("Voting opened"),
        "vote.cast": gettext_lazy("Ballot cast online"),
        "vote.ballot_entered": gettext_lazy("Ballot entered by the office"),
        "vote.counts_entered": gettext_lazy("Meeting counts entered"),
        "vote.closed": gettext_lazy("Vote counted"),
        "vote.published": gettext_lazy("Vote result published"),
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


def _clean_fields(
    *,
    community_id: int,
    title: str,
    question: str,
    rule: str,
    matter: str,
    buildings,
    notice_days: int,
    results_due_days: int,
    opens_at: dt.datetime | None,
    closes_at: dt.datetime | None,
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


# --- preparing and the notice ---------------------------------------------------------------


@transaction.atomic
def vote_create(
    *,
    actor,
    topic: Topic,
    title: str,
    question: str,
    rule: str,
    matter: str = "",
    buildings=(),
    notice_days: int = 15,
    results_due_days: int = 3,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
) -> Vote:
    """A vote on a topic, prepared by the office (not yet announced)."""
    policy.authorize(actor, "vote.manage", topic)
    f = _clean_fields(
        community_id=topic.community_id,
        title=title,
        question=question,
        rule=rule,
        matter=matter,
        buildings=buildings,
        notice_days=notice_days,
        results_due_days=results_due_days,
        opens_at=opens_at,
        closes_at=closes_at,
    )
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
    title: str,
    question: str,
    rule: str,
    matter: str = "",
    buildings=(),
    notice_days: int = 15,
    results_due_days: int = 3,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
) -> Vote:
    """Change a vote while it is being prepared. Once its notice is out, what owners were told
    is fixed (nothing may be put to the vote that was not in the notice)."""
    policy.authorize(actor, "vote.manage", vote)
    vote = _locked(vote)
    VOTE_FLOW.check(vote, "edit")
    f = _clean_fields(
        community_id=vote.community_id,
        title=title,
        question=question,
        rule=rule,
        matter=matter,
        buildings=buildings,
        notice_days=notice_days,
        results_due_days=results_due_days,
        opens_at=opens_at,
        closes_at=closes_at,
    )
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
    policy.authorize(actor, "vote.manage", vote)
    vote = _locked(vote)
    VOTE_FLOW.check(vote, "notice")
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


# --- ballots --------------------------------------------------------------------------------


def _require_window(vote: Vote, at: dt.datetime, action: str) -> None:
    """The table's step (voting is open), then the moment: inside the voting window."""
    VOTE_FLOW.check(vote, action)
    if (
        vote.opens_at is None
        or vote.closes_at is None
        or not (vote.opens_at <= at < vote.closes_at)
    ):
        raise Conflict(
            _("Voting is not open: it runs from %(opens)s to %(closes)s.")
            % {"opens": _when(vote.opens_at), "closes": _when(vote.closes_at)}
        )


def _require_owners_rule(vote: Vote) -> None:
    if vote.rule != VoteRule.OWNERS:
        raise Conflict(_("This vote is counted at a meeting: there are no individual ballots."))


def _check_choice(choice: str) -> None:
    if choice not in BallotChoice.values:
        raise DomainError(_("Choose agree, disagree or abstain."))


def _already_voted(ballot: Ballot) -> DomainError:
    return Conflict(
        _(
            "A ballot for these flats was already recorded (%(method)s, %(at)s). Each owner "
            "votes once; a second ballot is not accepted."
        )
        % {"method": ballot.get_method_display(), "at": _when(ballot.cast_at)}
    )


def _existing_ballot(vote: Vote, voter: Voter) -> Ballot | None:
    return Ballot.objects.filter(vote=vote, voter=voter).first()


def _save_ballot(vote: Vote, voter: Voter, **fields) -> Ballot:
    existing = _existing_ballot(vote, voter)
    if existing is not None:
        raise _already_voted(existing)
    serial = fields.get("paper_serial", "")
    if serial and Ballot.objects.filter(vote=vote, paper_serial=serial).exists():
        raise DomainError(
            _("Ballot number %(serial)s has already been entered for this vote.")
            % {"serial": serial}
        )
    try:
        with transaction.atomic():
            return Ballot.objects.create(vote=vote, voter=voter, **fields)
    except IntegrityError:
        # A concurrent request won the race; the database kept one ballot.
        existing = Ballot.objects.filter(vote=vote, voter=voter).first()
        if existing is not None:
            raise _already_voted(existing) from None
        raise DomainError(
            _("Ballot number %(serial)s has already been entered for this vote.")
            % {"serial": serial}
        ) from None


def _castable(actor, vote: Vote, choice: str) -> tuple[Vote, Voter]:
    """Every rule of an online vote, checked before anything is written: the vote (opened
    if due, locked) and the actor's place on its list of owners."""
    policy.authorize(actor, "vote.view", vote)
    vote = open_if_due(vote)
    policy.authorize(actor, "vote.cast", vote)
    vote = _locked(vote)
    _require_owners_rule(vote)
    _require_window(vote, _now(), "cast")
    _check_choice(choice)
    voter = Voter.objects.filter(vote=vote, user=actor).first()
    if voter is None:
        raise DomainError(
            _(
                "Only owners can vote on this matter, and you are not on this vote's list of "
                "owners. If you own a flat here, ask the community office to check the registry."
            ),
            status=403,
        )
    existing = _existing_ballot(vote, voter)
    if existing is not None:
        raise _already_voted(existing)
    return vote, voter


@transaction.atomic
def vote_cast_check(*, actor, vote: Vote, choice: str) -> Voter:
    """The confirmation step of an online vote ("you chose 同意 — confirm"): the same
    refusals as ``vote_cast``, and nothing recorded. Returns the actor's place on the list."""
    return _castable(actor, vote, choice)[1]


@transaction.atomic
def vote_cast(*, actor, vote: Vote, choice: str) -> Ballot:
    """An owner votes online, for all the flats the electorate lists for them. Whether the
    actor is on that list is known only once voting has opened (the list is frozen then), so
    the vote is opened before the permission to cast is decided."""
    vote, voter = _castable(actor, vote, choice)
    ballot = _save_ballot(
        vote, voter, choice=choice, method=BallotMethod.ONLINE, entered_by=actor, cast_at=_now()
    )
    log_event(
        actor=actor,
        verb="vote.cast",
        obj=ballot,
        parent=vote,
        community_id=vote.community_id,
        data={"method": BallotMethod.ONLINE},
    )
    return ballot


def _voter_for_flat(vote: Vote, flat: str) -> Voter:
    flat = (flat or "").strip()
    if not flat:
        raise DomainError(_("Give the flat the ballot is for, e.g. 3-2-501."))
    for voter in Voter.objects.filter(vote=vote).only("pk", "units", "key", "developer"):
        if any(u["id"] == flat for u in voter.units):
            return voter
    raise DomainError(
        _(
            "Flat %(flat)s is not on this vote's list of owners: it is outside the vote's "
            "scope, or no owner of it is on record."
        )
        % {"flat": flat}
    )


@transaction.atomic
def ballot_enter(
    *,
    actor,
    vote: Vote,
    choice: str,
    method: str,
    flat: str = "",
    voter: Voter | None = None,
    paper_serial: str = "",
    proxy_name: str = "",
    proxy_authorization: str = "",
    received_at: dt.datetime | None = None,
) -> Ballot:
    """The office enters a paper ballot (with its serial number) or a proxy ballot (with the
    proxy's name and the written authorisation), for the voter holding ``flat``.

    ``received_at`` (default now) must fall inside the voting window: paper ballots handed in
    before voting closed may be entered until the vote is counted.
    """
    policy.authorize(actor, "vote.enter_ballot", vote)
    vote = open_if_due(vote)
    vote = _locked(vote)
    _require_owners_rule(vote)
    now = _now()
    received_at = received_at or now
    if received_at > now:
        raise DomainError(_("The time the ballot was received is in the future."))
    _require_window(vote, received_at, "enter_ballot")
    _check_choice(choice)
    paper_serial = (paper_serial or "").strip()
    proxy_name = (proxy_name or "").strip()
    proxy_authorization = (proxy_authorization or "").strip()
    if method == BallotMethod.PAPER:
        if not paper_serial:
            raise DomainError(_("A paper ballot needs its serial number."))
    elif method == BallotMethod.PROXY:
        if not proxy_name:
            raise DomainError(_("A proxy ballot needs the proxy's name."))
        if not proxy_authorization:
            raise DomainError(
                _("A proxy ballot needs the written authorisation: record its reference.")
            )
    else:
        raise DomainError(_("Choose paper ballot or proxy ballot."))
    if len(paper_serial) > 40 or len(proxy_name) > 50 or len(proxy_authorization) > 200:
        raise DomainError(_("The text is too long."))
    if voter is not None:
        if voter.vote_id != vote.pk:
            raise DomainError(_("This owner is not on this vote's list of owners."))
    else:
        voter = _voter_for_flat(vote, flat)
    ballot = _save_ballot(
        vote,
        voter,
        choice=choice,
        method=method,
        paper_serial=paper_serial,
        proxy_name=proxy_name if method == BallotMethod.PROXY else "",
        proxy_authorization=proxy_authorization if method == BallotMethod.PROXY else "",
        entered_by=actor,
        cast_at=received_at,
    )
    log_event(
        actor=actor,
        verb="vote.ballot_entered",
        obj=ballot,
        parent=vote,
        community_id=vote.community_id,
        data={"method": method, "serial": paper_serial},
    )
    return ballot


@transaction.atomic
def vote_counts_enter(*, actor, vote: Vote, eligible: int, present: int, yes: int) -> Vote:
    """Residents' meeting or consultative poll: the counts taken at the meeting."""
    policy.authorize(actor, "vote.manage", vote)
    vote = open_if_due(vote)
    vote = _locked(vote)
    if vote.rule not in COUNT_RULES:
        raise Conflict(_("An owners' vote is counted from its ballots, not from meeting counts."))
    VOTE_FLOW.check(vote, "enter_counts")
    for v in (eligible, present, yes):
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            raise DomainError(_("Counts are whole numbers, zero or more."))
    if present > eligible:
        raise DomainError(_("More people present than entitled: check the counts."))
    if yes > present:
        raise DomainError(_("More in favour than present: check the counts."))
    vote.eligible, vote.present, vote.yes_count = eligible, present, yes
    vote.save(update_fields=["eligible", "present", "yes_count"])
    log_event(
        actor=actor,
        verb="vote.counts_entered",
        obj=vote,
        data={"eligible": eligible, "present": present, "yes": yes},
    )
    return vote


# --- counting and publishing ------------------------------------------------------------------


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
    policy.authorize(actor, "vote.manage", vote)
    vote = _locked(vote)
    VOTE_FLOW.check(vote, "publish")
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
    title: str,
    owner=None,
    due_on: dt.date | None = None,
    make_ticket: bool = False,
    ticket_category=None,
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
        title=title,
        owner=owner,
        due_on=due_on,
        make_ticket=make_ticket,
        ticket_category=ticket_category,
        source=vote,
    )


# --- reads ----------------------------------------------------------------------------------
