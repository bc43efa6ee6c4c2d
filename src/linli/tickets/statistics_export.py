"""The statistics page as a spreadsheet (issue 11, item 11): the same period, the same scope
and the same figures as ``views_metrics.metrics_page`` (one report, ``metrics.cached_report``),
one row per group — the whole period first, then by category, team, handler and month — with
the rates as numbers (a percentage, empty when there is no case to count) and the counts they
come from, so the office can chart or sum them itself. Written by ``core/exports.py``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import policy
from linli.core.exports import Column, ListExport

from . import metrics
from .views_metrics import GROUP_TITLES, _aware, period_from


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def _hours(value: dt.timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 1)


def columns() -> list[Column]:
    return [
        Column(_("Grouping"), width=14),
        Column(_("Group"), width=24),
        Column(_("Received"), width=12, kind="number"),
        Column(_("Still open"), width=12, kind="number"),
        Column(_("Response rate (%)"), width=12, kind="number"),
        Column(_("Answered in time"), width=12, kind="number"),
        Column(_("Answer due"), width=12, kind="number"),
        Column(_("Resolution rate (%)"), width=12, kind="number"),
        Column(_("Resolved"), width=12, kind="number"),
        Column(_("Closed"), width=12, kind="number"),
        Column(_("Satisfaction rate (%)"), width=12, kind="number"),
        Column(_("Satisfied"), width=12, kind="number"),
        Column(_("Basically satisfied"), width=12, kind="number"),
        Column(_("Ratings"), width=12, kind="number"),
        Column(_("Time to respond, average (hours)"), width=12, kind="number"),
        Column(_("Time to resolve, average (hours)"), width=12, kind="number"),
        Column(_("Reopened"), width=12, kind="number"),
    ]


def _row(grouping: str, s: metrics.Stats) -> list[Any]:
    return [
        grouping,
        s.label,
        s.received,
        s.open_now,
        _percent(s.response_rate),
        s.responded_in_time,
        s.response_due,
        _percent(s.resolution_rate),
        s.resolved,
        s.closed,
        _percent(s.satisfaction_rate),
        s.satisfied,
        s.basic,
        s.rated,
        _hours(s.avg_respond),
        _hours(s.avg_resolve),
        s.reopenings,
    ]


def rows(report: metrics.Report) -> Iterator[list[Any]]:
    yield _row(_("Whole period"), report.overall)
    for key, stats in report.groups.items():
        title = str(GROUP_TITLES[key])
        for s in stats:
            yield _row(title, s)


@login_required
def metrics_export(request: HttpRequest) -> HttpResponse:
    """``?period=…`` or ``?from=…&to=…`` as on the page; an unreadable period is refused
    (400, saying why) rather than exported as another period than the one asked for."""
    policy.require_any(request.user, metrics.ACTION)
    first, last, _preset, errors = period_from(request.GET, timezone.localdate())
    if errors:
        return HttpResponse(" ".join(errors), status=400, content_type="text/plain; charset=utf-8")
    start, end = _aware(first), _aware(last + dt.timedelta(days=1))
    report = metrics.cached_report(request.user, start, end)
    export = ListExport(
        columns(),
        rows(report),
        title=_("Request statistics"),
        filename=f"request-statistics-{first:%Y%m%d}-{last:%Y%m%d}",
    )
    return export.response("xlsx")  # type: ignore[return-value]
