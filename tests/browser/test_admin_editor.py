"""A clinic editor in a real browser: edit, see the unpublished change, review it, preview the
check with it (a phone's cached content unchanged), publish, and see the diff on the version
page. Plus the results list at 1280 px and axe on the preview and dashboard pages."""

import json
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from content_helpers import urgent_answers
from playwright.sync_api import expect
from steps import open_app, saved_checks, take_check_with, wait_until_resolves_true
from sync_helpers import CALM_ANSWERS, post_results, register, result_item

from quiz.models import ContentVersion, Question

pytestmark = pytest.mark.browser

axe = Axe()
NEW_TEXT = "Edited by the clinic: is this the first question?"


def sign_in(page, app_url: str, username: str, password: str) -> None:
    page.goto(app_url + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def serious_violations(page) -> list[str]:
    results = axe.run(page)
    return [
        f"{v['id']}: {[node['target'] for node in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def cached_texts(page) -> str:
    """Everything the service worker's caches hold as JSON, concatenated."""
    return page.evaluate(
        """async () => {
            const texts = [];
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                for (const request of await cache.keys()) {
                    const response = await cache.match(request);
                    const type = response.headers.get("Content-Type") || "";
                    if (type.includes("json")) texts.push(await response.text());
                }
            }
            return texts.join("\\n");
        }"""
    )


def test_an_editor_edits_reviews_previews_and_publishes(page, app_url, editor, published):
    first = published.snapshot["questions"][0]
    open_app(page, app_url + "/check/")
    wait_until_resolves_true(page, "() => caches.match('/api/content/?lang=en').then((response) => !!response)")

    sign_in(page, app_url, "clinic_editor", "pw")
    question = Question.objects.get(key=first["key"])
    page.goto(f"{app_url}/admin/quiz/question/{question.pk}/change/")
    page.locator("textarea[name=text_en]").fill(NEW_TEXT)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto(app_url + "/admin/")
    expect(page.locator(".unpublished-changes")).to_contain_text("1 unpublished change")
    page.get_by_role("link", name="Review changes").click()
    row = page.locator("table.content-changes tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("text changed")
    expect(row).to_contain_text(NEW_TEXT)

    page.get_by_role("link", name="Preview the check").click()
    expect(page.locator(".preview-notice")).to_be_visible()
    page.get_by_role("button", name="Start the check").click()
    expect(page.locator(".question-text")).to_have_text(NEW_TEXT)
    phone_content = page.evaluate("caches.match('/api/content/?lang=en').then((response) => response.text())")
    assert json.loads(phone_content)["questions"][0]["text"] == first["text"]
    assert NEW_TEXT not in cached_texts(page)

    page.goto(app_url + "/admin/quiz/contentversion/review/")
    page.get_by_role("button", name="Publish as version 2").click()
    expect(page.locator(".messagelist")).to_contain_text("Published content version 2.")
    version = ContentVersion.objects.get(number=2)
    page.goto(f"{app_url}/admin/quiz/contentversion/{version.pk}/change/")
    changes = page.locator("table.content-changes tbody tr")
    expect(changes).to_have_count(1)
    expect(changes).to_contain_text(first["text"])
    expect(changes).to_contain_text(NEW_TEXT)


def test_a_previewed_check_ends_without_saving_or_sending_anything(page, app_url, editor, server_hits):
    sign_in(page, app_url, "clinic_editor", "pw")
    page.goto(app_url + "/admin/quiz/contentversion/preview/")
    page.get_by_role("button", name="Start the check").click()

    assert take_check_with(page, {}) == "result"

    page.wait_for_url(re.compile(r"/admin/quiz/contentversion/preview/result/#"))
    expect(page.locator("#result-urgency h2")).not_to_be_empty()
    expect(page.locator(".preview-notice")).to_be_visible()
    assert saved_checks(page) == []
    assert page.evaluate("() => Object.keys(sessionStorage).filter((key) => key.startsWith('backcare-check'))") == []
    assert not [path for path in server_hits if path.startswith("/api/results")]


def page_and_boxes_fit(page) -> bool:
    """Nothing wider than the window, and no box that scrolls sideways to hide a column."""
    return page.evaluate(
        """() => document.documentElement.scrollWidth <= window.innerWidth
            && [...document.querySelectorAll('.results, .inline-group, .tabular')]
                .every((box) => box.scrollWidth <= box.clientWidth)"""
    )


def test_a_question_with_its_choices_and_weights_fits_a_1280_pixel_screen(page, app_url, admin_user, published):
    page.set_viewport_size({"width": 1280, "height": 800})
    question = Question.objects.filter(choices__weights__isnull=False).distinct().order_by("-order").first()

    sign_in(page, app_url, "admin", "password")
    page.goto(f"{app_url}/admin/quiz/question/{question.pk}/change/")
    expect(page.locator("td.field-weights_summary").first).to_be_visible()

    assert page_and_boxes_fit(page)


def test_the_results_list_fits_a_1280_pixel_screen(page, app_url, client, published, admin_user):
    _device_id, token = register(client)
    answers = [CALM_ANSWERS, urgent_answers(published.snapshot)]
    items = [result_item(published.snapshot, answers[index % 2]) for index in range(30)]
    items[1]["outcome"] = {**items[1]["outcome"], "urgency": "self_care", "warning_signs": []}
    post_results(client, token, items)
    page.set_viewport_size({"width": 1280, "height": 800})

    sign_in(page, app_url, "admin", "password")
    page.goto(app_url + "/admin/quiz/result/")
    expect(page.locator("#result_list tbody tr")).to_have_count(30)
    expect(page.locator(".disagreement")).to_have_count(1)

    assert page_and_boxes_fit(page)


def test_axe_finds_no_serious_violation_on_the_preview_review_and_dashboard(page, app_url, client, published, editor):
    _device_id, token = register(client)
    post_results(client, token, [result_item(published.snapshot) for _ in range(3)])
    sign_in(page, app_url, "clinic_editor", "pw")
    found = {}

    page.goto(app_url + "/admin/quiz/contentversion/preview/")
    page.get_by_role("button", name="Start the check").click()
    expect(page.locator(".question-text")).to_be_visible()
    found["preview"] = serious_violations(page)
    page.goto(app_url + "/admin/quiz/contentversion/review/")
    found["review"] = serious_violations(page)
    page.goto(app_url + "/admin/quiz/result/dashboard/")
    expect(page.locator("table.weekly-counts")).to_be_visible()
    found["dashboard"] = serious_violations(page)

    assert found == {name: [] for name in found}
