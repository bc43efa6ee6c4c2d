"""The metrics page keeps a report for five minutes: the same figures, far fewer queries, the
moment they were computed on the page — and never one person's figures for another scope or
another language."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from linli.tickets import metrics, views_metrics
from tests.factories import grant, make_user
from tests.tickets.test_metrics import NOV, URL, make, make_known

pytestmark = pytest.mark.django_db

NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}


@pytest.fixture
def known(tw):
    return make_known(tw)


@pytest.fixture(autouse=True)
def _no_cached_reports():
    # Reports are cached in locmem, which outlives each test's database (see test_metrics).
    cache.clear()
    yield
    cache.clear()


def _get(client, **params):
    """The page, and how many queries read the requests (7 to compute a report, 0 if kept)."""
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(URL, params or NOVEMBER)
    assert r.status_code == 200
    return r, sum('"tickets_ticket"' in q["sql"] for q in ctx.captured_queries)


def test_a_cached_report_gives_the_same_figures_with_far_fewer_queries(
    known, as_user, django_assert_max_num_queries
):
    client = as_user(known.supervisor)
    first, computed = _get(client)
    with django_assert_max_num_queries(4):  # session, user, memberships, the page's frame
        second, kept = _get(client)
    assert (computed, kept) == (7, 0)
    assert second.context["report"] == first.context["report"]
    assert second.context["report"].overall.received == 10
    assert _figures(second) == _figures(first)
    assert "老李师傅" in _figures(second) and "2026-11" in _figures(second)


def _figures(response) -> str:
    """The page from the tiles to the last table (the rest holds per-request tokens)."""
    html = response.content.decode()
    return html[html.index('id="overall-h"') : html.index("<details")]


def test_the_tables_are_drawn_once_per_report(known, as_user, monkeypatch):
    drawn = []
    real_row = views_metrics.row
    monkeypatch.setattr(views_metrics, "row", lambda s: drawn.append(s) or real_row(s))
    client = as_user(known.supervisor)
    first, _ = _get(client)
    once = len(drawn)
    second, _ = _get(client)
    assert len(drawn) == once + 1  # only the overall tiles again
    assert _figures(second) == _figures(first)
    cache.delete(second.context["report"].cache_key)  # the report expires: drawn anew
    third, _ = _get(client)
    assert len(drawn) == 2 * once + 1
    assert third.context["report"].as_of > first.context["report"].as_of


def test_the_figures_are_kept_five_minutes_and_the_page_says_as_of_when(known, as_user):
    client = as_user(known.staff)
    r, _ = _get(client)
    as_of = r.context["report"].as_of
    assert timezone.now() - as_of < dt.timedelta(minutes=1)
    html = r.content.decode()
    assert 'data-testid="metrics-as-of"' in html
    assert timezone.localtime(as_of).strftime("%H:%M") in html
    # A request received meanwhile shows after the five minutes, not before.
    make(known, dt.datetime(2026, 11, 3, 9, tzinfo=dt.UTC))
    again, _ = _get(client)
    assert again.context["report"].overall.received == 9
    assert again.context["report"].as_of == as_of
    start, end = r.context["start"], r.context["end"]
    key = metrics.cache_key(known.staff, start, end, metrics.ALL_GROUPS)
    assert cache.get(key) is not None
    cache.delete(key)  # what expiry does after CACHE_SECONDS
    assert _get(client)[0].context["report"].overall.received == 10
    assert metrics.CACHE_SECONDS == 5 * 60


def test_the_report_is_stored_for_five_minutes(known, monkeypatch):
    stored = []

    class Recording:
        get = staticmethod(cache.get)

        @staticmethod
        def set(key, value, timeout):
            stored.append(timeout)
            cache.set(key, value, timeout)

    monkeypatch.setattr(metrics, "cache", Recording)
    metrics.cached_report(known.staff, *NOV)
    metrics.cached_report(known.staff, *NOV)
    assert stored == [5 * 60]


def test_a_supervisor_and_another_communitys_secretary_never_share_figures(known, as_user):
    nancun_secretary = make_user("nancun-secretary")
    grant(nancun_secretary, "secretary", known.nancun)
    sup, _ = _get(as_user(known.supervisor))
    assert sup.context["report"].overall.received == 10
    other, computed = _get(as_user(nancun_secretary))
    assert computed == 7  # not served from the supervisor's entry
    assert other.context["report"].overall.received == 1
    assert {s.label for s in other.context["report"].groups["category"]} == {"水管"}
    # …and the other way round.
    cache.clear()
    _get(as_user(nancun_secretary))
    sup, computed = _get(as_user(known.supervisor))
    assert computed == 7 and sup.context["report"].overall.received == 10


def test_people_with_the_same_places_share_and_different_places_do_not(known):
    def key(person):
        return metrics.cache_key(person, *NOV, metrics.ALL_GROUPS)

    assert key(known.staff) == key(known.secretary)  # both hold Xincun
    keys = {key(known.staff), key(known.supervisor), key(known.outsider)}
    assert len(keys) == 3
    # A second street supervisor of the same street shares the supervisor's figures.
    colleague = make_user("colleague")
    grant(colleague, "street_supervisor", known.street)
    assert key(colleague) == key(known.supervisor)
    # Roles that do not grant the metrics do not change the key; one that does, does.
    grant(colleague, "volunteer", known.xincun)
    assert key(_fresh(colleague)) == key(known.supervisor)
    grant(known.staff, "community_staff", known.nancun)
    assert key(_fresh(known.staff)) != key(known.secretary)


def _fresh(user):
    from linli.core import policy

    policy.forget_memberships(user)
    return user


def test_the_period_is_part_of_the_key(known):
    october = (dt.datetime(2026, 10, 1, tzinfo=NOV[0].tzinfo), NOV[0])
    assert metrics.cached_report(known.staff, *NOV).overall.received == 9
    assert metrics.cached_report(known.staff, *october).overall.received == 1


def test_the_language_is_part_of_the_key(known):
    with translation.override("zh-hans"):
        zh = metrics.cached_report(known.staff, *NOV)
    with translation.override("en"):
        en = metrics.cached_report(known.staff, *NOV)
        assert metrics.cached_report(known.staff, *NOV) == en  # and is kept, too
    assert {s.label for s in zh.groups["category"]} == {"水管漏水", "路灯不亮"}
    assert {s.label for s in en.groups["category"]} == {"Water leak", "Street light out"}
    with translation.override("zh-hans"):
        assert metrics.cached_report(known.staff, *NOV) == zh
