"""Between checks, on a phone offline with a controlled clock: the course read from the
history says "not getting better" (with its figures) on the result, the history and the
summary when weekly checks show no real improvement or a real rise, and not while the
pain falls; a follow-up chosen for 1 week shows on home after 8 days, not after 6; urgent
and emergency results offer neither; all in English and Chinese; the follow-up and the
episode are in the JSON download and erased by "Delete my data"."""

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from steps import (
    FIRST_TOTAL,
    calm_answers,
    open_app,
    pain_question,
    save_check,
    start_check,
    take_check_with,
    wait_until_resolves_true,
    warning_signs,
)

pytestmark = pytest.mark.browser

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
NOT_BETTER = "This has not been getting better: see a GP or physiotherapist."
NOT_BETTER_ZH = "情况一直没有好转：请去看全科医生（GP）或理疗师。"


@pytest.fixture
def browser_context_args(browser_context_args):
    """A phone whose clock reads UTC, so local times are the saved ones."""
    return {**browser_context_args, "timezone_id": "UTC"}


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def weekly_checks(page, scores: list[int], signs: dict | None = None) -> list[str]:
    """Checks a week apart from START, the last one now (the page clock's time)."""
    return [
        save_check(
            page,
            calm_answers(page, pain, signs if week == len(scores) - 1 else None),
            iso(START + timedelta(weeks=week)),
        )
        for week, pain in enumerate(scores)
    ]


def offline_at(page, context, url: str, moment: datetime) -> None:
    """The app opened online once (everything precached), then offline at `moment`."""
    page.clock.install(time=moment)
    open_app(page, url + "/")
    context.set_offline(True)


def test_four_weekly_checks_with_pain_7_7_6_7_say_not_getting_better_on_the_result_history_and_summary(
    page, context, app_url, published
):
    offline_at(page, context, app_url, START + timedelta(weeks=3))
    weekly_checks(page, [7, 7, 6])
    page.goto(app_url + "/check/")
    start_check(page)
    take_check_with(page, {pain_question(published.snapshot)["key"]: "7"})
    page.wait_for_url(re.compile(r"/result/#"))
    uuid = page.url.split("#", 1)[1]

    advice = page.locator("#result-course .course-advice")
    expect(advice).to_have_text(f"{NOT_BETTER} Over 21 days the pain score has not fallen by 2 points or more.")
    expect(page.locator("#result-course .course-figure")).to_have_text(
        [
            "Since the first check of this episode, 21 days before: pain score 7, change 0.",
            "Since the last check, 7 days before: pain score 6, change +1.",
        ]
    )
    # It adds to the result: the tier the check itself gave still heads the page, first.
    saved = page.evaluate(f"import('/static/js/outbox.js').then((o) => o.getCheck('{uuid}'))")
    expect(page.locator("#result > section").first).to_have_class(re.compile(f"urgency-{saved['outcome']['urgency']}"))

    page.goto(app_url + "/history/")
    expect(page.locator("#history-course .course-advice")).to_contain_text(NOT_BETTER)
    page.goto(app_url + f"/result/?id={uuid}&view=summary")
    expect(page.locator("#summary-course")).to_contain_text(f"{NOT_BETTER} Over 21 days")
    expect(page.locator("#summary-course")).to_contain_text("pain score 7, change 0.")


def test_pain_falling_7_5_4_3_says_nothing_of_the_kind(page, context, app_url, published):
    offline_at(page, context, app_url, START + timedelta(weeks=3))
    last = weekly_checks(page, [7, 5, 4, 3])[-1]

    page.goto(app_url + f"/result/#{last}")
    expect(page.locator("#result-course .course-figure").first).to_have_text(
        "Since the first check of this episode, 21 days before: pain score 7, change -4."
    )
    expect(page.locator(".course-advice")).to_have_count(0)
    page.goto(app_url + "/history/")
    expect(page.locator("#history-course .course-figure").first).to_be_visible()
    expect(page.locator(".course-advice")).to_have_count(0)


def test_a_rise_of_2_since_the_last_check_says_it_at_once(page, context, app_url, published):
    offline_at(page, context, app_url, START + timedelta(days=2))
    first = save_check(page, calm_answers(page, 4), iso(START))
    last = save_check(page, calm_answers(page, 6), iso(START + timedelta(days=2)))

    page.goto(app_url + f"/result/#{last}")
    expect(page.locator("#result-course .course-advice")).to_have_text(
        f"{NOT_BETTER} The pain score rose by 2 points since the last check."
    )
    # A past check's course stops at that check: the first one has none.
    page.goto(app_url + f"/result/#{first}")
    expect(page.locator("#result-why")).to_be_visible()
    expect(page.locator("#result-course")).to_have_count(0)


def rate(page, uuid: str, rating: int, name: str = "tie my shoes") -> None:
    """The check's ability rating, saved on it as the result's activity form does."""
    page.evaluate(
        "([uuid, rating, name]) => import('/static/js/outbox.js').then((o) => "
        "o.annotateCheck(uuid, {function: [{key: 'a1', name, rating}]}))",
        [uuid, rating, name],
    )


def test_an_activity_rated_6_6_6_3_with_steady_pain_says_not_getting_better_with_its_figures(
    page, context, app_url, published
):
    offline_at(page, context, app_url, START + timedelta(weeks=3))
    checks = weekly_checks(page, [5, 5, 5, 5])
    for uuid, rating in zip(checks[:3], [6, 6, 6], strict=True):
        rate(page, uuid, rating)
    page.evaluate(
        "() => import('/static/js/outbox.js').then((o) => "
        "o.writeDeviceRecord('activities', {items: [{key: 'a1', name: 'tie my shoes'}]}))"
    )
    pain_only = f"{NOT_BETTER} Over 21 days the pain score has not fallen by 2 points or more."
    advice = f"{pain_only} tie my shoes: 6 → 3 out of 10 since the last check."

    # The newest result shows before its rating; the rating saved, the course reads it at once.
    page.goto(app_url + f"/result/#{checks[-1]}")
    expect(page.locator("#result-course .course-advice")).to_have_text(pain_only)
    page.get_by_label("tie my shoes").fill("3")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#result-course .course-advice")).to_have_text(advice)
    page.goto(app_url + "/history/")
    expect(page.locator("#history-course .course-advice")).to_have_text(advice)
    page.goto(app_url + f"/result/?id={checks[-1]}&view=summary")
    expect(page.locator("#summary-course")).to_contain_text(advice)


def test_a_new_episode_starts_the_course_again(page, context, app_url, published):
    offline_at(page, context, app_url, START + timedelta(weeks=3))
    last = weekly_checks(page, [7, 7, 6, 7])[-1]
    page.goto(app_url + f"/result/#{last}")
    expect(page.locator(".course-advice")).to_be_visible()

    page.get_by_role("button", name="This is a new episode of back pain").click()

    expect(page.locator("#result-follow-up")).to_be_visible()
    expect(page.locator("#result-course")).to_have_count(0)
    page.goto(app_url + "/history/")
    expect(page.locator(".history-item")).to_have_count(4)
    expect(page.locator("#history-course")).to_be_empty()


def follow_up_for_a_week(page, context, app_url) -> str:
    offline_at(page, context, app_url, START)
    uuid = save_check(page, calm_answers(page, 5), iso(START))
    page.goto(app_url + f"/result/#{uuid}")
    expect(page.locator("#follow-up-days")).to_have_value("7")
    expect(page.locator("#follow-up-status")).not_to_be_empty()
    return uuid


def test_a_follow_up_chosen_for_1_week_shows_on_home_after_8_days_and_not_after_6(page, context, app_url, published):
    follow_up_for_a_week(page, context, app_url)
    expect(page.locator("#follow-up-days option:checked")).to_have_text("In 1 week")

    page.clock.set_system_time(START + timedelta(days=6))
    page.goto(app_url + "/")
    expect(page.locator("h1")).to_have_text("Low back pain self-check")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#follow-up-due")).to_be_hidden()

    page.clock.set_system_time(START + timedelta(days=8))
    page.goto(app_url + "/")
    notice = page.locator("#follow-up-due")
    expect(notice).to_contain_text("Time to check again")
    expect(notice).to_contain_text("2 Nov 2026, 09:00")
    expect(notice.get_by_role("link", name="Check again now")).to_be_visible()


def test_check_again_now_starts_the_check_in_one_tap(page, context, new_context, app_url, published):
    follow_up_for_a_week(page, context, app_url)
    page.clock.set_system_time(START + timedelta(days=8))
    page.goto(app_url + "/")
    link = page.locator("#follow-up-due").get_by_role("link", name="Check again now")
    href = link.get_attribute("href")

    link.click()

    # The first question, not "Start the check": its heading has the focus, as after that button.
    expect(page.locator("#check-progress")).to_have_text(f"1 of {FIRST_TOTAL}")
    expect(page.locator("#question-heading")).to_be_focused()
    expect(page.locator("#check-start")).to_be_hidden()
    # The start screen was skipped, its disclaimer is not: it is on the first question.
    expect(page.locator("#check-question .disclaimer")).to_have_text(published.snapshot["settings"]["disclaimer"])
    # Once only: Back from the first question ends the check at the start screen.
    page.locator("#check-back").click()
    expect(page.get_by_role("button", name="Start the check")).to_be_visible()
    expect(page.locator("#check-question")).to_be_hidden()

    # Without JavaScript the link is the check page as it is, its start and disclaimer.
    assert href.split("#")[0] == "/check/"
    plain = new_context(java_script_enabled=False).new_page()
    plain.goto(app_url + href)
    expect(plain.locator("#check-start h1")).to_have_text("Low back pain self-check")
    expect(plain.locator("#check-disclaimer")).to_be_visible()
    expect(plain.locator("#check-question")).to_be_hidden()


def test_a_follow_up_turned_off_never_shows(page, context, app_url, published):
    follow_up_for_a_week(page, context, app_url)
    page.locator("#follow-up-days").select_option("0")
    expect(page.locator("#follow-up-status")).to_be_empty()

    page.clock.set_system_time(START + timedelta(days=30))
    page.goto(app_url + "/")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#follow-up-due")).to_be_hidden()


@pytest.mark.parametrize("urgency", ["urgent", "emergency"])
def test_urgent_and_emergency_results_offer_no_follow_up_and_no_course(page, context, app_url, published, urgency):
    offline_at(page, context, app_url, START + timedelta(weeks=3))
    *_earlier, before, last = weekly_checks(page, [3, 3, 3, 8], warning_signs(published.snapshot, urgency))
    # A follow-up chosen on the check before (its result showed when it was the newest).
    page.evaluate(
        "(uuid) => import('/static/js/outbox.js').then((o) => o.writeDeviceRecord('follow-up', "
        "{from: uuid, days: 7, due_at: '2026-11-23T09:00:00.000Z', from_at: '2026-11-16T09:00:00.000Z'}))",
        before,
    )

    page.goto(app_url + f"/result/#{last}")
    expect(page.locator(f"#result-urgency.urgency-{urgency}")).to_be_visible()
    expect(page.locator("#result-limits")).to_be_visible()
    expect(page.locator("#result-follow-up")).to_have_count(0)
    expect(page.locator("#result-course")).to_have_count(0)
    # An earlier follow-up is off too: home says to get care, not "check again".
    wait_until_resolves_true(
        page,
        "() => import('/static/js/outbox.js').then((o) => o.readDeviceRecord('follow-up')).then((r) => r.days === 0)",
    )
    page.clock.set_system_time(START + timedelta(weeks=8))
    page.goto(app_url + "/")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#follow-up-due")).to_be_hidden()


def test_the_follow_up_and_episode_are_downloaded_and_erased_by_delete_my_data(page, context, app_url, published):
    uuid = follow_up_for_a_week(page, context, app_url)
    context.set_offline(False)
    page.goto(app_url + "/history/")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download JSON").click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert [check["uuid"] for check in exported["checks"]] == [uuid]
    assert exported["device"]["follow-up"]["from"] == uuid
    assert exported["device"]["follow-up"]["days"] == 7

    page.get_by_role("button", name="Delete my data").click()
    page.locator("#delete-confirm").click()
    expect(page.locator("#delete-my-data-status")).to_have_text(re.compile("has been deleted"))
    left = page.evaluate(
        "import('/static/js/outbox.js').then((o) => Promise.all(['follow-up', 'episode'].map(o.readDeviceRecord)))"
    )
    assert left == [None, None]
    page.clock.set_system_time(START + timedelta(days=8))
    page.goto(app_url + "/")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#follow-up-due")).to_be_hidden()


# -- in Chinese ------------------------------------------------------------------------


@pytest.fixture
def chinese_page(new_context):
    return new_context(locale="zh-CN").new_page()


def test_in_chinese_weekly_checks_7_7_6_7_say_not_getting_better_everywhere(chinese_page, app_url, published):
    page = chinese_page
    offline_at(page, page.context, app_url, START + timedelta(weeks=3))
    last = weekly_checks(page, [7, 7, 6, 7])[-1]

    page.goto(app_url + f"/result/#{last}")
    expect(page.locator("#result-course .course-advice")).to_contain_text(NOT_BETTER_ZH)
    expect(page.locator("#result-course .course-advice")).to_contain_text("21 天")
    page.goto(app_url + "/history/")
    expect(page.locator("#history-course .course-advice")).to_contain_text(NOT_BETTER_ZH)
    page.goto(app_url + f"/result/?id={last}&view=summary")
    expect(page.locator("#summary-course")).to_contain_text(NOT_BETTER_ZH)


def test_in_chinese_a_follow_up_shows_on_home_after_8_days_not_6(chinese_page, app_url, published):
    page = chinese_page
    offline_at(page, page.context, app_url, START)
    uuid = save_check(page, calm_answers(page, 5), iso(START))
    page.goto(app_url + f"/result/#{uuid}")
    expect(page.locator("#follow-up-days option:checked")).to_have_text("1 周后")

    page.clock.set_system_time(START + timedelta(days=6))
    page.goto(app_url + "/")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#follow-up-due")).to_be_hidden()
    page.clock.set_system_time(START + timedelta(days=8))
    page.goto(app_url + "/")
    expect(page.locator("#follow-up-due")).to_contain_text("该再自查一次了")
    expect(page.locator("#follow-up-due")).to_contain_text("2026年11月2日 09:00")


def test_in_chinese_an_activity_falling_from_6_to_3_is_named_with_its_figures(chinese_page, app_url, published):
    page = chinese_page
    offline_at(page, page.context, app_url, START + timedelta(days=7))
    checks = weekly_checks(page, [5, 5])
    for uuid, rating in zip(checks, [6, 3], strict=True):
        rate(page, uuid, rating, "系鞋带")

    page.goto(app_url + "/history/")
    expect(page.locator("#history-course .course-advice")).to_have_text(
        f"{NOT_BETTER_ZH} 系鞋带：与上一次自查相比，6 → 3 分（满分 10 分）。"
    )
