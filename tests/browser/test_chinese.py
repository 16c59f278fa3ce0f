"""A phone set to Chinese (zh-CN): the whole app in Simplified Chinese, offline, with the
language it shows always the one <html lang> names; the switch to English and back works
offline; a check answered in Chinese syncs and the server's scoring agrees."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from steps import open_app, saved_checks, wait_until_resolves_true

from quiz.models import Result
from quiz.translation import localize

pytestmark = pytest.mark.browser

axe = Axe()
PROGRESS = re.compile(r"^第 (\d+) 题，共 (\d+) 题$")
CHINESE_PAGES = {
    "/": "腰痛自查",
    "/check/": "腰痛自查",
    "/result/": "你的结果",
    "/history/": "你以前的自查",
    "/emergency/": "什么时候需要求助",
    "/tips/": "护背建议",
    "/offline/": "你现在处于离线状态",
}
ENGLISH_HOME = "Low back pain self-check"


@pytest.fixture
def chinese_page(new_context):
    return new_context(locale="zh-CN").new_page()


def violations(page) -> list[str]:
    results = axe.run(page)
    return [f"{v['id']}: {[node['target'] for node in v['nodes']]}" for v in results.response["violations"]]


def expect_language(page, language: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator(f'.language-switch button[lang="{language}"]')).to_have_attribute("aria-pressed", "true")


def calm_choice(question: dict) -> str | None:
    """The answer a person with no warning sign and some habits gives, by key (the
    interface is in Chinese; keys are the same in every language)."""
    choices = question["choices"]
    if not choices:
        return None  # a scale keeps its middle value
    if question["section"] == "warning":
        exclusive = [c for c in choices if c.get("exclusive")]
        calm = exclusive or [c for c in choices if not c["urgency"] and not c.get("unsure")]
        return calm[0]["key"]
    if question["section"] == "habits" and question["kind"] == "single":
        return choices[-2]["key"]
    return choices[0]["key"]  # facts: the first (under 45; the womb questions apply)


def take_check_in_chinese(page, snapshot: dict) -> str:
    """Answer each screen calmly, by key; every screen's words are Chinese."""
    questions = {question["key"]: question for question in snapshot["questions"]}
    page.get_by_role("button", name="开始自查").click()
    while True:
        expect(page.locator("#check-progress")).to_have_text(PROGRESS)
        key = page.locator("#question-form").get_attribute("data-question")
        question = localize(snapshot, "zh-hans")["questions"][list(questions).index(key)]
        expect(page.locator("#question-form")).to_contain_text(question["text"])
        choice = calm_choice(questions[key])
        if choice:
            page.locator(f'#question-form input[value="{choice}"]').check()
        elif page.locator("#question-form input[type=range]").count():
            # The slider has no preset answer: the person picks a number.
            page.locator("#question-form input[type=range]").fill("4")
        last = page.locator("#check-next").inner_text() == "查看我的结果"
        page.locator("#check-next").click()
        if last:
            break
    page.wait_for_url(re.compile(r"/result/#"))
    expect(page.locator("#result-urgency")).to_be_visible()
    return page.url.split("#", 1)[1]


def test_a_chinese_phone_takes_the_whole_check_offline_in_chinese(chinese_page, app_url, published):
    page = chinese_page
    open_app(page, app_url + "/")
    expect_language(page, "zh-hans")
    page.context.set_offline(True)
    found = {}

    for path, heading in CHINESE_PAGES.items():
        page.goto(app_url + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect_language(page, "zh-hans")
        found[path] = violations(page)
    chinese = localize(published.snapshot, "zh-hans")
    page.goto(app_url + "/emergency/")
    expect(page.get_by_role("link", name=chinese["settings"]["emergency_label"])).to_have_attribute("href", "tel:999")
    tip = chinese["tips"][0]
    page.goto(f"{app_url}/tips/{tip['category']}/{tip['key']}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(tip["title"])
    expect_language(page, "zh-hans")

    page.goto(app_url + "/check/")
    expect(page.locator("#check-disclaimer")).to_have_text(chinese["settings"]["disclaimer"])
    uuid = take_check_in_chinese(page, published.snapshot)
    expect_language(page, "zh-hans")
    expect(page.locator("#result-urgency")).to_contain_text("自我护理")
    expect(page.locator("#result-disclaimer")).to_contain_text("BackCare 不是诊断。")
    expect(page.locator("#result-tips")).to_contain_text("适合你回答的建议")
    tip_titles = {t["key"]: t["title"] for t in chinese["tips"]}
    first_tip = page.locator("#result-tips a").first
    assert first_tip.inner_text() in tip_titles.values()
    found["result"] = violations(page)
    assert saved_checks(page)[0]["language"] == "zh-hans"

    page.goto(app_url + "/history/")
    expect(page.locator(".history-item")).to_have_count(1)
    expect(page.locator(".history-item")).to_contain_text("等待同步")
    found["history"] = violations(page)
    assert found == {name: [] for name in found}

    # Back online: the check syncs, in Chinese, and the server scores it the same.
    page.context.set_offline(False)
    page.reload()
    expect(page.locator(".history-item")).to_contain_text("已同步")
    stored = Result.objects.get(uuid=uuid)
    assert stored.language == "zh-hans"
    assert stored.verdict_mismatch is False
    assert stored.server_outcome["urgency"] == stored.client_outcome["urgency"] == "self_care"


def english_pages_kept(page) -> None:
    wait_until_resolves_true(
        page,
        "() => caches.keys().then((names) => names.find((name) => name.startsWith('backcare-pages-')"
        " && name.endsWith('-en'))).then((name) => name && caches.open(name))"
        ".then((cache) => cache && cache.match('/api/content/?lang=en')).then(Boolean)",
    )


def test_switching_to_english_and_back_works_offline_and_is_remembered(chinese_page, app_url):
    page = chinese_page
    open_app(page, app_url + "/check/")
    expect(page.get_by_role("heading", level=1)).to_have_text("腰痛自查")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ENGLISH_HOME)
    expect_language(page, "en")
    english_pages_kept(page)
    page.context.set_offline(True)

    page.goto(app_url + "/tips/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tips for your back")
    expect_language(page, "en")
    page.get_by_role("button", name="简体中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("护背建议")
    expect_language(page, "zh-hans")
    page.goto(app_url + "/emergency/")
    expect(page.get_by_role("heading", level=1)).to_have_text("什么时候需要求助")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("When to get help")
    expect_language(page, "en")
    assert page.evaluate("localStorage.getItem('backcare-language')") == "en"

    # The choice holds for the next visit too, offline.
    page.goto(app_url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(ENGLISH_HOME)
    expect_language(page, "en")
