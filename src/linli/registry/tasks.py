"""Registry background jobs (huey)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import importing


@db_periodic_task(crontab(minute="17", hour="*"))
def purge_stale_uploads() -> int:
    """Hourly: uploaded spreadsheets are deleted after a day."""
    return importing.purge_stale_uploads()
