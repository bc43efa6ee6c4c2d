"""The minimum notice rules in force in a community (its own, or the defaults)."""

from __future__ import annotations

from ..models import LEGAL_NOTICE_FLOOR_DAYS, NoticeRules


def notice_rules_for(community_id: int) -> NoticeRules:
    """The community's rules, or (unsaved) the legal floors when it has set none."""
    rules = NoticeRules.objects.filter(community_id=community_id).first()
    return rules or NoticeRules(community_id=community_id)


def minimums(community_id: int) -> dict[str, int]:
    """The least notice each rule needs in this community (one query)."""
    rules = notice_rules_for(community_id)
    return {
        rule: max(floor, getattr(rules, NoticeRules.FIELD_FOR_RULE[rule]))
        for rule, floor in LEGAL_NOTICE_FLOOR_DAYS.items()
    }


def minimum_days(community_id: int, rule: str) -> int:
    """The least notice a vote under ``rule`` needs in this community."""
    return minimums(community_id)[rule]
