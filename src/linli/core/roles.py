"""The roles a person can hold at a place in the territory, and what each may do.

Core holds the mechanism (``register_permissions``, ``roles_for``), the named role sets and the
actions of the layers below the domain apps (the registry, accounts); each domain app declares
its own actions in its ``roles.py``. Where an action applies (which place) is answered by the
membership's place in ``linli.core.policy``.
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
_EVERYONE = set(Role)

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
# Those who volunteer in the community: care visits and community activities count them.
VOLUNTEERING = frozenset({_R.VOLUNTEER, _R.TEAM_LEADER})


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
