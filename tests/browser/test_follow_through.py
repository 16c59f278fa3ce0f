"""Follow-through between checks (issue 27 parts 3 and 4): up to three everyday activities
the back makes hard, rated 0–10 at each check and stored with the check on the phone
only; and "My plan", tips ticked per local day on home's "Today", kept offline."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect
from steps import calm_answers, open_app, save_check, saved_checks, wait_until_resolves_true, warning_signs

pytestmark = pytest.mark.browser

RESULTS_API = "**/api/results/"
READ_RECORD = "(id) => import('/static/js/outbox.js').then((outbox) => outbox.readDeviceRecord(id))"


@pytest.fixture
def browser_context_args(browser_context_args):
    """A phone in London: GMT in winter, BST from 01:00 GMT on 28 Mar 2027."""
    return {**browser_context_args, "timezone_id": "Europe/London"}


def name_and_rate(page, ratings: dict[str, str]) -> None:
    for index, (name, rating) in enumerate(ratings.items()):
        page.get_by_label(f"Activity {index + 1}").fill(name)
        page.locator(f'#activity-form input[name="rating{index}"]').fill(rating)
    page.get_by_role("button", name="Save").click()


def test_function_ratings_are_stored_with_the_check_drawn_shown_in_the_summary_exported_and_erased(
    page, context, app_url
):
    open_app(page, app_url + "/history/")
    first = save_check(page, calm_answers(page, 6), "2027-03-01T09:00:00.000Z")
    context.set_offline(True)

    page.goto(f"{app_url}/result/#{first}")
    name_and_rate(page, {"tie my shoes": "2", "sit through a meeting": "5"})
    expect(page.locator("#activity-ratings li")).to_have_text(
        ["tie my shoes: 2 out of 10", "sit through a meeting: 5 out of 10"]
    )
    second = save_check(page, calm_answers(page, 4), "2027-03-08T09:00:00.000Z")
    page.goto(f"{app_url}/result/#{second}")
    # Named once: the second check asks only for the ratings, by name.
    expect(page.get_by_label("Activity 1")).to_have_count(0)
    page.get_by_label("tie my shoes").fill("6")
    page.get_by_label("sit through a meeting").fill("11")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#activity-form .error")).to_contain_text("a number from 0 to 10")
    page.get_by_label("sit through a meeting").fill("5")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#activity-ratings li").first).to_have_text("tie my shoes: 6 out of 10 (last time 2)")

    stored = {check["uuid"]: check["function"] for check in saved_checks(page)}
    assert stored[first] == [
        {"key": "a1", "name": "tie my shoes", "rating": 2},
        {"key": "a2", "name": "sit through a meeting", "rating": 5},
    ]
    assert [entry["rating"] for entry in stored[second]] == [6, 5]

    page.goto(app_url + "/history/")
    charts = page.locator("#history-function figure")
    expect(charts.locator("figcaption")).to_have_text(["tie my shoes", "sit through a meeting"])
    drawn = charts.first.locator("circle.chart-point").evaluate_all("(cs) => cs.map((c) => c.dataset.pain)")
    assert drawn == ["2", "6"]
    expect(page.locator(f'.history-item[data-uuid="{second}"] .activity')).to_have_text(
        ["tie my shoes: 6 out of 10", "sit through a meeting: 5 out of 10"]
    )

    with page.expect_download() as download:
        page.get_by_role("button", name="Download JSON").click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert exported["checks"] == saved_checks(page)
    activities = exported["device"]["activities"]["items"]
    assert [item["name"] for item in activities] == ["tie my shoes", "sit through a meeting"]

    page.goto(f"{app_url}/result/?id={second}&view=summary")
    expect(page.locator("#summary-activities li")).to_have_text(
        [
            "tie my shoes: 6 out of 10 (first rated 2 on 1 Mar 2027, 09:00)",
            "sit through a meeting: 5 out of 10 (first rated 5 on 1 Mar 2027, 09:00)",
        ]
    )

    context.set_offline(False)
    page.goto(app_url + "/history/")
    page.get_by_role("button", name="Delete my data").click()
    page.locator("#delete-confirm").click()
    expect(page.locator("#delete-my-data-status")).to_contain_text("has been deleted")
    assert saved_checks(page) == []
    assert page.evaluate(READ_RECORD, "activities") is None
    expect(page.locator("#history-function")).to_be_hidden()


def test_a_synced_result_carries_no_activity_names_or_ratings(page, context, app_url):
    sent = []
    context.route(RESULTS_API, lambda route: (sent.append(route.request.post_data or ""), route.continue_()))
    open_app(page, app_url + "/history/")
    context.set_offline(True)
    # In the past: the server refuses a check completed in the future.
    uuid = save_check(page, calm_answers(page, 5), "2026-12-01T09:00:00.000Z")
    page.goto(f"{app_url}/result/#{uuid}")
    name_and_rate(page, {"carry the shopping": "3"})
    expect(page.locator("#activity-ratings li")).to_have_text(["carry the shopping: 3 out of 10"])

    context.set_offline(False)
    page.goto(app_url + "/history/")
    wait_until_resolves_true(
        page,
        "() => import('/static/js/sync.js').then((s) => s.syncNow()).then(() => import('/static/js/outbox.js'))"
        ".then((o) => o.allChecks()).then((cs) => cs[0].sync.state === 'synced')",
    )
    assert sent and all(uuid in body for body in sent)
    assert [body for body in sent if "carry the shopping" in body or '"function"' in body or '"a1"' in body] == []
    assert saved_checks(page)[0]["function"] == [{"key": "a1", "name": "carry the shopping", "rating": 3}]


def add_to_plan(page, app_url) -> list[str]:
    """Save a calm desk-worker check, open its result and add the first two tips and the
    break timer; returns the plan's items."""
    # A desk worker: the posture-break tips fit.
    desk = {"h_pattern": ["after_sitting_standing"], "h_sitting": "over_2_hours"}
    uuid = save_check(page, {**calm_answers(page, 4), **desk}, "2027-03-01T09:00:00.000Z")
    page.goto(f"{app_url}/result/#{uuid}")
    buttons = page.locator("#result-tips .plan-toggle")
    buttons.nth(0).click()
    expect(buttons.nth(0)).to_have_attribute("aria-pressed", "true")
    buttons.nth(1).click()
    expect(page.locator("#plan-hint")).to_contain_text("2 of 3")
    return page.evaluate(READ_RECORD, "plan")["items"]


def test_the_plan_survives_a_reload_and_a_cold_start_offline(
    persistent_context, browser_type, browser_type_launch_args, tmp_path, app_url
):
    page = persistent_context.pages[0]
    open_app(page, app_url + "/")
    items = add_to_plan(page, app_url)
    assert len(items) == 2
    # Three at most: every other tip's button waits.
    expect(page.locator('#result-tips .plan-toggle[aria-pressed="false"]').first).to_be_enabled()

    page.goto(app_url + "/")
    today = page.locator("#today .today-item")
    expect(today).to_have_count(2)
    today.first.get_by_label("Done today").check()
    expect(today.first.locator(".day")).to_have_count(7)
    page.reload()
    expect(page.locator("#today .today-item").first.get_by_label("Done today")).to_be_checked()
    persistent_context.close()

    context = browser_type.launch_persistent_context(
        str(tmp_path / "profile"), **browser_type_launch_args, offline=True
    )
    try:
        page = context.pages[0]
        page.goto(app_url + "/")
        items_shown = page.locator("#today .today-item")
        expect(items_shown).to_have_count(2)
        expect(items_shown.first.get_by_label("Done today")).to_be_checked()
        expect(items_shown.nth(1).get_by_label("Done today")).not_to_be_checked()
        expect(page.locator("#today")).to_contain_text("Reminders reach you only while BackCare is open")

        items_shown.nth(1).get_by_role("button", name="Remove").click()
        expect(items_shown).to_have_count(1)
        page.get_by_role("button", name="Clear my plan").click()
        expect(page.locator("#today")).to_be_hidden()
        assert page.evaluate(READ_RECORD, "plan")["items"] == []
    finally:
        context.close()


def wait_for_ticks(page, days: list[str]) -> None:
    """Wait until the stored plan holds ticks on exactly `days` (local days)."""
    wait_until_resolves_true(
        page,
        f"() => ({READ_RECORD})('plan').then((plan) => JSON.stringify(Object.keys(plan.ticks).sort()) === "
        f"'{json.dumps(days, separators=(',', ':'))}')",
    )


def week(page) -> dict[str, bool]:
    days = page.locator("#today .today-item").first.locator(".day")
    return dict(days.evaluate_all("(ds) => ds.map((d) => [d.dataset.day, d.classList.contains('done')])"))


def test_ticks_belong_to_the_local_day_across_midnight_and_the_clock_change(page, context, app_url):
    # 23:50 on Sat 27 Mar 2027 in London (GMT); at 01:00 GMT on the 28th the clocks go forward.
    page.clock.install(time="2027-03-27T23:50:00Z")
    open_app(page, app_url + "/")
    add_to_plan(page, app_url)
    context.set_offline(True)
    page.goto(app_url + "/")
    tick = page.locator("#today .today-item").first.get_by_label("Done today")
    tick.check()
    wait_for_ticks(page, ["2027-03-27"])

    # Past midnight while home stays open: a new day, yesterday's tick in the week.
    page.clock.run_for("20:00")
    expect(tick).not_to_be_checked()
    assert week(page)["2027-03-27"] is True

    # 01:30 GMT = 02:30 BST on the 28th, after the change: still the 28th.
    page.clock.fast_forward("01:20:00")
    page.reload()
    tick.check()
    wait_for_ticks(page, ["2027-03-27", "2027-03-28"])

    # Mon 29 Mar at 00:30 BST (23:30 GMT on the 28th): the 29th, with both ticks behind it.
    page.clock.fast_forward("22:00:00")
    page.reload()
    expect(tick).not_to_be_checked()
    assert week(page) == {
        "2027-03-23": False,
        "2027-03-24": False,
        "2027-03-25": False,
        "2027-03-26": False,
        "2027-03-27": True,
        "2027-03-28": True,
        "2027-03-29": False,
    }
    # From 18:00 an item not ticked yet is a reminder while BackCare is open.
    page.clock.fast_forward("17:40:00")
    expect(page.locator("#today-status")).to_have_text("Not ticked yet today: 2.")


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.mark.parametrize(
    ("locale", "names"),
    [
        ("en-GB", ["Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Today"]),
        ("zh-CN", ["周二", "周三", "周四", "周五", "周六", "周日", "今天"]),
    ],
)
def test_the_last_seven_days_show_their_weekdays_in_local_time_today_last(new_context, app_url, locale, names):
    page = new_context(locale=locale, **PHONE).new_page()
    # 00:30 BST on Mon 29 Mar 2027 in London: still Sunday the 28th in UTC.
    page.clock.install(time="2027-03-28T23:30:00Z")
    open_app(page, app_url + "/")
    page.evaluate(
        "() => import('/static/js/outbox.js').then((o) => o.writeDeviceRecord('plan', "
        "{items: ['posture-break-timer'], ticks: {'2027-03-27': ['posture-break-timer']}}))"
    )
    page.goto(app_url + "/")

    days = page.locator("#today .today-item .day")
    expect(days.locator(".day-name")).to_have_text(names)
    expect(days.last).to_have_attribute("data-day", "2027-03-29")
    expect(days.last).to_have_attribute("aria-current", "date")
    expect(days.nth(4)).to_have_class("day done")
    expect(days.nth(4).locator(".day-box")).to_have_text("✓")
    # Read aloud: the weekday and the date, and whether it was done.
    if locale == "en-GB":
        expect(days.nth(4).locator(".visually-hidden")).to_have_text("Sat 27 Mar: done")
        expect(days.last.locator(".visually-hidden")).to_have_text("Today: not ticked")
    # The seven in one row at 390 px, nothing wider than the screen.
    tops = days.evaluate_all("(ds) => ds.map((d) => d.getBoundingClientRect().top)")
    assert len(set(tops)) == 1
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390


def test_an_urgent_result_asks_for_no_activities_and_offers_no_plan(page, app_url, published):
    open_app(page, app_url + "/history/")
    calm = save_check(page, calm_answers(page, 5), "2026-12-01T09:00:00.000Z")
    page.goto(f"{app_url}/result/#{calm}")
    expect(page.locator("#activity-form")).to_be_visible()

    urgent = save_check(
        page, calm_answers(page, 5, warning_signs(published.snapshot, "urgent")), "2026-12-02T09:00:00.000Z"
    )
    page.goto(f"{app_url}/result/#{urgent}")
    expect(page.locator("#result-summary-link")).to_be_visible()
    # The page's own reads of the device records are done once a later one answers.
    page.evaluate(READ_RECORD, "activities")
    expect(page.locator("#result-activities")).to_have_count(0)
    expect(page.locator(".plan-toggle")).to_have_count(0)
