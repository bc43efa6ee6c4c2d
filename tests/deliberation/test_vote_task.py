import datetime as dt

import pytest
from django.utils import timezone

from linli.deliberation.models import Vote, VoteStatus
from linli.deliberation.services import votes as vote_services
from linli.deliberation.tasks import open_due_votes

pytestmark = pytest.mark.django_db


def test_periodic_job_opens_a_due_vote_and_freezes_its_electorate(dw):
    now = timezone.now()
    vote = Vote.objects.create(
        community=dw.xincun,
        topic=dw.topic,
        title="加装电梯",
        question="是否同意加装电梯？",
        rule="owners_joint_decision",
        matter="change_common_use",
        status=VoteStatus.NOTICED,
        noticed_at=now - dt.timedelta(days=16),
        opens_at=now - dt.timedelta(minutes=1),
        closes_at=now + dt.timedelta(days=7),
    )
    later = Vote.objects.create(
        community=dw.xincun,
        topic=dw.topic,
        title="b",
        question="q",
        rule="consultative",
        status=VoteStatus.NOTICED,
        noticed_at=now,
        opens_at=now + dt.timedelta(days=15),
        closes_at=now + dt.timedelta(days=20),
    )
    assert open_due_votes.call_local() == 1
    vote.refresh_from_db()
    later.refresh_from_db()
    assert vote.status == VoteStatus.OPEN and vote.voters.exists()
    assert later.status == VoteStatus.NOTICED
    assert open_due_votes.call_local() == 0  # a re-run changes nothing
    assert vote_services.open_if_due(vote).status == VoteStatus.OPEN
