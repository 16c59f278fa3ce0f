"""The posture-break timer: 30 minutes by default, up to 60, offline, running across the
whole app with a prompt ("Done", "Snooze 5 min") on any page, and a notification only when
the person allowed it and BackCare is in the background."""

import re

import pytest
from playwright.sync_api import expect
from steps import open_app, start_check, take_check_with, wait_until_resolves_true

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
    expect(page.get_by_role("alert")).to_be_hidden()
    page.clock.run_for("00:15")

    expect(page.get_by_role("alert")).to_contain_text(BREAK_MESSAGE)
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
    expect(page.get_by_role("alert")).to_be_hidden()
    page.clock.run_for("00:15")
    expect(page.get_by_role("alert")).to_contain_text(BREAK_MESSAGE)


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

    expect(page.get_by_role("alert")).to_contain_text(BREAK_MESSAGE)
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
    expect(prompt).to_be_hidden()
    page.clock.run_for("04:50")
    expect(prompt).to_be_hidden()
    page.clock.run_for("00:15")
    expect(prompt).to_be_visible()

    prompt.get_by_role("button", name="Done").click()
    expect(prompt).to_be_hidden()
    page.goto(app_url + "/")
    expect(page.locator(".break-control")).to_contain_text("Breaks taken today: 1")
    expect(page.locator(".break-countdown")).to_have_text(FRESH_INTERVAL)


def test_a_result_that_matched_sitting_or_standing_can_start_the_breaks(page, app_url):
    open_app(page, app_url + "/check/")
    start_check(page)
    take_check_with(page, {"h_sitting": "over_2_hours"})
    page.wait_for_url(re.compile(r"/result/#"))

    page.locator("#result-tips").get_by_role("button", name="Start break reminders").click()

    expect(page.locator("#result-tips .break-countdown")).to_contain_text("Next break in")
    page.goto(app_url + "/tips/posture_breaks/")
    expect(page.get_by_role("button", name="Stop")).to_be_visible()
