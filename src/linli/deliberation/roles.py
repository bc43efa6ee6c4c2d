"""Deliberation's permissions (民事民议): who may take which action, built from the named role
sets of ``core.roles``. Registered with the policy when the app is ready (``apps.py``); where
an action applies is the policy's business (``core.policy``)."""

from linli.core.roles import EVERYONE, OFFICE, Role, register_permissions

register_permissions(
    {
        # Topics, meetings, forums and vote results are open to everyone
        # who belongs to the community; individual ballots only to the secretary as auditor.
        "topic.view": EVERYONE,
        "topic.raise": EVERYONE - {Role.STREET_SUPERVISOR},
        "topic.manage": OFFICE,
        "action.manage": OFFICE,
        "action.complete": {*OFFICE, "self:owner"},
        "meeting.view": EVERYONE,
        "meeting.manage": OFFICE,
        # A survey's page (drafts: see Survey.SCOPE_HIDDEN).
        "survey.view": EVERYONE,
        "survey.view_results": {*OFFICE, Role.STREET_SUPERVISOR},
        "survey.manage": OFFICE,
        # Entering answers at the door: the surveyor must also be assigned that household.
        "survey.enter": (
            {*OFFICE, Role.BUILDING_LEADER, Role.GRID_WORKER, Role.VOLUNTEER, Role.TEAM_LEADER}
        ),
        # Answers tied to a household: office only; everyone else sees aggregates.
        "survey.view_households": OFFICE,
        "forum.view": EVERYONE,
        "forum.manage": {*OFFICE, Role.BUILDING_LEADER, Role.GRID_WORKER},
        # "self:voter": the person is on the vote's frozen list of owners (Vote.SCOPE_SELF_PATHS).
        # An owner votes as an owner, whatever other roles they hold (a building leader, grid
        # worker or staff member who owns a flat) and even without a resident membership. A
        # resident not on the list is let through to the service, which says why they cannot vote.
        "vote.view": {*EVERYONE, "self:voter"},
        "vote.manage": OFFICE,
        "vote.enter_ballot": OFFICE,  # paper and proxy ballots
        "vote.cast": {Role.RESIDENT, "self:voter"},  # online, by the owner themselves
        "vote.audit": {Role.SECRETARY},
    }
)
