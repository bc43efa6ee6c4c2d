"""Mediation's daily job: deadline reminders (``reminders.send_reminders``, idempotent)."""

from __future__ import annotations

from huey import crontab

from linli.core import jobs


@jobs.db_periodic_task(crontab(minute="30", hour="8"))
def mediation_reminders() -> None:
    from .reminders import send_reminders

    send_reminders()
