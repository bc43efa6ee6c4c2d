"""``linli demo``: Xincun's mediation room — the committee and a year of cases."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linli.demo import generator
from linli.demo import mediation as demo_mediation
from linli.mediation import services
from linli.mediation.models import Case, CaseStatus, Committee

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    took = {}
    real = demo_mediation.build_demo_mediation

    def counted(*args, **kwargs):
        with CaptureQueriesContext(connection) as queries:
            result = real(*args, **kwargs)
        took["queries"] = len(queries)
        return result

    with django_db_blocker.unblock(), transaction.atomic():
        demo_mediation.build_demo_mediation = counted
        try:
            generator.build_demo()
        finally:
            demo_mediation.build_demo_mediation = real
        yield took
        transaction.set_rollback(True)


def cases():
    return Case.objects.filter(community__code="xincun")


def test_five_cases_of_the_story(demo):
    by_type = {c.dispute_type: c for c in cases()}
    leak = by_type["water_leak"]
    assert leak.status == CaseStatus.PERFORMED
    a = leak.agreements.get()
    assert a.effective_on and a.court_confirmed_on
    assert by_type["parking"].status == CaseStatus.FAILED and by_type["parking"].routes_told
    assert by_type["family"].private
    assert by_type["noise"].escalated and by_type["noise"].escalated_to
    assert by_type["neighbours"].status == CaseStatus.APPLIED


def test_the_mediation_demo_stays_small(demo):
    # A year of cases through the services: a bounded number of statements (no wall-clock
    # assertion in the suite; `make bench` measures time).
    assert 0 < demo["queries"] < 3000


def test_the_committee_is_within_the_law(demo):
    c = Committee.objects.get(community__code="xincun")
    assert services.committee_warnings(c) == []


def test_the_demo_mediator_opens_the_case_pages(demo, client):
    client.force_login(
        __import__("linli.accounts.models", fromlist=["User"]).User.objects.get(
            username="xc-mediator"
        )
    )
    assert client.get(reverse("mediation:list")).status_code == 200
    for c in cases():
        assert client.get(reverse("mediation:case", args=[c.pk])).status_code == 200
    assert client.get(reverse("mediation:stats")).status_code == 200
