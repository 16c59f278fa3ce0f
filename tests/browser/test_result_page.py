"""The result page a person can act on: why this result (the signs answered, in the words
of the version answered, and the pain score), the action and numbers first, at most five
tips before "More tips", and nothing empty under an emergency. Offline."""

import re

import pytest
from playwright.sync_api import expect
from steps import (
    PAIN_SCORE,
    calm_answers,
    open_app,
    pain_question,
    save_check,
    saved_checks,
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


def why_words(snapshot: dict, answers: dict) -> list[str]:
    """Each answer as "Why this result" words it: a ticked box in its own words, an answer
    to a question after the question."""
    words = []
    for question in snapshot["questions"]:
        picked = answers.get(question["key"])
        if picked is None:
            continue
        for choice in question["choices"]:
            if choice["key"] in ([picked] if isinstance(picked, str) else picked):
                multiple = question["kind"] == "multiple"
                words.append(choice["text"] if multiple else f"{question['text']} {choice['text']}")
    return words


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
    assert sorted(why.get_by_role("listitem").all_inner_texts()) == sorted(why_words(snapshot, signs))
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
    emergency = f"tel:{settings['emergency_number']}"
    signs = warning_signs(snapshot, "emergency")
    open_app(page, app_url + "/check/")
    context.set_offline(True)
    start_check(page)
    assert take_check_with(page, signs) == "emergency"

    stop_screen = page.locator("#check-emergency")
    expect(stop_screen.get_by_role("link", name=settings["emergency_label"])).to_have_attribute("href", emergency)
    # The emergency action only: no non-emergency line beside it at a cauda-equina moment.
    assert {link for link in phone_links(page, "#check-emergency") if link.startswith("tel:")} == {emergency}
    expect(stop_screen).not_to_contain_text(settings["non_emergency_label"])
    assert bare_numbers(page, "#check-emergency", settings) == []
    # "Tell them:" the signs the person ticked, in their words.
    expect(stop_screen.locator("#emergency-tell")).to_contain_text("Tell them:")
    ticked = [
        choice["text"]
        for q in snapshot["questions"]
        for choice in q["choices"]
        if choice["key"] in signs.get(q["key"], [])
    ]
    expect(stop_screen.locator("#emergency-signs li")).to_have_text(ticked)
    page.get_by_role("link", name="See your saved result").click()

    expect(page.locator("#result-urgency")).to_contain_text("Emergency: get help now")
    assert section_ids(page) == ["result-urgency", "result-why", "result-limits"]
    for section_id in section_ids(page):
        text = page.locator(f"#{section_id}").evaluate(
            "(s) => [...s.children].slice(1).map((c) => c.textContent.trim()).join('')"
        )
        assert text, f"{section_id} is empty"
    assert page.locator("#result-why li").all_inner_texts() == why_words(snapshot, signs)
    expect(page.locator("#result-pain")).to_have_text("Your pain score: not given.")
    assert phone_links(page, "#result-urgency") == {emergency}
    expect(page.locator("#result-urgency")).not_to_contain_text(settings["non_emergency_label"])
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
    assert page.locator("#result-why li").all_inner_texts() == why_words(snapshot, signs)
    # Nothing absent written as text ("nullnull" under the pain score).
    assert "null" not in page.locator("#result").inner_text()
    # Each thing said once: the action does not open with the heading's words, and the
    # emergency number it already links is not offered again below.
    action = settings["actions"]["urgent"]
    lead, rest = action.split(". ", 1)
    expect(page.locator("#result-urgency .action")).to_have_text(rest)
    assert page.locator("#result").inner_text().count(lead) == 0
    expect(page.locator("#result")).not_to_contain_text("If you feel much worse:")


def test_why_this_result_names_every_warning_screen_answer_at_its_own_tier_and_never_denies_one(
    page, app_url, published
):
    """Boxes ticked on a warning-sign screen that set no tier on their own ("Pain spreading
    down one leg", "stiff mornings") and the follow-ups they opened are named, beside the
    signs that set the result, each under its own tier."""
    snapshot = published.snapshot
    answers_given = {
        "w_urgent": ["night_pain"],
        "w_soon": ["sciatica", "stiff_mornings", "walking_ache"],
        "w_sciatica_weeks": "no",
        "w_pain_began": "age_45_plus",
    }
    open_app(page, app_url + "/")
    uuid = save_check(page, calm_answers(page, PAIN_SCORE, answers_given), "2026-12-06T19:42:00Z")
    page.goto(f"{app_url}/result/#{uuid}")

    why = page.locator("#result-why")
    expect(why.locator('[data-tier="urgent"] li')).to_have_text(why_words(snapshot, {"w_urgent": ["night_pain"]}))
    expect(why.locator('[data-tier="soon"] li')).to_have_text(why_words(snapshot, {"w_soon": ["walking_ache"]}))
    expect(why.locator('[data-tier="none"] li')).to_have_text(
        why_words(
            snapshot,
            {"w_soon": ["sciatica", "stiff_mornings"], "w_sciatica_weeks": "no", "w_pain_began": "age_45_plus"},
        )
    )
    expect(why.locator(".why-tier")).to_have_text(
        ["Signs that need medical advice today:", "Signs to see a doctor about soon:", "You also told us:"]
    )
    expect(page.locator("#result")).not_to_contain_text("did not report")


def test_a_self_care_result_with_a_box_ticked_on_a_warning_screen_does_not_say_none_was_reported(
    page, app_url, published
):
    snapshot = published.snapshot
    answers_given = {"w_soon": ["sciatica"], "w_sciatica_weeks": "no"}
    open_app(page, app_url + "/")
    uuid = save_check(page, calm_answers(page, PAIN_SCORE, answers_given), "2026-12-06T19:42:00Z")
    page.goto(f"{app_url}/result/#{uuid}")

    expect(page.locator("#result-urgency").get_by_role("heading")).to_have_text("Self-care")
    expect(page.locator('#result-why [data-tier="none"] li')).to_have_text(why_words(snapshot, answers_given))
    expect(page.locator("#result")).not_to_contain_text("did not report")
