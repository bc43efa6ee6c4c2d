"""The metrics page (``ticket.metrics``: community office and street supervisors): the three
rates and the times for a period, per category, team, handler and month. Thin: it parses the
period and reads ``metrics.cached_report`` (figures up to five minutes old, and says so); the
definitions live in ``metrics.py``."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core import policy

from . import metrics

PRESETS = {
    "month": gettext_lazy("This month"),
    "last_month": gettext_lazy("Last month"),
    "quarter": gettext_lazy("The last three months"),
    "year": gettext_lazy("This year"),
    "12m": gettext_lazy("The last twelve months"),
}
GROUP_TITLES = {
    "category": gettext_lazy("By category"),
    "team": gettext_lazy("By team"),
    "handler": gettext_lazy("By handler"),
    "month": gettext_lazy("By month"),
}
MAX_DAYS = 3 * 366


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), timezone.get_current_timezone())


def _months_back(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(y, m + 1, 1)


def period_from(params, today: dt.date) -> tuple[dt.date, dt.date, str, list[str]]:
    """``(first day, last day, preset, errors)`` from the query string: a preset
    (``period=month|last_month|quarter|year|12m``) or ``from``/``to`` dates, both days
    included. Anything unreadable falls back to this month, with a message."""
    first_of_month = today.replace(day=1)
    errors: list[str] = []
    raw_from, raw_to = (params.get("from") or "").strip(), (params.get("to") or "").strip()
    if raw_from or raw_to:
        try:
            start = dt.date.fromisoformat(raw_from)
            last = dt.date.fromisoformat(raw_to)
        except ValueError:
            errors.append(_("Give both dates as year-month-day, e.g. 2026-11-01."))
        else:
            if last < start:
                errors.append(_("The first day must not be after the last day."))
            elif (last - start).days > MAX_DAYS:
                errors.append(_("Choose a period of at most three years."))
            else:
                return start, last, "", errors
    preset = params.get("period") or "month"
    if preset not in PRESETS:
        errors.append(_("Unknown period."))
        preset = "month"
    if preset == "last_month":
        start = _months_back(today, 1)
        return start, first_of_month - dt.timedelta(days=1), preset, errors
    if preset == "quarter":
        return _months_back(today, 2), today, preset, errors
    if preset == "year":
        return today.replace(month=1, day=1), today, preset, errors
    if preset == "12m":
        return _months_back(today, 11), today, preset, errors
    return first_of_month, today, "month", errors


def _percent(part: int, whole: int) -> str:
    if not whole:
        return _("no cases yet")  # not "— (0/0)" beside a resolution time
    return f"{100 * part / whole:.1f}%"


def _count(part: int, whole: int) -> str:
    """The n / N beside a rate, or nothing when there is no case to count."""
    return f"{part}/{whole}" if whole else ""


def _duration(value: dt.timedelta | None) -> str:
    if value is None:
        return "—"
    hours = value.total_seconds() / 3600
    if hours < 48:
        return _("%(n).1f h") % {"n": hours}
    return _("%(n).1f days") % {"n": hours / 24}


def row(s: metrics.Stats) -> dict:
    """One group's figures, formatted for the page."""
    return {
        "label": s.label,
        "received": s.received,
        "counted": s.counted,
        "open": s.open_now,
        "response": _percent(s.responded_in_time, s.response_due),
        "response_n": _count(s.responded_in_time, s.response_due),
        "resolution": _percent(s.resolved, s.closed),
        "resolution_n": _count(s.resolved, s.closed),
        "satisfied": _percent(s.satisfied, s.rated),
        "satisfied_or_basic": _percent(s.satisfied + s.basic, s.rated),
        "satisfied_n": _count(s.satisfied, s.rated),
        "satisfied_or_basic_n": _count(s.satisfied + s.basic, s.rated),
        "avg_respond": _duration(s.avg_respond),
        "p90_respond": _duration(s.p90_respond),
        "avg_resolve": _duration(s.avg_resolve),
        "p90_resolve": _duration(s.p90_resolve),
        "reopenings": s.reopenings,
    }


@login_required
def metrics_page(request: HttpRequest) -> HttpResponse:
    policy.require_any(request.user, "ticket.metrics")
    today = timezone.localdate()
    first, last, preset, errors = period_from(request.GET, today)
    start, end = _aware(first), _aware(last + dt.timedelta(days=1))
    report = metrics.cached_report(request.user, start, end)

    def groups() -> list:
        # Called by the template only when its cached copy of the tables (kept with the
        # report) is missing: for a street, drawing some 200 rows is most of a cached page.
        return [
            (key, GROUP_TITLES[key], [row(s) for s in stats])
            for key, stats in report.groups.items()
        ]

    return render(
        request,
        "tickets/metrics.html",
        {
            "report": report,
            "overall": row(report.overall),
            "groups": groups,
            "cache_seconds": metrics.CACHE_SECONDS,
            "start": start,
            "end": end,
            "first": first,
            "last": last,
            "preset": preset,
            "presets": PRESETS.items(),
            "errors": errors,
            "as_of": report.as_of,
        },
    )
