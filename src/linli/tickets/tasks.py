"""Background jobs of the requests app. Thin: they call services, where the rules live."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from linli.core import jobs

from . import reminders


@db_periodic_task(crontab(minute="*/10"))
def send_ticket_reminders() -> int:
    # Idempotent: two workers or a re-run send each reminder once (see reminders.py).
    return len(reminders.send_due())


@jobs.db_periodic_task(crontab(minute="17"))
def purge_pending_photos() -> int:
    # Photos kept on a report sent back for a mistake, never sent within a day.
    from . import pending

    return pending.purge()
