"""Browser tests: Debian's Chromium driven through Playwright's sync API against
pytest-django's live server (which also serves /static/ through staticfiles' handler).

No Chromium → the tests skip with a loud reason; CI sets LINLI_REQUIRE_BROWSER=1, which turns
that skip into a failure. Never ``playwright install``: the browser is the system one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A mid-size phone (iPhone 12-14 class) in mainland Chinese.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}
TIMEOUT_MS = 5_000


# Playwright's sync API keeps an event loop running in this thread, so Django would refuse
# ORM calls made from the test itself (make_world()) and the live server's flush as
# "async-unsafe". Set only around each browser test (setup → teardown): a session-wide
# setting leaks into subprocesses of other tests (`check --deploy` reports async.E001).
_ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
_saved_env: list[str | None] = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    _saved_env.append(os.environ.get(_ASYNC_UNSAFE))
    os.environ[_ASYNC_UNSAFE] = "true"
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:
        previous = _saved_env.pop() if _saved_env else None
        if previous is None:
            os.environ.pop(_ASYNC_UNSAFE, None)
        else:
            os.environ[_ASYNC_UNSAFE] = previous


def _unavailable(reason: str):
    loud = f"BROWSER TESTS NOT RUN: {reason}"
    if os.environ.get("LINLI_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{loud} (LINLI_REQUIRE_BROWSER=1, so this is an error)", pytrace=False)
    pytest.skip(loud)


@pytest.fixture(scope="package")
def browser(django_db_setup):
    """One Chromium for the browser tests (launching costs ~0.5 s). Package-scoped so that
    Playwright's event loop is gone before the rest of the suite: Django refuses database
    work from a thread with a running loop ("async-unsafe"). Depends on the test database so
    that it stops first."""
    if not Path(CHROMIUM).exists():
        _unavailable(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium and fonts-noto-cjk "
            "(apt-get install chromium fonts-noto-cjk); do not run `playwright install`"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - dev extra not installed
        _unavailable(f"the playwright package is missing ({exc}): pip install -e '.[dev]'")
    pw = sync_playwright().start()
    try:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as exc:
        pw.stop()
        _unavailable(
            f"Chromium at {CHROMIUM} failed to launch: {exc}. Install Debian's chromium "
            "(apt-get install chromium fonts-noto-cjk)"
        )
    yield chromium
    chromium.close()
    pw.stop()


@pytest.fixture
def new_context(browser, live_server):
    """``new_context(**options)`` → a fresh browser context (own cookies) on the live server,
    phone-sized and Chinese unless told otherwise. Closed after the test."""
    contexts = []

    def make(**options):
        ctx = browser.new_context(base_url=live_server.url, **{**PHONE, **options})
        ctx.set_default_timeout(TIMEOUT_MS)
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def phone(new_context):
    """A page in a phone-sized, Chinese-speaking browser context."""
    return new_context().new_page()
