"""A phone set to Chinese (zh-CN): the whole app in Simplified Chinese, offline, with the
language it shows always the one <html lang> names; the switch to English and back works
offline; a check answered in Chinese syncs and the server's scoring agrees; the summary
for a clinician holds every answer in the Chinese of the version answered, on A4."""

import re
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from steps import (
    calm_answers,
    choice_words,
    choose_on_scale,
    open_app,
    pdf_pages,
    save_check,
    saved_checks,
    warning_signs,
)

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
# The summary's words in the Chinese catalogue (djangojs.po), as a person reads them.
SUMMARY_HEADING = "一次背痛自查的摘要"
SUMMARY_FACTS = ["日期", "结果", "疼痛评分"]
SUMMARY_SECTIONS = ["筛查的警示症状", "其他回答"]
URGENCY_IN_CHINESE = {"urgent": "紧急：今天就寻求医疗建议", "soon": "尽快看医生", "self_care": "自我护理"}


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


def longest_choice(question: dict) -> str | list[str] | int:
    """The answer with the most Chinese words that does not stop the check: every choice
    of a multiple question but the emergency and exclusive ones, the longest choice of a
    single one, the top of a scale."""
    if question["kind"] == "scale":
        return question["scale_max"]
    usable = [c for c in question["choices"] if not c["stops_quiz"] and c["urgency"] != "emergency"]
    usable = [c for c in usable if not c.get("exclusive")]
    if question["kind"] == "multiple":
        return [choice["key"] for choice in usable]
    return max(usable, key=lambda choice: len(choice["text"]))["key"]


def answer_screen(page, answer: str | list[str] | int | None) -> None:
    """Pick the choice(s) by key, or tap a number on the scale."""
    if isinstance(answer, int):
        choose_on_scale(page, answer)
    elif answer:
        for key in [answer] if isinstance(answer, str) else answer:
            page.locator(f'#question-form input[value="{key}"]').check()
    elif page.locator("#question-form .scale").count():
        # The scale has no preset answer: the person taps a number.
        choose_on_scale(page, 4)


def take_check_in_chinese(page, snapshot: dict, choose=None) -> str:
    """Answer each screen by key (calmly unless `choose` picks from the Chinese question);
    every screen's words are Chinese."""
    questions = {question["key"]: question for question in snapshot["questions"]}
    chinese = localize(snapshot, "zh-hans")["questions"]
    page.get_by_role("button", name="开始自查").click()
    while True:
        expect(page.locator("#check-progress")).to_have_text(PROGRESS)
        key = page.locator("#question-form").get_attribute("data-question")
        question = chinese[list(questions).index(key)]
        expect(page.locator("#question-form")).to_contain_text(question["text"])
        answer_screen(page, choose(question) if choose else calm_choice(questions[key]))
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


def screens_in_chinese(chinese: dict, answers: dict) -> list[str]:
    """The summary's warning screens, each its question, then the signs reported, those
    the person was not sure of, and "none of" the rest, in the Chinese texts."""
    screens = []
    for question in chinese["questions"]:
        if question["section"] != "warning" or question["key"] not in answers:
            continue
        picked = answers[question["key"]]
        lines = [question["text"]]
        if question["kind"] != "multiple":
            lines.append("回答： " + next(c["text"] for c in question["choices"] if c["key"] == picked))
        else:
            signs = [c for c in question["choices"] if not c.get("exclusive") and not c.get("unsure")]
            groups = (
                ("报告有：", [c["text"] for c in signs if c["key"] in picked]),
                ("不确定：", [c["text"] for c in question["choices"] if c.get("unsure") and c["key"] in picked]),
                ("以下均没有：", [c["text"] for c in signs if c["key"] not in picked]),
            )
            lines += [f"{label} {'; '.join(texts)}" for label, texts in groups if texts]
        screens.append("".join(lines))  # textContent: the lines are paragraphs
    return screens


def stored_result_agrees(page, app_url: str, uuid: str, urgency: str) -> None:
    """Back online, the check syncs; the server stored it as answered in Chinese and its
    own scoring gives the urgency the phone gave."""
    page.context.set_offline(False)
    page.goto(app_url + "/history/")
    expect(page.locator(f'.history-item[data-uuid="{uuid}"]')).to_contain_text("已同步")
    [phone] = [check for check in saved_checks(page) if check["uuid"] == uuid]
    stored = Result.objects.get(uuid=uuid)
    assert stored.language == phone["language"] == "zh-hans"
    assert stored.answers == phone["answers"]
    assert stored.urgency == stored.client_urgency == phone["outcome"]["urgency"] == urgency
    assert stored.verdict_mismatch is False


def test_the_summary_of_a_check_taken_in_chinese_is_in_chinese_on_two_a4_pages_at_most_offline(
    chinese_page, app_url, published
):
    page = chinese_page
    chinese = localize(published.snapshot, "zh-hans")
    open_app(page, app_url + "/check/")
    page.context.set_offline(True)
    uuid = take_check_in_chinese(page, published.snapshot, choose=longest_choice)
    [check] = saved_checks(page)
    picked = {q["key"]: longest_choice(q) for q in chinese["questions"] if q["key"] in check["answers"]}
    assert check["answers"] == picked  # the longest check there is, as the person answered it
    urgency = check["outcome"]["urgency"]

    page.get_by_role("link", name="显示或打印摘要").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(SUMMARY_HEADING)
    expect(page).to_have_title(re.compile(f"^{SUMMARY_HEADING}"))
    expect_language(page, "zh-hans")
    expect(page.locator(".summary-facts dt")).to_have_text(SUMMARY_FACTS)
    expect(page.locator("#summary h2")).to_have_text(SUMMARY_SECTIONS)
    expect(page.locator("#summary-answers th")).to_have_text(["问题", "回答"])
    rows = page.locator("#summary-answers tbody tr")
    warning = {q["key"] for q in chinese["questions"] if q["section"] == "warning"}
    others = {key: answer for key, answer in check["answers"].items() if key not in warning}
    expect(rows).to_have_count(len(others))
    questions = rows.locator("td:first-child").all_inner_texts()
    shown = dict(zip(questions, rows.locator("td:last-child").all_inner_texts(), strict=True))
    assert shown == choice_words(chinese, others)
    expect(page.locator("#summary-urgency")).to_contain_text(URGENCY_IN_CHINESE[urgency])
    expect(page.locator("#summary-urgency")).to_contain_text(chinese["settings"]["actions"][urgency])
    scale = next(q for q in chinese["questions"] if q["kind"] == "scale")
    expect(page.locator("#summary-pain")).to_have_text(f"{scale['scale_max']} 分（满分 {scale['scale_max']} 分）")
    expect(page.locator("#summary-version")).to_have_text(f"BackCare 问题集，第 {published.number} 版")
    expect(page.locator("#summary-disclaimer")).to_have_text(chinese["settings"]["disclaimer"])
    expect(page.locator("#summary-screens > li")).to_have_text(screens_in_chinese(chinese, check["answers"]))
    expect(page.get_by_role("button", name="复制")).to_be_visible()
    assert violations(page) == []

    # Every sign of every screen at a readable size: two pages at most.
    assert pdf_pages(page.pdf(format="A4", prefer_css_page_size=True)) <= 2
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("#summary-print")).to_be_hidden()
    expect(page.locator("#summary-answers")).to_be_visible()
    page.emulate_media(media="screen")

    stored_result_agrees(page, app_url, uuid, urgency)


def test_a_chinese_phone_stopped_by_an_emergency_sign_sees_the_numbers_in_chinese_offline(
    chinese_page, app_url, published
):
    page = chinese_page
    chinese = localize(published.snapshot, "zh-hans")
    [(key, signs)] = warning_signs(published.snapshot, "emergency").items()
    open_app(page, app_url + "/check/")
    page.context.set_offline(True)
    page.get_by_role("button", name="开始自查").click()
    while (shown := page.locator("#question-form").get_attribute("data-question")) != key:
        answer_screen(page, calm_choice(next(q for q in chinese["questions"] if q["key"] == shown)))
        page.locator("#check-next").click()
        expect(page.locator("#question-form")).not_to_have_attribute("data-question", shown)
    expect_language(page, "zh-hans")
    assert violations(page) == []  # a question screen, in Chinese
    answer_screen(page, signs)
    page.locator("#check-next").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("立即寻求紧急帮助")
    emergency = page.locator("#check-emergency")
    expect(emergency).to_contain_text(chinese["settings"]["actions"]["emergency"])
    settings = chinese["settings"]
    expect(emergency.get_by_role("link", name=settings["emergency_label"])).to_have_attribute(
        "href", f"tel:{settings['emergency_number']}"
    )
    # The emergency action only, and "Tell them:" the signs ticked, in Chinese.
    expect(emergency.locator(f'a[href="tel:{settings["non_emergency_number"]}"]')).to_have_count(0)
    expect(emergency.locator("#emergency-tell")).to_contain_text("告诉他们：")
    question = next(q for q in chinese["questions"] if q["key"] == key)
    ticked = [choice["text"] for choice in question["choices"] if choice["key"] in signs]
    expect(emergency.locator("#emergency-signs li")).to_have_text(ticked)
    expect(emergency.locator(".disclaimer")).to_have_text(settings["disclaimer"])
    expect_language(page, "zh-hans")
    assert violations(page) == []
    expect(page.get_by_role("link", name="查看你保存的结果")).to_be_visible()
    [check] = saved_checks(page)
    assert check["language"] == "zh-hans"

    stored_result_agrees(page, app_url, check["uuid"], "emergency")


CATALOGUE_DELAY_S = 1.0


def test_the_scripts_wait_for_a_slow_catalogue_and_write_in_chinese(chinese_page, app_url, published):
    """The script catalogue is deferred so it never holds up the parser; the page's modules
    still run after it, however late it arrives, so what they write at once is Chinese (a
    catalogue run whenever it arrives, `async`, leaves this line in English)."""
    page = chinese_page

    def late(route):
        time.sleep(CATALOGUE_DELAY_S)
        route.continue_()

    page.route("**/jsi18n/**", late)
    page.goto(app_url + "/result/#not-on-this-device")

    expect(page.locator("#result-loading")).to_have_text("这个结果没有保存在这台设备上。")


def test_every_tip_category_and_a_tip_of_each_read_in_chinese_offline(chinese_page, app_url, published):
    page = chinese_page
    chinese = localize(published.snapshot, "zh-hans")
    open_app(page, app_url + "/")
    page.context.set_offline(True)
    found = {}

    for category in chinese["tip_categories"]:
        page.goto(f"{app_url}/tips/{category['key']}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(category["name"])
        expect_language(page, "zh-hans")
        found[category["key"]] = violations(page)
        tip = next(tip for tip in chinese["tips"] if tip["category"] == category["key"])
        page.get_by_role("link", name=tip["title"], exact=True).first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(tip["title"])
        expect_language(page, "zh-hans")
        found[tip["key"]] = violations(page)

    assert found == {name: [] for name in found}


def test_a_date_reads_in_the_language_of_the_page_around_it(new_context, app_url, published):
    """A phone set to British English that switched BackCare to Chinese: the summary's date
    in Chinese form, like its words; back in English, the English form."""
    page = new_context(locale="en-GB", timezone_id="UTC").new_page()
    open_app(page, app_url + "/")
    uuid = save_check(page, calm_answers(page, pain=3), "2026-03-02T09:30:00.000Z")
    summary = f"{app_url}/result/?id={uuid}&view=summary"

    page.get_by_role("button", name="简体中文").click()
    expect_language(page, "zh-hans")
    page.goto(summary)
    expect(page.get_by_role("heading", level=1)).to_have_text(SUMMARY_HEADING)
    expect(page.locator(".summary-facts time")).to_have_text("2026年3月2日 09:30")

    page.get_by_role("button", name="English").click()
    expect_language(page, "en")
    page.goto(summary)
    expect(page.locator(".summary-facts time")).to_have_text("2 Mar 2026, 09:30")
