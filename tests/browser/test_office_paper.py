"""In Chromium on a 390 px phone (issue 11, items 10 and 11): the statistics page's charts fit
the screen beside (below) their tables, and a print page's print button appears with
JavaScript and opens the browser's print dialog."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from linli.deliberation.services import meetings as msvc
from linli.deliberation.services import topics as dsvc
from linli.tickets import services
from linli.tickets.models import Category
from tests.browser.helpers import login
from tests.factories import make_world


@pytest.mark.browser
def test_statistics_charts_fit_a_phone(phone):
    cache.clear()
    w = make_world()
    water = Category.objects.create(community=w.xincun, code="water", name="水管漏水")
    lights = Category.objects.create(
        community=w.xincun, code="lights", name="楼道路灯长时间不亮需要维修"
    )
    for cat, n in ((water, 3), (lights, 1)):
        for i in range(n):
            services.ticket_submit(
                actor=w.resident, category=cat, description=f"第{i}件", household=w.hh_3_2_501
            )
    login(phone, "staff")
    phone.goto("/requests/metrics/")
    charts = phone.get_by_test_id("metrics-charts")
    expect(charts).to_be_visible()
    svgs = charts.locator("svg.bar-chart")
    expect(svgs).to_have_count(2)
    for i in range(2):
        box = svgs.nth(i).bounding_box()
        assert box is not None and box["width"] > 200 and box["x"] + box["width"] <= 390 + 1
    tables = charts.locator("table.chart-data")
    expect(tables.nth(1)).to_contain_text("水管漏水")
    fig = charts.locator("figure").first.bounding_box()
    assert fig is not None and fig["x"] + fig["width"] <= 390 + 1
    expect(phone.get_by_test_id("metrics-export")).to_be_visible()
    cache.clear()


@pytest.mark.browser
def test_a_print_page_has_a_print_button_that_prints(phone):
    w = make_world()
    topic = dsvc.topic_raise(actor=w.staff, community=w.xincun, title="3号楼加装电梯")
    m = msvc.meeting_create(
        actor=w.staff,
        community=w.xincun,
        body="residents_council",
        title="居民议事会",
        starts_at=timezone.now() + dt.timedelta(days=9),
        location="社区活动室",
    )
    msvc.agenda_add(actor=w.staff, meeting=m, topic=topic)
    phone.add_init_script(
        "window.print = () => { window.__printed = (window.__printed || 0) + 1; };"
    )
    login(phone, "staff")
    phone.goto(f"/deliberation/meetings/{m.pk}/print/agenda/")
    button = phone.get_by_test_id("print-button")
    expect(button).to_be_visible()
    button.click()
    assert phone.evaluate("window.__printed") == 1
