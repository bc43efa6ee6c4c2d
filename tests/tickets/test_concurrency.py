"""Two staff assign the same request at the same moment: one wins, the other is told."""

import threading

import pytest
from django.db import close_old_connections

from linli.core.models import Event
from linli.tickets import services
from linli.tickets.models import Ticket
from linli.tickets.workflow import StaleTicket


@pytest.mark.django_db(transaction=True)
def test_concurrent_assignment_one_wins_one_is_told(tw, submit):
    t = submit()
    seen = t.version
    barrier = threading.Barrier(2)
    results = []

    def assign(actor, user):
        try:
            barrier.wait()
            services.ticket_assign(
                actor=actor, ticket=Ticket.objects.get(pk=t.pk), user=user, expected_version=seen
            )
            results.append("ok")
        except StaleTicket:
            results.append("stale")
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=assign, args=(tw.staff, tw.handler)),
        threading.Thread(target=assign, args=(tw.secretary, tw.staff)),
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(results) == ["ok", "stale"]
    assert Event.objects.filter(object_id=t.pk, verb="ticket.assigned").count() == 1
    t.refresh_from_db()
    assert t.version == seen + 2  # accept + assign, once
