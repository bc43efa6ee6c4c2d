"""The shell in a real browser: the elder mode (长辈版) on a phone, the language switch,
a staff member's registry search (htmx and without JavaScript), a resident logging in by phone,
and the secretary revealing an ID number in place."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    MIN_BODY_PX,
    MIN_CONTRAST,
    MIN_H1_PX,
    MIN_LINE_HEIGHT,
    assert_elder_targets,
    login,
)
from tests.factories import VALID_ID, make_world

ELDER = re.compile(r"\belder\b")


def _mark_document(page) -> None:
    """A flag that survives only as long as this document: gone after any navigation."""
    page.evaluate("window.__sameDocument = true")


def _same_document(page) -> bool:
    return page.evaluate("window.__sameDocument === true")


@pytest.mark.browser
def test_elder_mode_on_a_phone_is_big_clear_and_remembered(phone, live_server):
    css = phone.request.get(live_server.url + "/static/css/linli.css")
    assert css.ok, f"/static/css/linli.css → HTTP {css.status}"

    phone.goto("/")
    html = phone.locator("html")
    expect(html).to_have_attribute("lang", "zh-Hans")
    # The stylesheet is applied: the top bar is Chinese red, not the default transparent.
    topbar_bg = phone.evaluate(
        "getComputedStyle(document.querySelector('.topbar')).backgroundColor"
    )
    assert topbar_bg == "rgb(163, 36, 27)", f"linli.css not applied: .topbar background {topbar_bg}"
    assert "Noto Sans CJK SC" in phone.evaluate("getComputedStyle(document.body).fontFamily")
    # Checked at the end, so a missing translation does not hide the measurements below.
    zh_body = phone.inner_text("body")
    expect(html).not_to_have_class(ELDER)

    with phone.expect_navigation():
        phone.get_by_test_id("elder-home-switch").click()
    phone.reload()
    expect(html).to_have_class(ELDER)

    metrics = assert_elder_targets(phone, "the home page (visitor)")
    texts, h1 = metrics["texts"], metrics["h1"]
    assert texts and h1
    small = [f"{t['el']}: {t['fontSize']}px" for t in texts if t["fontSize"] < MIN_BODY_PX]
    assert not small, f"APP CSS: elder body text under {MIN_BODY_PX}px: {small}"
    largest = max(h["fontSize"] for h in h1)
    assert largest >= MIN_H1_PX, f"APP CSS: elder h1 is {largest}px, needs ≥ {MIN_H1_PX}px"
    tight = [
        f"{t['el']}: line-height {t['lineHeight']}px on {t['fontSize']}px"
        for t in texts
        if not t["lineRatio"] >= MIN_LINE_HEIGHT  # NaN ("normal") fails too
    ]
    assert not tight, f"APP CSS: elder line height under {MIN_LINE_HEIGHT}×: {tight}"
    faint = [
        f"{t['el']}: {t['color']} on {t['background']} = {t['contrast']:.2f}:1"
        for t in texts
        if t["contrast"] < MIN_CONTRAST
    ]
    assert not faint, f"APP CSS: elder text contrast under {MIN_CONTRAST}:1: {faint}"

    # The login form's inputs are tap targets too.
    phone.goto("/accounts/login/")
    expect(html).to_have_class(ELDER)
    assert_elder_targets(phone, "the log-in page")

    # Remembered by cookie across a reload.
    phone.goto("/")
    phone.reload()
    expect(html).to_have_class(ELDER)
    cookies = {c["name"]: c["value"] for c in phone.context.cookies()}
    assert cookies.get("linli_elder") == "1"

    with phone.expect_navigation():
        phone.get_by_test_id("lang-switch").click()
    expect(html).to_have_attribute("lang", "en")
    body = phone.inner_text("body")
    assert "Elder mode" in body or "Standard view" in body
    expect(html).to_have_class(ELDER)  # the language switch keeps the elder mode

    with phone.expect_navigation():
        phone.get_by_test_id("lang-switch").click()
    expect(html).to_have_attribute("lang", "zh-Hans")
    expect(phone.get_by_test_id("lang-switch")).to_have_text("English")

    assert "长辈版" in zh_body, (
        "APP i18n: the Chinese home page shows no 长辈版 (elder mode) entry — is "
        "locale/zh_Hans/LC_MESSAGES/django.po translated and compiled? Page text: "
        + " | ".join(zh_body.split("\n")[:12])
    )


@pytest.mark.browser
def test_staff_finds_a_resident_by_initials_with_and_without_javascript(new_context):
    make_world()
    page = new_context().new_page()
    login(page, "staff")

    page.goto("/registry/")
    expect(page).to_have_url(re.compile(r"/registry/c/xincun/$"))
    expect(page.locator("main")).to_contain_text("新村社区")

    # With JavaScript: htmx live search swaps the results in, no page load.
    page.goto("/registry/search/")
    _mark_document(page)
    page.locator("#q").press_sequentially("zs")
    results = page.locator("#search-results")
    expect(results).to_contain_text("张三")
    assert _same_document(page), "the live search reloaded the page instead of swapping results"
    expect(page).to_have_url(re.compile(r"[?&]q=zs"))  # hx-push-url keeps the URL shareable

    # Without JavaScript: the same form submits and the server renders the results.
    nojs = new_context(java_script_enabled=False).new_page()
    login(nojs, "staff")
    nojs.goto("/registry/search/")
    nojs.fill("#q", "zs")
    with nojs.expect_navigation():
        nojs.locator("main form[role=search] button[type=submit]").click()
    expect(nojs).to_have_url(re.compile(r"/registry/search/\?q=zs"))
    expect(nojs.locator("#search-results")).to_contain_text("张三")


@pytest.mark.browser
def test_resident_in_elder_mode_logs_in_by_phone_and_sees_their_household(phone):
    make_world()
    phone.goto("/")
    with phone.expect_navigation():
        phone.get_by_test_id("elder-home-switch").click()

    login(phone, "13812341234")
    expect(phone).to_have_url(re.compile(r"/$"))
    expect(phone.locator("html")).to_have_class(ELDER)
    expect(phone.locator("main")).to_contain_text("3-2-501")
    expect(phone.locator("a[href^='/registry/search/']")).to_have_count(0)
    expect(phone.locator("main form[role=search]")).to_have_count(0)
    assert_elder_targets(phone, "the resident's home page")


@pytest.mark.browser
def test_secretary_reveals_a_masked_id_number_in_place(new_context):
    world = make_world()
    page = new_context().new_page()
    login(page, "secretary")

    page.goto(f"/registry/residents/{world.zhang_san.pk}/")
    expect(page.get_by_test_id("masked-id")).to_have_text("110105************")
    assert VALID_ID not in page.inner_text("body")

    _mark_document(page)
    box = page.locator("#reveal-id_number")
    box.locator("input[name=reason]").fill("核对低保申请材料")
    box.locator("button[type=submit]").click()
    expect(page.get_by_test_id("revealed")).to_have_text(VALID_ID)
    assert _same_document(page), "revealing reloaded the page instead of swapping in place"
    expect(page.locator("#reveal-id_number form")).to_have_count(0)
