"""Working days: weekends and public holidays off, 调休 weekend days on (``Holiday``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q
from django.utils import timezone

from .models import Holiday


def _overrides(community_id: int | None, start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    rows = (
        Holiday.objects.filter(date__gte=start, date__lte=end)
        .filter(Q(community__isnull=True) | Q(community_id=community_id))
        # NULLS FIRST on both databases (PostgreSQL sorts NULL last by default): the
        # community's own entry comes last and wins.
        .order_by(F("community_id").asc(nulls_first=True))
    )
    return {h.date: h.is_workday for h in rows}


def is_workday(day: dt.date, overrides: dict[dt.date, bool]) -> bool:
    if day in overrides:
        return overrides[day]
    return day.weekday() < 5


def add_workdays(start: dt.datetime, days: int, community_id: int | None = None) -> dt.datetime:
    """The moment ``days`` working days after ``start``: the end (23:59:59 local) of the
    ``days``-th working day after the day of ``start``."""
    local = timezone.localtime(start)
    day = local.date()
    overrides = _overrides(community_id, day, day + dt.timedelta(days=days * 3 + 30))
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_workday(day, overrides):
            counted += 1
    end = dt.datetime.combine(day, dt.time(23, 59, 59))
    return timezone.make_aware(end, timezone.get_current_timezone())
