"""Pages filled in from IndexedDB after the first paint must not make the page jump
(cumulative layout shift, as Lighthouse measures it, on a phone-sized screen)."""

import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SCRIPT_DELAY_S = 0.3
# Every layout shift since the page started loading, not caused by the person's input.
LAYOUT_SHIFT = """() => new Promise((resolve) => {
  new PerformanceObserver((list, observer) => {
    observer.disconnect();
    resolve(list.getEntries().filter((entry) => !entry.hadRecentInput).reduce((sum, entry) => sum + entry.value, 0));
  }).observe({ type: 'layout-shift', buffered: true });
  // No shift at all means no entry and no callback.
  setTimeout(() => resolve(0), 500);
})"""


@pytest.fixture
def phone(new_context):
    """A phone-sized page whose scripts arrive late, as on a slow phone and network: the
    page paints first, then the scripts fill it in (what Lighthouse's mobile run sees)."""
    context = new_context(viewport={"width": 412, "height": 823}, device_scale_factor=2.625, is_mobile=True)

    def late(route):
        time.sleep(SCRIPT_DELAY_S)
        route.continue_()

    context.route("**/static/js/**", late)
    return context.new_page()


def test_the_history_page_does_not_jump_when_there_are_no_checks(phone, app_url):
    phone.goto(app_url + "/history/")

    expect(phone.locator("#history-empty")).to_be_visible()
    expect(phone.locator("#sync-status")).not_to_be_empty()
    assert phone.evaluate(LAYOUT_SHIFT) == 0


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_the_check_start_does_not_jump_when_its_questions_load(new_context, app_url, locale):
    """The start button appears once the questions are loaded: its place is kept from the
    first paint, so the footer below does not move (in either language)."""
    context = new_context(viewport={"width": 412, "height": 823}, is_mobile=True, locale=locale)

    def late(route):
        time.sleep(SCRIPT_DELAY_S)
        route.continue_()

    context.route("**/static/js/**", late)
    page = context.new_page()
    page.goto(app_url + "/check/")

    expect(page.locator("#check-begin")).to_be_visible()
    assert page.evaluate(LAYOUT_SHIFT) == 0
