"""``{{ vote|vote_status }}``: a vote's status as a person reads it at this moment.

The stored status changes when the office (or the vote's first visitor) moves it on, so a vote
whose closing time has passed may still be stored as open. It is never shown as "投票中" then:
it reads "voting closed, being counted" until the count is recorded; an announced vote whose
window has begun reads "Voting".
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from linli.deliberation.models import Vote, VoteStatus
from linli.deliberation.services import votes as services_votes

register = template.Library()


@register.filter
def vote_status(vote: Vote) -> str:
    now = services_votes._now()
    if vote.status in (VoteStatus.NOTICED, VoteStatus.OPEN) and vote.closes_at:
        if vote.closes_at <= now:
            return _("Voting closed, being counted")
        if vote.status == VoteStatus.NOTICED and vote.opens_at and vote.opens_at <= now:
            return str(VoteStatus.OPEN.label)
    return str(vote.get_status_display())
