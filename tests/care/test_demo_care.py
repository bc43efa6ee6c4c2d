"""The demo's care year: visits with gaps, weekly high-risk visits, the cold wave's 24-hour
visits, follow-ups that became requests, a love-lunch roster."""

import datetime as dt

import pytest
from django.utils import timezone

from linli.care import coverage as cov
from linli.care.models import CarePerson, MajorEvent, MealDay, Visit
from linli.registry.models import Community


@pytest.fixture
def demo(db):
    from tests.demo.test_demo import run_demo

    return run_demo()


def test_demo_care_year(demo):
    xc = Community.objects.get(code="xincun")
    assert CarePerson.objects.filter(community=xc).count() >= 150
    high = CarePerson.objects.filter(community=xc, tier="high").first()
    assert Visit.objects.filter(person=high).count() >= 40  # weekly
    cold = MajorEvent.objects.get(community=xc, kind="cold_wave")
    assert (
        Visit.objects.filter(event=cold).count()
        == CarePerson.objects.filter(community=xc, tier="high").count()
    )
    assert Visit.objects.filter(ticket__isnull=False).count() >= 1
    assert MealDay.objects.filter(community=xc).exists()
    # coverage below 100 % in some month and grid
    today = timezone.localdate()
    pcts = [
        x.pct
        for m in range(1, 12)
        for x in cov.coverage(
            None, xc, (today.replace(day=1) - dt.timedelta(days=30 * m)).replace(day=1)
        )["grid"]
    ]
    assert min(pcts) < 100 and max(pcts) > 50


def test_demo_care_work_is_in_the_hours_ledger(demo):
    """The love-lunch cooking and home-help sessions went through the ledger's own service:
    pending hours (the older cooking verified by the office), each session marked entered."""
    from linli.care.models import HelpSession
    from linli.volunteers.models import HourEntry

    xc = Community.objects.get(code="xincun")
    sessions = HelpSession.objects.filter(community=xc)
    assert sessions.filter(kind="cooking").exists()
    assert sessions.filter(kind__in=("cleaning", "home_help")).exists()
    entries = HourEntry.objects.filter(community=xc, source="care")
    assert entries.count() == sessions.filter(hours_entered=True).count() >= 1
    assert entries.filter(status="pending").exists()
    assert entries.filter(status="verified").exists()
    assert {e.profile.user.username for e in entries} == {"xc-volunteer"}
    # no one is credited twice for the same time, whichever demo wrote it
    for e in entries:
        assert not HourEntry.objects.filter(
            profile=e.profile, started_at__lt=e.ended_at, ended_at__gt=e.started_at,
            reverses__isnull=True,
        ).exclude(pk=e.pk).exists()  # fmt: skip
