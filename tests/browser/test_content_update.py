"""A content version published while the app is open reaches the next check, never the
one in progress; the app update it brings waits until the check has ended."""

import re

import pytest
from playwright.sync_api import expect
from steps import (
    go_to_screen,
    open_app,
    saved_checks,
    start_check,
    take_full_check,
    wait_until_resolves_true,
)

from quiz import services
from quiz.models import Choice, Question

pytestmark = pytest.mark.browser

NEW_TEXT = "Do any of these apply to you today? (reworded)"
REWORDED = "w_urgent"


def go_to_question(page, number: int) -> None:
    go_to_screen(page, number)


def worker_waiting(page) -> None:
    wait_until_resolves_true(
        page, "() => navigator.serviceWorker.getRegistration().then((r) => Boolean(r && r.waiting))"
    )


def test_a_new_version_is_used_from_the_next_check_on(page, context, app_url, published):
    question = Question.objects.get(key=REWORDED)
    keys = [q["key"] for q in published.snapshot["questions"]]
    # Nothing before it is shown only after an answer, so its screen number is its place.
    assert not any(q["show_if"] for q in published.snapshot["questions"][: keys.index(REWORDED)])
    position = keys.index(REWORDED) + 1
    old_text = published.snapshot["questions"][position - 1]["text"]
    open_app(page, app_url + "/check/")
    start_check(page)
    go_to_question(page, 3)

    question.text = NEW_TEXT
    question.save()
    services.content_publish()
    # The app looks for new content and a new worker whenever it becomes visible again.
    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")
    worker_waiting(page)

    expect(page.locator("#update-banner")).to_be_hidden()
    expect(page.locator("#check-progress")).to_have_text(re.compile(r"^3 of \d+$"))
    go_to_question(page, position)
    expect(page.locator("legend")).to_have_text(old_text)
    take_full_check(page)
    expect(page.locator("#update-banner")).to_contain_text("A new version is ready — reload")

    # The new bundle was fetched in the background: the next check uses it, even offline.
    context.set_offline(True)
    page.goto(app_url + "/check/")
    start_check(page)
    go_to_question(page, position)
    expect(page.locator("legend")).to_have_text(NEW_TEXT)
    take_full_check(page)
    checks = saved_checks(page)
    assert [check["content_version"] for check in checks] == [2, 1]
    page.goto(app_url + "/history/")
    items = page.locator(".history-item")
    expect(items).to_have_count(2)
    assert items.evaluate_all("(els) => els.map((e) => e.dataset.uuid)") == [c["uuid"] for c in checks]


def test_the_update_banner_reloads_into_the_new_version(page, app_url, published):
    open_app(page, app_url + "/")
    Question.objects.filter(key=REWORDED).update(text=NEW_TEXT)
    services.content_publish()
    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")
    expect(page.get_by_role("button", name="Reload")).to_be_visible()

    with page.expect_navigation():
        page.get_by_role("button", name="Reload").click()

    wait_until_resolves_true(
        page,
        "() => navigator.serviceWorker.ready.then(() => "
        "new Promise((resolve) => { const c = new MessageChannel(); "
        "c.port1.onmessage = (e) => resolve(e.data.contentVersion === 2); "
        "navigator.serviceWorker.controller.postMessage({type: 'VERSION'}, [c.port2]); }))",
    )
    expect(page.locator("#update-banner")).to_be_hidden()


def test_an_edited_warning_sign_reaches_the_emergency_page_offline_once_published(page, context, app_url, published):
    edited = "Chest pain or tightness with the back pain (edited)"
    open_app(page, app_url + "/emergency/")
    expect(page.locator("#emergency-signs")).not_to_contain_text(edited)
    Choice.objects.filter(question__key="w_emergency", key="chest_pain").update(text=edited)
    services.content_publish()
    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")
    expect(page.get_by_role("button", name="Reload")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Reload").click()
    wait_until_resolves_true(
        page,
        "() => navigator.serviceWorker.ready.then(() => "
        "new Promise((resolve) => { const c = new MessageChannel(); "
        "c.port1.onmessage = (e) => resolve(e.data.contentVersion === 2); "
        "navigator.serviceWorker.controller.postMessage({type: 'VERSION'}, [c.port2]); }))",
    )

    context.set_offline(True)
    page.goto(app_url + "/emergency/")

    expect(page.locator("#emergency-signs")).to_contain_text(edited)
