"""Periodic jobs: the day-before reminders and closing attendances never checked out."""

from __future__ import annotations

from huey import crontab

from linli.core import jobs


@jobs.db_periodic_task(crontab(minute="5"))
def volunteers_hourly() -> None:
    from .services.activities import send_reminders
    from .services.attendance import close_unfinished

    close_unfinished()
    send_reminders()
