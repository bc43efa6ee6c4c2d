"""Reporting after a mistake (issue 11, item 5 — the page's part): an empty report comes back
with a summary at the top that has the focus, is announced (role=alert) and links to each field
in error; the category's extra questions say, without JavaScript, which category they belong
to; in elder mode the emergency checkbox and every radio button are 60 px targets themselves."""

from __future__ import annotations

import pytest
from django.utils import translation

from linli.tickets.models import Category, HandlingTeam
from tests.browser.helpers import MIN_TAP_PX, login
from tests.factories import make_world

BOXES_JS = """
() => [...document.querySelectorAll(
    "main input[type=checkbox], main input[type=radio]")]
  .filter((el) => el.getClientRects().length)
  .map((el) => {
    const r = el.getBoundingClientRect();
    const label = el.closest("label") ? el.closest("label").getBoundingClientRect() : r;
    return {name: el.name, value: el.value, width: r.width, height: r.height,
            rowWidth: label.width, rowHeight: label.height};
  })
"""


def _world():
    w = make_world()
    team = HandlingTeam.objects.create(community=w.xincun, name="维修组")
    Category.objects.create(
        community=w.xincun,
        code="water",
        name="水管漏水",
        name_en="Water leak",
        default_team=team,
        attributes=[{"code": "floor", "description": "几楼?", "datatype": "string"}],
    )
    Category.objects.create(
        community=w.xincun, code="lights", name="路灯不亮", name_en="Street light out"
    )
    return w


def _zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return str(translation.gettext(msgid))


@pytest.mark.browser
def test_an_empty_report_comes_back_with_a_summary_that_has_the_focus(new_context):
    w = _world()
    w.resident.elder_mode = True
    w.resident.save(update_fields=["elder_mode"])
    page = new_context().new_page()
    login(page, "resident")
    page.goto("/requests/new/")
    with page.expect_navigation():
        page.locator("main form[data-testid=submit-form] button[type=submit]").click()

    summary = page.get_by_test_id("error-summary")
    assert summary.is_visible(), "no error summary after an empty report"
    assert summary.get_attribute("role") == "alert"
    # It comes before the emergency box and the form, and the focus is on it.
    order = page.evaluate(
        "() => document.querySelector('[data-testid=error-summary]')"
        ".compareDocumentPosition(document.querySelector('[data-testid=emergency-numbers]'))"
    )
    assert order & 4, "the summary is not above the emergency box"
    assert page.evaluate("document.activeElement.dataset.testid") == "error-summary"
    links = summary.locator("a")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert "#id_category_0" in targets and "#id_description" in targets, targets
    # Each link leads to a field that exists on the page.
    for href in targets:
        assert page.locator(href).count() == 1, f"{href} links to nothing"
    summary.locator('a[href="#id_description"]').click()
    assert page.evaluate("document.activeElement.id") == "id_description"

    # The extra questions say whose they are (no JavaScript needed to know), and show only once
    # their category is chosen.
    questions = page.locator("fieldset.extra-questions")
    assert questions.count() == 1
    assert "水管漏水" in questions.locator("legend").inner_text()
    assert not questions.is_visible(), "the water questions show before water is chosen"
    page.locator("label", has_text="水管漏水").first.click()
    assert questions.is_visible(), "the water questions stay hidden once water is chosen"
    page.locator("label", has_text="路灯不亮").first.click()
    assert not questions.is_visible(), "the water questions show for another category"
    page.locator("label", has_text="水管漏水").first.click()

    boxes = page.evaluate(BOXES_JS)
    assert any(b["name"] == "emergency" for b in boxes)
    assert any(b["name"] == "category" for b in boxes)
    small = [
        f"{b['name']}={b['value']}: box {b['width']:.0f}×{b['height']:.0f}, "
        f"row {b['rowWidth']:.0f}×{b['rowHeight']:.0f}"
        for b in boxes
        if min(b["width"], b["height"], b["rowWidth"], b["rowHeight"]) < MIN_TAP_PX
    ]
    assert not small, f"APP CSS: elder targets under {MIN_TAP_PX}px on the report form: {small}"
    print(
        f"elder report form: {len(boxes)} checkboxes/radios, smallest "
        f"{min(min(b['width'], b['height']) for b in boxes):.0f}px"
    )


@pytest.mark.browser
def test_the_summary_in_english(new_context):
    _world()
    page = new_context().new_page()
    login(page, "resident")
    page.goto("/requests/new/")
    with page.expect_navigation():
        page.get_by_test_id("lang-switch").click()
    if page.locator("html").get_attribute("lang") != "en":
        pytest.fail("the language switch did not switch to English")
    with page.expect_navigation():
        page.locator("main form[data-testid=submit-form] button[type=submit]").click()
    text = page.get_by_test_id("error-summary").inner_text()
    assert "Please correct" in text
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in text.replace("水管漏水", "")), text
