"""Mediation in a real browser (issue 15): the secretary refers a request to mediation and
assigns the mediator; the mediator, on a phone in elder mode, records a session, writes and
fixes the agreement, records both parties' signatures, their own and the seal, and the
agreement takes effect with its judicial-confirmation deadline shown."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from linli.mediation.models import Case, CaseStatus
from linli.tickets import services as ticket_services
from linli.tickets.models import Category
from tests.browser.helpers import login
from tests.factories import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {
    "viewport": {"width": 1280, "height": 900},
    "device_scale_factor": 1,
    "is_mobile": False,
    "has_touch": False,
}


def _go(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def test_a_request_is_referred_mediated_and_the_agreement_takes_effect(new_context):
    world = make_world()
    cat = Category.objects.create(community=world.xincun, code="nb", name="邻里")
    ticket = ticket_services.ticket_submit(
        actor=world.resident,
        category=cat,
        description="楼上卫生间漏水到我家天花板",
        household=world.hh_3_2_501,
    )
    # 1. The secretary, at a desk, refers the request to mediation.
    sec = new_context(**DESKTOP).new_page()
    login(sec, "secretary")
    sec.goto(f"/requests/{ticket.pk}/")
    _go(sec, sec.get_by_test_id("refer-to-mediation"))
    expect(sec.locator("textarea[name=facts]")).to_have_value(re.compile("漏水"))
    sec.select_option("select[name=dispute_type]", "water_leak")
    sec.select_option("select[name=p2_resident]", str(world.wang_wu.pk))
    _go(sec, sec.locator("main form button[type=submit]"))
    case = Case.objects.get()
    expect(sec).to_have_url(re.compile(rf"/mediation/{case.pk}/$"))
    _go(sec, sec.get_by_test_id("act-accept"))
    _go(sec, sec.get_by_test_id("act-start"))
    sec.locator("summary", has_text=re.compile("增加调解员")).click()
    sec.select_option("select[name=mediator]", str(world.mediator.pk))
    _go(sec, sec.locator("form[action$='/mediator/'] button"))

    # 2. The mediator, on a phone in elder mode.
    med = new_context().new_page()
    login(med, "mediator")
    _go(med, med.get_by_test_id("elder-switch"))
    med.goto(f"/mediation/{case.pk}/session/")
    med.fill("input[name=place]", "新村调解室")
    med.fill("input[name=present]", "张三、王五、调解员")
    med.fill("textarea[name=statements]", "张三:愿意修。王五:要求赔偿。")
    _go(med, med.locator("main form button[type=submit]"))
    expect(med.get_by_test_id("session")).to_have_count(1)

    med.goto(f"/mediation/{case.pk}/agreement/")
    med.check("input[name=form][value=written]")
    med.fill("textarea[name=facts]", "五楼卫生间漏水,四楼天花板受损。")
    med.fill("textarea[name=disputed_points]", "维修费用。")
    med.fill("textarea[name=responsibilities]", "五楼负责。")
    med.fill("textarea[name=terms]", "五楼赔偿四楼800元。")
    med.fill("input[name=performance_method]", "现金")
    by = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    med.fill("input[name=performance_by]", by)
    med.fill("input[name=performance_place]", "调解室")
    _go(med, med.locator("main form.card button[type=submit]"))
    expect(med.get_by_test_id("agreement-preview")).to_contain_text("五楼赔偿四楼")
    _go(med, med.get_by_test_id("fix"))

    med.goto(f"/mediation/{case.pk}/signatures/")
    for p in case.parties.all():
        med.select_option("select[name=kind]", "party")
        med.select_option("select[name=party]", str(p.pk))
        med.select_option("select[name=method]", "fingerprint")
        _go(med, med.locator("main form.card button[type=submit]"))
    med.select_option("select[name=kind]", "mediator")
    _go(med, med.locator("main form.card button[type=submit]"))
    med.select_option("select[name=kind]", "seal")
    med.select_option("select[name=method]", "sealed")
    _go(med, med.locator("main form.card button[type=submit]"))
    expect(med.get_by_test_id("signatures").locator("tr")).to_have_count(4)
    _go(med, med.get_by_test_id("make-effective"))
    confirm_by = (timezone.localdate() + dt.timedelta(days=30)).strftime("%Y-%m-%d")
    expect(med.get_by_test_id("confirm-by")).to_contain_text(confirm_by)
    med.goto(f"/mediation/{case.pk}/")
    expect(med.get_by_test_id("confirm-by")).to_contain_text(confirm_by)
    # No sideways scrolling on the phone in elder mode.
    assert med.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    case.refresh_from_db()
    assert case.status == CaseStatus.AGREED
