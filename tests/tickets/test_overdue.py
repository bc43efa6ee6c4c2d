""" "Overdue" has one definition (``tickets.models.overdue_q`` / ``Ticket.overdue_at``): still
being worked on and past a deadline — not accepted by ``respond_by``, or not resolved by
``resolve_by``. The queue's filter, ``/api/tickets/?overdue=true``, the metrics' count and the
reminders return the same set (before, the queue left out requests nobody had accepted in
time, and the reminders counted a deadline at the very moment as passed)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.tickets import metrics, reminders, services
from linli.tickets.models import Status, Ticket
from linli.tickets.queries import tickets_for

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def _world(tw, submit):
    """One request of each kind, their deadlines moved around ``now``; returns the ids of the
    overdue ones."""

    def at(t, **deadlines):
        Ticket.objects.filter(pk=t.pk).update(**deadlines)
        return t

    now = timezone.now()
    fresh = submit()
    late_response = at(submit(), respond_by=now - DAY)  # nobody accepted it in time
    late_resolution = at(
        services.ticket_assign(actor=tw.staff, ticket=submit(), user=tw.handler),
        resolve_by=now - DAY,
    )
    on_hold = services.ticket_hold(
        actor=tw.staff,
        ticket=services.ticket_accept(actor=tw.staff, ticket=submit()),
        reason="等配件",
        until=timezone.localdate() + 3 * DAY,
    )
    at(on_hold, resolve_by=now - DAY)  # waiting, but the deadline still passed
    accepted_in_time = at(
        services.ticket_accept(actor=tw.staff, ticket=submit()), respond_by=now - DAY
    )  # responded: the response deadline no longer counts
    resolved = services.ticket_resolve(
        actor=tw.handler,
        ticket=services.ticket_assign(actor=tw.staff, ticket=submit(), user=tw.handler),
        result="换了阀门",
    )
    at(resolved, resolve_by=now - DAY)  # done: not overdue whatever the date
    withdrawn = at(
        services.ticket_withdraw(actor=tw.resident, ticket=submit()), resolve_by=now - DAY
    )
    assert fresh and accepted_in_time and withdrawn
    return {late_response.pk, late_resolution.pk, on_hold.pk}


def test_queue_api_metrics_and_reminders_agree_on_what_is_overdue(tw, submit, as_user, monkeypatch):
    expected = _world(tw, submit)
    now = timezone.now()
    assert set(Ticket.objects.overdue(now).values_list("pk", flat=True)) == expected
    assert {t.pk for t in Ticket.objects.all() if t.is_overdue} == expected

    client = as_user(tw.staff)
    page = client.get(reverse("tickets:queue") + "?status=&overdue=on").content.decode()
    queue = {int(x) for x in re.findall(r'data-ticket="(\d+)"', page)}

    api = client.get("/api/tickets/", {"overdue": "true"}).json()
    assert all(row["overdue"] for row in api["items"])
    api_ids = {row["id"] for row in api["items"]}
    not_overdue = client.get("/api/tickets/", {"overdue": "false"}).json()["items"]
    assert not any(row["overdue"] for row in not_overdue)

    counted = metrics.open_counts(tickets_for(tw.staff, "ticket.queue"), now=now)["overdue"]

    monkeypatch.setattr(reminders.notifying, "_send", lambda *a, **k: None)
    keys = reminders.send_due(now)
    late = {
        int(k.split(":")[1])
        for k in keys
        if k.split(":")[2] in (reminders.OVERDUE, reminders.RESPOND_OVERDUE)
    }

    assert queue == api_ids == late == expected
    assert counted == len(expected)


def test_a_deadline_at_this_very_moment_is_not_passed_yet(tw, submit):
    t = submit()
    t = Ticket.objects.get(pk=t.pk)
    assert not t.overdue_at(t.respond_by) and t.overdue_at(t.respond_by + dt.timedelta(seconds=1))
    assert reminders.kinds_due(t, t.respond_by) == []
    assert not Ticket.objects.filter(pk=t.pk).overdue(t.respond_by).exists()
    assert t.status == Status.SUBMITTED
