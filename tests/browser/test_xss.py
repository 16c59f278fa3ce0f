"""Markup an admin types into a question, a choice or a tip shows as text, never runs."""

import pytest
from playwright.sync_api import expect
from steps import go_to_screen, open_app, start_check, take_full_check

from quiz import services
from quiz.models import Choice, Question, Tip

pytestmark = pytest.mark.browser

SCRIPT = "<script>window.pwned = true</script>Numbness?"
IMAGE = '<img src="x" onerror="window.pwned = true">'


@pytest.fixture
def hostile_content(published):
    # The Chinese help text too: a warning sign publishes only with both languages.
    Question.objects.filter(key="w_emergency").update(text=SCRIPT, help_text=IMAGE, help_text_zh_hans=IMAGE)
    Choice.objects.filter(question__key="w_emergency", key="saddle").update(text=IMAGE)
    Tip.objects.update(body=IMAGE)
    return services.content_publish()


def test_admin_markup_in_a_question_shows_as_text(page, app_url, hostile_content):
    open_app(page, app_url + "/check/")
    start_check(page)
    go_to_screen(page, 3)

    expect(page.locator("legend")).to_have_text(SCRIPT)
    expect(page.get_by_label(IMAGE)).to_be_visible()
    expect(page.locator("#check-question img, #check-question script")).to_have_count(0)
    assert page.evaluate("() => window.pwned") is None


def test_admin_markup_in_a_tip_shows_as_text_on_the_result_and_tip_pages(page, app_url, hostile_content):
    open_app(page, app_url + "/check/")
    start_check(page)
    take_full_check(page)

    expect(page.locator("#result-tips li").first).to_contain_text(IMAGE)
    expect(page.locator("#result img")).to_have_count(0)
    page.goto(app_url + "/tips/exercise/walk_daily/")
    expect(page.locator("article")).to_contain_text(IMAGE)
    expect(page.locator("article img")).to_have_count(0)
    assert page.evaluate("() => window.pwned") is None
