"""Every screen read as a person reads it, in English and in Chinese, on a 390 px phone
with a posture break due (the walk in screen_walk.py, the same one `make screens`
photographs): nothing wider than the screen at 390 px or at 200% zoom (WCAG 1.4.10), no
"null", "undefined", "NaN" or "[object" in sight, no English words on a Chinese screen
beyond the names allowed, axe clean, and no break prompt on a check screen, the
emergency screen or an urgent or emergency result."""

from pprint import pformat

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from screen_walk import (
    LOCALES,
    PHONE,
    Screen,
    broken_text,
    english_words,
    overflow,
    walk,
)

pytestmark = pytest.mark.browser

axe = Axe()


def violations(page) -> list[str]:
    results = axe.run(page)
    return [f"{v['id']}: {[node['target'] for node in v['nodes']]}" for v in results.response["violations"]]


def break_prompt_as_it_should_be(screen: Screen) -> bool:
    """The due break shows, except where getting help comes first (waiting for the page's
    scripts to add the prompt, so a screen read early is not taken for one without it)."""
    prompt = screen.page.locator("#break-prompt")
    try:
        expect(prompt).to_be_attached()
        if screen.critical:
            expect(prompt).to_be_hidden()
        else:
            expect(prompt).to_be_visible()
    except AssertionError:
        return False
    return True


@pytest.mark.parametrize("language", sorted(LOCALES))
def test_every_screen_reads_whole_in_its_language_with_nothing_in_the_way_of_getting_help(
    new_context, app_url, language
):
    context = new_context(
        viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True, locale=LOCALES[language]
    )
    problems: dict[str, dict[str, object]] = {}
    seen: list[str] = []

    def read(screen: Screen) -> None:
        seen.append(screen.name)
        found: dict[str, object] = {}
        if wide := overflow(screen.page):
            found["wider than the screen by (px)"] = wide
        if broken := broken_text(screen.page):
            found["broken text"] = broken
        if language == "zh" and (words := english_words(screen.page)):
            found["English words"] = words
        if not break_prompt_as_it_should_be(screen):
            found["break prompt shown"] = screen.critical
        if axe_found := violations(screen.page):
            found["axe"] = axe_found
        if found:
            problems[screen.name] = found

    walk(context, app_url, read)

    assert "check-emergency" in seen and "result-urgent" in seen and "summary-soon" in seen
    assert problems == {}, pformat(problems, width=110)
