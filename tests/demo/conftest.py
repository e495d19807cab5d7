"""The demo started exactly as the README's first command starts it, and Debian's Chromium to drive it."""

from __future__ import annotations

import pytest

from tests.support.browser import VIEWPORT, launch
from tests.support.demo_process import DemoProcess


@pytest.fixture
def demo():
    running = DemoProcess()
    yield running
    if running.process.poll() is None:
        running.stop()


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport=VIEWPORT)
    page = context.new_page()
    yield page
    context.close()
