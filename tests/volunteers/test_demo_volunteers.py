"""The demo's year of volunteering: festival activities with attendance for both teams,
weekly patrols whose findings each became a request, a topic or no action, verified and
pending hours, a dispute and two certificates — and the ledger's rules hold on it."""

from __future__ import annotations

import pytest

from linli.volunteers.models import (
    Activity,
    Certificate,
    Finding,
    HourDispute,
    HourEntry,
    Patrol,
)
from linli.volunteers.queries import hours_totals
from tests.demo.test_demo import run_demo

pytestmark = pytest.mark.django_db


def test_demo_has_a_year_of_volunteering():
    run_demo()
    assert Activity.objects.filter(team__name="新长征志愿服务队").count() >= 10
    assert Activity.objects.filter(team__name="妈妈帮帮团").count() >= 4
    assert Patrol.objects.count() == 52
    assert set(Finding.objects.values_list("outcome", flat=True)) == {
        "request",
        "topic",
        "no_action",
    }
    assert not Finding.objects.filter(outcome="open").exists()
    assert Finding.objects.filter(outcome="request", ticket__channel="patrol").count() == 3
    assert HourEntry.objects.filter(status="verified").exists()
    assert HourEntry.objects.filter(status="pending").exists()
    assert HourDispute.objects.count() == 1
    assert Certificate.objects.count() == 2
    for cert in Certificate.objects.all():  # every certified minute traces to verified entries
        assert sum(cert.entries.values_list("minutes", flat=True)) == cert.minutes
        assert not cert.entries.exclude(status="verified").exists()
    # No person is credited twice for the same time.
    for pid in HourEntry.objects.values_list("profile_id", flat=True).distinct():
        spans = sorted(
            HourEntry.objects.filter(profile_id=pid).values_list("started_at", "ended_at")
        )
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    from linli.registry.models import Community

    assert hours_totals(community=Community.objects.get(code="xincun"), by="team")
