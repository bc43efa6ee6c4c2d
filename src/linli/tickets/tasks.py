"""Background jobs of the requests app. Thin: they call services, where the rules live."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import reminders


@db_periodic_task(crontab(minute="*/10"))
def send_ticket_reminders() -> int:
    # Idempotent: two workers or a re-run send each reminder once (see reminders.py).
    return len(reminders.send_due())
