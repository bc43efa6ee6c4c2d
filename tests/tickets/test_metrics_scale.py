"""The metrics at scale: the 90th percentiles of every group against a brute-force count in
Python on a random set, the number of queries as requests grow, the scope read through the
community indexes, and no full scan of the requests for a scoped actor (SQLite)."""

import datetime as dt
import math
import random
from collections import defaultdict

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.core import policy
from linli.tickets import metrics
from linli.tickets.models import Category, Status, Ticket
from linli.tickets.queries import tickets_for
from tests.tickets.test_metrics import NOV, NOW, SH, URL, _many

pytestmark = pytest.mark.django_db

US = dt.timedelta(microseconds=1)
PERIOD = (dt.datetime(2026, 9, 1, tzinfo=SH), dt.datetime(2026, 12, 1, tzinfo=SH))


@pytest.fixture(autouse=True)
def _no_cached_reports():
    # Reports are cached in locmem, which outlives each test's database (see test_metrics).
    cache.clear()
    yield
    cache.clear()


def _random_tickets(tw, rnd: random.Random, n: int) -> list[Ticket]:
    """``n`` requests in both communities, spread over the period and a little outside it,
    with times to the microsecond, ties, and every status."""
    noise = Category.objects.create(community=tw.xincun, code="noise-r", name="噪音")
    categories = [tw.water, tw.lights, noise, tw.nancun_cat]
    statuses = list(Status)
    original = Ticket.objects.create(
        community=tw.xincun,
        category=tw.water,
        description="x",
        created_at=PERIOD[0] - dt.timedelta(days=40),
        respond_by=PERIOD[0],
        resolve_by=PERIOD[0],
    )
    span = int((PERIOD[1] - PERIOD[0]).total_seconds() * 1e6)
    rows = []
    for _ in range(n):
        category = rnd.choice(categories)
        # A few minutes either side of the period, and some on the stroke of midnight (local)
        # that starts a month.
        if rnd.random() < 0.1:
            created = rnd.choice([PERIOD[0], dt.datetime(2026, 10, 1, tzinfo=SH), PERIOD[1]])
            created -= rnd.choice([0, 1]) * US
        else:
            created = PERIOD[0] + rnd.randint(-600_000_000, span + 600_000_000) * US
        status = rnd.choice(statuses)

        def after(created=created):
            if rnd.random() < 0.25:
                return None
            if rnd.random() < 0.3:  # ties: whole hours
                return created + dt.timedelta(hours=rnd.randint(0, 6))
            return created + rnd.randint(0, 9 * 24 * 3600 * 10**6) * US

        rating = rnd.choice(["", "", "satisfied", "basic", "unsatisfied"])
        rows.append(
            Ticket(
                community=category.community,
                category=category,
                description="x",
                status=status,
                created_at=created,
                respond_by=created + dt.timedelta(hours=24),
                resolve_by=created + dt.timedelta(days=7),
                responded_at=after(),
                resolved_at=after(),
                rating=rating,
                rated_at=created + dt.timedelta(days=8) if rating else None,
                reopen_count=rnd.choice([0, 0, 0, 1, 2]),
                duplicate_of=original if status == Status.DUPLICATE else None,
                assignee_team=rnd.choice([None, tw.repair_team]),
                assignee_user=rnd.choice([None, tw.handler, tw.staff]),
            )
        )
    Ticket.objects.bulk_create(rows)
    return list(Ticket.objects.all())


def _nearest_rank_p90(durations: list[dt.timedelta]) -> dt.timedelta | None:
    if not durations:
        return None
    return sorted(durations)[math.ceil(0.9 * len(durations)) - 1]


def _brute_force(tickets, community_ids, start, end, attr):
    """Per grouping → per group → the nearest-rank 90th percentile, counted in Python."""
    durations = defaultdict(lambda: defaultdict(list))
    for t in tickets:
        if t.community_id not in community_ids or not start <= t.created_at < end:
            continue
        if t.status in (Status.DUPLICATE, Status.WITHDRAWN) or getattr(t, attr) is None:
            continue
        d = getattr(t, attr) - t.created_at
        local = timezone.localtime(t.created_at)
        month = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        durations[None][None].append(d)
        durations["category"][t.category_id].append(d)
        durations["team"][t.assignee_team_id].append(d)
        durations["handler"][t.assignee_user_id].append(d)
        durations["month"][month].append(d)
    return {
        grouping: {key: _nearest_rank_p90(ds) for key, ds in groups.items()}
        for grouping, groups in durations.items()
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_groups_90th_percentile_matches_a_count_by_hand(tw, seed):
    rnd = random.Random(seed)
    tickets = _random_tickets(tw, rnd, 240)
    for who, communities in (
        (tw.supervisor, {tw.xincun.pk, tw.nancun.pk}),
        (tw.staff, {tw.xincun.pk}),
    ):
        r = metrics.report(who, *PERIOD, now=NOW)
        for kind, attr in (("respond", "responded_at"), ("resolve", "resolved_at")):
            expected = _brute_force(tickets, communities, *PERIOD, attr)
            assert getattr(r.overall, f"p90_{kind}") == expected[None][None]
            for grouping in ("category", "team", "handler", "month"):
                got = {s.key: getattr(s, f"p90_{kind}") for s in r.groups[grouping]}
                want = expected[grouping]
                # A group whose every request lacks the time has no percentile.
                assert {k: v for k, v in got.items() if v is not None} == want, (
                    who,
                    kind,
                    grouping,
                )
        assert [s.key.month for s in r.groups["month"]] == [9, 10, 11]


def test_the_report_takes_the_same_queries_for_10_or_200_requests(tw, as_user):
    client = as_user(tw.staff)
    _many(tw, 10)
    counts = []
    for more in (0, 19):  # 10 requests, then 200
        copies = list(Ticket.objects.all()) * more
        for t in copies:
            t.pk = None
        Ticket.objects.bulk_create(copies)
        policy.memberships(tw.staff)  # read once per request, by the page's permission check
        with CaptureQueriesContext(connection) as ctx:
            metrics.report(tw.staff, *NOV, now=NOW)
        counts.append(len(ctx.captured_queries))
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(URL, {"from": "2026-11-01", "to": "2026-11-30"})
        assert r.status_code == 200 and len(ctx.captured_queries) <= 11
    assert r.context["report"].overall.received == 200
    assert counts == [7, 7]  # 5 aggregates (whole, 4 groupings) + 2 percentiles


@pytest.mark.parametrize(
    "who", ["staff", "secretary", "supervisor", "outsider", "resident", "leader", "handler"]
)
def test_the_scope_read_by_community_is_the_policys_scope(tw, who):
    rnd = random.Random(7)
    _random_tickets(tw, rnd, 60)
    person = getattr(tw, who)
    got = set(metrics.in_scope(person).values_list("pk", flat=True))
    assert got == set(tickets_for(person, "ticket.metrics").values_list("pk", flat=True))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's")
@pytest.mark.parametrize("who", ["supervisor", "staff"])
def test_a_scoped_report_never_scans_all_requests(tw, who):
    _many(tw, 30)
    person = getattr(tw, who)
    with CaptureQueriesContext(connection) as ctx:
        metrics.report(person, *NOV, now=NOW)
        metrics.home_tiles(person, now=NOW)
    plans = []
    with connection.cursor() as cursor:
        for q in ctx.captured_queries:
            if "tickets_ticket" not in q["sql"]:
                continue
            cursor.execute("EXPLAIN QUERY PLAN " + q["sql"])
            plans.append([row[3] for row in cursor.fetchall()])
    assert len(plans) == 9
    for plan in plans:
        searches = [line for line in plan if "tickets_ticket" in line]
        assert searches and all(line.startswith("SEARCH tickets_ticket") for line in searches), plan
        assert any("community_id=?" in line for line in searches), plan
