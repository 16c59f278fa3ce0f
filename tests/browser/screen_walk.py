"""Every screen of the app, walked as a person reaches it on a 390 px phone: home, each
check screen, each result tier, the emergency screen, the summary, history with a few
checks, tips, one tip, and a posture break due on every page.

Shared by `make screens` (scripts/screens.py photographs each screen) and
tests/browser/test_screens_read.py (reads each screen as a person would), so the two
never drift. Language-independent: it presses buttons by id and answers by choice key.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import BrowserContext, Page, expect
from steps import calm_answers, save_check

# Each language as a phone set to it would ask for it (Accept-Language).
LOCALES = {"en": "en-GB", "zh": "zh-CN"}
PHONE = {"width": 390, "height": 844}
# 200% zoom on a 390 px phone lays the page out in 195 CSS px.
ZOOMED_WIDTH = 195
PAIN = "6"

# One check walked through every screen it can show: the womb questions apply (the
# gynaecological question shows), two signs with follow-ups ticked on "Do any of these
# fit you?" (both follow-ups show), habits that point to causes and posture breaks.
WALKED_CHECK: dict[str, str | list[str]] = {
    "h_age": "under_45",
    "f_womb": "yes",
    "w_emergency": ["none"],
    "w_urgent": ["none"],
    "w_soon": ["sciatica", "stiff_mornings"],
    "w_sciatica_weeks": "yes",
    "w_pain_began": "age_45_plus",
    "w_gynae": "no",
    "h_pattern": ["after_sitting_standing", "after_lifting"],
    "h_sitting": "over_2_hours",
    "h_activity": "rarely",
    "h_history": ["sprain"],
    "h_pain_now": PAIN,
}
# Saved checks for the other tiers: signs on top of calm answers. The urgent one carries
# the longest urgent sign and answers with no tier of their own on the same screens.
SELF_CARE_SIGNS: dict[str, str | list[str]] = {}
URGENT_SIGNS: dict[str, str | list[str]] = {
    "w_urgent": ["fever", "infection_risk"],
    "w_soon": ["sciatica", "stiff_mornings"],
    "w_sciatica_weeks": "no",
    "w_pain_began": "age_45_plus",
}
EMERGENCY_SIGNS: dict[str, str | list[str]] = {"w_emergency": ["saddle", "bladder_bowel"]}
# The emergency screen: the check stops at the first emergency screen's answers.
EMERGENCY_CHECK: dict[str, str | list[str]] = {
    "h_age": "under_45",
    "f_womb": "no",
    "w_emergency": ["saddle", "both_legs"],
}

BREAK_DUE_JS = """() => localStorage.setItem('backcare-break-timer',
  JSON.stringify({minutes: 30, endsAt: Date.now() - 1000, notifiedFor: Date.now()}))"""


@dataclass(frozen=True)
class Screen:
    """One screen as a person sees it. `critical`: a check, the emergency screen or an
    urgent or emergency result, where nothing may compete with getting help."""

    name: str
    page: Page
    critical: bool = False


Visit = Callable[[Screen], None]


def answer(page: Page, choices: dict[str, str | list[str]]) -> str:
    """Answer the screen showing from `choices` (by choice key); returns its question key."""
    form = page.locator("#question-form")
    key = form.get_attribute("data-question") or ""
    picked = choices.get(key)
    assert picked is not None, f"the walk has no answer for {key}"
    for value in [picked] if isinstance(picked, str) else picked:
        field = form.locator(f'input[value="{value}"]')
        if field.count() == 0:
            # A slider: its value, not a box per value.
            form.locator("input[type=range]").fill(value)
        elif field.get_attribute("type") == "range":
            field.fill(value)
        else:
            field.check()
    return key


def press_next(page: Page, key: str) -> str:
    """Press Next: "question", "emergency" or "result" for what shows after `key`'s screen."""
    page.locator("#check-next").click()
    following = page.locator(f'#question-form:not([data-question="{key}"])')
    expect(following.or_(page.locator("#check-emergency h1")).or_(page.locator("#result-urgency"))).to_be_visible()
    if page.locator("#check-emergency").is_visible():
        return "emergency"
    return "question" if following.count() else "result"


def walk_check(page: Page, base_url: str, choices: dict[str, str | list[str]], visit: Visit | None) -> str:
    """Take a check through the check page; `visit` sees each question. Returns "result" or
    "emergency" for how it ended."""
    page.goto(base_url + "/check/")
    if visit:
        visit(Screen("check-start", page, critical=False))
    page.locator("#check-begin").click()
    expect(page.locator("#question-form")).to_be_visible()
    number = 1
    while True:
        key = answer(page, choices)
        if visit:
            visit(Screen(f"check-{number:02d}-{key}", page, critical=True))
        ended = press_next(page, key)
        if ended != "question":
            return ended
        number += 1


def saved_check(page: Page, signs: dict[str, str | list[str]]) -> str:
    """Save a finished check through the app's own scoring and outbox; returns its uuid."""
    answers = calm_answers(page, int(PAIN), signs)
    return save_check(page, answers, "2026-12-06T19:42:33Z")


# Four weekly checks with pain 7, 7, 6, 7 (day of November 2026, pain score).
COURSE = [("02", 7), ("09", 7), ("16", 6), ("23", 7)]
# "Tie my shoes", named in the page's language, rated 6, 6, 6, 3: the course names its fall.
RATE_JS = """([uuid, rating]) => import('/static/js/outbox.js').then((outbox) => outbox.annotateCheck(uuid,
  {function: [{key: 'a1', rating,
    name: document.documentElement.lang.startsWith('zh') ? '系鞋带' : 'Tie my shoes'}]}))"""
FOLLOW_UP_DUE_JS = """() => import('/static/js/outbox.js').then((outbox) => outbox.writeDeviceRecord('follow-up',
  {from: 'screens', from_at: '2026-11-23T09:00:00Z', days: 7, due_at: '2026-11-30T09:00:00Z'}))"""


def walk(context: BrowserContext, base_url: str, visit: Visit) -> None:
    """Every screen, in one phone (context), in the order a person could reach them."""
    page = context.new_page()
    page.goto(base_url + "/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    # Break reminders on and a break due: it must show on every page but the critical ones.
    page.evaluate(BREAK_DUE_JS)
    page.reload()
    expect(page.locator("#break-prompt")).to_be_visible()
    visit(Screen("home-break-due", page))

    assert walk_check(page, base_url, WALKED_CHECK, visit) == "result"
    expect(page.locator("#result-why")).to_be_visible()
    visit(Screen("result-soon", page))
    soon_uuid = page.url.split("#", 1)[1]

    self_care = saved_check(page, SELF_CARE_SIGNS)
    urgent = saved_check(page, URGENT_SIGNS)
    emergency = saved_check(page, EMERGENCY_SIGNS)
    for name, uuid, critical in (
        ("result-self-care", self_care, False),
        ("result-urgent", urgent, True),
        ("result-emergency", emergency, True),
    ):
        page.goto(f"{base_url}/result/#{uuid}")
        expect(page.locator("#result-why")).to_be_visible()
        visit(Screen(name, page, critical=critical))

    page.goto(f"{base_url}/result/?id={soon_uuid}&view=summary")
    expect(page.locator("#summary")).to_be_visible()
    visit(Screen("summary-soon", page))
    page.goto(f"{base_url}/result/?id={urgent}&view=summary")
    expect(page.locator("#summary")).to_be_visible()
    visit(Screen("summary-urgent", page))

    page.goto(base_url + "/history/")
    expect(page.locator(".history-item").first).to_be_visible()
    visit(Screen("history", page))
    page.goto(base_url + "/tips/")
    visit(Screen("tips", page))
    page.goto(base_url + "/tips/exercise/walk_daily/")
    visit(Screen("tip", page))
    page.goto(base_url + "/tips/posture_breaks/")
    visit(Screen("tips-posture-breaks", page))
    page.goto(base_url + "/emergency/")
    visit(Screen("emergency-info", page))

    assert walk_check(page, base_url, EMERGENCY_CHECK, None) == "emergency"
    expect(page.locator("#emergency-result-link")).to_be_visible()
    visit(Screen("check-emergency", page, critical=True))

    # Between checks: weekly checks that are not getting better, and a follow-up due.
    weeks = [save_check(page, calm_answers(page, pain, {}), f"2026-11-{day}T09:00:00Z") for day, pain in COURSE]
    for uuid, rating in zip(weeks, [6, 6, 6, 3], strict=True):
        page.evaluate(RATE_JS, [uuid, rating])
    page.goto(f"{base_url}/result/#{weeks[-1]}")
    expect(page.locator("#result-course .course-advice")).to_be_visible()
    visit(Screen("result-course", page))
    # My plan: the first tip added from that result, then home's "Today" with it.
    page.locator("#result-tips button.plan-toggle").first.click()
    expect(page.locator("#plan-hint")).to_contain_text("1")
    page.evaluate(FOLLOW_UP_DUE_JS)
    page.goto(base_url + "/")
    expect(page.locator("#follow-up-due")).to_be_visible()
    expect(page.locator("#today-list li").first).to_be_visible()
    visit(Screen("home-follow-up-due", page))
    page.close()


# -- what a person reads ---------------------------------------------------------------

# Visible text only (innerText skips hidden elements and <script>).
VISIBLE_TEXT_JS = "() => document.body.innerText"
# Glued to other text ("nullnull") there is no word boundary: look for it anywhere.
BROKEN_TEXT = re.compile(r"(?<![A-Za-z])(null|undefined|NaN)|\[object")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’&]*")
# Latin words a Chinese screen may show: the app's name, the other language's own name on
# the switch, the services the site settings name (an installation in China names 120) and
# the export formats, and units of storage (CLDR keeps them Latin in Chinese too).
ENGLISH_ALLOWED_ON_CHINESE = {"BackCare", "English", "NHS", "GP", "A&E", "CSV", "JSON", "B", "kB", "MB", "GB"}


def visible_text(page: Page) -> str:
    return page.evaluate(VISIBLE_TEXT_JS)


def broken_text(page: Page) -> list[str]:
    """Visible "null", "undefined", "NaN" or "[object", each with the words around it."""
    text = visible_text(page)
    return [text[max(0, m.start() - 30) : m.end() + 30] for m in BROKEN_TEXT.finditer(text)]


def english_words(page: Page) -> list[str]:
    """Latin-script words on the screen beyond the allow-list (for a Chinese screen)."""
    return sorted({word for word in LATIN_WORD.findall(visible_text(page)) if word not in ENGLISH_ALLOWED_ON_CHINESE})


# The innermost elements reaching past the screen's right edge, to say what overflows.
STICKING_OUT_JS = """() => [...document.querySelectorAll('body *')]
  .filter((e) => e.getBoundingClientRect().right > screen.width + 1 && e.childElementCount === 0)
  .slice(0, 5).map((e) => `<${e.tagName.toLowerCase()} class="${e.className}"> ${e.textContent.trim().slice(0, 40)}`)"""


def overflow(page: Page) -> dict[str, dict[str, object]]:
    """How far the document is wider than the phone's screen, at 390 px and at 200% zoom,
    and what sticks out (nothing when it fits). On a mobile viewport Chromium widens the
    layout viewport to fit wide content, so the document's width is compared with the
    screen's, not innerWidth."""
    found: dict[str, dict[str, object]] = {}
    for label, width in (("390px", PHONE["width"]), ("200%", ZOOMED_WIDTH)):
        page.set_viewport_size({"width": width, "height": PHONE["height"]})
        excess = page.evaluate("() => document.documentElement.scrollWidth - screen.width")
        if excess > 0:
            found[label] = {"px": excess, "elements": page.evaluate(STICKING_OUT_JS)}
    page.set_viewport_size(PHONE)
    return found
