"""Who may do what in mediation. A case's content (facts, parties, sessions, agreement) is for
its own mediators ("self:mediator"), the committee head ("self:head", ``CommitteeMember.
is_head``) and the secretary. Community staff see that a case exists and its status; a party
("self:party") sees their own case's status and documents (Arts. 15, 23: confidentiality)."""

from linli.core.roles import Role, register_permissions

_R = Role
_CONTENT = frozenset({_R.SECRETARY, "self:mediator", "self:head"})

PERMISSIONS: dict[str, frozenset[str] | set[str]] = {
    "mediation.committee.view": frozenset({_R.SECRETARY, _R.STAFF, _R.MEDIATOR}),
    "mediation.committee.manage": frozenset({_R.SECRETARY}),
    # Opening a case (an application, or the committee's initiative from a request).
    "mediation.case.open": frozenset({_R.MEDIATOR, _R.STAFF, _R.SECRETARY}),
    # That a case exists, its number and status.
    "mediation.case.view": frozenset({_R.STAFF, *_CONTENT, "self:party"}),
    "mediation.case.content": _CONTENT,
    # Every step of the work on a case: accept, sessions, agreement, signatures, visits.
    "mediation.case.work": _CONTENT,
    # The agreement as printed: the parties get their copy.
    "mediation.case.documents": frozenset({*_CONTENT, "self:party"}),
    # Figures without content, for the office and the street's justice office.
    "mediation.stats": frozenset({_R.SECRETARY, _R.STAFF, _R.MEDIATOR, _R.STREET_SUPERVISOR}),
    "mediation.export": frozenset({_R.SECRETARY, _R.STREET_SUPERVISOR}),
    # The case register with the parties (names in full, contacts masked): the secretary.
    "mediation.case.export": frozenset({_R.SECRETARY}),
}
register_permissions(PERMISSIONS)
