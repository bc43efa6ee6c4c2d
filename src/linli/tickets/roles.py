"""The named role sets requests use beyond the permission table (core/roles.py names the
actions' roles, ``ticket.<action>``): who can be given a request or join a handling team,
and who is "the office" that is told and reminded."""

from __future__ import annotations

from linli.core.roles import EVERYONE, OFFICE, Role, register_permissions

# Those who can be given a request or join a handling team: everyone who holds a role in the
# community, except its residents (they report) and the street's supervisors (they oversee).
HANDLERS = frozenset(EVERYONE - {Role.RESIDENT, Role.STREET_SUPERVISOR})

# Told of every emergency, reminded of requests nobody accepted in time.
TOLD_OFFICE = OFFICE

# The queue as a spreadsheet (queue_export.py): the office only — the file leaves the system.
register_permissions({"ticket.export": OFFICE})
