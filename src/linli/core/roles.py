"""The roles a person can hold at a place in the territory, and what each may do.

This table is the one place that says which role may take which action. Where an action
applies (which place) is answered by the membership's place in ``linli.core.policy``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    BUILDING_LEADER = "building_leader", _("Building leader")
    GRID_WORKER = "grid_worker", _("Grid worker")
    VOLUNTEER = "volunteer", _("Volunteer")
    TEAM_LEADER = "team_leader", _("Team leader")
    MEDIATOR = "mediator", _("Mediator")
    STAFF = "community_staff", _("Community staff")
    SECRETARY = "secretary", _("Community secretary")
    STREET_SUPERVISOR = "street_supervisor", _("Street supervisor")


# Pseudo-roles for a person's own relation to an object, named in PERMISSIONS as
# "self:<relation>" and resolved through the model's SCOPE_SELF_PATHS (e.g. "self:requester").
SELF_PREFIX = "self:"

# The level of the territory a role is held at: a membership names exactly this place.
ROLE_LEVEL: dict[str, str] = {
    Role.RESIDENT: "household",
    Role.BUILDING_LEADER: "building",
    Role.GRID_WORKER: "grid",
    Role.VOLUNTEER: "community",
    Role.TEAM_LEADER: "community",
    Role.MEDIATOR: "community",
    Role.STAFF: "community",
    Role.SECRETARY: "community",
    Role.STREET_SUPERVISOR: "street",
}

_R = Role
_BROWSERS = {_R.BUILDING_LEADER, _R.GRID_WORKER, _R.STAFF, _R.SECRETARY, _R.STREET_SUPERVISOR}
_EDITORS = {_R.BUILDING_LEADER, _R.GRID_WORKER, _R.STAFF, _R.SECRETARY}
_OFFICE = {_R.STAFF, _R.SECRETARY}
_SELF_HANDLERS = {"self:handler", "self:team"}
_EVERYONE = set(Role)
# "self:requester" is who reported a request; "self:joined" someone whose own report of the
# same problem was merged into it (a duplicate): they follow its progress, nothing more.
_SELF_OWNERS = {"self:requester", *_SELF_HANDLERS}
_SELF_ALL = {*_SELF_OWNERS, "self:joined"}

PERMISSIONS: dict[str, frozenset[str]] = {
    # Registry: the territory tree, building pages, search.
    "registry.browse": frozenset(_BROWSERS),
    # A household and its residents: their own household for a resident.
    "household.view": frozenset(_BROWSERS | {_R.RESIDENT}),
    "resident.view": frozenset(_BROWSERS | {_R.RESIDENT}),
    "household.edit": frozenset(_EDITORS),
    "household.create": frozenset({_R.GRID_WORKER, *_OFFICE}),
    "resident.create": frozenset(_EDITORS),
    "resident.edit": frozenset(_EDITORS),
    "resident.move_out": frozenset(_EDITORS),
    # Unmasking an ID number or reading a health note: office only, each time an event.
    "resident.reveal": frozenset(_OFFICE),
    # What a viewer sees of a resident beyond the masked default (core/disclosure.py): the
    # full phone and birth date for those who keep the record (they call, they correct);
    # sensitive tags (health, disability, income) and health notes, seen and set, office only.
    "resident.phone": frozenset(_EDITORS),
    "resident.birth_date": frozenset(_EDITORS),
    "resident.sensitive": frozenset(_OFFICE),
    "registry.structure": frozenset(_OFFICE),  # grids, buildings, units
    "registry.import": frozenset(_OFFICE),
    "registry.export": frozenset({*_OFFICE, _R.STREET_SUPERVISOR}),
    "registry.history": frozenset(_BROWSERS),  # timelines on household/resident pages
    "roles.manage": frozenset({_R.SECRETARY}),
    # Residents' requests. "self:requester" / "self:joined" / "self:handler" / "self:team" are
    # a person's own relation to a ticket (tickets.Ticket.SCOPE_SELF_PATHS).
    "ticket.view": frozenset(_BROWSERS | _SELF_ALL),  # its status and public replies
    # Its place, description, answers and photos: not for a joined requester (another
    # household's home and words).
    "ticket.view_details": frozenset(_BROWSERS | _SELF_OWNERS),
    "ticket.submit": frozenset({_R.RESIDENT}),  # for oneself, on the web
    # For someone who phoned, walked in, was met — and a patrol team leader making a finding a
    # request (volunteers/services/patrols.py).
    "ticket.intake": frozenset({*_EDITORS, _R.TEAM_LEADER}),
    "ticket.queue": frozenset(_BROWSERS),
    "ticket.accept": frozenset(_OFFICE),
    "ticket.assign": frozenset(_OFFICE),
    "ticket.claim": frozenset({*_OFFICE, "self:team"}),
    "ticket.start": frozenset({*_OFFICE, *_SELF_HANDLERS}),
    "ticket.progress": frozenset({*_OFFICE, *_SELF_HANDLERS}),
    "ticket.resolve": frozenset({*_OFFICE, *_SELF_HANDLERS}),
    "ticket.hold": frozenset(_OFFICE),
    "ticket.resume": frozenset(_OFFICE),
    "ticket.extend": frozenset(_OFFICE),
    "ticket.reply": frozenset(_OFFICE),
    "ticket.revisit": frozenset(_OFFICE),
    # The requester's full phone number: the office, who call back (core/disclosure.py).
    "ticket.requester_phone": frozenset(_OFFICE),
    "ticket.close": frozenset(_OFFICE),
    "ticket.mark_duplicate": frozenset(_OFFICE),
    "ticket.refer": frozenset(_OFFICE),
    "ticket.rate": frozenset({"self:requester"}),
    "ticket.withdraw": frozenset({"self:requester"}),
    # Internal notes: written and read by the people working on it, never by the requester.
    "ticket.note": frozenset({*_EDITORS, *_SELF_HANDLERS}),
    "ticket.categories": frozenset({_R.SECRETARY}),
    # The public text of a request (Open311, public boards): edited and hidden by the office.
    "ticket.moderate": frozenset(_OFFICE),
    "ticket.metrics": frozenset({*_OFFICE, _R.STREET_SUPERVISOR}),
    "access_log.view_own": frozenset({_R.RESIDENT}),
}


# Named role sets, for the apps' own permission tables (``<app>/roles.py``) and for the
# policy's questions about people (``policy.holds_role_in``, ``accounts.queries.members_of``).
BROWSERS = frozenset(_BROWSERS)
EDITORS = frozenset(_EDITORS)
OFFICE = frozenset(_OFFICE)
EVERYONE = frozenset(_EVERYONE)
# Those who work for the community in some capacity: everyone but its residents and the
# street office above it. Follow-up work is given to them (not to any resident).
WORKERS = frozenset(_EVERYONE - {_R.RESIDENT, _R.STREET_SUPERVISOR})


def register_permissions(table: dict[str, frozenset[str] | set[str]]) -> None:
    """An app adds the actions it owns (called from its ``roles.py``, imported by its
    ``AppConfig.ready``), so the policy knows every action and core names no app's rules.
    Declaring an action twice with different roles is a programming error."""
    for action, roles in table.items():
        roles = frozenset(str(r) for r in roles)
        if action in PERMISSIONS and PERMISSIONS[action] != roles:
            raise ValueError(f"permission {action!r} declared twice with different roles")
        PERMISSIONS[action] = roles


def roles_for(action: str) -> frozenset[str]:
    try:
        return PERMISSIONS[action]
    except KeyError:
        # An unknown action is a programming error; refusing silently would hide it.
        raise LookupError(f"unknown action {action!r}") from None
