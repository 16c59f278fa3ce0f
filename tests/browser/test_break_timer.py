"""The posture-break timer: 30 minutes by default, up to 60, offline, running across the
whole app with a prompt ("Done", "Snooze 5 min") on any page, and a notification only when
the person allowed it and BackCare is in the background."""

import re

import pytest
from playwright.sync_api import expect
from steps import (
    answer_current_question,
    next_screen,
    open_app,
    start_check,
    take_check_with,
    wait_until_resolves_true,
    warning_signs,
)

pytestmark = pytest.mark.browser

BREAK_MESSAGE = "Time for a short break"
# The page clock keeps ticking in real time between the steps it is moved forward.
FRESH_INTERVAL = re.compile(r"^Next break in (30:00|29:[0-5]\d)$")


def test_it_reminds_after_30_minutes_by_default_even_offline(page, context, app_url):
    page.clock.install()
    open_app(page, app_url + "/tips/posture_breaks/")
    context.set_offline(True)
    page.reload()
    expect(page.get_by_label("Minutes between breaks")).to_have_value("30")

    page.get_by_role("button", name="Start").click()
    page.clock.run_for("29:50")
    expect(page.locator("#break-prompt")).to_be_hidden()
    page.clock.run_for("00:15")

    expect(page.locator("#break-prompt")).to_contain_text(BREAK_MESSAGE)
    assert page.evaluate("() => Notification.permission") == "default"


def test_the_interval_can_be_set_to_60_minutes_and_no_more(page, app_url):
    page.clock.install()
    page.goto(app_url + "/tips/posture_breaks/")
    minutes = page.get_by_label("Minutes between breaks")

    minutes.fill("90")
    page.get_by_role("button", name="Start").click()
    expect(page.locator("#timer-status")).to_have_text("Choose between 5 and 60 minutes.")

    minutes.fill("60")
    page.get_by_role("button", name="Start").click()
    page.clock.run_for("59:50")
    expect(page.locator("#break-prompt")).to_be_hidden()
    page.clock.run_for("00:15")
    expect(page.locator("#break-prompt")).to_contain_text(BREAK_MESSAGE)


def test_it_sends_a_notification_when_permission_was_granted_and_backcare_is_in_the_background(page, context, app_url):
    context.grant_permissions(["notifications"])
    page.clock.install()
    open_app(page, app_url + "/tips/posture_breaks/")
    page.get_by_role("button", name="Start").click()
    # The person switches to another app: BackCare's page loses the focus (Playwright
    # otherwise tells every page it has it).
    other_app = context.new_page()
    other_app.bring_to_front()
    session = context.new_cdp_session(page)
    session.send("Emulation.setFocusEmulationEnabled", {"enabled": False})
    assert page.evaluate("() => document.hasFocus()") is False

    page.clock.run_for("30:05")

    expect(page.locator("#break-prompt")).to_contain_text(BREAK_MESSAGE)
    wait_until_resolves_true(
        page,
        "() => navigator.serviceWorker.ready"
        ".then((registration) => registration.getNotifications({tag: 'break'}))"
        ".then((notifications) => notifications.length === 1)",
    )
    session.detach()


def test_the_prompt_reaches_a_page_other_than_tips_and_snooze_delays_it(page, app_url):
    page.clock.install()
    open_app(page, app_url + "/")
    breaks = page.locator(".break-control")
    expect(breaks).to_contain_text("Breaks taken today: 0")
    expect(breaks).to_contain_text("there is no push service")
    breaks.get_by_role("button", name="Start break reminders").click()
    expect(breaks.locator(".break-countdown")).to_have_text(FRESH_INTERVAL)

    page.clock.run_for("10:00")
    page.goto(app_url + "/history/")
    page.reload()
    prompt = page.locator("#break-prompt")
    expect(prompt).to_be_hidden()
    page.clock.run_for("19:50")
    expect(prompt).to_be_hidden()
    page.clock.run_for("00:15")
    expect(prompt).to_be_visible()
    expect(prompt).to_contain_text(BREAK_MESSAGE)

    prompt.get_by_role("button", name="Snooze 5 min").click()
    # Confirmed in the same notice, which then goes.
    expect(prompt.locator("p")).to_have_text("Snoozed: the next reminder comes in 5 minutes.")
    expect(prompt.get_by_role("button")).to_have_count(0)
    page.clock.run_for("00:06")
    expect(prompt).to_be_hidden()
    page.clock.run_for("04:40")
    expect(prompt).to_be_hidden()
    page.clock.run_for("00:15")
    expect(prompt).to_be_visible()
    expect(prompt).to_contain_text(BREAK_MESSAGE)

    prompt.get_by_role("button", name="Done").click()
    expect(prompt.locator("p")).to_have_text("Well done: that is 1 today. Next break in 30 minutes.")
    page.clock.run_for("00:06")
    expect(prompt).to_be_hidden()
    page.goto(app_url + "/")
    expect(page.locator(".break-control")).to_contain_text("Breaks taken today: 1")
    expect(page.locator(".break-countdown")).to_have_text(FRESH_INTERVAL)


BREAK_DUE_NOW = "() => { const t = JSON.parse(localStorage.getItem('backcare-break-timer')); \
localStorage.setItem('backcare-break-timer', JSON.stringify({...t, endsAt: Date.now() - 1000})); }"


def test_a_due_break_is_a_polite_notice_pinned_in_view_that_takes_no_focus(page, app_url):
    """Scrolled to the foot of a long page, the person still sees the due break; it is
    announced politely (a status region) and leaves the focus where it was."""
    page.set_viewport_size({"width": 390, "height": 844})
    open_app(page, app_url + "/")
    page.get_by_role("button", name="Start break reminders").click()
    page.goto(app_url + "/tips/")
    page.get_by_role("link", name="Read the tips").or_(page.locator("footer a")).first.focus()
    focused = page.evaluate("() => document.activeElement.outerHTML")
    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    page.evaluate(BREAK_DUE_NOW)

    prompt = page.locator("#break-prompt")
    expect(prompt).to_be_in_viewport()
    expect(prompt).to_contain_text(BREAK_MESSAGE)
    expect(page.get_by_role("status").filter(has=prompt)).to_have_count(1)
    assert page.evaluate("() => document.activeElement.outerHTML") == focused
    # The control says the break is due, not a frozen "Next break in 0:00".
    page.goto(app_url + "/")
    expect(page.locator(".break-control .break-countdown")).to_have_text("A break is due now.")


def test_no_break_prompt_shows_during_a_check_on_the_emergency_screen_or_an_urgent_result(page, app_url, published):
    open_app(page, app_url + "/")
    page.get_by_role("button", name="Start break reminders").click()
    page.evaluate(BREAK_DUE_NOW)
    prompt = page.locator("#break-prompt")
    expect(prompt).to_be_visible()

    page.goto(app_url + "/check/")
    expect(prompt).to_be_visible()
    start_check(page)
    expect(prompt).to_be_hidden()
    answer_current_question(page)
    next_screen(page)
    expect(prompt).to_be_hidden()
    assert take_check_with(page, warning_signs(published.snapshot, "emergency")) == "emergency"
    expect(page.locator("#check-emergency")).to_be_visible()
    expect(prompt).to_be_hidden()

    page.goto(app_url + "/check/")
    start_check(page)
    assert take_check_with(page, warning_signs(published.snapshot, "urgent")) == "result"
    expect(page.locator("#result-urgency")).to_contain_text("Urgent")
    expect(prompt).to_be_hidden()
    # Still due: it shows again once the person leaves for another page.
    page.goto(app_url + "/history/")
    expect(prompt).to_be_visible()


def test_a_result_that_matched_sitting_or_standing_can_start_the_breaks(page, app_url):
    open_app(page, app_url + "/check/")
    start_check(page)
    take_check_with(page, {"h_sitting": "over_2_hours"})
    page.wait_for_url(re.compile(r"/result/#"))

    breaks = page.locator("#result-breaks")
    expect(breaks.get_by_role("heading")).to_have_text("Posture breaks")
    # No blank line under the heading while reminders are off.
    expect(breaks.locator(".break-countdown")).to_have_text("Break reminders are off.")
    page.locator("#result-tips").get_by_role("button", name="Start break reminders").click()

    expect(page.locator("#result-tips .break-countdown")).to_contain_text("Next break in")
    page.goto(app_url + "/tips/posture_breaks/")
    expect(page.get_by_role("button", name="Stop")).to_be_visible()
