"""Tip category and tip pages offline: the worker keeps one tips shell per language (not a
page per tip) and static/js/tips-view.js renders any tips address from the precached
content bundle, the same as the server renders it online, in English and in Chinese."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from steps import open_app, wait_until_resolves_true

from quiz import services
from quiz.models import Tip
from quiz.translation import localize

pytestmark = pytest.mark.browser

axe = Axe()
LANGUAGES = {"en-GB": "en", "zh-CN": "zh-hans"}
SOURCE = "Source: the article “Why does my back ache when I do exercise or walk too much?”"
NOT_FOUND = {"en": ("Tip not found", "Browse all tips"), "zh-hans": ("未找到这条建议", "浏览全部建议")}
# What a person reads in the main region, the links they can follow, and the tab's title.
MAIN_AS_SHOWN = """() => {
  const main = document.getElementById("main");
  const lines = main.innerText.split("\\n").map((line) => line.trim()).filter(Boolean);
  const links = [...main.querySelectorAll("a")].map((a) => [a.getAttribute("href"), a.textContent.trim()]);
  const headings = [...main.querySelectorAll("h1, h2")].map((h) => `${h.tagName} ${h.textContent.trim()}`);
  return { title: document.title, lang: document.documentElement.lang, lines, links, headings };
}"""


def tips_urls(snapshot: dict) -> dict[str, str]:
    """Every tip category and tip page, with the heading it shows."""
    urls = {f"/tips/{category['key']}/": category["name"] for category in snapshot["tip_categories"]}
    urls |= {f"/tips/{tip['category']}/{tip['key']}/": tip["title"] for tip in snapshot["tips"]}
    return urls


def violations(page) -> list[str]:
    results = axe.run(page)
    return [f"{v['id']}: {[node['target'] for node in v['nodes']]}" for v in results.response["violations"]]


def rendered_by_the_shell(page) -> bool:
    return page.locator('script[src*="tips-view"]').count() == 1


@pytest.mark.parametrize("locale", LANGUAGES)
def test_offline_every_tip_page_renders_from_the_shell_as_the_server_renders_it(
    new_context, app_url, published, locale
):
    language = LANGUAGES[locale]
    snapshot = localize(published.snapshot, language)
    page = new_context(locale=locale).new_page()
    open_app(page, app_url + "/")
    urls = tips_urls(snapshot)
    online = {}
    for path in urls:
        page.goto(app_url + path)
        assert not rendered_by_the_shell(page), path
        online[path] = page.evaluate(MAIN_AS_SHOWN)

    page.context.set_offline(True)
    offline, found = {}, {}
    for path, heading in urls.items():
        page.goto(app_url + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert rendered_by_the_shell(page), path
        offline[path] = page.evaluate(MAIN_AS_SHOWN)
        found[path] = violations(page)

    # The bundle's words, in the page's language, under the server's title.
    assert {path: shown["lang"] for path, shown in offline.items()} == dict.fromkeys(urls, language)
    assert {path: shown["title"] for path, shown in offline.items()} == {
        path: f"{heading} · BackCare" for path, heading in urls.items()
    }
    # Parity: the shell shows exactly what the server shows for the same address.
    assert offline == online
    assert found == {path: [] for path in urls}


def test_a_tip_page_offline_cites_its_source_and_keeps_its_line_breaks(page, app_url, published):
    Tip.objects.filter(key="walk_daily").update(body="Walk every day.\nA little further each week.")
    services.content_publish()
    open_app(page, app_url + "/tips/exercise/walk_daily/")
    online = page.evaluate(MAIN_AS_SHOWN)
    page.context.set_offline(True)

    page.reload()

    expect(page.locator("article .source")).to_have_text(SOURCE)
    assert rendered_by_the_shell(page)
    expect(page.locator("article br")).to_have_count(1)
    assert page.locator("article p").first.inner_text() == "Walk every day.\nA little further each week."
    assert page.evaluate(MAIN_AS_SHOWN) == online
    page.goto(app_url + "/tips/exercise/keep_moving_gently/")
    expect(page.locator("article .source")).to_have_text(f"{SOURCE}; NHS back pain; NICE NG59")
    page.goto(app_url + "/tips/see_doctor/not_improving/")
    expect(page.locator("article .source")).to_have_text("Source: NHS back pain; NICE NG59")


@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize(
    "path", ["/tips/exercise/no_such_tip/", "/tips/no_such_category/", "/tips/keeping_warm/walk_daily/"]
)
def test_an_unknown_tip_address_offline_says_it_was_not_found(new_context, app_url, locale, path):
    heading, back = NOT_FOUND[LANGUAGES[locale]]
    page = new_context(locale=locale).new_page()
    open_app(page, app_url + "/")
    page.context.set_offline(True)

    page.goto(app_url + path)

    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page).to_have_title(f"{heading} · BackCare")
    expect(page.locator("#main").get_by_role("link", name=back)).to_have_attribute("href", "/tips/")
    assert violations(page) == []
    page.locator("#main").get_by_role("link", name=back).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tips for your back" if "en" in locale else "护背建议")


def page_caches(page) -> list[str]:
    return sorted(page.evaluate("caches.keys()"))


def test_both_languages_are_kept_at_install_and_a_new_version_replaces_them(page, context, app_url, published):
    open_app(page, app_url + "/")
    first = [name for name in page_caches(page) if name.startswith("backcare-pages-")]
    # Both languages, up front, from the first visit of an English browser.
    assert len(first) == 2 and first[0].endswith("-en") and first[1].endswith("-zh-hans")

    Tip.objects.filter(key="walk_daily").update(title="Walk a little every day", title_zh_hans="每天走一走")
    services.content_publish()
    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")
    expect(page.get_by_role("button", name="Reload")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Reload").click()
    wait_until_resolves_true(
        page,
        "() => caches.keys().then((names) => names.filter((n) => n.startsWith('backcare-pages-')))"
        f".then((names) => names.length === 2 && !names.includes({first[0]!r}) && !names.includes({first[1]!r}))",
    )

    context.set_offline(True)
    page.goto(app_url + "/tips/exercise/walk_daily/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Walk a little every day")
    page.get_by_role("button", name="简体中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("每天走一走")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
