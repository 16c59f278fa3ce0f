"""A clinic editor sets a tip's and a question's “Show only if” with the two dropdowns in a
real browser, saves, and finds the condition stored and shown selected again; the page
passes axe and fits a 1280 px screen."""

import pytest
from django.utils.text import Truncator
from playwright.sync_api import expect
from test_admin_editor import axe, page_and_boxes_fit, sign_in

from quiz.models import Question, Tip

pytestmark = pytest.mark.browser


def selected_texts(select) -> list[str]:
    return select.evaluate("(box) => [...box.selectedOptions].map((option) => option.textContent.trim())")


def test_an_editor_sets_a_tips_condition_with_the_dropdowns(page, app_url, editor, published):
    page.set_viewport_size({"width": 1280, "height": 900})
    tip = Tip.objects.get(key="cover_lower_back")
    history = Question.objects.get(key="h_history")
    sprain, kidney = history.choices.get(key="sprain"), history.choices.get(key="kidney")
    sign_in(page, app_url, "clinic_editor", "pw")
    page.goto(f"{app_url}/admin/quiz/tip/{tip.pk}/change/")

    page.get_by_label("Question:", exact=True).select_option(label=Truncator(history.text).chars(90))
    page.get_by_label("Answered with any of").select_option(
        label=[answer_text(history, sprain), answer_text(history, kidney)]
    )
    assert page_and_boxes_fit(page)
    # Only the condition's fieldset: Django's own two-box cause-group picker has a known
    # aria-prohibited-attr finding that is not ours to fix here.
    assert condition_violations(page) == []
    page.get_by_role("button", name="Save and continue editing").click()

    expect(page.locator(".messagelist")).to_be_visible()
    tip.refresh_from_db()
    assert tip.show_if == {"question": "h_history", "choices": sorted(["sprain", "kidney"], key=order_in(history))}
    expect(page.locator("select[name=show_if_0]")).to_have_value("h_history")
    assert selected_texts(page.get_by_label("Answered with any of")) == [
        answer_text(history, choice) for choice in sorted([sprain, kidney], key=lambda c: (c.order, c.key))
    ]


def condition_violations(page) -> list[str]:
    results = axe.run(page, context=".field-show_if")
    return [f"{v['id']}: {[node['target'] for node in v['nodes']]}" for v in results.response["violations"]]


def answer_text(question: Question, choice) -> str:
    """An answer as the editor reads it in the list: its question (shortened), then itself."""
    return f"{Truncator(question.text).chars(45)} — {choice.text}"


def order_in(question: Question):
    keys = list(question.choices.order_by("order", "key").values_list("key", flat=True))
    return keys.index


def test_an_editor_sees_a_mismatched_condition_as_an_error_and_clears_it(page, app_url, editor, published):
    question = Question.objects.get(key="w_sciatica_weeks")
    sign_in(page, app_url, "clinic_editor", "pw")
    page.goto(f"{app_url}/admin/quiz/question/{question.pk}/change/")
    expect(page.locator("select[name=show_if_0]")).to_have_value("w_soon")

    page.locator("select[name=show_if_0]").select_option(value="")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".errorlist")).to_contain_text("Pick the question these answers belong to")
    question.refresh_from_db()
    assert question.show_if == {"question": "w_soon", "choices": ["sciatica"]}

    page.get_by_label("Answered with any of").select_option(value=[])
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_be_visible()
    question.refresh_from_db()
    assert question.show_if is None
    expect(page.locator("select[name=show_if_0]")).to_have_value("")
