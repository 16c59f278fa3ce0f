"""The edit loop as a clinic editor walks it in a real browser (issue 25, part 5): edit a
tip, read "Saved — not live until you publish", follow it to the review (the changed words
marked, the Chinese flagged as older than its English), preview a check that leads to the
tip and read the edited tip on the real result page, with nothing kept or sent."""

import re

import pytest
from playwright.sync_api import expect
from steps import saved_checks, take_check_with
from test_admin_editor import cached_texts, sign_in

from quiz.models import Result, Tip

pytestmark = pytest.mark.browser

SPRAIN_TIP = "ease_back_after_sprain"
# Answers that lead to the sprain tip (tests/browser/test_tips_fit.py).
TWISTED_BACK = {"h_pattern": ["after_exercise"], "h_history": ["sprain"]}
EDITED_WORDS = "Edited by the clinic today"


def test_an_edited_tip_is_seen_on_the_preview_result_page_and_nothing_is_kept(page, app_url, editor, server_hits):
    tip = Tip.objects.get(key=SPRAIN_TIP)
    edited_body = f"{EDITED_WORDS}. {tip.body}"
    sign_in(page, app_url, "clinic_editor", "pw")
    page.goto(f"{app_url}/admin/quiz/tip/{tip.pk}/change/")
    page.locator("textarea[name=body_en]").fill(edited_body)
    page.get_by_role("button", name="Save", exact=True).click()

    notice = page.locator(".messagelist .warning")
    expect(notice).to_contain_text("Saved — not live until you publish.")
    notice.get_by_role("link", name="Review changes and publish content").click()

    expect(page.locator("table.content-changes ins")).to_have_text([EDITED_WORDS + "."])
    expect(page.locator(".stale-translations")).to_contain_text(tip.title)
    page.get_by_role("link", name="Preview the check").click()
    page.get_by_role("button", name="Start the check").click()
    assert take_check_with(page, TWISTED_BACK) == "result"

    page.wait_for_url(re.compile(r"/admin/quiz/contentversion/preview/result/#"))
    tip_card = page.locator("#result-tips li", has_text=tip.title)
    expect(tip_card).to_contain_text(edited_body)
    expect(page.locator(".preview-notice")).to_be_visible()
    assert saved_checks(page) == []
    assert EDITED_WORDS not in cached_texts(page)
    assert not [path for path in server_hits if path.startswith("/api/results")]
    assert Result.objects.count() == 0
