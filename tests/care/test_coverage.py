"""Monthly coverage: SQL figures equal the same figures recomputed from the raw visits."""

import datetime as dt
import io
import json
import random

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from linli.care import coverage as cov
from linli.care import services
from linli.care.models import CarePerson, Visit
from tests.factories import make_resident


def _many(world, n, seed=1):
    rnd = random.Random(seed)
    homes = [world.hh_3_2_501, world.hh_3_2_502, world.hh_4_1_101, world.hh_5_1_201]
    out = []
    for i in range(n):
        r = make_resident(rnd.choice(homes), f"老人{i}")
        p = services.person_enroll(
            actor=world.staff,
            resident=r,
            tier=rnd.choice(["high", "key", "general"]),
            reason="空巢",
        )
        CarePerson.objects.filter(pk=p.pk).update(enrolled_on=dt.date(2026, 1, 1))
        out.append(p)
    return out


def test_sql_coverage_equals_python_from_raw_visits(care, world):
    rnd = random.Random(7)
    people = _many(world, 25)
    for p in people[:10]:
        services.visitor_assign(actor=world.staff, person=p, user=world.volunteer, kind="volunteer")
    visits = []
    for p in people:
        for _ in range(rnd.randint(0, 4)):
            visits.append(
                Visit(
                    community_id=p.community_id,
                    person=p,
                    visitor=world.staff,
                    visited_on=dt.date(2026, rnd.randint(1, 3), rnd.randint(1, 28)),
                    method="home",
                    outcome=rnd.choice(["reached", "reached", "not_home", "refused"]),
                )
            )
    Visit.objects.bulk_create(visits)
    people[3].resident.status, people[3].resident.moved_out_on = "moved_out", dt.date(2026, 1, 20)
    people[3].resident.save()
    for month in (dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)):
        sql = cov.coverage(None, world.xincun, month)
        py = cov.coverage_in_python(world.xincun, month)
        for dim in cov.DIMENSIONS:
            assert {x.key: (x.visited, x.due) for x in sql[dim]} == py[dim], (dim, month)
        pcts = [x.pct for x in sql["tier"]]
        assert pcts == sorted(pcts)  # lowest first


def test_cli_prints_the_same_figures(care, world):
    _many(world, 5)
    month = timezone.localdate().replace(day=1)
    out = io.StringIO()
    call_command(
        "care",
        "coverage",
        "--community",
        "xincun",
        "--month",
        month.strftime("%Y-%m"),
        "--json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    lines = cov.coverage(None, world.xincun, month)
    assert data["total"]["due"] == cov.totals(lines).due
    assert data["target_pct"] == 100
    assert {x["key"]: x["visited"] for x in data["tier"]} == {
        x.key: x.visited for x in lines["tier"]
    }


def test_coverage_page_and_drill_down(care, world, as_user):
    services.visit_record(
        actor=world.volunteer, person=care.li, visited_on=timezone.localdate(), method="home"
    )
    c = as_user(world.staff)
    r = c.get(reverse("care:coverage", args=["xincun"]))
    assert r.status_code == 200
    assert r.context["total"].visited == 1 and r.context["total"].due == 2
    r = c.get(reverse("care:unvisited", args=["xincun"]), {"dim": "tier", "value": "key"})
    assert [p.pk for p in r.context["people"]] == [care.wang.pk]
    # The street supervisor sees figures, not names; a volunteer neither.
    assert (
        as_user(world.supervisor).get(reverse("care:coverage", args=["xincun"])).status_code == 200
    )
    assert (
        as_user(world.supervisor).get(reverse("care:unvisited", args=["xincun"])).status_code == 403
    )
    assert (
        as_user(world.volunteer).get(reverse("care:coverage", args=["xincun"])).status_code == 403
    )
    assert as_user(world.outsider).get(reverse("care:coverage", args=["xincun"])).status_code == 404
