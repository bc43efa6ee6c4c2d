"""Statistics of mediation, aggregated in SQL: by type, outcome, mediator, month and year, and
the monthly table for the street's justice office (a month with no cases is reported as such,
零上报). Figures only: no party, no content."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth

from linli.core import policy
from linli.core.actors import Actor

from .models import Agreement, Case, CaseMediator, CaseStatus, DisputeType


def cases_for_stats(actor: Actor) -> QuerySet[Case]:
    return policy.scope_filter(actor, Case.objects.all(), "mediation.stats")


def _duration() -> Any:
    return ExpressionWrapper(F("ended_on") - F("accepted_on"), output_field=DurationField())


def _days(v: Any) -> float | None:
    if v is None:
        return None
    if isinstance(v, dt.timedelta):
        return round(v.total_seconds() / 86400, 1)
    return round(float(v) / 86400e6, 1)  # microseconds (SQLite)


def monthly_table(cases: QuerySet[Case], year: int) -> list[dict[str, Any]]:
    """Twelve rows: accepted, settled by agreement, written agreements, amounts agreed and
    disputes reported before they escalated — each month, zeros included."""
    base = cases.order_by()
    accepted = dict(
        base.filter(accepted_on__year=year)
        .annotate(m=ExtractMonth("accepted_on"))
        .values("m")
        .annotate(n=Count("id"))
        .values_list("m", "n")
    )
    escalated = dict(
        base.filter(escalated_at__year=year)
        .annotate(m=ExtractMonth("escalated_at"))
        .values("m")
        .annotate(n=Count("id"))
        .values_list("m", "n")
    )
    agreed: dict[int, dict[str, Any]] = {
        r["m"]: dict(r)
        for r in Agreement.objects.filter(case__in=base, effective_on__year=year)
        .order_by()
        .annotate(m=ExtractMonth("effective_on"))
        .values("m")
        .annotate(
            settled=Count("case_id", distinct=True),
            written=Count("id", filter=Q(form="written")),
            amount=Sum("case__amount"),
        )
    }
    rows = []
    for m in range(1, 13):
        a = agreed.get(m, {})
        row = {
            "month": m,
            "accepted": accepted.get(m, 0),
            "settled": a.get("settled", 0),
            "agreements": a.get("written", 0),
            "amount": a.get("amount") or 0,
            "escalated": escalated.get(m, 0),
        }
        row["none"] = not (row["accepted"] or row["settled"] or row["escalated"])
        rows.append(row)
    return rows


def by_type(cases: QuerySet[Case], year: int) -> list[dict[str, Any]]:
    labels = dict(DisputeType.choices)
    rows = (
        cases.filter(applied_on__year=year)
        .order_by()
        .values("dispute_type")
        .annotate(
            n=Count("id"),
            agreed=Count("id", filter=Q(agreements__effective_on__isnull=False), distinct=True),
            days=Avg(_duration()),
        )
        .order_by("-n", "dispute_type")
    )
    return [
        {
            "label": labels.get(r["dispute_type"], r["dispute_type"]),
            "n": r["n"],
            "agreed": r["agreed"],
            "days": _days(r["days"]),
        }
        for r in rows
    ]


def by_outcome(cases: QuerySet[Case], year: int) -> list[dict[str, Any]]:
    labels = dict(CaseStatus.choices)
    rows = (
        cases.filter(applied_on__year=year)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
        .order_by("-n", "status")
    )
    return [{"label": labels.get(r["status"], r["status"]), "n": r["n"]} for r in rows]


def by_mediator(cases: QuerySet[Case], year: int) -> list[dict[str, Any]]:
    rows = (
        CaseMediator.objects.filter(case__in=cases.order_by(), case__applied_on__year=year)
        .order_by()
        .values("user_id", "user__display_name", "user__username")
        .annotate(
            n=Count("case_id", distinct=True),
            agreed=Count(
                "case_id", filter=Q(case__agreements__effective_on__isnull=False), distinct=True
            ),
            days=Avg(
                ExpressionWrapper(
                    F("case__ended_on") - F("case__accepted_on"), output_field=DurationField()
                )
            ),
        )
        .order_by("-n", "user_id")
    )
    return [
        {
            "label": r["user__display_name"] or r["user__username"],
            "n": r["n"],
            "agreed": r["agreed"],
            "days": _days(r["days"]),
        }
        for r in rows
    ]
