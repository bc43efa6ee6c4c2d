"""Who may do what in the volunteers app.

A team's leader and deputies get their powers from their team membership — the
``"self:team_leader"`` relation (``SCOPE_SELF_PATHS`` on teams, memberships and hours) — not from
a separate role grant: leading a team is a fact about the team, it ends when the membership
ends, and it reaches that team's objects only. The office (staff, secretary) may act on every
team of its community.
"""

from linli.core.roles import EVERYONE, OFFICE, Role, register_permissions

_LEAD = {*OFFICE, "self:team_leader"}
_MEMBERS = EVERYONE - {Role.STREET_SUPERVISOR}

register_permissions(
    {
        # Teams: their page is the community's; their roster (names, skills, limits) is the
        # team's and the office's.
        "team.view": EVERYONE,
        "team.roster": {*_LEAD, "self:team_member"},
        "team.join": _MEMBERS,
        "team.manage": _LEAD,  # admit, decline, change roles
        "team.create": OFFICE,
        "membership.leave": {*_LEAD, "self:member"},
        "membership.manage": _LEAD,
        # Profiles: one's own, the office's.
        "profile.view": {*OFFICE, "self:volunteer"},
        "profile.edit": {*OFFICE, "self:volunteer"},
        # The ledger. A volunteer reads and disputes their own entries; the team's leaders and
        # the office read, verify, decline and correct them.
        "hours.view": {*_LEAD, "self:volunteer"},
        "hours.verify": _LEAD,
        "hours.correct": _LEAD,
        "hours.add": _LEAD,  # a manual entry, on a team
        "hours.dispute": {"self:volunteer"},
        "hours.resolve": _LEAD,
        "hours.overview": {*OFFICE, Role.STREET_SUPERVISOR},
        "hours.settings": OFFICE,  # whether travel time is credited
    }
)

register_permissions(
    {
        # Activities: seen by everyone of the community; run by the team's leaders or, for a
        # community activity, the office.
        "activity.view": EVERYONE,
        "activity.manage": _LEAD,
        "activity.signup": _MEMBERS,
        "activity.proxy": _LEAD,  # signing up an elder without a phone
        "activity.roster": _LEAD,
        "signup.cancel": {*_LEAD, "self:volunteer"},
    }
)

register_permissions(
    {
        # Certificates: asked for by the volunteer (free, truthful: verified hours only) or
        # issued by the office; the seal is the secretary's.
        "certificate.issue": {*OFFICE, "self:volunteer"},
        "certificate.view": {*OFFICE, "self:volunteer"},
        "certificate.seal": {Role.SECRETARY},
    }
)

register_permissions(
    {
        # Patrols: walked by the team's members; what becomes of a finding is the team
        # leader's or the office's call.
        "patrol.view": {*_LEAD, "self:team_member", "self:patroller"},
        "patrol.walk": {*OFFICE, "self:team_member", "self:team_leader", "self:patroller"},
        "patrol.routes": _LEAD,
        "finding.decide": _LEAD,
    }
)
