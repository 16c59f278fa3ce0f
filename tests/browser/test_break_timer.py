"""The posture-break timer: 30 minutes by default, up to 60, offline, and a notification
only when the person allowed it."""

import pytest
from playwright.sync_api import expect
from steps import open_app, wait_until_resolves_true

pytestmark = pytest.mark.browser

BREAK_MESSAGE = "Time for a short break"


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


def test_it_sends_a_notification_when_permission_was_granted(page, context, app_url):
    context.grant_permissions(["notifications"])
    page.clock.install()
    open_app(page, app_url + "/tips/posture_breaks/")

    page.get_by_role("button", name="Start").click()
    page.clock.run_for("30:05")

    expect(page.get_by_role("alert")).to_contain_text(BREAK_MESSAGE)
    wait_until_resolves_true(
        page,
        "() => navigator.serviceWorker.ready"
        ".then((registration) => registration.getNotifications({tag: 'break'}))"
        ".then((notifications) => notifications.length === 1)",
    )
