"""Registry background jobs (huey)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import io


@db_periodic_task(crontab(minute="17", hour="*"))
def purge_stale_uploads() -> int:
    """Hourly: checked-but-never-imported spreadsheets are deleted after a day."""
    return io.purge_stale_uploads()
