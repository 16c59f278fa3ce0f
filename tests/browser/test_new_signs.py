"""The check v3 on a phone, offline (issue 25, parts 1-3): a pregnant person with a sign in
pregnancy is told to call the midwife or maternity unit first, in English and in Chinese;
a person struggling to cope reads the support advice with "See a doctor soon"; sudden
back and tummy pain or feeling faint ends the check at the emergency screen."""

import re

import pytest
from playwright.sync_api import expect
from steps import calm_answers, open_app, save_check, saved_checks, start_check, take_check_with

from quiz.translation import localize

pytestmark = pytest.mark.browser


def actions_shown(page) -> list[str]:
    return page.locator("#result-urgency p.action").all_inner_texts()


def test_a_pregnant_person_with_a_sign_in_pregnancy_is_told_to_call_the_midwife_first_offline(
    page, context, app_url, published
):
    actions = published.snapshot["settings"]["actions"]
    open_app(page, app_url + "/check/")
    context.set_offline(True)
    start_check(page)

    following = take_check_with(page, {"f_womb": "pregnant", "w_pregnancy": ["bleeding"]})

    assert following == "result"
    page.wait_for_url(re.compile(r"/result/#"))
    expect(page.locator("#result-urgency h2")).to_have_text("Urgent: get medical advice today")
    expect(page.locator("#result-urgency p.action")).to_have_count(2)
    midwife, tier = actions_shown(page)
    assert midwife == actions["pregnancy"]
    # The tier's action follows, without the sentence its heading already says.
    assert actions["urgent"].endswith(tier) and "111" in tier
    expect(page.locator("#result-why")).to_contain_text("Vaginal bleeding")
    [check] = saved_checks(page)
    assert "w_gynae" not in check["answers"]
    assert check["outcome"]["warning_signs"] == [{"question": "w_pregnancy", "choice": "bleeding", "urgency": "urgent"}]


def test_a_chinese_phone_reads_the_midwife_action_in_chinese_on_the_result_and_the_summary_offline(
    new_context, app_url, published
):
    chinese = localize(published.snapshot, "zh-hans")["settings"]["actions"]
    page = new_context(locale="zh-CN").new_page()
    open_app(page, app_url + "/")
    uuid = save_check(
        page,
        calm_answers(page, pain=5, signs={"f_womb": "pregnant", "w_pregnancy": ["tightening"]}),
        "2026-12-06T19:42:00.000Z",
    )
    page.context.set_offline(True)

    page.goto(f"{app_url}/result/#{uuid}")

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#result-urgency p.action")).to_have_count(2)
    midwife, tier = actions_shown(page)
    assert midwife == chinese["pregnancy"]
    assert chinese["urgent"].endswith(tier) and "111" in tier
    assert "助产士" in actions_shown(page)[0]
    page.goto(f"{app_url}/result/?id={uuid}&view=summary")
    expect(page.locator("#summary-urgency")).to_contain_text(chinese["pregnancy"])


def test_a_person_struggling_to_cope_reads_the_support_advice_with_see_a_doctor_soon_offline(
    new_context, app_url, published
):
    actions = published.snapshot["settings"]["actions"]
    context = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    open_app(page, app_url + "/check/")
    context.set_offline(True)
    start_check(page)

    assert take_check_with(page, {"w_soon": ["struggling"]}) == "result"

    page.wait_for_url(re.compile(r"/result/#"))
    expect(page.locator("#result-urgency h2")).to_have_text("See a doctor soon")
    expect(page.locator("#result-urgency p.action")).to_have_count(2)
    assert actions_shown(page) == [actions["coping"], actions["soon"]]
    assert "CBT" in actions_shown(page)[0]
    # A grouped screen's sign is a long answer: it wraps on a phone, never widens the page.
    expect(page.locator("#result-why")).to_contain_text("Worried about the pain, or struggling to cope")
    assert page.evaluate("() => document.documentElement.scrollWidth <= screen.width")


def test_sudden_back_and_tummy_pain_or_feeling_faint_goes_straight_to_the_emergency_screen_offline(
    page, context, app_url, published
):
    open_app(page, app_url + "/check/")
    context.set_offline(True)
    start_check(page)

    assert take_check_with(page, {"w_emergency": ["sudden_tummy_faint"]}) == "emergency"

    expect(page.locator("#check-emergency h1")).to_have_text("Get emergency help now")
    expect(page.locator("#emergency-result-link")).to_be_visible()
    [check] = saved_checks(page)
    assert check["outcome"]["urgency"] == "emergency"
    assert check["outcome"]["warning_signs"] == [
        {"question": "w_emergency", "choice": "sudden_tummy_faint", "urgency": "emergency"}
    ]
