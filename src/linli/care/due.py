"""The next due visit, and only the next one (the Community Health Toolkit's lesson: a list of
what is due now, not a calendar).

A pure function of what is known about a person, so the rule is tested on its own (property
tests) and the stored copy on ``CarePerson`` is only ever this function's answer:

- no reached visit yet: due on the day they entered the register;
- else: the last *reached* visit (not "not at home", not "refused") plus the frequency;
- a major event declared after that visit makes the person due within its hours (24 for the
  high-risk; a chosen number, or not at all, for the others): whichever comes first;
- a person who moved out or died is due nothing.

Visits are dated by the day they took place (a paper visit entered later keeps its real
date), so a visit on the day an event was declared answers it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

FIRST, REGULAR, EVENT = "first", "regular", "event"


@dataclass(frozen=True)
class EventWindow:
    """A major event as it applies to one person: when declared and within how many hours."""

    declared_at: dt.datetime
    within_hours: int | None


@dataclass(frozen=True)
class Due:
    on: dt.date  # the day the visit is due
    by: dt.datetime | None  # a major event's deadline, when that is what makes it due
    reason: str  # FIRST, REGULAR or EVENT


def next_due(
    *,
    enrolled_on: dt.date,
    frequency_days: int,
    last_reached_on: dt.date | None,
    events: Iterable[EventWindow] = (),
    stopped: bool = False,
    tz: dt.tzinfo = dt.UTC,
) -> Due | None:
    if stopped:
        return None
    if last_reached_on is None:
        due = Due(enrolled_on, None, FIRST)
    else:
        due = Due(last_reached_on + dt.timedelta(days=frequency_days), None, REGULAR)
    for ev in events:
        if ev.within_hours is None:
            continue
        declared_day = ev.declared_at.astimezone(tz).date()
        if last_reached_on is not None and last_reached_on >= declared_day:
            continue  # answered by a visit on or after the day it was declared
        if last_reached_on is None and enrolled_on > declared_day:
            continue  # declared before the person was in the register
        deadline = ev.declared_at + dt.timedelta(hours=ev.within_hours)
        on = deadline.astimezone(tz).date()
        if (
            on < due.on
            or (on == due.on and due.by is None)
            or (due.by is not None and deadline < due.by)
        ):
            due = Due(on, deadline, EVENT)
    return due


def is_overdue(due: Due | None, now: dt.datetime, tz: dt.tzinfo = dt.UTC) -> bool:
    if due is None:
        return False
    if due.by is not None:
        return now > due.by
    return now.astimezone(tz).date() > due.on
