"""Requests are one instance of the kernel's workflow (core/workflow.py): the table in
models.py, past-tense event verbs with their labels, the refusals as the kernel's Conflict and
Stale, and a reversible migration of the events stored under the old verbs."""

import importlib

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from linli.core.errors import Conflict, Stale
from linli.core.events import VERB_LABELS
from linli.core.models import Event
from linli.core.workflow import Workflow
from linli.tickets import services
from linli.tickets.models import TICKET_TRANSITIONS, TRANSITIONS, Status, Ticket
from linli.tickets.verbs import PUBLIC_VERBS
from linli.tickets.workflow import TICKET_FLOW, InvalidTransition, StaleTicket

migration = importlib.import_module("linli.tickets.migrations.0007_past_tense_event_verbs")


def test_the_table_is_a_kernel_workflow_with_past_tense_verbs():
    assert isinstance(TICKET_FLOW, Workflow)
    assert list(TICKET_FLOW.transitions) == [t.action for t in TICKET_TRANSITIONS]
    assert set(TRANSITIONS) == set(TICKET_FLOW.transitions)
    for t in TICKET_TRANSITIONS:
        assert t.verb.startswith("ticket.") and t.verb != f"ticket.{t.action}", t.verb
        assert t.verb in VERB_LABELS, t.verb  # shown on the timeline by its label
        assert t.verb in PUBLIC_VERBS, t.verb  # the requester follows every move
    assert set(migration.RENAMES.values()) == set(TICKET_FLOW.verbs())


def test_the_refusals_are_the_kernels_conflict_and_stale():
    assert issubclass(InvalidTransition, Conflict) and issubclass(StaleTicket, Stale)
    assert StaleTicket().status == 409


@pytest.mark.django_db
def test_a_stale_version_is_refused_as_stale_ticket(tw, submit):
    t = submit()
    with pytest.raises(StaleTicket):
        services.ticket_accept(actor=tw.staff, ticket=t, expected_version=t.version + 5)
    t.refresh_from_db()
    assert t.status == Status.SUBMITTED


@pytest.mark.django_db
def test_the_migration_renames_stored_verbs_and_back(tw, submit):
    t = submit()
    services.ticket_accept(actor=tw.staff, ticket=t)
    ct = ContentType.objects.get_for_model(Ticket)
    ev = Event.objects.get(object_type=ct, object_id=t.pk, verb="ticket.accepted")
    migration.backwards(apps, None)
    ev.refresh_from_db()
    assert ev.verb == "ticket.accept"
    assert Event.objects.filter(verb="ticket.submitted", object_id=t.pk).exists()  # untouched
    migration.forwards(apps, None)
    ev.refresh_from_db()
    assert ev.verb == "ticket.accepted"


def test_pages_and_api_dispatch_one_list_of_actions():
    from linli.tickets import api, views

    assert list(views.ACTION_FORMS) == list(services.TICKET_ACTIONS)
    assert api.ACTIONS == services.TICKET_ACTIONS
    assert set(services.TICKET_ACTIONS) == set(TICKET_FLOW.transitions) | {"extend"}


def test_one_staff_view_rule():
    from linli.tickets.sight import sight

    def can(*allowed):
        return lambda action: action in allowed

    office = sight(can("ticket.queue", "ticket.note", "ticket.view_details"))
    assert (office.staff, office.notes, office.details, office.view) == (True, True, True, "staff")
    supervisor = sight(can("ticket.queue", "ticket.view_details"))
    assert (supervisor.staff, supervisor.notes) == (True, False)
    requester = sight(can("ticket.view_details"))
    assert (requester.staff, requester.details, requester.view) == (False, True, "public")
    assert sight(can()).view == "joined"


@pytest.mark.django_db
def test_ticket_act_runs_the_named_action(tw, submit):
    t = submit()
    t = services.ticket_act(actor=tw.staff, ticket=t, action="accept", expected_version=t.version)
    assert t.status == Status.ACCEPTED
    with pytest.raises(LookupError):
        services.ticket_act(actor=tw.staff, ticket=t, action="explode")
