"""Every write of the volunteers app (``noun_verb(*, actor, …)``), by topic:
``members`` (profiles, teams, memberships) and ``ledger`` (service hours, Order 67).

Other apps record service time with ``hours_add_pending`` (stable signature)."""

from .ledger import (
    dispute_resolve,
    hours_add_manual,
    hours_add_pending,
    hours_correct,
    hours_decline,
    hours_dispute,
    hours_verify,
)
from .members import (
    member_add,
    member_approve,
    member_decline,
    member_leave,
    member_set_role,
    profile_ensure,
    profile_update,
    team_create,
    team_join_request,
)

__all__ = [
    "dispute_resolve",
    "hours_add_manual",
    "hours_add_pending",
    "hours_correct",
    "hours_decline",
    "hours_dispute",
    "hours_verify",
    "member_add",
    "member_approve",
    "member_decline",
    "member_leave",
    "member_set_role",
    "profile_ensure",
    "profile_update",
    "team_create",
    "team_join_request",
]
