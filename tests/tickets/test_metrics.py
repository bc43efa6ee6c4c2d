"""Metrics on a hand-built set with known answers (docs/metrics.md), the page, the home
tiles, and query counts that do not grow with the number of requests."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from linli.tickets import metrics
from linli.tickets.models import Category, Status, Ticket, TicketRequester

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_cached_reports():
    # The page keeps reports in the cache (locmem in tests), which outlives a test's
    # database; on SQLite the next test's places even get the same ids.
    cache.clear()
    yield
    cache.clear()


SH = ZoneInfo("Asia/Shanghai")
H = dt.timedelta(hours=1)
NOV = (dt.datetime(2026, 11, 1, tzinfo=SH), dt.datetime(2026, 12, 1, tzinfo=SH))
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=SH)


def make(
    tw,
    created,
    *,
    category=None,
    status=Status.SUBMITTED,
    respond=None,
    resolve=None,
    rating="",
    reopen=0,
    team=None,
    user=None,
    community=None,
    **extra,
):
    """A request with exact moments: ``respond``/``resolve`` are hours after ``created``."""
    category = category or tw.water
    t = Ticket.objects.create(
        community=community or category.community,
        category=category,
        status=status,
        description="x",
        location_text="3号楼",
        created_at=created,
        respond_by=created + 24 * H,
        resolve_by=created + 5 * 24 * H,
        responded_at=created + respond * H if respond is not None else None,
        resolved_at=created + resolve * H if resolve is not None else None,
        closed_at=created + 200 * H if status in (Status.CLOSED, Status.REFERRED) else None,
        rating=rating,
        rated_at=created + 199 * H if rating else None,
        reopen_count=reopen,
        assignee_team=team,
        assignee_user=user,
        **extra,
    )
    TicketRequester.objects.create(ticket=t, name="张三")
    return t


@pytest.fixture
def known(tw):
    return make_known(tw)


def make_known(tw):
    """Eleven requests; nine received in November in Xincun. Expected figures in comments."""
    day = dt.datetime(2026, 11, 2, 9, 0, tzinfo=SH)
    a = make(
        tw,
        day,
        status=Status.CLOSED,
        respond=2,
        resolve=26,
        rating="satisfied",
        team=tw.repair_team,
        user=tw.handler,
    )
    make(
        tw,
        day + H,
        status=Status.CLOSED,
        respond=24,
        resolve=50,
        rating="basic",
        team=tw.repair_team,
        user=tw.handler,
    )  # answered exactly at the limit: in time
    make(
        tw,
        day + 2 * H,
        category=tw.lights,
        status=Status.CLOSED,
        respond=30,
        resolve=100,
        rating="unsatisfied",
        reopen=1,
        user=tw.staff,
    )  # closed after an unsatisfied rating
    make(
        tw,
        day + 3 * H,
        category=tw.lights,
        status=Status.REFERRED,
        respond=1,
        referred_to="供电公司",
        referral_reason="不归社区管",
    )
    make(tw, dt.datetime(2026, 11, 20, 9, tzinfo=SH))  # not answered, limit passed
    make(tw, NOW - H)  # not answered, still within the limit: not yet due
    make(tw, day, status=Status.DUPLICATE, respond=1, duplicate_of=a)  # left out
    make(tw, day, status=Status.WITHDRAWN, respond=1)  # left out
    make(
        tw,
        day + 4 * H,
        category=tw.lights,
        status=Status.IN_PROGRESS,
        respond=3,
        rating="unsatisfied",
        reopen=2,
    )
    make(
        tw,
        dt.datetime(2026, 10, 31, 23, 59, tzinfo=SH),
        status=Status.CLOSED,
        respond=1,
        resolve=5,
        rating="satisfied",
    )  # October: outside the period
    make(
        tw,
        day,
        category=tw.nancun_cat,
        status=Status.CLOSED,
        respond=50,
        resolve=60,
        rating="unsatisfied",
    )  # Nancun: outside the staff's scope
    return tw


def test_the_three_rates_on_a_known_set(known):
    r = metrics.report(known.staff, *NOV, now=NOW)
    o = r.overall
    assert (o.received, o.duplicates, o.withdrawn, o.counted) == (9, 1, 1, 7)
    assert (o.responded_in_time, o.response_due) == (4, 6)
    assert o.response_rate == pytest.approx(4 / 6)
    assert (o.resolved, o.closed, o.referred) == (2, 4, 1)
    assert o.resolution_rate == 0.5
    assert (o.satisfied, o.basic, o.unsatisfied, o.rated) == (1, 1, 2, 4)
    assert o.satisfaction_rate == 0.25
    assert o.satisfied_or_basic_rate == 0.5
    assert (o.reopenings, o.reopened, o.open_now) == (3, 1 + 1, 3)


def test_times_to_respond_and_resolve_average_and_90th_percentile(known):
    o = metrics.report(known.staff, *NOV, now=NOW).overall
    assert o.avg_respond == 12 * H  # (2 + 24 + 30 + 1 + 3) / 5
    assert o.p90_respond == 30 * H  # nearest rank: the 5th of 5
    assert o.avg_resolve == dt.timedelta(hours=176 / 3)  # (26 + 50 + 100) / 3
    assert o.p90_resolve == 100 * H


def test_grouped_by_category_team_handler_and_month(known):
    r = metrics.report(known.staff, *NOV, now=NOW)
    cats = {s.label: s for s in r.groups["category"]}
    assert set(cats) == {"水管漏水", "路灯不亮"}
    water, lights = cats["水管漏水"], cats["路灯不亮"]
    assert (water.received, water.counted, water.responded_in_time, water.response_due) == (
        6,
        4,
        2,
        3,
    )
    assert water.p90_respond == 24 * H
    assert (lights.counted, lights.responded_in_time, lights.response_due) == (3, 2, 3)
    assert lights.p90_respond == 30 * H and lights.p90_resolve == 100 * H
    teams = {s.key: s for s in r.groups["team"]}
    repair = teams[known.repair_team.pk]
    assert repair.label == "维修组" and repair.counted == 2 and repair.resolution_rate == 1.0
    assert teams[None].counted == 5
    handlers = {s.key: s for s in r.groups["handler"]}
    assert handlers[known.handler.pk].label == "老李师傅"
    assert handlers[known.handler.pk].satisfaction_rate == 0.5
    assert handlers[known.staff.pk].resolution_rate == 0.0
    assert [s.label for s in r.groups["month"]] == ["2026-11"]


def test_months_follow_local_time(known):
    # 23:59 on 31 October in Shanghai is still October, though it is 15:59 UTC.
    r = metrics.report(known.staff, dt.datetime(2026, 10, 1, tzinfo=SH), NOV[1], now=NOW)
    months = {s.label: s for s in r.groups["month"]}
    assert list(months) == ["2026-10", "2026-11"]
    assert months["2026-10"].counted == 1 and months["2026-10"].p90_resolve == 5 * H
    assert months["2026-11"].counted == 7


def test_the_90th_percentile_is_the_nearest_rank(tw):
    start = dt.datetime(2026, 11, 2, 9, tzinfo=SH)
    for i in range(1, 21):  # 20 requests answered after 1 … 20 hours
        make(tw, start + i * dt.timedelta(minutes=1), respond=i)
    for i in range(1, 12):  # 11 more, in another category, after 1 … 11 hours
        make(tw, start, category=tw.lights, respond=i)
    r = metrics.report(tw.staff, *NOV, now=NOW)
    by = {s.label: s for s in r.groups["category"]}
    assert by["水管漏水"].p90_respond == 18 * H  # ceil(0.9 × 20) = 18th
    assert by["路灯不亮"].p90_respond == 10 * H  # ceil(0.9 × 11) = 10th
    assert r.overall.p90_respond == 17 * H  # ceil(0.9 × 31) = 28th of 1,1,2,2,…


def test_scope_the_street_sees_both_communities_staff_only_their_own(known):
    assert metrics.report(known.staff, *NOV, now=NOW).overall.received == 9
    assert metrics.report(known.secretary, *NOV, now=NOW).overall.received == 9
    sup = metrics.report(known.supervisor, *NOV, now=NOW).overall
    assert sup.received == 10 and sup.unsatisfied == 3
    assert metrics.report(known.outsider, *NOV, now=NOW).overall.received == 1
    assert metrics.report(known.resident, *NOV, now=NOW).overall.received == 0
    assert metrics.report(known.leader, *NOV, now=NOW).overall.received == 0


def test_an_empty_period_has_no_rates_rather_than_zero(tw):
    o = metrics.report(tw.staff, *NOV, now=NOW).overall
    assert o.received == 0
    assert o.response_rate is None and o.resolution_rate is None
    assert o.satisfaction_rate is None and o.p90_respond is None and o.avg_resolve is None


def test_home_tiles_count_this_month_and_everything_open(known):
    tiles = metrics.home_tiles(known.staff, now=NOW)
    assert tiles["month"].response_rate == pytest.approx(4 / 6)
    assert tiles["month"].resolution_rate == 0.5
    # Open: the two submitted ones and the one in progress. Overdue: the one not accepted
    # since 20 November, and the one in progress since 2 November (due on the 7th).
    assert (tiles["open"], tiles["overdue"]) == (3, 2)


# --- the page ----------------------------------------------------------------------------

URL = reverse("tickets:metrics")


@pytest.mark.parametrize("who", ["staff", "secretary", "supervisor"])
def test_the_office_and_the_street_see_the_metrics_page(known, as_user, who):
    r = as_user(getattr(known, who)).get(URL, {"from": "2026-11-01", "to": "2026-11-30"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "水管漏水" in html and "老李师傅" in html and "维修组" in html
    assert "2026-11" in html


@pytest.mark.parametrize("who", ["resident", "leader", "grid_worker", "volunteer", "mediator"])
def test_everyone_else_is_refused(known, as_user, who):
    assert as_user(getattr(known, who)).get(URL).status_code == 403


def test_anonymous_is_sent_to_log_in(tw, as_user):
    r = as_user(None).get(URL)
    assert r.status_code == 302 and "login" in r["Location"]


def test_a_bad_period_says_so_and_shows_this_month(known, as_user):
    r = as_user(known.staff).get(URL, {"from": "2026-13-01", "to": "x"})
    assert r.status_code == 200
    assert r.context["errors"]
    r = as_user(known.staff).get(URL, {"from": "2026-11-30", "to": "2026-11-01"})
    assert r.context["errors"]


def test_period_presets(known, as_user):
    client = as_user(known.staff)
    for preset in ("month", "last_month", "quarter", "year", "12m"):
        r = client.get(URL, {"period": preset})
        assert r.status_code == 200, preset
        assert r.context["start"] < r.context["end"]


def _many(tw, n):
    day = dt.datetime(2026, 11, 2, 9, tzinfo=SH)
    cats = [tw.water, tw.lights]
    extra = Category.objects.create(community=tw.xincun, code="noise", name="噪音")
    cats.append(extra)
    rows = []
    for i in range(n):
        created = day + dt.timedelta(minutes=7 * i)
        closed = i % 3 == 0
        rows.append(
            Ticket(
                community=tw.xincun,
                category=cats[i % 3],
                description="x",
                location_text="x",
                created_at=created,
                respond_by=created + 24 * H,
                resolve_by=created + 120 * H,
                status=Status.CLOSED if closed else Status.ASSIGNED,
                responded_at=created + (i % 30) * H,
                resolved_at=created + 40 * H if closed else None,
                rating=["satisfied", "basic", "unsatisfied"][i % 3] if closed else "",
                rated_at=created + 50 * H if closed else None,
                assignee_team=tw.repair_team if i % 2 else None,
                assignee_user=tw.handler if i % 4 == 1 else None,
            )
        )
    Ticket.objects.bulk_create(rows, batch_size=500)


@pytest.mark.parametrize("n", [10, 1000])
def test_query_counts_do_not_grow_with_the_requests(tw, as_user, django_assert_max_num_queries, n):
    _many(tw, n)
    client = as_user(tw.staff)
    with django_assert_max_num_queries(11):
        r = client.get(URL, {"from": "2026-11-01", "to": "2026-11-30"})
    assert r.status_code == 200
    assert r.context["report"].overall.received == n
    with django_assert_max_num_queries(3):
        metrics.home_tiles(tw.staff, now=NOW)


# --- the home page -----------------------------------------------------------------------


def test_a_residents_home_has_my_requests_and_a_report_button(tw, as_user):
    page = as_user(tw.resident).get("/").content.decode()
    assert reverse("tickets:mine") in page and reverse("tickets:submit") in page
    assert 'data-testid="home-report"' in page
    assert 'data-testid="home-tiles"' not in page and 'data-testid="home-queue"' not in page


def test_staff_home_shows_the_queue_and_this_months_tiles(known, as_user):
    page = as_user(known.staff).get("/").content.decode()
    assert 'data-testid="home-queue"' in page and reverse("tickets:queue") in page
    assert 'data-testid="home-tiles"' in page and reverse("tickets:metrics") in page
    assert 'data-testid="home-report"' not in page


def test_a_building_leader_sees_the_queue_of_their_building_but_no_tiles(known, as_user):
    now = timezone.now()
    make(known, now - 48 * H, building=known.b3)  # not accepted in 24 hours, in building 3
    make(known, now - H, building=known.b3)
    make(known, now - 48 * H, building=known.b4)
    r = as_user(known.leader).get("/")
    assert r.context["ticket_queue"] == {"open": 2, "overdue": 1}
    page = r.content.decode()
    assert 'data-testid="home-queue"' in page and 'data-testid="home-tiles"' not in page


def test_the_street_supervisor_sees_each_community_of_the_street(known, as_user):
    """Side by side, not their sum (issue 11, item 9)."""
    r = as_user(known.supervisor).get("/")
    assert 'data-testid="street-communities"' in r.content.decode()
    open_by = {row["community"].code: row["open"] for row in r.context["street_rows"]}
    assert open_by == {"xincun": 3, "nancun": 0}  # Nancun's one is closed


def test_a_rate_without_cases_says_so_instead_of_a_dash_and_zero_over_zero(tw, as_user):
    """Issue 11: "— (0/0)" beside a resolution time read as a broken page."""
    from linli.tickets.views_metrics import _count, _percent

    assert _percent(0, 0) == "暂无案例" and _count(0, 0) == ""
    assert _percent(1, 4) == "25.0%" and _count(1, 4) == "1/4"
    page = as_user(tw.staff).get(reverse("tickets:metrics")).content.decode()
    assert "(0/0)" not in page and "— (" not in page
