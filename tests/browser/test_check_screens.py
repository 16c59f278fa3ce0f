"""The check screens as a person uses them: every number of the pain scale, 5 included,
chosen by a tap or by the keyboard and stored; a chosen answer's box shows it; a
multiple-choice screen says "Select all that apply"; the browser's Back steps back one
question instead of leaving the check; coming back, the resume prompt is on screen."""

import re

import pytest
from playwright.sync_api import expect
from steps import (
    answer_current_question,
    answers_in_progress,
    current_progress,
    open_app,
    pain_question,
    press_next,
    saved_checks,
    start_check,
    take_check_with,
)

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def go_to_the_pain_question(page) -> None:
    while not page.locator("#question-form .scale").count():
        answer_current_question(page)
        press_next(page)


def finish_and_read_the_stored_pain(page, snapshot: dict) -> int:
    if press_next(page) == "question":
        take_check_with(page, {})
    page.wait_for_url(re.compile(r"/result/#"))
    [check] = saved_checks(page)
    return check["answers"][pain_question(snapshot)["key"]]


def test_a_pain_score_of_5_chosen_by_a_tap_is_stored(new_context, app_url, published):
    page = new_context(**PHONE).new_page()
    open_app(page, app_url + "/check/")
    start_check(page)
    go_to_the_pain_question(page)

    # The radio fills its box: a tap anywhere on the "5" box lands on it.
    page.get_by_role("radio", name="5", exact=True).tap()

    expect(page.get_by_role("radio", name="5", exact=True)).to_be_checked()
    assert finish_and_read_the_stored_pain(page, published.snapshot) == 5
    expect(page.locator("#result-pain")).to_have_text("Your pain score: 5 out of 10.")


def test_a_pain_score_of_5_chosen_with_the_keyboard_is_stored(page, app_url, published):
    open_app(page, app_url + "/check/")
    start_check(page)
    go_to_the_pain_question(page)
    expect(page.locator("#question-heading")).to_be_focused()

    page.keyboard.press("Tab")
    expect(page.get_by_role("radio", name="0", exact=True)).to_be_focused()
    for _ in range(5):
        page.keyboard.press("ArrowRight")

    expect(page.get_by_role("radio", name="5", exact=True)).to_be_checked()
    assert finish_and_read_the_stored_pain(page, published.snapshot) == 5


def test_a_chosen_answers_box_is_highlighted(page, app_url):
    open_app(page, app_url + "/check/")
    start_check(page)
    boxes = page.locator("#question-form .choice")
    unchosen = boxes.nth(1).evaluate("(box) => getComputedStyle(box).boxShadow")

    boxes.nth(0).locator("input").check()

    chosen = boxes.nth(0).evaluate("(box) => getComputedStyle(box).boxShadow")
    assert unchosen == "none"
    assert chosen != "none"
    assert boxes.nth(1).evaluate("(box) => getComputedStyle(box).boxShadow") == "none"


def test_only_a_multiple_choice_screen_says_select_all_that_apply(page, app_url, published):
    open_app(page, app_url + "/check/")
    start_check(page)
    seen = set()
    while True:
        key = page.locator("#question-form").get_attribute("data-question")
        kind = next(q["kind"] for q in published.snapshot["questions"] if q["key"] == key)
        hint = page.locator("#question-form").get_by_text("Select all that apply.", exact=True)
        if kind == "multiple":
            expect(hint).to_be_visible()
            # Read with the question, by a screen reader too.
            assert "question-select-all" in page.locator("#question-form fieldset").get_attribute("aria-describedby")
        else:
            expect(hint).to_have_count(0)
        seen.add(kind)
        answer_current_question(page)
        if press_next(page) != "question":
            break
    assert {"multiple", "single"} <= seen


def test_the_browsers_back_goes_to_the_previous_question_with_its_answer_kept(page, app_url):
    open_app(page, app_url + "/")
    page.get_by_role("link", name="Start a check").first.click()
    start_check(page)
    for _ in range(3):
        answer_current_question(page)
        press_next(page)
    assert current_progress(page)[0] == 4
    answers = answers_in_progress(page)

    page.go_back()
    expect(page.locator("#check-progress")).to_have_text(re.compile(r"^3 of \d+$"))
    expect(page).to_have_url(app_url + "/check/")
    key = page.locator("#question-form").get_attribute("data-question")
    for choice in [answers[key]] if isinstance(answers[key], str) else answers[key]:
        expect(page.locator(f'#question-form input[value="{choice}"]')).to_be_checked()
    page.go_back()
    expect(page.locator("#check-progress")).to_have_text(re.compile(r"^2 of \d+$"))

    # Forward again with Next, then Back from the first question leaves the check, answers kept.
    assert press_next(page) == "question"
    page.go_back()
    page.go_back()
    expect(page.locator("#check-progress")).to_have_text(re.compile(r"^1 of \d+$"))
    page.go_back()
    expect(page).to_have_url(app_url + "/")
    page.get_by_role("navigation").get_by_role("link", name="Check").click()
    expect(page.locator("#check-resume")).to_contain_text("You were at question 1 of")
    assert answers_in_progress(page) == answers


def test_the_resume_prompt_is_on_the_first_screen_of_a_phone(new_context, app_url):
    page = new_context(**PHONE).new_page()
    open_app(page, app_url + "/check/")
    start_check(page)
    answer_current_question(page)
    press_next(page)
    page.locator(".brand").click()
    page.get_by_role("navigation").get_by_role("link", name="Check").click()

    expect(page.get_by_role("heading", name="Continue your check or start again?")).to_be_in_viewport()
    expect(page.get_by_role("button", name="Continue")).to_be_in_viewport()
    expect(page.get_by_role("button", name="Start again")).to_be_in_viewport()
