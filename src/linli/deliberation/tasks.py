"""Deliberation background jobs (huey)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .models import Vote, VoteStatus
from .services.votes import _now, open_if_due


@db_periodic_task(crontab(minute="*/5"))
def open_due_votes() -> int:
    """Every 5 minutes: votes whose notice period is over and whose window has started open
    (the electorate is frozen then), even if nobody has looked at them yet."""
    opened = 0
    due = Vote.objects.filter(status=VoteStatus.NOTICED, opens_at__lte=_now())
    for vote_id in due.values_list("pk", flat=True)[:200]:
        vote = open_if_due(Vote.objects.get(pk=vote_id))
        opened += vote.status == VoteStatus.OPEN
    return opened
