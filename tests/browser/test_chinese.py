"""A phone set to Chinese (zh-CN): the whole app in Simplified Chinese, offline, with the
language it shows always the one <html lang> names; the switch to English and back works
offline; a check answered in Chinese syncs and the server's scoring agrees."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from steps import open_app, saved_checks

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
ENGLISH_PAGES = {
    "/": ENGLISH_HOME,
    "/check/": ENGLISH_HOME,
    "/result/": "Your result",
    "/tips/": "Tips for your back",
    "/history/": "Your past checks",
    "/emergency/": "When to get help",
}


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


def every_page_in(page, app_url: str, headings: dict[str, str], language: str) -> None:
    """Open each page offline and see it in `language`, its heading and `<html lang>`."""
    for path, heading in headings.items():
        page.goto(app_url + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect_language(page, language)


def test_a_chinese_phone_offline_after_its_first_visit_switches_to_english_and_back(chinese_page, app_url, published):
    """Never having loaded an English page: both languages are kept from the first visit."""
    page = chinese_page
    open_app(page, app_url + "/")
    expect_language(page, "zh-hans")
    page.context.set_offline(True)
    tip = published.snapshot["tips"][0]
    tip_path = f"/tips/{tip['category']}/{tip['key']}/"
    chinese = {path: CHINESE_PAGES[path] for path in ENGLISH_PAGES}
    chinese[tip_path] = localize(published.snapshot, "zh-hans")["tips"][0]["title"]
    english = {**ENGLISH_PAGES, tip_path: tip["title"]}

    every_page_in(page, app_url, chinese, "zh-hans")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tip["title"])
    expect_language(page, "en")
    every_page_in(page, app_url, english, "en")
    page.get_by_role("button", name="简体中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(chinese[tip_path])
    expect_language(page, "zh-hans")
    every_page_in(page, app_url, chinese, "zh-hans")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(english[tip_path])
    assert page.evaluate("localStorage.getItem('backcare-language')") == "en"

    # The choice holds for the next visit too, offline.
    page.goto(app_url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(ENGLISH_HOME)
    expect_language(page, "en")
