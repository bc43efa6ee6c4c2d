"""Reads of mediation, scope-filtered by the policy, with the reads of the parties' data
recorded where they are read (``core.access.record_reads``)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from linli.core import access, policy
from linli.core.actors import Actor
from linli.core.events import log_event

from .models import (
    OPEN_STATES,
    Agreement,
    Case,
    CaseMediator,
    CaseTask,
    Party,
    Signature,
)

PER_PAGE = 30


def cases_for(actor: Actor, action: str = "mediation.case.view") -> QuerySet[Case]:
    return policy.scope_filter(actor, Case.objects.all(), action)


def case_list(actor: Actor, *, page: Any = 1, status: str = "") -> tuple[Page[Case], set[int]]:
    """One page of the cases the actor may see, and the ids among them whose content they
    may read (the others show number and status only). Parties are loaded — and their read
    recorded — only for those."""
    qs = cases_for(actor).order_by("-applied_on", "-id")
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATES)
    elif status:
        qs = qs.filter(status=status)
    pg = Paginator(qs, PER_PAGE).get_page(page)
    ids = [c.pk for c in pg.object_list]
    content: set[int] = set()
    if ids:
        content = set(
            cases_for(actor, "mediation.case.content")
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
    if content:
        parties: dict[int, list[Party]] = {}
        for p in Party.objects.filter(case_id__in=content).order_by("case_id", "position", "id"):
            parties.setdefault(p.case_id, []).append(p)
        for c in pg.object_list:
            c.party_list = parties.get(c.pk, [])  # type: ignore[attr-defined]
        access.record_reads(
            actor,
            [p.resident_id for ps in parties.values() for p in ps if p.resident_id],
            kind=access.LISTED,
            purpose="mediation.list",
            community_id=pg.object_list[0].community_id,
        )
    return pg, content


def case_get_for(actor: Actor, pk: int, action: str = "mediation.case.view") -> Case:
    """One case: 404 outside the actor's places or another resident's case, 403 inside
    without the right (community staff on the content)."""
    return policy.get_for(
        actor, Case.objects.select_related("committee", "community"), action, pk=pk
    )


def case_page(actor: Actor, case: Case, *, content: bool) -> dict[str, Any]:
    """Everything the case page shows. The content (parties, sessions, agreement) only when
    ``content``; then the read is recorded for every registered party and as an event."""
    ctx: dict[str, Any] = {"case": case, "content": content}
    ctx["tasks"] = list(case.tasks.all())
    agreements = list(
        case.agreements.prefetch_related(
            Prefetch(
                "signatures",
                queryset=Signature.objects.select_related("party", "mediator", "recorded_by"),
            )
        ).order_by("-version")
    )
    ctx["agreements"] = agreements
    ctx["agreement"] = next((a for a in agreements if a.superseded_at is None), None)
    ctx["effective"] = next((a for a in agreements if a.effective_on is not None), None)
    if not content:
        return ctx
    parties = list(case.parties.all())
    ctx["parties"] = parties
    ctx["mediators"] = list(case.mediators.select_related("user"))
    ctx["helpers"] = list(case.helpers.all())
    ctx["sessions"] = list(case.sessions.select_related("recorded_by"))
    ctx["visits"] = list(case.visits.all())
    access.record_reads(
        actor,
        [p.resident_id for p in parties if p.resident_id],
        kind=access.VIEWED,
        purpose="mediation.case",
        community_id=case.community_id,
    )
    log_event(actor=actor, verb="mediation.case.viewed", obj=case)
    return ctx


def own_party(actor: Actor, case: Case) -> Party | None:
    if not actor.is_authenticated:
        return None
    return case.parties.filter(user_id=actor.pk).first()


def agreement_for_print(case: Case, version: int | None = None) -> Agreement | None:
    qs = case.agreements.all()
    if version is not None:
        return qs.filter(version=version).first()
    return qs.filter(superseded_at__isnull=True).first()


def parties_read(actor: Actor, case: Case, *, purpose: str) -> None:
    """Record that the actor read the case's registered parties (an agreement printed)."""
    access.record_reads(
        actor,
        [p.resident_id for p in case.parties.all() if p.resident_id],
        kind=access.VIEWED,
        purpose=purpose,
        community_id=case.community_id,
    )


def mediator_choices(case: Case) -> QuerySet[Any]:
    from linli.accounts.models import User

    return (
        User.objects.filter(
            memberships__role="mediator",
            memberships__community_id=case.community_id,
            memberships__active=True,
        )
        .exclude(pk__in=CaseMediator.objects.filter(case=case).values("user_id"))
        .distinct()
        .order_by("display_name", "username")
    )


def home_counts(actor: Actor) -> dict[str, int]:
    mine = Case.objects.filter(mediators__user_id=actor.pk or 0)
    today = timezone.localdate()
    return {
        "open": mine.filter(status__in=OPEN_STATES).count(),
        "due": CaseTask.objects.filter(
            case__in=mine, done_on__isnull=True, due_on__lte=today
        ).count(),
        "visible": cases_for(actor).filter(status__in=OPEN_STATES).count(),
    }


def status_counts(qs: QuerySet[Case]) -> dict[str, int]:
    return {r["status"]: r["n"] for r in qs.order_by().values("status").annotate(n=Count("id"))}


__all__ = ["Q", "case_get_for", "case_list", "case_page", "cases_for"]
