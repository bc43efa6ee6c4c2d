"""Deadline reminders: the office when a request waits to be accepted, the handler before the
resolution deadline, handler and office after it — each sent once, whatever runs it."""

import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from linli.core.models import Event
from linli.tickets import notifying, reminders, services, tasks
from linli.tickets.models import Ticket
from linli.tickets.verbs import PUBLIC_VERBS

H = dt.timedelta(hours=1)


@pytest.fixture
def sent(monkeypatch):
    """The reminders handed to the outbox: (ticket, verb, user names, dedupe key)."""
    calls = []

    def fake_send(
        ticket, recipients, verb, title, body, *, dedupe_key=None, params=None, preferences=None
    ):
        if verb == "ticket.reminder":
            calls.append((ticket.pk, verb, sorted(u.username for u in recipients), dedupe_key))

    monkeypatch.setattr(notifying, "_send", fake_send)
    return calls


def reminded(t):
    return list(
        Event.objects.filter(verb="ticket.reminded", object_id=t.pk)
        .order_by("id")
        .values_list("data__kind", flat=True)
    )


@pytest.mark.django_db
def test_a_fresh_request_needs_no_reminder(tw, submit, sent):
    t = submit()
    assert reminders.send_due(t.created_at + H) == []
    assert sent == [] and reminded(t) == []


@pytest.mark.django_db
def test_a_request_nobody_accepted_in_time_reminds_the_office(tw, submit, sent):
    t = submit()
    keys = reminders.send_due(t.respond_by + dt.timedelta(minutes=1))
    assert keys == [f"ticket:{t.pk}:respond_overdue:{t.respond_by.astimezone(dt.UTC):%Y%m%dT%H%M}"]
    assert sent == [(t.pk, "ticket.reminder", ["secretary", "staff"], keys[0])]
    assert reminded(t) == ["respond_overdue"]


@pytest.mark.django_db
def test_an_accepted_request_is_not_chased_for_a_response(tw, submit, sent):
    t = submit()
    services.ticket_accept(actor=tw.staff, ticket=t)
    assert reminders.send_due(t.respond_by + H) == []


@pytest.mark.django_db
def test_the_handler_is_reminded_a_day_before_the_deadline(tw, submit, sent):
    t = services.ticket_assign(actor=tw.staff, ticket=submit(), user=tw.handler)
    assert reminders.send_due(t.resolve_by - dt.timedelta(hours=25)) == []
    keys = reminders.send_due(t.resolve_by - 2 * H)
    assert len(keys) == 1 and ":due_soon:" in keys[0]
    assert sent == [(t.pk, "ticket.reminder", ["handler"], keys[0])]


@pytest.mark.django_db
def test_a_team_pool_reminds_every_active_member(tw, submit, sent):
    from tests.factories import grant, make_user

    mate = make_user("mate")
    grant(mate, "volunteer", tw.xincun)
    gone = make_user("gone", is_active=False)
    tw.repair_team.members.add(mate, gone)
    t = services.ticket_assign(actor=tw.staff, ticket=submit(), team=tw.repair_team)
    reminders.send_due(t.resolve_by - 2 * H)
    assert sent[0][2] == ["handler", "mate"]


@pytest.mark.django_db
def test_with_no_handler_the_office_hears_it_is_due(tw, submit, sent):
    t = services.ticket_assign(
        actor=tw.staff,
        ticket=submit(),
        external_handler="自来水公司",
        external_contact="0799-12345",
    )
    reminders.send_due(t.resolve_by - 2 * H)
    assert sent[0][2] == ["secretary", "staff"]


@pytest.mark.django_db
def test_past_the_deadline_handler_and_office_are_reminded(tw, submit, sent):
    t = services.ticket_assign(actor=tw.staff, ticket=submit(), user=tw.handler)
    keys = reminders.send_due(t.resolve_by + H)
    assert len(keys) == 1 and ":overdue:" in keys[0]
    assert sent == [(t.pk, "ticket.reminder", ["handler", "secretary", "staff"], keys[0])]
    # Skipped straight past "due soon" (e.g. the worker was down): only "overdue" is sent.
    assert reminded(t) == ["overdue"]


@pytest.mark.django_db
def test_a_re_run_sends_nothing_and_an_extension_makes_a_new_reminder_due(tw, submit, sent):
    t = services.ticket_assign(actor=tw.staff, ticket=submit(), user=tw.handler)
    soon = t.resolve_by - 2 * H
    assert len(reminders.send_due(soon)) == 1
    assert reminders.send_due(soon) == []
    assert reminders.send_due(soon + dt.timedelta(minutes=10)) == []
    late = t.resolve_by + H
    assert len(reminders.send_due(late)) == 1
    assert reminders.send_due(late) == []
    t = services.ticket_extend(
        actor=tw.staff, ticket=Ticket.objects.get(pk=t.pk), days=3, reason="等配件"
    )
    assert len(reminders.send_due(t.resolve_by - 2 * H)) == 1
    assert reminded(t) == ["due_soon", "overdue", "due_soon"]
    assert len(sent) == 3


@pytest.mark.django_db
def test_finished_or_withdrawn_requests_are_left_alone(tw, submit, sent):
    t = services.ticket_assign(actor=tw.staff, ticket=submit(), user=tw.handler)
    services.ticket_resolve(actor=tw.handler, ticket=t, result="修好了")
    w = submit()
    services.ticket_withdraw(actor=tw.resident, ticket=w)
    assert reminders.send_due(t.resolve_by + 48 * H) == []


@pytest.mark.django_db
def test_reminders_stay_off_the_requesters_timeline(tw, submit, sent):
    assert "ticket.reminded" not in PUBLIC_VERBS
    t = submit()
    reminders.send_due(t.resolve_by + H)
    ev = Event.objects.get(verb="ticket.reminded", data__kind="overdue")
    assert ev.actor is None and ev.community_id == tw.xincun.pk
    assert ev.data["recipients"] == 3  # the team member, staff, secretary


@pytest.mark.django_db
def test_the_periodic_task_runs_every_ten_minutes_and_calls_the_service(tw, submit, sent):
    t = submit()
    Ticket.objects.filter(pk=t.pk).update(respond_by=t.created_at - H)
    assert tasks.send_ticket_reminders.task_class().validate_datetime(
        dt.datetime(2026, 11, 25, 10, 20)
    )
    assert not tasks.send_ticket_reminders.task_class().validate_datetime(
        dt.datetime(2026, 11, 25, 10, 25)
    )
    tasks.send_ticket_reminders()  # huey runs it at once in the tests
    assert reminded(t) == ["respond_overdue"]
    tasks.send_ticket_reminders()
    assert reminded(t) == ["respond_overdue"]


@pytest.mark.django_db
def test_a_failing_reminder_is_retried_and_does_not_block_the_others(tw, submit, monkeypatch):
    first, second = submit(), submit(description="又漏了")
    calls = []

    def flaky(ticket, recipients, verb, *args, **kwargs):
        if verb == "ticket.reminder":
            calls.append(ticket.pk)
            if ticket.pk == first.pk and calls.count(first.pk) == 1:
                raise RuntimeError("SMS gateway down")

    monkeypatch.setattr(notifying, "_send", flaky)
    late = second.respond_by + H
    keys = reminders.send_due(late)
    assert [k.split(":")[1] for k in keys] == [str(second.pk)]
    assert reminded(first) == []  # rolled back with the failure
    keys = reminders.send_due(late)
    assert [k.split(":")[1] for k in keys] == [str(first.pk)]
    assert reminded(first) == ["respond_overdue"]


def _overdue_tickets(tw, submit, n):
    tickets = [submit(description=f"漏水 {i}") for i in range(n)]
    return tickets


@pytest.mark.django_db
@pytest.mark.parametrize("n", [3, 30])
def test_queries_grow_only_with_the_reminders_sent(tw, submit, sent, n):
    tickets = _overdue_tickets(tw, submit, n)
    late = max(t.resolve_by for t in tickets) + H
    with CaptureQueriesContext(connection) as first:
        keys = reminders.send_due(late)
    assert len(keys) == 2 * n  # not accepted in time + not resolved in time
    # a savepoint (the transaction), lock the row, look for the key, write the event, bump
    # the community's change counter (core/versions.py), release
    per_reminder = 6
    assert len(first) <= 6 + per_reminder * len(keys)
    # A re-run with everything already sent reads, and sends nothing, in constant queries.
    with CaptureQueriesContext(connection) as again:
        assert reminders.send_due(late) == []
    assert len(again) <= 3


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_same_moment_send_each_reminder_once(tw, submit, sent, monkeypatch):
    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("in-memory SQLite is one connection; covered on a file DB and PostgreSQL")
    tickets = [submit(description=f"漏水 {i}") for i in range(4)]
    late = max(t.resolve_by for t in tickets) + H
    # Both workers read "nothing sent yet" before either writes: the race is then decided
    # by the row lock and the check made under it.
    barrier = threading.Barrier(2)
    office = reminders._office_by_community

    def office_after_both_read(ids):
        barrier.wait(timeout=20)
        return office(ids)

    monkeypatch.setattr(reminders, "_office_by_community", office_after_both_read)
    results, errors = [], []

    def worker():
        try:
            results.append(reminders.send_due(late))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(repr(e))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    keys = [k for r in results for k in r]
    assert len(keys) == len(set(keys)) == 8  # 4 tickets × (response, resolution)
    assert Event.objects.filter(verb="ticket.reminded").count() == 8
    assert len(sent) == 8
    # …and a third run afterwards finds nothing left to send.
    monkeypatch.setattr(reminders, "_office_by_community", office)
    assert reminders.send_due(late) == []
