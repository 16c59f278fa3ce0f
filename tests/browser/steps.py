"""Steps the browser tests share: open the app until the worker controls it, take a check."""

import re

from playwright.sync_api import Page, expect

PROGRESS = re.compile(r"^(\d+) of (\d+)$")
# Screens shown before any answer: two facts, three warning screens, five habits. Some
# answers open one more (e.g. womb questions apply -> the gynaecological question).
FIRST_TOTAL = 10


def open_app(page: Page, url: str) -> None:
    """Visit a page and wait until the service worker controls it (everything precached)."""
    page.goto(url)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def start_check(page: Page) -> None:
    page.get_by_role("button", name="Start the check").click()
    expect(page.locator("#check-progress")).to_have_text(f"1 of {FIRST_TOTAL}")


def current_progress(page: Page) -> tuple[int, int]:
    text = page.locator("#check-progress").inner_text()
    current, total = PROGRESS.match(text).groups()
    return int(current), int(total)


def answer_current_question(page: Page) -> None:
    """No warning signs ("None of these", or the first choice: "No"); for the facts the
    first choice (under 45; womb questions apply, which opens the gynaecological
    question); for habits the second-to-last radio or the first box, so causes and tips show."""
    form = page.locator("#question-form")
    heading = page.locator("#question-heading").inner_text()
    radios = form.locator("input[type=radio]")
    if radios.count():
        index = radios.count() - 2 if heading == "Habits and history" else 0
        radios.nth(index).check()
    elif heading == "Warning signs":
        form.get_by_label("None of these", exact=True).check()
    elif form.locator("input[type=checkbox]").count():
        form.locator("input[type=checkbox]").first.check()
    # A scale keeps its middle value.


def next_screen(page: Page) -> bool:
    """Press Next (or "See my result"); True when that was the last screen."""
    current, _total = current_progress(page)
    last = page.locator("#check-next").inner_text() == "See my result"
    page.locator("#check-next").click()
    if not last:
        expect(page.locator("#check-progress")).to_have_text(re.compile(rf"^{current + 1} of \d+$"))
    return last


def go_to_screen(page: Page, number: int) -> None:
    """Answer calmly until screen `number` of the check in progress shows."""
    while current_progress(page)[0] < number:
        answer_current_question(page)
        next_screen(page)


def take_full_check(page: Page) -> str:
    """Answer every remaining question of the check in progress; return the saved uuid."""
    while True:
        answer_current_question(page)
        if next_screen(page):
            break
    page.wait_for_url(re.compile(r"/result/#"))
    expect(page.locator("#result-urgency")).to_be_visible()
    return page.url.split("#", 1)[1]


def saved_checks(page: Page) -> list[dict]:
    """The checks in this browser's IndexedDB, newest first (through outbox.js itself)."""
    return page.evaluate("import('/static/js/outbox.js').then((outbox) => outbox.allChecks())")


def wait_until_resolves_true(page: Page, promise_function: str) -> None:
    """Wait until `promise_function` (JS source of a function returning a promise) resolves to true.

    Playwright's wait_for_function takes a returned promise as truthy at once, so each
    poll starts the async check (one at a time) and reads the last answer it gave.
    """
    page.evaluate("() => { window.__backcareWaitAnswer = false; window.__backcareWaitBusy = false; }")
    page.wait_for_function(
        "() => { if (!window.__backcareWaitBusy) { window.__backcareWaitBusy = true; "
        f"Promise.resolve().then({promise_function})"
        ".then((answer) => { window.__backcareWaitAnswer = answer === true; }, () => {})"
        ".finally(() => { window.__backcareWaitBusy = false; }); }"
        " return window.__backcareWaitAnswer === true; }"
    )
