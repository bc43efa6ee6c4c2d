"""Reads for the vote pages: the votes an actor may see, one vote, progress, who has not yet
voted, the actor's own ballot, the ballots (auditor only) and the count's input (the audit
export, ``linli tally``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from linli.core import policy
from linli.core.exports import Column, ListExport
from linli.core.models import Event
from linli.registry.models import Household

from .. import tally as tally_mod
from ..models import (
    COUNT_RULES,
    Ballot,
    BallotMethod,
    Topic,
    Vote,
    Voter,
    VoteRule,
    VoteStatus,
)


def tally_input(vote: Vote) -> dict[str, Any]:
    """The exact ``linli tally`` input for this vote, from the frozen electorate and ballots.
    A ``vote`` key describes the vote (``linli tally`` ignores unknown keys)."""
    meta = {"id": vote.pk, "title": vote.title, "community": vote.community_id}
    if vote.rule in COUNT_RULES:
        data = tally_mod.counts_input(
            vote.rule, vote.eligible or 0, vote.present or 0, vote.yes_count or 0
        )
        return {**data, "vote": meta}
    ballots = dict(Ballot.objects.filter(vote=vote).values_list("voter_id", "choice"))
    owners = [
        {
            "id": v.key,
            "developer": v.developer,
            "units": [{"id": u["id"], "area": u["area"]} for u in v.units],
            "ballot": ballots.get(v.pk),
        }
        for v in Voter.objects.filter(vote=vote).order_by("pk")
    ]
    return {"rule": vote.rule, "matter": vote.matter, "owners": owners, "vote": meta}


def votes_for(actor, *, topic: Topic | None = None) -> QuerySet:
    """Votes the actor may see; one still being prepared only for the office."""
    qs = Vote.objects.select_related("topic")
    if topic is not None:
        qs = qs.filter(topic=topic)
    return policy.scope_filter(actor, qs, "vote.view").order_by("-created_at", "-id")


def voters_not_yet_voted(vote: Vote) -> list[dict[str, Any]]:
    """The owners on the frozen list who have not voted yet, by building, for door-to-door
    reminders: ``[{"building": "3", "voters": [Voter, …]}, …]`` in building order. Two
    queries whatever the size (the voters without a ballot; their flats' buildings)."""

    missing = list(
        Voter.objects.filter(vote=vote)
        .exclude(Exists(Ballot.objects.filter(vote=vote, voter=OuterRef("pk"))))
        .only("pk", "display_name", "developer", "units", "key")
        .order_by("pk")
    )
    households = {u.get("household") for v in missing for u in v.units} - {None}
    number_of: dict[int | None, str] = dict(
        Household.objects.filter(pk__in=households).values_list("pk", "building__number")
    )
    by_building: dict[str, list[Voter]] = {}
    for v in missing:
        first = v.units[0] if v.units else {}
        number = number_of.get(first.get("household"), "") or str(first.get("id", "")).split("-")[0]
        v.flats = " ".join(u["id"] for u in v.units)  # type: ignore[attr-defined]
        by_building.setdefault(number, []).append(v)

    def natural(number: str) -> tuple[int, str]:
        digits = "".join(ch for ch in number if ch.isdigit())
        return (int(digits) if digits else 10**9, number)

    return [
        {"building": b, "voters": sorted(vs, key=lambda v: v.flats)}
        for b, vs in sorted(by_building.items(), key=lambda kv: natural(kv[0]))
    ]


def vote_get_for(actor, pk: int, action: str = "vote.view") -> Vote:
    """Fetch and authorise ``action``: out of scope, or a vote still being prepared (it does
    not exist yet for anyone but the office) → 404; visible but ``action`` not allowed → 403.
    A vote whose window has started is opened first, so ``action`` is decided on the frozen
    list of owners ("self:voter")."""
    vote = policy.get_for(
        actor, Vote.objects.select_related("topic", "community"), "vote.view", pk=pk
    )
    # Opening a due vote is a write, and the services' (they import these reads: imported here).
    from ..services import votes as vote_services

    if (
        vote.status == VoteStatus.NOTICED
        and vote.opens_at
        and vote.opens_at <= vote_services._now()
    ):
        vote = vote_services.open_if_due(vote)
        vote = Vote.objects.select_related("topic", "community").get(pk=vote.pk)
    if action != "vote.view" and not policy.can(actor, action, vote):
        raise PermissionDenied
    return vote


def my_ballot_info(vote: Vote, actor) -> tuple[Voter | None, Ballot | None]:
    """The actor's own entry on the electorate and their ballot (one query)."""
    if not getattr(actor, "is_authenticated", False) or vote.rule != VoteRule.OWNERS:
        return None, None
    voter = Voter.objects.filter(vote=vote, user=actor).prefetch_related("ballots").first()
    if voter is None:
        return None, None
    ballots = list(voter.ballots.all())
    return voter, (ballots[0] if ballots else None)


def progress(vote: Vote) -> dict[str, Any]:
    """For the office while voting runs: electorate size and ballots so far, by method."""
    by_method = dict(Ballot.objects.filter(vote=vote).values_list("method").annotate(n=Count("id")))
    voters = Voter.objects.filter(vote=vote).count()
    return {
        "voters": voters,
        "ballots": sum(by_method.values()),
        "by_method": [(BallotMethod(m).label, by_method.get(m, 0)) for m in BallotMethod.values],
    }


def opening_summary(vote: Vote) -> dict[str, Any] | None:
    """What freezing the electorate found (totals and data problems), from the event log."""
    event = (
        Event.objects.filter(
            verb="vote.opened",
            object_id=vote.pk,
            object_type=ContentType.objects.get_for_model(Vote),
        )
        .order_by("-id")
        .only("data")
        .first()
    )
    return event.data if event else None


def ballots_page(vote: Vote, page: Any, per_page: int = 50) -> Page:
    qs = (
        Ballot.objects.filter(vote=vote)
        .select_related("voter", "entered_by")
        .order_by("cast_at", "id")
    )
    return Paginator(qs, per_page).get_page(page)


def units_area(units: list[dict[str, Any]]) -> str:
    return format(sum((Decimal(u["area"]) for u in units), Decimal(0)), "f")


CSV_HEADER = [
    "voter_key",
    "developer",
    "flats",
    "area",
    "choice",
    "method",
    "paper_serial",
    "proxy_name",
    "proxy_authorization",
    "cast_at",
]


def ballots_csv(vote: Vote) -> str:
    """Every ballot, for the auditor: who (voter key), which flats and area, how, when."""
    ballots = Ballot.objects.filter(vote=vote).select_related("voter").order_by("cast_at", "id")
    rows = (
        [
            b.voter.key,
            "yes" if b.voter.developer else "no",
            " ".join(u["id"] for u in b.voter.units),
            units_area(b.voter.units),
            b.choice,
            b.method,
            b.paper_serial,
            b.proxy_name,
            b.proxy_authorization,
            timezone.localtime(b.cast_at).isoformat(),
        ]
        for b in ballots
    )
    export = ListExport(
        [Column(h) for h in CSV_HEADER], rows, title="ballots", filename=f"vote-{vote.pk}-ballots"
    )
    return export.csv(bom=False)
