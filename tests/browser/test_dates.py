"""Every date a person or a clinician reads is unambiguous, the month as a word, no
seconds, in the page's language, whatever the browser's own locale: a US-English phone
must not write 12/6/2026, which a UK GP reads as 12 June."""

import pytest
from playwright.sync_api import expect
from steps import calm_answers, open_app, save_check

pytestmark = pytest.mark.browser

COMPLETED = "2026-12-06T19:42:33.000Z"
ENGLISH = "6 Dec 2026, 19:42"
CHINESE = "2026年12月6日 19:42"


def dates_read(page, app_url: str, uuid: str) -> dict[str, list[str]]:
    """The check's date as each page shows it: the result, the summary, the history list and chart."""
    page.goto(f"{app_url}/result/#{uuid}")
    expect(page.locator("#result .meta time")).to_be_visible()
    result = page.locator("#result .meta time").all_inner_texts()
    page.goto(f"{app_url}/result/?id={uuid}&view=summary")
    expect(page.locator(".summary-facts time")).to_be_visible()
    summary = page.locator(".summary-facts time").all_inner_texts()
    page.goto(f"{app_url}/history/")
    expect(page.locator("#history-chart text.chart-date")).to_have_count(1)
    history = page.locator(".history-item time").all_inner_texts()
    chart = page.locator("#history-chart text.chart-date").all_text_contents()
    return {"result": result, "summary": summary, "history": history, "chart": chart}


@pytest.mark.parametrize("locale", ["en-US", "zh-CN", "en-GB"])
def test_it_writes_a_checks_date_the_same_unambiguous_way_whatever_the_browsers_locale(
    new_context, app_url, published, locale
):
    page = new_context(locale=locale, timezone_id="Europe/London").new_page()
    open_app(page, app_url + "/")
    uuid = save_check(page, calm_answers(page, pain=3), COMPLETED)
    if page.locator("html").get_attribute("lang") != "en":
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")

    places = {place: [ENGLISH] for place in ("result", "summary", "history")}
    assert dates_read(page, app_url, uuid) == {**places, "chart": ["6 Dec"]}

    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    places = {place: [CHINESE] for place in ("result", "summary", "history")}
    assert dates_read(page, app_url, uuid) == {**places, "chart": ["12月6日"]}
