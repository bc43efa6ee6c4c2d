"""Deadline reminders, idempotent: each reminder has a dedupe key, so running the daily job
twice (or concurrently) tells no one twice. Messages name the case number only, never content.

- one month from acceptance (Ministry of Justice rules 2002, Art. 33): 5 days before and once
  overdue, to the case's mediators;
- judicial confirmation (Art. 33, 30 calendar days from the effective date): when the task
  starts and 7 days before its end, to the mediators, to tell the parties;
- a return visit due.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.notifications import notify

from .models import OPEN_STATES, Case, CaseMediator, CaseTask, TaskKind, add_months

BEFORE_SETTLE_DAYS = 5
BEFORE_CONFIRM_DAYS = 7

MESSAGES = {
    "settle_soon": (
        _("Mediation case %(number)s: one month since acceptance on %(day)s"),
        _("Please settle the case or record why it takes longer."),
    ),
    "settle_over": (
        _("Mediation case %(number)s is past one month (since %(day)s)"),
        _("The case was accepted more than a month ago and is still open."),
    ),
    "confirm_start": (
        _("Mediation case %(number)s: tell the parties about judicial confirmation by %(day)s"),
        _("The parties may jointly apply to the court for judicial confirmation within 30 days."),
    ),
    "confirm_soon": (
        _("Mediation case %(number)s: judicial confirmation window ends on %(day)s"),
        _("Remind the parties: the 30 days for judicial confirmation end soon."),
    ),
    "visit_due": (
        _("Mediation case %(number)s: return visit due on %(day)s"),
        _("Visit the parties and record how the agreement is performed."),
    ),
}


def _mediators(case_ids: list[int]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for m in CaseMediator.objects.filter(case_id__in=case_ids).select_related("user"):
        out.setdefault(m.case_id, []).append(m.user)
    return out


def _send(case: Case, users: list[Any], key: str, day: dt.date) -> int:
    title, body = MESSAGES[key]
    rows = notify(
        recipients=users,
        verb=f"mediation.reminder.{key}",
        title=title,
        body=body,
        params={"number": case.number, "day": day.isoformat()},
        url=reverse("mediation:case", args=[case.pk]),
        obj=case,
        dedupe_key=f"mediation:{case.pk}:{key}:{day.isoformat()}",
    )
    return len(rows)


def send_reminders(today: dt.date | None = None) -> int:
    """One pass over the open deadlines; returns the number of notification rows written."""
    today = today or timezone.localdate()
    sent = 0
    # A case accepted on day D is due on D + 1 month: accepted on or before today - 1 month
    # + BEFORE days is in the window. Read in SQL, bounded by the open states.
    latest = add_months(today, -1) + dt.timedelta(days=BEFORE_SETTLE_DAYS)
    cases = list(
        Case.objects.filter(
            status__in=OPEN_STATES, accepted_on__isnull=False, accepted_on__lte=latest
        )
    )
    tasks = list(
        CaseTask.objects.filter(
            done_on__isnull=True, due_on__gte=today - dt.timedelta(days=60)
        ).select_related("case")
    )
    who = _mediators([c.pk for c in cases] + [t.case_id for t in tasks])
    for c in cases:
        due = c.settle_by
        assert due is not None
        key = "settle_over" if today > due else "settle_soon"
        sent += _send(c, who.get(c.pk, []), key, c.accepted_on or due)
    for t in tasks:
        users = who.get(t.case_id, [])
        if t.kind == TaskKind.CONFIRMATION:
            if t.due_on >= today:
                sent += _send(t.case, users, "confirm_start", t.due_on)
            if 0 <= (t.due_on - today).days <= BEFORE_CONFIRM_DAYS:
                sent += _send(t.case, users, "confirm_soon", t.due_on)
        elif t.kind == TaskKind.RETURN_VISIT and t.due_on <= today:
            sent += _send(t.case, users, "visit_due", t.due_on)
    return sent
