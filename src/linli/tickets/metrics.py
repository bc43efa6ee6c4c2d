"""Request-handling metrics, computed in SQL: response, resolution and satisfaction rates,
average and 90th-percentile times, reopenings — for a period, per category, team, handler
and month. The exact definitions are in ``docs/metrics.md``; the short version:

- the requests counted are those *received* in the period ``[start, end)`` (``created_at``)
  in the actor's scope for ``ticket.metrics``, except duplicates (counted once, through their
  original) and requests the requester withdrew;
- **response rate** = answered within the response limit (``responded_at <= respond_by``)
  / requests whose response is due (answered, or the limit has passed);
- **resolution rate** = resolved (closed, last rating not "unsatisfied") / all closed
  (closed or referred elsewhere);
- **satisfaction rate** = "satisfied" / all rated; also "satisfied or basically satisfied".
- times run from ``created_at`` to ``responded_at`` / ``resolved_at``; the 90th percentile is
  the nearest-rank one, picked with ``ROW_NUMBER()`` and ``COUNT(*) OVER ()`` so it runs the
  same on SQLite and PostgreSQL.

Every function issues a fixed number of queries, whatever the number of requests.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .models import OPEN_STATES, WORKING_STATES, Rating, Status, Ticket
from .queries import tickets_for

S = Status
EXCLUDED = (S.DUPLICATE, S.WITHDRAWN)
CLOSED = (S.CLOSED, S.REFERRED)

TO_RESPOND = ExpressionWrapper(F("responded_at") - F("created_at"), output_field=DurationField())
TO_RESOLVE = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())

# group name → (the columns that identify and label a group, the partition expression)
GROUPS: dict[str, tuple[tuple[str, ...], Any]] = {
    "category": (("category_id", "category__name", "category__name_en"), F("category_id")),
    "team": (("assignee_team_id", "assignee_team__name"), F("assignee_team_id")),
    "handler": (
        ("assignee_user_id", "assignee_user__display_name", "assignee_user__username"),
        F("assignee_user_id"),
    ),
    "month": (("month",), TruncMonth("created_at")),
}


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Stats:
    """The figures of one group (or of the whole scope)."""

    key: Any = None
    label: str = ""
    received: int = 0  # everything received, duplicates and withdrawn included
    duplicates: int = 0
    withdrawn: int = 0
    counted: int = 0
    response_due: int = 0
    responded_in_time: int = 0
    closed: int = 0
    resolved: int = 0
    referred: int = 0
    rated: int = 0
    satisfied: int = 0
    basic: int = 0
    unsatisfied: int = 0
    reopenings: int = 0  # how many times requests were reopened (sum of reopen_count)
    reopened: int = 0  # how many requests were reopened at least once
    open_now: int = 0  # of the counted requests, how many are still open
    avg_respond: dt.timedelta | None = None
    p90_respond: dt.timedelta | None = None
    avg_resolve: dt.timedelta | None = None
    p90_resolve: dt.timedelta | None = None

    @property
    def response_rate(self) -> float | None:
        return _rate(self.responded_in_time, self.response_due)

    @property
    def resolution_rate(self) -> float | None:
        return _rate(self.resolved, self.closed)

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.satisfied, self.rated)

    @property
    def satisfied_or_basic_rate(self) -> float | None:
        return _rate(self.satisfied + self.basic, self.rated)


@dataclass
class Report:
    start: dt.datetime
    end: dt.datetime
    overall: Stats
    groups: dict[str, list[Stats]] = field(default_factory=dict)


def _aggregates(now: dt.datetime) -> dict[str, Any]:
    counted = ~Q(status__in=EXCLUDED)
    return {
        "received": Count("pk"),
        "duplicates": Count("pk", filter=Q(status=S.DUPLICATE)),
        "withdrawn": Count("pk", filter=Q(status=S.WITHDRAWN)),
        "counted": Count("pk", filter=counted),
        "response_due": Count(
            "pk", filter=counted & (Q(responded_at__isnull=False) | Q(respond_by__lte=now))
        ),
        "responded_in_time": Count("pk", filter=counted & Q(responded_at__lte=F("respond_by"))),
        "closed": Count("pk", filter=Q(status__in=CLOSED)),
        "resolved": Count("pk", filter=Q(status=S.CLOSED) & ~Q(rating=Rating.UNSATISFIED)),
        "referred": Count("pk", filter=Q(status=S.REFERRED)),
        "rated": Count("pk", filter=counted & ~Q(rating="")),
        "satisfied": Count("pk", filter=counted & Q(rating=Rating.SATISFIED)),
        "basic": Count("pk", filter=counted & Q(rating=Rating.BASIC)),
        "unsatisfied": Count("pk", filter=counted & Q(rating=Rating.UNSATISFIED)),
        "reopenings": Sum("reopen_count", filter=counted, default=0),
        "reopened": Count("pk", filter=counted & Q(reopen_count__gt=0)),
        "open_now": Count("pk", filter=counted & Q(status__in=OPEN_STATES)),
        "avg_respond": Avg(TO_RESPOND, filter=counted & Q(responded_at__isnull=False)),
        "avg_resolve": Avg(TO_RESOLVE, filter=counted & Q(resolved_at__isnull=False)),
    }


def _p90(qs: QuerySet, duration, not_null: str, partition=None) -> dict[Any, dt.timedelta]:
    """The nearest-rank 90th percentile of ``duration`` per partition, in one query: the row
    ranked ceil(0.9 n) of n, i.e. (9n + 9) div 10 in integer arithmetic (exact on both
    databases). Without a partition the one value is under the key ``None``."""
    parts = [partition] if partition is not None else None
    annotations: dict[str, Any] = {
        "duration": duration,
        "rank": Window(RowNumber(), partition_by=parts, order_by=[duration.asc(), F("pk").asc()]),
        "n": Window(Count("pk"), partition_by=parts),
    }
    if partition is not None:
        annotations["part"] = partition
    rows = (
        qs.filter(~Q(status__in=EXCLUDED), **{f"{not_null}__isnull": False})
        .annotate(**annotations)
        .filter(rank=(F("n") * 9 + 9) / 10)
        .order_by()
    )
    if partition is None:
        first = rows.values_list("duration", flat=True).first()
        return {None: first} if first is not None else {}
    return dict(rows.values_list("part", "duration"))


def _fill(stats: Stats, row: dict[str, Any]) -> Stats:
    for name, value in row.items():
        if value is not None and name in _FIELDS:
            setattr(stats, name, value)
    return stats


_FIELDS = frozenset(Stats.__dataclass_fields__) - {"key", "label"}


def _label(group: str, row: dict[str, Any]) -> tuple[Any, str]:
    if group == "category":
        en = (get_language() or "").startswith("en")
        return row["category_id"], (
            row["category__name_en"] if en and row["category__name_en"] else row["category__name"]
        )
    if group == "team":
        return row["assignee_team_id"], row["assignee_team__name"] or _("No team")
    if group == "handler":
        name = row["assignee_user__display_name"] or row["assignee_user__username"]
        return row["assignee_user_id"], name or _("No one person")
    month = row["month"]
    return month, timezone.localtime(month).strftime("%Y-%m") if month else ""


def scope(actor, start: dt.datetime, end: dt.datetime) -> QuerySet[Ticket]:
    """The requests received in ``[start, end)`` that ``actor`` may see metrics of."""
    return tickets_for(actor, "ticket.metrics").filter(created_at__gte=start, created_at__lt=end)


def report(
    actor,
    start: dt.datetime,
    end: dt.datetime,
    *,
    now: dt.datetime | None = None,
    groups: tuple[str, ...] = ("category", "team", "handler", "month"),
) -> Report:
    """All figures for the period, overall and per group: 3 queries for the whole scope and
    3 per grouping, however many requests there are."""
    now = now or timezone.now()
    qs = scope(actor, start, end).order_by()
    aggs = _aggregates(now)
    overall = _fill(Stats(label=_("All requests")), qs.aggregate(**aggs))
    overall.p90_respond = _p90(qs, TO_RESPOND, "responded_at").get(None)
    overall.p90_resolve = _p90(qs, TO_RESOLVE, "resolved_at").get(None)
    out = Report(start, end, overall)
    for group in groups:
        columns, partition = GROUPS[group]
        grouped = qs.annotate(month=TruncMonth("created_at")) if group == "month" else qs
        rows = grouped.values(*columns).annotate(**aggs).order_by(*columns[:1])
        p90_respond = _p90(qs, TO_RESPOND, "responded_at", partition)
        p90_resolve = _p90(qs, TO_RESOLVE, "resolved_at", partition)
        stats = []
        for row in rows:
            key, label = _label(group, row)
            s = _fill(Stats(key=key, label=label), row)
            s.p90_respond, s.p90_resolve = p90_respond.get(key), p90_resolve.get(key)
            stats.append(s)
        if group == "month":
            stats.sort(key=lambda s: s.key)
        else:
            stats.sort(key=lambda s: (-s.received, s.label))
        out.groups[group] = stats
    return out


def overdue_q(now: dt.datetime) -> Q:
    """Still being worked on and past a deadline: not accepted in time, or not resolved."""
    return Q(status__in=WORKING_STATES) & (
        Q(resolve_by__lt=now) | Q(status=S.SUBMITTED, respond_by__lt=now)
    )


def open_counts(qs: QuerySet[Ticket], *, now: dt.datetime | None = None) -> dict[str, int]:
    """How many of ``qs`` are open and how many of those are overdue (one query)."""
    now = now or timezone.now()
    return qs.order_by().aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATES)),
        overdue=Count("pk", filter=overdue_q(now)),
    )


def month_start(now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month(moment: dt.datetime) -> dt.datetime:
    first = moment.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return timezone.make_aware(
        dt.datetime.combine(nxt.date(), dt.time()), timezone.get_current_timezone()
    )


def home_tiles(actor, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """This month's three rates, and the open and overdue requests in the actor's scope."""
    now = now or timezone.now()
    start = month_start(now)
    qs = tickets_for(actor, "ticket.metrics")
    month = _fill(
        Stats(),
        qs.filter(created_at__gte=start, created_at__lt=next_month(start))
        .order_by()
        .aggregate(**_aggregates(now)),
    )
    counts = open_counts(qs, now=now)
    return {"month": month, "start": start, "open": counts["open"], "overdue": counts["overdue"]}
