"""WCAG 2.2 AA as axe-core checks it, in light and dark mode, and a check taken with the
keyboard alone."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from steps import (
    answer_current_question,
    go_to_screen,
    open_app,
    press_next,
    start_check,
    take_check_with,
    take_full_check,
    warning_signs,
)

pytestmark = pytest.mark.browser

axe = Axe()


def violations(page) -> list[str]:
    results = axe.run(page)
    return [f"{v['id']}: {[node['target'] for node in v['nodes']]}" for v in results.response["violations"]]


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_axe_finds_nothing_on_any_page(page, app_url, color_scheme):
    page.emulate_media(color_scheme=color_scheme)
    found = {}
    for path in ("/", "/tips/", "/tips/posture_breaks/", "/tips/exercise/walk_daily/", "/emergency/", "/offline/"):
        page.goto(app_url + path)
        found[path] = violations(page)

    open_app(page, app_url + "/check/")
    found["check start"] = violations(page)
    start_check(page)
    found["a question"] = violations(page)
    take_full_check(page)
    expect(page.locator("#result-tips")).to_be_visible()
    found["result"] = violations(page)
    page.goto(app_url + "/history/")
    expect(page.locator(".history-item")).to_have_count(1)
    found["history"] = violations(page)

    assert found == {page_name: [] for page_name in found}


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_axe_finds_nothing_on_the_result_summary_history_and_break_views(page, app_url, published, color_scheme):
    page.emulate_media(color_scheme=color_scheme)
    page.clock.install()
    found = {}
    open_app(page, app_url + "/")
    page.get_by_role("button", name="Start break reminders").click()
    found["home with breaks"] = violations(page)
    page.get_by_role("link", name="Start a check").first.click()
    start_check(page)
    answer_current_question(page)
    press_next(page)
    page.go_back()
    page.get_by_role("navigation").get_by_role("link", name="Check").click()
    expect(page.locator("#check-resume")).to_be_visible()
    found["resume question"] = violations(page)
    page.get_by_role("button", name="Continue").click()
    take_check_with(page, warning_signs(published.snapshot, "soon"))
    expect(page.locator("#result-more-tips")).to_be_visible()
    page.locator("#result-more-tips summary").click()
    found["see a doctor soon result"] = violations(page)
    page.get_by_role("link", name="Show or print a summary").click()
    expect(page.locator("#summary-answers")).to_be_visible()
    found["summary"] = violations(page)
    page.goto(app_url + "/history/")
    expect(page.locator("#history-chart circle")).to_have_count(1)
    found["history chart"] = violations(page)
    page.get_by_role("button", name="Delete my data").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    found["delete dialog"] = violations(page)
    page.get_by_role("button", name="Keep my checks").click()
    page.clock.run_for("30:05")
    expect(page.locator("#break-prompt")).to_be_visible()
    found["break prompt"] = violations(page)

    assert found == {view: [] for view in found}


def press_tab_until(page, selector: str, limit: int = 20) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_whole_check_can_be_taken_with_the_keyboard(page, app_url):
    page.goto(app_url + "/check/")
    # The button shows once the content bundle is loaded, as a person waits to see it;
    # tabbing before that would only cycle through the rest of the page.
    expect(page.locator("#check-begin")).to_be_visible()
    press_tab_until(page, "#check-begin")
    page.keyboard.press("Enter")

    number = 1
    while True:
        expect(page.locator("#check-progress")).to_have_text(re.compile(rf"^{number} of \d+$"))
        # Each new question takes the focus, so a screen reader announces it.
        assert page.evaluate("() => document.activeElement.id") == "question-heading"
        # On a warning screen, "None of these"; elsewhere the first choice.
        warning = page.locator("#question-heading").inner_text() == "Warning signs"
        none = '#question-form input[value="none"]'
        press_tab_until(page, none if warning and page.locator(none).count() else "#question-form input")
        page.keyboard.press("Space")
        last = page.locator("#check-next").inner_text() == "See my result"
        press_tab_until(page, "#check-next")
        page.keyboard.press("Enter")
        if last:
            break
        number += 1

    expect(page.locator("#result-urgency")).to_contain_text("Self-care")
    expect(page.locator("#result-disclaimer")).to_be_visible()


def test_a_warning_question_cannot_be_skipped(page, app_url):
    open_app(page, app_url + "/check/")
    start_check(page)
    page.locator("#check-next").click()
    expect(page.get_by_role("alert")).to_contain_text("the questions that follow depend on it")
    go_to_screen(page, 3)

    page.locator("#check-next").click()

    expect(page.get_by_role("alert")).to_contain_text("warning-sign questions cannot be skipped")
    expect(page.locator("#check-progress")).to_have_text(re.compile(r"^3 of \d+$"))


def test_pages_reflow_at_320_pixels_wide_as_at_400_percent_zoom(page, app_url):
    page.set_viewport_size({"width": 320, "height": 640})
    too_wide = {}
    for path in ("/", "/check/", "/tips/", "/tips/posture_breaks/", "/history/", "/emergency/"):
        page.goto(app_url + path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > 320:
            too_wide[path] = width
    page.goto(app_url + "/check/")
    start_check(page)
    take_full_check(page)
    if (width := page.evaluate("() => document.documentElement.scrollWidth")) > 320:
        too_wide["result"] = width

    assert too_wide == {}
