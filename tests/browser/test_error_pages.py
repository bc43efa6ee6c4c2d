"""Error pages on a phone: inside the shell, in the reader's language, elder mode kept, and a
way home that works — never Django's bare English page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_elder_targets, login
from tests.factories import make_world

ELDER = re.compile(r"\belder\b")


@pytest.mark.browser
def test_a_lost_resident_on_a_phone_finds_the_way_home_in_chinese_and_english(phone, live_server):
    make_world()
    login(phone, "resident")
    # Elder mode on, then a page that does not exist.
    phone.get_by_test_id("elder-switch").click()
    expect(phone.locator("html")).to_have_class(ELDER)
    answer = phone.goto("/requests/999999/")
    assert answer is not None and answer.status == 404
    card = phone.get_by_test_id("error-page")
    expect(card).to_be_visible()
    expect(phone.locator("html")).to_have_class(ELDER)
    body = phone.inner_text("body")
    assert "找不到这个页面" in body and "Not Found" not in body
    assert phone.locator("nav.mainnav").is_visible()
    # Nothing wider than the phone: the page does not scroll sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert_elder_targets(phone, "404 page in elder mode")
    # The same page in English.
    phone.get_by_test_id("lang-switch").click()
    phone.goto("/requests/999999/")
    body = phone.inner_text("body")
    assert "We could not find this page" in body and "找不到" not in body
    # The way home works.
    phone.get_by_test_id("error-home").click()
    expect(phone).to_have_url(live_server.url + "/")


@pytest.mark.browser
def test_a_refused_page_offers_the_page_the_resident_came_from(phone, live_server):
    make_world()
    login(phone, "resident")
    # As when following a link from "my requests" (goto sends no referrer of its own).
    answer = phone.goto("/requests/queue/", referer=live_server.url + "/requests/")
    assert answer is not None and answer.status == 403
    expect(phone.get_by_test_id("error-page")).to_be_visible()
    assert "这个页面不对您开放" in phone.inner_text("body")
    phone.get_by_test_id("error-back").click()
    expect(phone).to_have_url(live_server.url + "/requests/")
