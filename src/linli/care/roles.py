"""Who may do what in Care. A visitor's powers come from being assigned the person
("self:visitor", ``CarePerson.SCOPE_SELF_PATHS``): they see and visit only their own people."""

from linli.core.roles import OFFICE, Role, register_permissions

_VISITOR = "self:visitor"

register_permissions(
    {
        # The register: enrolling people, tiers, contacts, visitors, consents, events.
        "care.manage": OFFICE,
        # A person's care page and their visits (the person themselves too: PIPL Art. 45;
        # and a left-behind child's recorded guardian); recording a visit.
        "care.view": {*OFFICE, _VISITOR, "self:subject", "self:guardian"},
        "care.visit": {*OFFICE, _VISITOR},
        # Monthly coverage figures (no names): the office and the street office above it.
        "care.coverage": {*OFFICE, Role.STREET_SUPERVISOR},
        # The names behind the figures (who is not yet visited): the office; visitors see
        # their own people on "my visits".
        "care.unvisited": OFFICE,
        "care.export": OFFICE,
        # Love lunches and home help: the roster and deliveries.
        "care.meals": {*OFFICE, Role.VOLUNTEER, Role.TEAM_LEADER},
    }
)
