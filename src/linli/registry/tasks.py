"""Registry background jobs (huey)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import importing


@db_periodic_task(crontab(minute="17", hour="*"))
def purge_stale_uploads() -> int:
    """Hourly: uploaded spreadsheets are deleted after a day."""
    return importing.purge_stale_uploads()


@db_task()
def import_run_task(import_id: int) -> str:
    """A registry import's commit, in bounded transactions (``importing.commit.import_run``)."""
    return importing.commit.import_run(import_id)


@db_periodic_task(crontab(minute="*/5"))
def resume_stalled_imports() -> int:
    """Imports whose worker died mid-way are run again; what they wrote is not written twice."""
    return importing.commit.resume_stalled()
