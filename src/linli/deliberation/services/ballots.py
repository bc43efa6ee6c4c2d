"""Ballots of a vote: an owner voting online (with its confirmation step), the office entering
a paper or proxy ballot, and the counts taken at a residents' meeting or a consultative poll.
Each owner on the frozen list votes once, inside the voting window; the database keeps one
ballot per voter even when two requests race."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core import policy
from linli.core.errors import Conflict, DomainError
from linli.core.events import log_event, register_verbs

from ..models import (
    COUNT_RULES,
    VOTE_FLOW,
    Ballot,
    BallotChoice,
    BallotMethod,
    Vote,
    Voter,
    VoteRule,
)
from . import votes
from .votes import _locked, _when, open_if_due

register_verbs(
    {
        "vote.cast": gettext_lazy("Ballot cast online"),
        "vote.ballot_entered": gettext_lazy("Ballot entered by the office"),
        "vote.counts_entered": gettext_lazy("Meeting counts entered"),
    }
)


def _now() -> dt.datetime:
    return votes._now()  # the votes' one clock (tests move it there)


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
