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


def _duration(case: str = "") -> Any:
    """How long a case took, from acceptance to its end (``case``: the path to the case)."""
    return ExpressionWrapper(
        F(f"{case}ended_on") - F(f"{case}accepted_on"), output_field=DurationField()
    )


def _per_choice(
    cases: QuerySet[Case], year: int, field: str, choices: Any, **measures: Any
) -> list[dict[str, Any]]:
    """The cases applied for in the year per value of ``field``, most first, each labelled by
    its choice: ``n`` and the ``measures``."""
    labels = dict(choices)
    rows = (
        cases.filter(applied_on__year=year)
        .order_by()
        .values(field)
        .annotate(n=Count("id"), **measures)
        .order_by("-n", field)
    )
    return [
        {"label": labels.get(r[field], r[field]), **{k: v for k, v in r.items() if k != field}}
        for r in rows
    ]


def _days(v: Any) -> float | None:
    if v is None:
        return None
    if isinstance(v, dt.timedelta):
        return round(v.total_seconds() / 86400, 1)
    return round(float(v) / 86400e6, 1)  # microseconds (SQLite)


def _per_month(cases: QuerySet[Case], field: str, year: int) -> dict[int, int]:
    """How many cases have ``field`` in each month of the year (months with none absent)."""
    return dict(
        cases.filter(**{f"{field}__year": year})
        .annotate(m=ExtractMonth(field))
        .values("m")
        .annotate(n=Count("id"))
        .values_list("m", "n")
    )


def monthly_table(cases: QuerySet[Case], year: int) -> list[dict[str, Any]]:
    """Twelve rows: accepted, settled by agreement, written agreements, amounts agreed and
    disputes reported before they escalated — each month, zeros included."""
    base = cases.order_by()
    accepted = _per_month(base, "accepted_on", year)
    escalated = _per_month(base, "escalated_at", year)
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
    rows = _per_choice(
        cases,
        year,
        "dispute_type",
        DisputeType.choices,
        agreed=Count("id", filter=Q(agreements__effective_on__isnull=False), distinct=True),
        days=Avg(_duration()),
    )
    for r in rows:
        r["days"] = _days(r["days"])
    return rows


def by_outcome(cases: QuerySet[Case], year: int) -> list[dict[str, Any]]:
    return _per_choice(cases, year, "status", CaseStatus.choices)


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
            days=Avg(_duration("case__")),
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
