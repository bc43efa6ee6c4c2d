"""Retake docs/screenshot.png: the resident's home page in the elder mode (长辈版), Chinese,
on a phone (390 CSS px wide, 2× pixels).

    .venv/bin/python tests/browser/screenshot.py

Not collected by ``pytest tests`` (the name does not start with ``test_``), so the test run
never rewrites the docs; running this file hands itself to pytest to get the live server."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshot.png"


@pytest.mark.browser
def test_docs_screenshot(phone):
    from playwright.sync_api import expect

    from tests.browser.helpers import login
    from tests.factories import make_world

    make_world()
    phone.goto("/")
    with phone.expect_navigation():
        phone.get_by_test_id("elder-home-switch").click()
    login(phone, "13812341234")
    expect(phone.locator("html")).to_have_class(re.compile(r"\belder\b"))
    expect(phone.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(phone.locator("main")).to_contain_text("3-2-501")
    phone.evaluate("document.fonts.ready")
    OUT.parent.mkdir(exist_ok=True)
    phone.screenshot(path=str(OUT), full_page=True)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root))
    sys.exit(pytest.main([f"{__file__}::test_docs_screenshot", "-q", "-s", "--rootdir", str(root)]))
