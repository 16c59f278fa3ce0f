"""The check flow: leaving with the back gesture keeps the answers and coming back asks
"Continue your check or start again?"; the pain scale has no preset answer."""

import re

import pytest
from playwright.sync_api import expect
from steps import (
    answer_current_question,
    answers_in_progress,
    current_progress,
    open_app,
    press_next,
    saved_checks,
    start_check,
    take_check_with,
)

pytestmark = pytest.mark.browser


def answer_screens(page, count: int) -> dict:
    """Answer `count` screens the usual way; return the answers the check keeps."""
    for _ in range(count):
        answer_current_question(page)
        assert press_next(page) == "question"
    return answers_in_progress(page)


def leave_by_the_menu_and_return(page, app_url) -> None:
    # The back gesture now steps back through the questions (test_check_screens.py).
    page.locator(".brand").click()
    expect(page).to_have_url(app_url + "/")
    page.get_by_role("navigation").get_by_role("link", name="Check").click()


def test_leaving_mid_check_then_return_offers_to_continue_with_every_answer_kept(page, context, app_url):
    open_app(page, app_url + "/")
    context.set_offline(True)
    page.get_by_role("link", name="Start a check").first.click()
    start_check(page)
    earlier = answer_screens(page, 3)
    assert len(earlier) == 3
    where = current_progress(page)

    leave_by_the_menu_and_return(page, app_url)

    expect(page.get_by_role("heading", name="Continue your check or start again?")).to_be_visible()
    expect(page.locator("#check-resume")).to_contain_text(f"You were at question {where[0]} of")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#check-progress")).to_have_text(re.compile(rf"^{where[0]} of \d+$"))
    assert answers_in_progress(page) == earlier
    page.get_by_role("button", name="Back").click()
    answer = earlier[page.locator("#question-form").get_attribute("data-question")]
    for choice in [answer] if isinstance(answer, str) else answer:
        expect(page.locator(f'#question-form input[value="{choice}"]')).to_be_checked()
    assert press_next(page) == "question"
    assert take_check_with(page, {}) == "result"

    page.wait_for_url(re.compile(r"/result/#"))
    [check] = saved_checks(page)
    assert {key: check["answers"][key] for key in earlier} == earlier


def test_start_again_forgets_the_answers_of_the_check_left(page, app_url):
    open_app(page, app_url + "/")
    page.get_by_role("link", name="Start a check").first.click()
    start_check(page)
    answer_screens(page, 2)
    leave_by_the_menu_and_return(page, app_url)

    page.get_by_role("button", name="Start again").click()
    start_check(page)

    expect(page.locator("#question-form input:checked")).to_have_count(0)
    assert answers_in_progress(page) == {}


def test_the_pain_scale_has_no_preset_answer_and_can_be_skipped(page, app_url, published):
    open_app(page, app_url + "/check/")
    start_check(page)
    while not page.locator("#question-form .scale").count():
        answer_current_question(page)
        press_next(page)
    scale = next(question for question in published.snapshot["questions"] if question["kind"] == "scale")
    numbers = [str(value) for value in range(scale["scale_min"], scale["scale_max"] + 1)]
    expect(page.locator(".scale label")).to_have_text(numbers)
    expect(page.locator(".scale input:checked")).to_have_count(0)
    expect(page.locator(".scale-anchors")).to_have_text(re.compile(r"^\s*None\s*Moderate\s*Worst\s*$"))
    where = page.locator("#check-progress").inner_text()

    page.locator("#check-next").click()
    expect(page.get_by_role("alert")).to_have_text("Choose your number, or choose Skip.")
    expect(page.locator("#check-progress")).to_have_text(where)
    last = page.locator("#check-next").inner_text() == "See my result"
    page.get_by_role("button", name="Skip").click()
    if not last:
        expect(page.locator("#check-progress")).not_to_have_text(where)
        take_check_with(page, {})

    page.wait_for_url(re.compile(r"/result/#"))
    expect(page.locator("#result-pain")).to_have_text("Your pain score: not given.")
    [check] = saved_checks(page)
    assert scale["key"] not in check["answers"]
