"""The summary for a clinician, printed on A4 at a readable size (no menu, no buttons):
the date, the urgency and its action, the pain score, each warning screen with the signs
it asked about (reported, not sure, "none of: …"), every other answer, in the words of
the version answered, the disclaimer and the question set's edition. Offline, from
IndexedDB."""

import re

import pytest
from playwright.sync_api import expect
from steps import (
    calm_answers,
    choice_words,
    longest_answers,
    open_app,
    pain_question,
    pdf_pages,
    save_check,
    start_check,
    take_check_with,
    warning_signs,
)

pytestmark = pytest.mark.browser


def screened_lines(snapshot: dict, answers: dict) -> list[str]:
    """Each warning screen answered as the summary words it: its question, then what was
    reported, what the person was not sure of, and "None of:" the signs not reported."""
    screens = []
    for question in snapshot["questions"]:
        if question["section"] != "warning" or question["key"] not in answers:
            continue
        picked = answers[question["key"]]
        lines = [question["text"]]
        if question["kind"] != "multiple":
            lines.append("Answer: " + next(c["text"] for c in question["choices"] if c["key"] == picked))
        else:
            signs = [c for c in question["choices"] if not c.get("exclusive") and not c.get("unsure")]
            reported = [c["text"] for c in signs if c["key"] in picked]
            unsure = [c["text"] for c in question["choices"] if c.get("unsure") and c["key"] in picked]
            rest = [c["text"] for c in signs if c["key"] not in picked]
            for label, texts in (("Reported:", reported), ("Not sure:", unsure), ("None of:", rest)):
                if texts:
                    lines.append(f"{label} {'; '.join(texts)}")
        screens.append("".join(lines))  # textContent: the lines are paragraphs
    return screens


def other_answers(snapshot: dict, answers: dict) -> dict:
    warning = {question["key"] for question in snapshot["questions"] if question["section"] == "warning"}
    return {key: answer for key, answer in answers.items() if key not in warning}


def printed_font_size_pt(page, selector: str) -> float:
    page.emulate_media(media="print")
    size = page.locator(selector).first.evaluate("(node) => parseFloat(getComputedStyle(node).fontSize)")
    page.emulate_media(media="screen")
    return size * 72 / 96


def test_a_calm_checks_summary_names_every_sign_each_warning_screen_asked_about(page, context, app_url, published):
    open_app(page, app_url + "/")
    answers = calm_answers(page, pain=4)
    uuid = save_check(page, answers, "2026-03-02T09:30:00.000Z")
    context.set_offline(True)

    page.goto(f"{app_url}/result/?id={uuid}&view=summary")

    screens = page.locator("#summary-screens > li")
    expect(screens).to_have_text(screened_lines(published.snapshot, answers))
    # "None of these" alone tells a clinician nothing: each sign asked is named.
    first = next(q for q in published.snapshot["questions"] if q["section"] == "warning")
    signs = [c["text"] for c in first["choices"] if not c.get("exclusive") and not c.get("unsure")]
    expect(screens.first).to_contain_text("None of: " + "; ".join(signs))
    expect(page.locator("#summary-screens")).not_to_contain_text("None of these")
    expect(page.locator("#summary-version")).to_have_text("BackCare question set, edition 1")
    # A usual check on one page, at a size read at arm's length.
    assert pdf_pages(page.pdf(format="A4", prefer_css_page_size=True)) == 1
    assert printed_font_size_pt(page, "#summary-answers td") >= 10.5


def test_the_longest_possible_check_prints_on_two_a4_pages_at_most_with_every_answer(page, context, app_url, published):
    open_app(page, app_url + "/")
    answers = longest_answers(page)
    uuid = save_check(page, answers, "2026-03-02T09:30:00.000Z")
    context.set_offline(True)

    page.goto(f"{app_url}/result/?id={uuid}&view=summary")

    expect(page.get_by_role("heading", level=1)).to_have_text("Summary of a back pain self-check")
    rows = page.locator("#summary-answers tbody tr")
    others = other_answers(published.snapshot, answers)
    expect(rows).to_have_count(len(others))
    questions = rows.locator("td:first-child").all_inner_texts()
    shown = dict(zip(questions, rows.locator("td:last-child").all_inner_texts(), strict=True))
    assert shown == choice_words(published.snapshot, others)
    expect(page.locator("#summary-screens > li")).to_have_text(screened_lines(published.snapshot, answers))
    expect(page.locator("#summary-urgency")).to_contain_text("Urgent: get medical advice today")
    expect(page.locator("#summary-urgency")).to_contain_text(published.snapshot["settings"]["actions"]["urgent"])
    scale_max = pain_question(published.snapshot)["scale_max"]
    expect(page.locator("#summary-pain")).to_have_text(f"{scale_max} out of {scale_max}")
    expect(page.locator("#summary-version")).to_have_text("BackCare question set, edition 1")
    expect(page.locator("#summary-disclaimer")).to_have_text(published.snapshot["settings"]["disclaimer"])

    # Every sign of every screen, reported or not, at a readable size: two pages at most.
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert pdf_pages(pdf) <= 2
    page.emulate_media(media="print")
    # Printed: no menu, no buttons.
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("#summary-print")).to_be_hidden()
    expect(page.locator("#summary-answers")).to_be_visible()


def test_a_summary_opens_from_the_result_and_copies_its_text_offline(page, context, app_url, published):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_app(page, app_url + "/check/")
    context.set_offline(True)
    start_check(page)
    signs = warning_signs(published.snapshot, "soon")
    take_check_with(page, signs)
    page.wait_for_url(re.compile(r"/result/#"))

    page.get_by_role("link", name="Show or print a summary").click()
    expect(page.locator("#summary-urgency")).to_contain_text("See a doctor soon")
    page.get_by_role("button", name="Copy").click()

    expect(page.locator("#summary-status")).to_have_text("The summary was copied. Paste it into a message or a note.")
    copied = page.evaluate("navigator.clipboard.readText()")
    [(key, [choice])] = signs.items()
    question = next(q for q in published.snapshot["questions"] if q["key"] == key)
    sign = next(c["text"] for c in question["choices"] if c["key"] == choice)
    assert f"- {question['text']}\n  Reported: {sign}\n  None of: " in copied
    assert "See a doctor soon" in copied
    for row in page.locator("#summary-answers tbody tr").all():
        question, answer = row.locator("td").all_inner_texts()
        assert f"- {question} → {answer}" in copied
    assert published.snapshot["settings"]["disclaimer"] in copied
    # Chromium on Linux has no Web Share API: the button stays out of the way.
    assert page.locator("#summary-share").is_hidden() == (page.evaluate("typeof navigator.share") != "function")


def test_the_summary_reflows_without_sideways_scrolling_at_200_percent_zoom(new_context, app_url, published):
    # 200% zoom on a 390 px phone: a 195 px wide layout (WCAG 1.4.10).
    page = new_context(viewport={"width": 195, "height": 844}, is_mobile=True).new_page()
    open_app(page, app_url + "/")
    uuid = save_check(page, longest_answers(page), "2026-03-02T09:30:00.000Z")

    page.goto(f"{app_url}/result/?id={uuid}&view=summary")
    expect(page.locator("#summary-screens")).to_be_visible()

    assert page.evaluate("() => document.documentElement.scrollWidth") <= page.evaluate("() => screen.width")
