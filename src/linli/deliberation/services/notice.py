"""Minimum notice: how many days before a vote opens or a meeting starts its notice must be
published. Each rule has a legal floor (``models.LEGAL_NOTICE_FLOOR_DAYS``, with its sources);
a community may require more (``NoticeRules``), never less. Votes and meetings check a notice
period here when they are prepared and again when their notice is published (the community's
rule may have been raised in between)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from linli.core import policy
from linli.core.errors import DomainError
from linli.core.events import log_event, register_verbs

from ..models import BODY_NOTICE_RULE, LEGAL_NOTICE_FLOOR_DAYS, Body, NoticeRules, VoteRule
from ..queries.notice import minimum_days

MAX_DAYS = 90  # as a vote's or meeting's own notice period

register_verbs({"notice_rules.updated": gettext_lazy("Minimum notice periods changed")})


def check_notice_days(community_id: int, rule: str, days: int, *, what: str) -> None:
    """Refuse ``days`` below the minimum for ``rule``; ``what`` names the vote's rule or the
    meeting's body in the message."""
    floor = LEGAL_NOTICE_FLOOR_DAYS[rule]
    needed = minimum_days(community_id, rule)
    if days >= needed:
        return
    if needed > floor:
        raise DomainError(
            ngettext(
                "This community requires a notice period of at least %(n)s day for "
                "“%(what)s” (the legal minimum is %(floor)s).",
                "This community requires a notice period of at least %(n)s days for "
                "“%(what)s” (the legal minimum is %(floor)s).",
                needed,
            )
            % {"n": needed, "what": what, "floor": floor}
        )
    raise DomainError(
        ngettext(
            "“%(what)s” needs a notice period of at least %(n)s day.",
            "“%(what)s” needs a notice period of at least %(n)s days.",
            needed,
        )
        % {"n": needed, "what": what}
    )


def check_vote_notice(community_id: int, rule: str, days: int) -> None:
    check_notice_days(community_id, rule, days, what=str(VoteRule(rule).label))


def check_meeting_notice(community_id: int, body: str, days: int) -> None:
    check_notice_days(community_id, BODY_NOTICE_RULE[body], days, what=str(Body(body).label))


def _days(value, rule: str) -> int:
    floor = LEGAL_NOTICE_FLOOR_DAYS[rule]
    if not isinstance(value, int) or isinstance(value, bool) or not floor <= value <= MAX_DAYS:
        raise DomainError(
            _("“%(what)s”: the minimum notice is between %(floor)s and %(max)s days.")
            % {"what": VoteRule(rule).label, "floor": floor, "max": MAX_DAYS}
        )
    return value


@transaction.atomic
def notice_rules_update(
    *, actor, community, owners_days: int, residents_days: int, consultative_days: int
) -> NoticeRules:
    """The office sets the community's minimum notice per rule, at or above the legal floor.
    Votes and meetings already prepared are checked again when their notice is published."""
    policy.authorize(actor, "vote.manage", community)
    values = {
        "owners_days": _days(owners_days, VoteRule.OWNERS),
        "residents_days": _days(residents_days, VoteRule.RESIDENTS),
        "consultative_days": _days(consultative_days, VoteRule.CONSULTATIVE),
    }
    rules, _created = NoticeRules.objects.update_or_create(
        community=community, defaults={**values, "updated_by": actor}
    )
    log_event(actor=actor, verb="notice_rules.updated", obj=rules, data=values)
    return rules
