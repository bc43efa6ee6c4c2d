"""Who may do what with residents' requests (``ticket.<action>``), and the named role sets
requests use beyond that table: who can be given a request or join a handling team, and who
is "the office" that is told and reminded.

"self:requester" / "self:joined" / "self:handler" / "self:team" are a person's own relation
to a ticket (``Ticket.SCOPE_SELF_PATHS``): "self:requester" is who reported it, "self:joined"
someone whose own report of the same problem was merged into it (a duplicate) — they follow
its progress, nothing more.
"""

from __future__ import annotations

from linli.core.roles import BROWSERS, EDITORS, OFFICE, WORKERS, Role, register_permissions

_SELF_HANDLERS = {"self:handler", "self:team"}
_SELF_OWNERS = {"self:requester", *_SELF_HANDLERS}
_SELF_ALL = {*_SELF_OWNERS, "self:joined"}
_HANDLING = {*OFFICE, *_SELF_HANDLERS}

# Those who can be given a request or join a handling team: everyone who holds a role in the
# community, except its residents (they report) and the street's supervisors (they oversee).
HANDLERS = WORKERS

# Told of every emergency, reminded of requests nobody accepted in time.
TOLD_OFFICE = OFFICE

register_permissions(
    {
        "ticket.view": BROWSERS | _SELF_ALL,  # its status and public replies
        # Its place, description, answers and photos: not for a joined requester (another
        # household's home and words).
        "ticket.view_details": BROWSERS | _SELF_OWNERS,
        "ticket.submit": {Role.RESIDENT},  # for oneself, on the web
        # For someone who phoned, walked in, was met — and a patrol team leader making a
        # finding a request (volunteers/services/patrols.py).
        "ticket.intake": {*EDITORS, Role.TEAM_LEADER},
        "ticket.queue": BROWSERS,
        "ticket.accept": OFFICE,
        "ticket.assign": OFFICE,
        "ticket.claim": {*OFFICE, "self:team"},
        "ticket.start": _HANDLING,
        "ticket.progress": _HANDLING,
        "ticket.resolve": _HANDLING,
        "ticket.hold": OFFICE,
        "ticket.resume": OFFICE,
        "ticket.extend": OFFICE,
        "ticket.reply": OFFICE,
        "ticket.revisit": OFFICE,
        # The requester's full phone number: the office, who call back (core/disclosure.py).
        "ticket.requester_phone": OFFICE,
        "ticket.close": OFFICE,
        "ticket.mark_duplicate": OFFICE,
        "ticket.refer": OFFICE,
        "ticket.rate": {"self:requester"},
        "ticket.withdraw": {"self:requester"},
        # Internal notes: written and read by the people working on it, never by the requester.
        "ticket.note": {*EDITORS, *_SELF_HANDLERS},
        "ticket.categories": {Role.SECRETARY},
        # The public text of a request (Open311, public boards): edited and hidden by the office.
        "ticket.moderate": OFFICE,
        "ticket.metrics": {*OFFICE, Role.STREET_SUPERVISOR},
        # The queue as a spreadsheet (queue_export.py): the office only — the file leaves the
        # system.
        "ticket.export": OFFICE,
    }
)
