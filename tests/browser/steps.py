"""Steps the browser tests share: open the app until the worker controls it, take a check."""

import re

from playwright.sync_api import Page, expect

PROGRESS = re.compile(r"^(\d+) of (\d+)$")
PDF_PAGE = re.compile(rb"/Type\s*/Page(?!s)")
PAIN_SCORE = 6
# Screens shown before any answer: two facts, three warning screens, five habits. Some
# answers open one more (e.g. womb questions apply -> the gynaecological question).
FIRST_TOTAL = 10

# Every page the service worker precaches, with the heading a person sees on it.
PRECACHED_PAGES = {
    "/": "Low back pain self-check",
    "/check/": "Low back pain self-check",
    "/result/": "Your result",
    "/history/": "Your past checks",
    "/emergency/": "When to get help",
    "/tips/": "Tips for your back",
    "/offline/": "You are offline",
}


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
    radios = form.locator(".choices input[type=radio]")
    if form.locator(".scale").count():
        # The scale has no preset answer: the person taps a number.
        choose_on_scale(page, PAIN_SCORE)
    elif radios.count():
        index = radios.count() - 2 if heading == "Habits and history" else 0
        radios.nth(index).check()
    elif heading == "Warning signs":
        form.get_by_label("None of these", exact=True).check()
    elif form.locator("input[type=checkbox]").count():
        form.locator("input[type=checkbox]").first.check()


def choose_on_scale(page: Page, value: int) -> None:
    """Tap the box of `value` on the scale question on screen."""
    page.locator(f'#question-form .scale input[value="{value}"]').click()


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


# -- content-generic helpers: they read the published snapshot, so they hold whatever
# questions the shipped content has (grouped warning signs, show_if, facts first).

Answer = str | list[str]


def press_next(page: Page) -> str:
    """Press Next (or "See my result"): "result", "emergency" or "question" for what follows."""
    last = page.locator("#check-next").inner_text() == "See my result"
    current, _total = current_progress(page)
    page.locator("#check-next").click()
    if last:
        return "result"
    # The next question, or the emergency screen that ends the check at once.
    following = page.get_by_text(re.compile(rf"^{current + 1} of \d+$"))
    expect(page.locator("#check-emergency h1").or_(following)).to_be_visible()
    return "emergency" if page.locator("#check-emergency").is_visible() else "question"


def take_check_with(page: Page, choices: dict[str, Answer]) -> str:
    """Answer the check in progress, picking `choices` (question key -> choice key, or keys)
    where named and the usual answers elsewhere; returns "result" or "emergency"."""
    while True:
        key = page.locator("#question-form").get_attribute("data-question")
        if key in choices:
            picked = choices[key]
            for choice in [picked] if isinstance(picked, str) else picked:
                page.locator(f'#question-form input[value="{choice}"]').check()
        else:
            answer_current_question(page)
        following = press_next(page)
        if following != "question":
            return following


def answers_in_progress(page: Page) -> dict:
    """The answers of the check in progress, as the check page keeps them."""
    return page.evaluate("() => JSON.parse(sessionStorage.getItem('backcare-check-in-progress')).answers")


def calm_answer(question: dict) -> Answer:
    """The answer reporting no warning sign: "None of these" where there is one, else the
    first choice without an urgency."""
    exclusive = [choice for choice in question["choices"] if choice.get("exclusive")]
    calm = exclusive[0] if exclusive else next(c for c in question["choices"] if c["urgency"] is None)
    return [calm["key"]] if question["kind"] == "multiple" else calm["key"]


def warning_signs(snapshot: dict, urgency: str, count: int = 1) -> dict[str, Answer]:
    """`count` warning signs of this urgency, from questions always shown, as answers."""
    picked, found = {}, 0
    for question in snapshot["questions"]:
        if question["section"] != "warning" or question.get("show_if"):
            continue
        for choice in question["choices"]:
            if found == count or choice["urgency"] != urgency:
                continue
            if question["kind"] == "multiple":
                picked.setdefault(question["key"], []).append(choice["key"])
            elif question["key"] in picked:
                continue
            else:
                picked[question["key"]] = choice["key"]
            found += 1
    assert found == count, f"the content has fewer than {count} {urgency} signs"
    return picked


def signs_in_words(snapshot: dict, answers: dict[str, Answer]) -> list[str]:
    """Each sign as the result shows it: the question's text, then the choice's."""
    words = []
    for question in snapshot["questions"]:
        picked = answers.get(question["key"])
        if picked is None:
            continue
        for choice in question["choices"]:
            if choice["key"] in ([picked] if isinstance(picked, str) else picked):
                words.append(f"{question['text']} {choice['text']}")
    return words


def pain_question(snapshot: dict) -> dict:
    return next(question for question in snapshot["questions"] if question["kind"] == "scale")


CALM_ANSWERS_JS = """async ({pain, signs}) => {
  const [scoring, content] = await Promise.all([import('/static/js/scoring.js'), import('/static/js/content.js')]);
  const snapshot = await content.fetchContent();
  const shown = (answers) => scoring.visibleQuestions
    ? scoring.visibleQuestions(snapshot, answers).map((question) => question.key)
    : snapshot.questions.map((question) => question.key);
  const answers = {};
  for (const question of snapshot.questions) {
    if (!shown(answers).includes(question.key)) continue;
    if (question.key in signs) { answers[question.key] = signs[question.key]; continue; }
    if (question.kind === 'scale') { if (pain !== null) answers[question.key] = pain; continue; }
    const calm = question.choices.find((c) => c.exclusive) || question.choices.find((c) => c.urgency === null);
    answers[question.key] = question.kind === 'multiple' ? [calm.key] : calm.key;
  }
  return answers;
}"""


def calm_answers(page: Page, pain: int | None, signs: dict[str, Answer] | None = None) -> dict:
    """Every question the check would show answered calmly (no sign: "None of these", or
    the first choice without an urgency), `signs` where named, the pain score when given;
    worked out in the page with the app's own show_if rules."""
    return page.evaluate(CALM_ANSWERS_JS, {"pain": pain, "signs": signs or {}})


SAVE_CHECK_JS = """async ({answers, completedAt}) => {
  const [{ score }, outbox, content] = await Promise.all([
    import('/static/js/scoring.js'), import('/static/js/outbox.js'), import('/static/js/content.js')]);
  const snapshot = await content.fetchContent();
  const record = {uuid: crypto.randomUUID(), content_version: snapshot.version, answers,
    outcome: score(snapshot, answers), completed_at: completedAt,
    sync: {state: 'pending', message: null}};
  await outbox.saveCheck(record);
  await content.rememberContentVersion(snapshot);
  return record.uuid;
}"""


def save_check(page: Page, answers: dict, completed_at: str) -> str:
    """Save a finished check the way the check page does (the app's own scoring and outbox)."""
    return page.evaluate(SAVE_CHECK_JS, {"answers": answers, "completedAt": completed_at})


LONGEST_ANSWERS_JS = """async () => {
  const [scoring, content] = await Promise.all([import('/static/js/scoring.js'), import('/static/js/content.js')]);
  const snapshot = await content.fetchContent();
  const shown = (answers) => scoring.visibleQuestions
    ? scoring.visibleQuestions(snapshot, answers).map((question) => question.key)
    : snapshot.questions.map((question) => question.key);
  const answers = {};
  for (const question of snapshot.questions) {
    if (!shown(answers).includes(question.key)) continue;
    if (question.kind === 'scale') { answers[question.key] = question.scale_max; continue; }
    const usable = question.choices.filter((c) => !c.stops_quiz && c.urgency !== 'emergency' && !c.exclusive);
    answers[question.key] = question.kind === 'multiple'
      ? usable.map((c) => c.key)
      : usable.reduce((a, b) => (b.text.length > a.text.length ? b : a)).key;
  }
  return answers;
}"""


def longest_answers(page: Page) -> dict:
    """The answers with the most words a check can hold without stopping at an emergency:
    every question it can show, the longest choice of each, every choice of a multiple
    one, the top of a scale (worked out in the page, with the app's own show_if rules)."""
    return page.evaluate(LONGEST_ANSWERS_JS)


def choice_words(snapshot: dict, answers: dict) -> dict[str, str]:
    """Question text -> the answer as the summary words it (in the snapshot's language)."""
    words = {}
    for question in snapshot["questions"]:
        if question["key"] not in answers:
            continue
        answer = answers[question["key"]]
        texts = {choice["key"]: choice["text"] for choice in question["choices"]}
        if question["kind"] == "scale":
            words[question["text"]] = f"{answer} ({question['scale_min']}–{question['scale_max']})"
        elif isinstance(answer, list):
            words[question["text"]] = "; ".join(texts[key] for key in answer)
        else:
            words[question["text"]] = texts[answer]
    return words


def pdf_pages(pdf: bytes) -> int:
    """The pages of a PDF Chromium printed (each page object; not the /Pages tree)."""
    return len(PDF_PAGE.findall(pdf))
