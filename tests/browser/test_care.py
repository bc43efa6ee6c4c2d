"""Care in a real browser (issue 14): a volunteer in elder mode on a 390 px phone opens "my
visits", records a home visit with a follow-up request, and the request reaches the staff
queue."""

from __future__ import annotations

import pytest

from linli.care import services
from linli.tickets.models import Category, Ticket
from tests.browser.helpers import MEASURE_JS, MIN_TAP_PX, login
from tests.factories import make_world


@pytest.mark.browser
def test_volunteer_in_elder_mode_records_a_visit_with_a_follow_up_request(new_context):
    w = make_world()
    p = services.person_enroll(actor=w.staff, resident=w.li_si, tier="high", reason="独居")
    services.visitor_assign(actor=w.staff, person=p, user=w.volunteer, kind="volunteer")
    cat = Category.objects.create(community=w.xincun, code="repair", name="维修")

    ctx = new_context()
    ctx.set_default_timeout(30_000)  # a loaded machine: the first page can take seconds
    page = ctx.new_page()
    login(page, "volunteer")
    page.goto("/")
    with page.expect_navigation():
        page.get_by_test_id("elder-switch").click()
    page.get_by_test_id("home-care").click()
    page.wait_for_url("**/care/")
    row = page.get_by_test_id("care-person").first
    assert "3-2-501" in row.inner_text()
    with page.expect_navigation():
        row.get_by_test_id("record-visit").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    metrics = page.evaluate(MEASURE_JS, "main label:has(> input[type=checkbox]), main button")
    short = [t for t in metrics["targets"] if t["height"] < MIN_TAP_PX]
    assert not short, f"APP CSS: visit-form targets under {MIN_TAP_PX}px in elder mode: {short}"
    form = page.get_by_test_id("visit-form")
    form.locator("input[name=health][value=mood]").check()
    form.locator("input[name=safety][value=heating]").check()
    form.locator("input[name=follow_up][value=request]").check()
    form.locator("select[name=category]").select_option(str(cat.pk))
    form.locator("textarea[name=follow_up_text]").fill("电暖器插座发烫")
    with page.expect_navigation():
        page.get_by_test_id("visit-save").click()
    assert page.url.endswith("/care/")
    assert "3-2-501" in page.get_by_test_id("care-done").inner_text()

    t = Ticket.objects.get()
    assert t.household_id == w.hh_3_2_501.pk
    octx = new_context(viewport={"width": 1280, "height": 900}, is_mobile=False)
    octx.set_default_timeout(30_000)
    office = octx.new_page()
    login(office, "staff")
    office.goto("/requests/queue/")
    assert f"#{t.pk}" in office.locator("main").inner_text()
