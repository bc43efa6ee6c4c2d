"""Care's periodic work: overdue visit alerts (hourly, from 8:00 to 20:00)."""

from __future__ import annotations

from huey import crontab

from linli.core import jobs

from . import alerts


@jobs.db_periodic_task(crontab(minute="5", hour="8-20"))
def send_care_alerts() -> int:
    # Idempotent: two workers or a re-run send each alert once (alerts.py).
    alerts.refresh_stopped()
    return len(alerts.send_overdue())
