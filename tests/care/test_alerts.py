"""Overdue alerts: the visitors first, then the office; once, however often run; no health
content in the message."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from linli.care import alerts, services
from linli.care.models import CareAlert
from linli.core.models import Notification
from tests.care.conftest import back


def _overdue(care, days):
    back(care.li, days)
    services.person_refresh_due(care.li)


def test_visitors_are_alerted_then_the_office(care, world):
    _overdue(care, 1)
    sent = alerts.send_overdue()
    assert sent == [f"{care.li.pk}:visitor"] or f"{care.li.pk}:visitor" in sent
    to = set(
        Notification.objects.filter(channel="in_app", verb="care.overdue_visitor").values_list(
            "recipient__username", flat=True
        )
    )
    assert to == {"volunteer", "leader"}
    assert not Notification.objects.filter(verb="care.overdue_office").exists()
    later = timezone.now() + dt.timedelta(days=alerts.OFFICE_AFTER_DAYS + 1)
    alerts.send_overdue(later)
    office = set(
        Notification.objects.filter(
            channel="in_app", verb="care.overdue_office", object_id=care.li.pk
        ).values_list("recipient__username", flat=True)
    )
    assert office == {"staff", "secretary"}


def test_alert_says_where_not_why(care, world):
    services.consent_record(
        actor=world.staff,
        person=care.li,
        subject="health",
        given_by="李四",
        given_on=timezone.localdate(),
        method="oral",
    )
    services.health_note_set(actor=world.staff, person=care.li, note="高血压")
    _overdue(care, 1)
    alerts.send_overdue()
    n = Notification.objects.filter(verb="care.overdue_visitor").first()
    text = n.title + n.body
    assert "3-2-501" in text
    for secret in ("高血压", "李四", "high", "高风险", "独居"):
        assert secret not in text


def test_running_twice_sends_each_alert_once(care, world):
    _overdue(care, 1)
    alerts.send_overdue()
    before = Notification.objects.count()
    assert alerts.send_overdue() == []
    assert Notification.objects.count() == before
    assert CareAlert.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_alert_once():
    from linli.care.models import Tier
    from tests.factories import make_world

    if connection.vendor == "sqlite":
        pytest.skip("threads need a shared database: run on PostgreSQL")
    world = make_world()
    p = services.person_enroll(
        actor=world.staff, resident=world.li_si, tier=Tier.HIGH, reason="独居"
    )
    services.visitor_assign(actor=world.staff, person=p, user=world.volunteer, kind="volunteer")
    back(p, 10)
    services.person_refresh_due(p)
    later = timezone.now() + dt.timedelta(days=10)
    results: list = []
    barrier = threading.Barrier(2)

    def run():
        barrier.wait()
        try:
            results.append(alerts.send_overdue(later))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(k for r in results for k in r) == [f"{p.pk}:office", f"{p.pk}:visitor"]
    assert Notification.objects.filter(channel="in_app", verb="care.overdue_visitor").count() == 1


def test_the_periodic_task_runs(care, world):
    from linli.care.tasks import send_care_alerts

    _overdue(care, 1)
    assert send_care_alerts.call_local() >= 1
