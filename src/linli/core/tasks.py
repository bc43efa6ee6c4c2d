"""Background jobs of the notifications outbox and the purge of old reads of personal data.
Thin: they take ids and call ``core.notifications`` / ``core.access``, where the rules live."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import HUEY

from . import access, notifications
from .jobs import db_periodic_task, db_task


@db_task(retries=3, retry_delay=60)
def deliver_notification(notification_id: int) -> None:
    # An error is raised again after the row went back to pending, so huey retries it;
    # once huey's retries are used up, the requeue job below takes over until MAX_ATTEMPTS.
    notifications.notification_deliver(notification_id)


@db_periodic_task(crontab(minute="*/5"))
def requeue_stuck_notifications() -> None:
    for pk in notifications.stuck_notifications_requeue():
        deliver_notification(pk)


def local_time_is(hour: int, minute: int) -> Callable[[datetime], bool]:
    """A periodic-task test for a wall-clock time in the site's time zone (Asia/Shanghai):
    huey hands it UTC (its default) or the server's local time, neither of which is ours."""
    zone = ZoneInfo(settings.TIME_ZONE)

    def validate(timestamp: datetime) -> bool:
        aware = timestamp.replace(tzinfo=UTC) if HUEY.utc else timestamp.astimezone()
        local = aware.astimezone(zone)
        return (local.hour, local.minute) == (hour, minute)

    return validate


@db_periodic_task(local_time_is(18, 0))
def send_digests() -> None:
    notifications.digests_send()


@db_periodic_task(local_time_is(3, 30))
def purge_old_reads() -> None:
    access.reads_purge()
