"""The result page a person can act on: why this result (the signs answered, in the words
of the version answered, and the pain score), the action and numbers first, at most five
tips before "More tips", and nothing empty under an emergency. Offline."""

import re

import pytest
from playwright.sync_api import expect
from steps import (
    PAIN_SCORE,
    open_app,
    pain_question,
    saved_checks,
    signs_in_words,
    start_check,
    take_check_with,
    warning_signs,
)

pytestmark = pytest.mark.browser

BARE_NUMBERS_JS = """([root, numbers]) => {
  const found = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest('a[href^="tel:"]')) continue;
    for (const number of numbers) {
      if (new RegExp(`(^|\\\\D)${number}(\\\\D|$)`).test(node.textContent)) found.push(number);
    }
  }
  return found;
}"""


def bare_numbers(page, selector: str, settings: dict) -> list[str]:
    """Phone numbers shown as plain text, not as a link a phone can call."""
    numbers = [settings["emergency_number"], settings["non_emergency_number"]]
    return page.locator(selector).evaluate(f"(root) => ({BARE_NUMBERS_JS})([root, {numbers!r}])")


def section_ids(page) -> list[str]:
    return page.locator("#result > section").evaluate_all("(els) => els.map((e) => e.id)")


def phone_links(page, selector: str) -> set[str]:
    return set(page.locator(f"{selector} a").evaluate_all("(links) => links.map((a) => a.getAttribute('href'))"))


def test_a_see_a_doctor_soon_result_lists_the_signs_answered_and_five_tips_first(page, context, app_url, published):
    snapshot = published.snapshot
    signs = warning_signs(snapshot, "soon", count=2)
    open_app(page, app_url + "/check/")
    context.set_offline(True)
    page.reload()
    start_check(page)
    assert take_check_with(page, signs) == "result"
    page.wait_for_url(re.compile(r"/result/#"))

    expect(page.locator("#result-urgency").get_by_role("heading")).to_have_text("See a doctor soon")
    why = page.locator("#result-why")
    expect(why.get_by_role("heading")).to_have_text("Why this result")
    expect(why.get_by_role("listitem")).to_have_count(2)
    assert sorted(why.get_by_role("listitem").all_inner_texts()) == sorted(signs_in_words(snapshot, signs))
    scale_max = pain_question(snapshot)["scale_max"]
    expect(page.locator("#result-pain")).to_have_text(f"Your pain score: {PAIN_SCORE} out of {scale_max}.")

    [check] = saved_checks(page)
    tips = check["outcome"]["tips"]
    assert len(tips) > 5, "the answers must match more than five tips"
    expect(page.locator("#result-tips > ul > li")).to_have_count(5)
    more = page.locator("#result-more-tips")
    expect(more.locator("summary")).to_have_text(f"More tips ({len(tips) - 5})")
    expect(more.locator("li").first).to_be_hidden()
    more.locator("summary").click()
    expect(more.locator("li")).to_have_count(len(tips) - 5)
    # In the outcome's order: the most fitting first.
    titles = {tip["key"]: tip["title"] for tip in snapshot["tips"]}
    assert page.locator("#result-tips li h3").all_inner_texts() == [titles[key] for key in tips]
    # A matched cause group is one short paragraph; the rest is behind "Read more".
    first_cause = page.locator("#result-causes li").first
    expect(first_cause.locator(":scope > p")).to_have_count(1)
    expect(first_cause.locator("details summary")).to_have_text("Read more")
    # The storage notice comes after the result, never above the urgency.
    order = page.locator("#result-urgency, #persist-status").evaluate_all("(els) => els.map((e) => e.id)")
    assert order == ["result-urgency", "persist-status"]


def test_an_emergency_result_has_no_empty_section_and_its_numbers_are_phone_links(page, context, app_url, published):
    snapshot = published.snapshot
    settings = snapshot["settings"]
    emergency, non_emergency = f"tel:{settings['emergency_number']}", f"tel:{settings['non_emergency_number']}"
    signs = warning_signs(snapshot, "emergency")
    open_app(page, app_url + "/check/")
    context.set_offline(True)
    start_check(page)
    assert take_check_with(page, signs) == "emergency"

    stop_screen = page.locator("#check-emergency")
    expect(stop_screen.get_by_role("link", name=settings["emergency_label"])).to_have_attribute("href", emergency)
    shown_numbers = stop_screen.locator("a.number").evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
    assert shown_numbers == [emergency, non_emergency]
    assert bare_numbers(page, "#check-emergency", settings) == []
    page.get_by_role("link", name="See your saved result").click()

    expect(page.locator("#result-urgency")).to_contain_text("Emergency: get help now")
    assert section_ids(page) == ["result-urgency", "result-why", "result-limits"]
    for section_id in section_ids(page):
        text = page.locator(f"#{section_id}").evaluate(
            "(s) => [...s.children].slice(1).map((c) => c.textContent.trim()).join('')"
        )
        assert text, f"{section_id} is empty"
    assert page.locator("#result-why li").all_inner_texts() == signs_in_words(snapshot, signs)
    expect(page.locator("#result-pain")).to_have_text("Your pain score: not given.")
    assert phone_links(page, "#result-urgency") == {emergency, non_emergency}
    assert bare_numbers(page, "#result", settings) == []


def test_an_urgent_result_shows_the_action_the_numbers_and_the_signs_only(page, context, app_url, published):
    snapshot = published.snapshot
    settings = snapshot["settings"]
    signs = warning_signs(snapshot, "urgent")
    open_app(page, app_url + "/check/")
    context.set_offline(True)
    start_check(page)
    assert take_check_with(page, signs) == "result"
    page.wait_for_url(re.compile(r"/result/#"))

    expect(page.locator("#result-urgency")).to_contain_text("Urgent")
    assert phone_links(page, "#result-urgency") == {
        f"tel:{settings['emergency_number']}",
        f"tel:{settings['non_emergency_number']}",
    }
    assert bare_numbers(page, "#result", settings) == []
    assert section_ids(page) == ["result-urgency", "result-why", "result-limits"]
    assert page.locator("#result-why li").all_inner_texts() == signs_in_words(snapshot, signs)
