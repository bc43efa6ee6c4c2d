"""Working days: weekends and public holidays off, 调休 weekend days on (``Holiday``).

``add_workdays`` counts whole working days (resolution limits); ``add_working_hours`` counts
hours inside a day's working hours (a category's response limit when it has working hours).

Shared by every deadline in Linli (requests, bookings, care visits, mediation). The nationwide
schedule is seeded from the ``chinese-calendar`` package (``seed_official_holidays``, run after
every ``migrate``): each year it knows is added, a date already in the table is never replaced,
so what an office entered or corrected stays. A community adds its own days (a water cut-off,
a local festival) on the requests settings page; a community's entry wins over the nationwide
one.

Every new request needs its community's calendar for its deadline, so a (community, year)'s
holidays are read once and kept in the cache (``django.core.cache``) for
``HOLIDAYS_CACHE_SECONDS``. How a change reaches every process:

- A save or delete of a ``Holiday`` through the ORM (the settings page, the admin) gives the
  calendar a new random version once its transaction commits, and entries cached under an
  older version are not used again. (The receivers are connected when the app loads:
  ``CoreConfig.ready`` imports this module; a bulk update or raw SQL is seen when the
  entries expire.) An entry is stored under the version
  read *before* the database, so a reader racing a change can only store an outdated entry.
- With a shared cache (Redis: production, several app processes) that is every process at
  once. With the per-process ``LocMemCache`` (development, the benchmark's two gunicorn
  workers) the process that made the change sees it at once, the others within
  ``HOLIDAYS_CACHE_SECONDS``: the cost of never asking the database for the calendar.
- Inside a transaction the calendar is read from the database and never cached: that
  transaction may have changed it and may yet roll back.
- Without a cache (Redis down) it is read from the database: a request never fails for it.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

from django.core.cache import cache
from django.db import connections, transaction
from django.db.models import F, Q
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Holiday

logger = logging.getLogger("linli.calendar")

HOLIDAYS_CACHE_SECONDS = 30
_VERSION_KEY = "linli:tickets:holidays:version"


def _key(community_id: int | None, year: int) -> str:
    return f"linli:tickets:holidays:{community_id or 0}:{year}"


def _overrides(community_id: int | None, start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    rows = (
        Holiday.objects.filter(date__gte=start, date__lte=end)
        .filter(Q(community_id__isnull=True) | Q(community_id=community_id))
        # NULLS FIRST on both databases (PostgreSQL sorts NULL last by default): the
        # community's own entry comes last and wins.
        .order_by(F("community_id").asc(nulls_first=True))
        .values_list("date", "is_workday")
    )
    return dict(rows)


def calendar_for(community_id: int | None, years: range) -> dict[int, dict[dt.date, bool]]:
    """For each of ``years``, the days that differ from the weekday rule for this community
    (its own entries and the nationwide ones): ``{year: {date: is_workday}}``. One cache
    round trip; the years not cached are read in one query."""

    def read(wanted: list[int]) -> dict[int, dict[dt.date, bool]]:
        out: dict[int, dict[dt.date, bool]] = {y: {} for y in wanted}
        rows = _overrides(community_id, dt.date(wanted[0], 1, 1), dt.date(wanted[-1], 12, 31))
        for day, worked in rows.items():
            if day.year in out:
                out[day.year][day] = worked
        return out

    if connections[Holiday.objects.db].in_atomic_block:
        return read(list(years))
    keys = {y: _key(community_id, y) for y in years}
    try:
        found = cache.get_many([_VERSION_KEY, *keys.values()])
    except Exception:  # the cache only saves a query: never fail a request for it
        logger.warning("holiday calendar: cache unavailable", exc_info=True)
        return read(list(years))
    version = found.get(_VERSION_KEY)
    cal: dict[int, dict[dt.date, bool]] = {}
    for y, key in keys.items():
        entry = found.get(key)
        if version is not None and entry is not None and entry[0] == version:
            cal[y] = entry[1]
    missing = [y for y in years if y not in cal]
    if missing:
        fresh = read(missing)
        try:
            if version is None:
                cache.add(_VERSION_KEY, uuid.uuid4().hex, None)
                version = cache.get(_VERSION_KEY)
            if version is not None:
                entries = {keys[y]: (version, fresh[y]) for y in missing}
                cache.set_many(entries, HOLIDAYS_CACHE_SECONDS)
        except Exception:
            logger.warning("holiday calendar: cache unavailable", exc_info=True)
        cal.update(fresh)
    return cal


def holidays_changed() -> None:
    """Drop every cached calendar (called once a change to ``Holiday`` is committed)."""
    cache.set(_VERSION_KEY, uuid.uuid4().hex, None)


def _on_change(sender: type, using: str, **kwargs: Any) -> None:
    # robust: the change is committed; a cache that is down must not make it an error page
    # (the entries expire within HOLIDAYS_CACHE_SECONDS anyway).
    transaction.on_commit(holidays_changed, using=using, robust=True)


post_save.connect(_on_change, sender=Holiday, dispatch_uid="linli.core.calendar.save")
post_delete.connect(_on_change, sender=Holiday, dispatch_uid="linli.core.calendar.delete")


def is_workday(day: dt.date, overrides: dict[dt.date, bool]) -> bool:
    if day in overrides:
        return overrides[day]
    return day.weekday() < 5


def add_workdays(start: dt.datetime, days: int, community_id: int | None = None) -> dt.datetime:
    """The moment ``days`` working days after ``start``: the end (23:59:59 local) of the
    ``days``-th working day after the day of ``start``."""
    day = timezone.localtime(start).date()
    cal: dict[int, dict[dt.date, bool]] = {}
    if days > 0:
        last = day + dt.timedelta(days=days * 3 + 30)
        cal = calendar_for(community_id, range(day.year, last.year + 1))
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if day.year not in cal:  # only after an improbably long run of holidays
            cal.update(calendar_for(community_id, range(day.year, day.year + 1)))
        if is_workday(day, cal[day.year]):
            counted += 1
    end = dt.datetime.combine(day, dt.time(23, 59, 59))
    return timezone.make_aware(end, timezone.get_current_timezone())


def add_working_hours(
    start: dt.datetime,
    hours: int,
    community_id: int | None = None,
    *,
    opens: dt.time,
    closes: dt.time,
) -> dt.datetime:
    """The moment ``hours`` working hours after ``start``, counting only the time between
    ``opens`` and ``closes`` (local) on working days: a limit counted so never ends in the
    night, at a weekend or on a holiday. Begun outside working hours, the clock starts at the
    next opening; a limit that uses a day up exactly ends at its closing time."""
    if closes <= opens:
        raise ValueError("working hours must end after they start")
    tz = timezone.get_current_timezone()
    moment = timezone.localtime(start, tz).replace(tzinfo=None)
    left = dt.timedelta(hours=hours)
    day = moment.date()
    cal = calendar_for(community_id, range(day.year, day.year + 2))
    while True:
        if day.year not in cal:
            cal.update(calendar_for(community_id, range(day.year, day.year + 1)))
        if is_workday(day, cal[day.year]):
            begin = max(moment, dt.datetime.combine(day, opens))
            end = dt.datetime.combine(day, closes)
            if begin < end:
                if left <= end - begin:
                    return timezone.make_aware(begin + left, tz)
                left -= end - begin
        day += dt.timedelta(days=1)
        moment = dt.datetime.combine(day, dt.time(0))


# --- the nationwide schedule ----------------------------------------------------------------

# The package's holiday names in both languages (it names them in English and Chinese).
OFFICIAL_NAMES = {
    "New Year's Day": ("元旦", _("New Year's Day")),
    "Spring Festival": ("春节", _("Spring Festival")),
    "Tomb-sweeping Day": ("清明节", _("Tomb-sweeping Day")),
    "Labour Day": ("劳动节", _("Labour Day")),
    "Dragon Boat Festival": ("端午节", _("Dragon Boat Festival")),
    "National Day": ("国庆节", _("National Day")),
    "Mid-autumn Festival": ("中秋节", _("Mid-autumn Festival")),
}


def official_schedule() -> list[tuple[dt.date, str, bool]]:
    """(date, Chinese name, is_workday) for every day the ``chinese-calendar`` package knows
    to differ from the weekday rule: public holidays on weekdays and weekends alike, and the
    weekend days worked in exchange (named "<festival>调休上班")."""
    import chinese_calendar
    from chinese_calendar.constants import holidays, workdays

    def name_of(english: str | None) -> str:
        if english in OFFICIAL_NAMES:
            return OFFICIAL_NAMES[english][0]
        for h in chinese_calendar.Holiday:  # the special days (e.g. 2015's anniversary)
            if h.value == english:
                return str(h.chinese)[:60]
        return english or ""

    days = [(d, name_of(n), False) for d, n in holidays.items()]
    days += [
        (d, f"{name_of(n)}调休上班"[:60], True) for d, n in workdays.items() if d.weekday() >= 5
    ]
    return sorted(days)


def seed_official_holidays(*, using: str = "default") -> int:
    """Add the nationwide days the package knows and the table lacks; returns how many."""
    have = set(
        Holiday.objects.using(using)
        .filter(community_id__isnull=True)
        .values_list("date", flat=True)
    )
    new = [
        Holiday(community_id=None, date=d, name=name, is_workday=worked, official=True)
        for d, name, worked in official_schedule()
        if d not in have
    ]
    Holiday.objects.using(using).bulk_create(new, batch_size=500)
    if new:
        transaction.on_commit(holidays_changed, using=using, robust=True)
    return len(new)


def years_known() -> range:
    """The years of the nationwide schedule (the package's, and so the table's after seeding)."""
    days = [d for d, _n, _w in official_schedule()]
    return range(days[0].year, days[-1].year + 1)


_LABELS = dict(OFFICIAL_NAMES.values())


def official_label(name: str) -> str:
    """ "春节" → "Spring Festival" in English, "春节调休上班" → "Spring Festival (worked day)";
    any other name as it is."""
    if name in _LABELS:
        return str(_LABELS[name])
    base = name.removesuffix("调休上班")
    if base != name and base in _LABELS:
        return _("%(festival)s (worked day)") % {"festival": _LABELS[base]}
    return name
