"""The statistics as a spreadsheet and as charts (issue 11, item 11): the same period, scope
and figures as the page; refused to whoever may not read the page; a bad period refused."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from tests.tickets.test_metrics import _many, make_known

pytestmark = pytest.mark.django_db

URL = reverse("tickets:metrics_export")
PAGE = reverse("tickets:metrics")
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}


@pytest.fixture(autouse=True)
def _no_cached_reports():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def known(tw):
    return make_known(tw)


def sheet(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Cache-Control"] == "no-store"
    data = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


@pytest.mark.parametrize("who", ["staff", "secretary"])
def test_the_office_downloads_the_statistics_as_xlsx(known, as_user, who):
    r = as_user(getattr(known, who)).get(URL, NOVEMBER)
    assert 'filename="request-statistics-20261101-20261130.xlsx"' in r["Content-Disposition"]
    rows = sheet(r)
    header, overall = rows[0], rows[1]
    assert header[:3] == ("分组方式", "组", "收到")
    # The page's figures (test_metrics: 9 received, 4 answered in time, 2 of 4 resolved).
    assert overall[0] == "整个时段" and overall[2] == 9
    assert overall[5] == 4 and overall[4] == round(100 * overall[5] / overall[6], 1)
    assert overall[7] == 50.0 and overall[8:10] == (2, 4)
    groups = {row[0] for row in rows[2:]}
    assert {"按类别", "按小组", "按办理人", "按月份"} <= groups
    labels = {row[1] for row in rows[2:]}
    assert "水管漏水" in labels and "维修组" in labels and "老李师傅" in labels
    assert "水管" not in labels  # Nancun's category: outside the staff's scope


def test_the_street_supervisor_exports_the_whole_street(known, as_user):
    rows = sheet(as_user(known.supervisor).get(URL, NOVEMBER))
    assert rows[1][2] == 10  # both communities


@pytest.mark.parametrize("who", ["resident", "leader", "grid_worker", "volunteer", "mediator"])
def test_everyone_else_is_refused_the_export(known, as_user, who):
    assert as_user(getattr(known, who)).get(URL).status_code == 403


def test_an_outsider_exports_only_their_own_community(known, as_user):
    rows = sheet(as_user(known.outsider).get(URL, NOVEMBER))
    assert "水管漏水" not in {row[1] for row in rows}


def test_anonymous_is_sent_to_log_in(tw, as_user):
    r = as_user(None).get(URL)
    assert r.status_code == 302 and "login" in r["Location"]


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2026-13-01", "to": "x"},
        {"from": "2026-11-30", "to": "2026-11-01"},
        {"period": "decade"},
        {"from": "2020-01-01", "to": "2026-01-01"},
    ],
)
def test_a_bad_period_is_refused_not_exported_as_another(known, as_user, query):
    r = as_user(known.staff).get(URL, query)
    assert r.status_code == 400 and r["Content-Type"].startswith("text/plain")
    assert r.content.decode().strip()


def test_the_page_links_the_export_with_its_own_period(known, as_user):
    page = as_user(known.staff).get(PAGE, NOVEMBER).content.decode()
    assert 'data-testid="metrics-export"' in page
    assert f"{URL}?from=2026-11-01&amp;to=2026-11-30" in page


def test_the_page_draws_charts_as_svg_beside_their_figures(known, as_user):
    page = as_user(known.staff).get(PAGE, NOVEMBER).content.decode()
    assert 'data-testid="metrics-charts"' in page
    charts = page.split('data-testid="metrics-charts"')[1].split("</section>")[0]
    assert charts.count('<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart"') == 2
    assert "按月份收到的诉求" in charts and "各类别解决率" in charts
    assert '<table class="chart-data">' in charts and "2026-11" in charts and "<td>9</td>" in charts
    assert "<script" not in charts


@pytest.mark.parametrize("n", [10, 1000])
def test_export_queries_do_not_grow_with_the_requests(
    tw, as_user, django_assert_max_num_queries, n
):
    _many(tw, n)
    client = as_user(tw.staff)
    with django_assert_max_num_queries(11):
        r = client.get(URL, NOVEMBER)
        rows = sheet(r)
    assert rows[1][2] == n
