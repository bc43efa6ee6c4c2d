"""``policy.can`` answers from the object as loaded when it can, and then agrees with the
database on every action, persona and object; the request page no longer asks the database
once per set of roles."""

import pytest

from linli.core import policy
from linli.core.roles import PERMISSIONS
from linli.registry.models import Building, Household, Resident
from linli.tickets import queries, services
from linli.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _tickets(tw, submit):
    mine = submit()
    assigned = submit(description="楼道灯坏了", category=tw.lights)
    services.ticket_assign(
        actor=tw.staff, ticket=assigned, user=tw.handler, expected_version=assigned.version
    )
    to_team = submit(description="下水道堵了")
    services.ticket_assign(
        actor=tw.staff, ticket=to_team, team=tw.repair_team, expected_version=to_team.version
    )
    elsewhere = services.ticket_intake(
        actor=tw.staff,
        channel="phone",
        category=tw.water,
        description="4号楼漏水",
        building=tw.b4,
        requester_name="赵六",
    )
    return [mine, assigned, to_team, elsewhere]


def _objects(tw, tickets):
    # Each object twice: as a bare row and with its relations loaded, the two ways pages
    # fetch them; the answer must not depend on which.
    out = []
    for t in tickets:
        out.append(Ticket.objects.get(pk=t.pk))
        out.append(Ticket.objects.select_related("community", "building").get(pk=t.pk))
    for hh in (tw.hh_3_2_501, tw.hh_4_1_101, tw.hh_nancun):
        out.append(Household.objects.get(pk=hh.pk))
        out.append(Household.objects.select_related("building", "community").get(pk=hh.pk))
    for r in (tw.zhang_san, tw.nancun_resident):
        out.append(Resident.objects.get(pk=r.pk))
        out.append(Resident.objects.select_related("household__building").get(pk=r.pk))
    out.append(Building.objects.get(pk=tw.b3.pk))
    return out


def test_can_in_memory_agrees_with_the_database_everywhere(tw, submit):
    objects = _objects(tw, _tickets(tw, submit))
    checked = 0
    for actor in tw.people.values():
        policy.forget_memberships(actor)
        for action in PERMISSIONS:
            for obj in objects:
                if not hasattr(type(obj), "SCOPE_PATHS"):
                    continue
                assert policy.can(actor, action, obj) == policy._can_in_database(
                    actor, action, obj
                ), (actor.username, action, type(obj).__name__, obj.pk)
                checked += 1
    assert checked > 1000


def test_a_request_page_decides_office_permissions_without_queries(
    tw, submit, django_assert_num_queries
):
    t = submit()
    loaded = queries.ticket_get_for(tw.staff, t.pk)
    with django_assert_num_queries(0):
        assert policy.can(tw.staff, "ticket.assign", loaded)
        assert policy.can(tw.staff, "ticket.queue", loaded)
        assert policy.can(tw.staff, "ticket.note", loaded)


def test_a_to_many_relation_still_asks_the_database(tw, submit, django_assert_num_queries):
    """The requester relation goes through the requesters table: not decidable from the row."""
    t = Ticket.objects.get(pk=submit().pk)
    with django_assert_num_queries(1):
        assert policy.can(tw.resident, "ticket.view", t)
