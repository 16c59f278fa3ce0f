"""The summary for a clinician: one check on one A4 page in print (no menu, no buttons),
with the date, the urgency and its action, the warning signs answered, every answer in the
words of the version answered, the pain score, the content version and the disclaimer.
Offline, from IndexedDB."""

import re

import pytest
from playwright.sync_api import expect
from steps import (
    choice_words,
    longest_answers,
    open_app,
    pain_question,
    pdf_pages,
    save_check,
    signs_in_words,
    start_check,
    take_check_with,
    warning_signs,
)

pytestmark = pytest.mark.browser


def test_the_longest_possible_check_prints_on_one_a4_page_with_every_answer(page, context, app_url, published):
    open_app(page, app_url + "/")
    answers = longest_answers(page)
    uuid = save_check(page, answers, "2026-03-02T09:30:00.000Z")
    context.set_offline(True)

    page.goto(f"{app_url}/result/?id={uuid}&view=summary")

    expect(page.get_by_role("heading", level=1)).to_have_text("Summary of a back pain self-check")
    rows = page.locator("#summary-answers tbody tr")
    expect(rows).to_have_count(len(answers))
    questions = rows.locator("td:first-child").all_inner_texts()
    shown = dict(zip(questions, rows.locator("td:last-child").all_inner_texts(), strict=True))
    assert shown == choice_words(published.snapshot, answers)
    expect(page.locator("#summary-urgency")).to_contain_text("Urgent: get medical advice today")
    expect(page.locator("#summary-urgency")).to_contain_text(published.snapshot["settings"]["actions"]["urgent"])
    scale_max = pain_question(published.snapshot)["scale_max"]
    expect(page.locator("#summary-pain")).to_have_text(f"{scale_max} out of {scale_max}")
    expect(page.locator("#summary-version")).to_have_text("1")
    expect(page.locator("#summary-disclaimer")).to_have_text(published.snapshot["settings"]["disclaimer"])
    [check] = page.evaluate(f"import('/static/js/outbox.js').then((o) => o.getCheck('{uuid}')).then((c) => [c])")
    # One line per question: a grouped question's signs share it.
    questions_with_signs = {sign["question"] for sign in check["outcome"]["warning_signs"]}
    expect(page.locator("#summary-signs li")).to_have_count(len(questions_with_signs))

    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert pdf_pages(pdf) == 1
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
    [sign] = signs_in_words(published.snapshot, signs)
    assert f"- {sign}" in copied
    assert "See a doctor soon" in copied
    for row in page.locator("#summary-answers tbody tr").all():
        question, answer = row.locator("td").all_inner_texts()
        assert f"- {question} → {answer}" in copied
    assert published.snapshot["settings"]["disclaimer"] in copied
    # Chromium on Linux has no Web Share API: the button stays out of the way.
    assert page.locator("#summary-share").is_hidden() == (page.evaluate("typeof navigator.share") != "function")
