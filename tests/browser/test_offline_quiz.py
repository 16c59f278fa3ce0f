"""Offline first: after one online visit every page, the check and the history work with
the network off, and the server receives nothing."""

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect
from steps import (
    FIRST_TOTAL,
    PRECACHED_PAGES,
    go_to_screen,
    next_screen,
    open_app,
    saved_checks,
    start_check,
    take_full_check,
)

pytestmark = pytest.mark.browser


def is_sync_call(path: str) -> bool:
    """Device registration and results: tried offline by design, failing and retried later."""
    return path.startswith("/api/") and not path.startswith("/api/content/")


def app_request(request) -> bool:
    """A request a page needs to show something. ERR_ABORTED is a request the next
    navigation cancelled (often the favicon)."""
    return not is_sync_call(urlparse(request.url).path) and request.failure != "net::ERR_ABORTED"


def requests_other_than_update_checks(hits: list[str]) -> list[str]:
    """Chromium's worker update check (the worker script, then the modules it imports) is
    fetched by the browser process, outside Playwright's offline emulation, so it can
    reach the server now and then. On a real phone offline it fails quietly."""
    if "/serviceworker.js" not in hits:
        return hits
    return [hit for hit in hits if hit != "/serviceworker.js" and not hit.startswith("/static/js/")]


def test_it_works_offline_after_one_visit(page, context, app_url, published, server_hits, refuse_background_sync):
    open_app(page, app_url + "/")
    # Seen twice in about twenty runs: `/api/devices/` reaching the server "offline", just
    # after a worker update check. The likeliest sender is the worker woken by Background
    # Sync, started before Playwright's offline emulation reached it. A phone that is
    # really offline gets no sync event; this one refuses Background Sync altogether.
    refuse_background_sync(page)
    failed, documents = [], []
    page.on("requestfailed", lambda request: app_request(request) and failed.append(request.url))
    page.on("response", lambda r: r.request.resource_type == "document" and documents.append(r.from_service_worker))
    context.set_offline(True)
    # Offline emulation can miss a freshly restarted worker's fetches; aborting every
    # request Playwright sees narrows that gap (the update check still escapes both).
    context.route("**/*", lambda route: route.abort("internetdisconnected"))
    server_hits.clear()

    for path, heading in PRECACHED_PAGES.items():
        page.goto(app_url + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        page.reload()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    page.goto(app_url + "/emergency/")
    expect(page.get_by_role("link", name="Call 999 or go to A&E")).to_have_attribute("href", "tel:999")
    # The lists of signs come from the published content, and are there offline too.
    expect(page.locator("#emergency-signs")).to_contain_text("Chest pain as well as back pain")
    expect(page.locator("#urgent-signs")).to_contain_text("Pain between the shoulder blades, not low down")
    for category in published.snapshot["tip_categories"]:
        page.goto(f"{app_url}/tips/{category['key']}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(category["name"])
    for tip in published.snapshot["tips"]:
        page.goto(f"{app_url}/tips/{tip['category']}/{tip['key']}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(tip["title"])

    page.goto(app_url + "/check/")
    start_check(page)
    # Womb questions apply: the gynaecological question is shown (a show_if branch).
    go_to_screen(page, 3)
    expect(page.locator("#check-progress")).to_have_text(f"3 of {FIRST_TOTAL + 1}")
    uuid = take_full_check(page)
    # The first finished check asks the browser to keep the data, and says what it answered.
    expect(page.locator("#persist-status")).to_contain_text(re.compile("keep your checks|may delete saved checks"))
    expect(page.locator("#result-causes")).to_contain_text("can be linked to")
    # The core self-care advice is on every self-care result.
    for advice in ("Keep moving", "pharmacist", "heat"):
        expect(page.locator("#result-urgency")).to_contain_text(advice)
    expect(page.locator("#result-disclaimer")).to_contain_text("BackCare is not a diagnosis.")
    # The follow-up and the activities are added once the phone's history is read.
    expect(page.locator("#result-activities")).to_be_visible()
    order = page.locator("#result > section, #result > .disclaimer").evaluate_all("(els) => els.map((e) => e.id)")
    assert order == [
        *("result-urgency", "result-why", "result-causes", "result-tips"),
        # What to do next, on the phone (check again, the activities it makes hard) …
        *("result-follow-up", "result-activities"),
        # … then what the check cannot do, and the disclaimer, close the page.
        *("result-limits", "result-disclaimer"),
    ]
    first_tip = page.locator("#result-tips li").first
    tip_title = first_tip.get_by_role("heading").inner_text()
    first_tip.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tip_title)

    page.goto(app_url + "/history/")
    page.reload()
    entry = page.locator(f'.history-item[data-uuid="{uuid}"]')
    expect(entry).to_contain_text("Waiting to sync")
    entry.get_by_role("link").click()
    expect(page.locator("#result-urgency")).to_contain_text("Self-care")

    assert requests_other_than_update_checks(server_hits) == []
    assert failed == []
    assert documents and all(documents)
    [check] = saved_checks(page)
    assert check["uuid"] == uuid
    assert check["content_version"] == 1
    assert len(check["answers"]) == FIRST_TOTAL + 1
    assert (check["answers"]["f_womb"], check["answers"]["w_gynae"]) == ("yes", "no")
    assert check["answers"]["w_emergency"] == ["none"]
    assert check["outcome"]["urgency"] == "self_care"
    assert check["sync"] == {"state": "pending", "message": None}


def test_a_page_never_visited_shows_the_offline_page_not_the_browser_error(page, context, app_url):
    open_app(page, app_url + "/")
    context.set_offline(True)

    page.goto(app_url + "/no-such-page/")

    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")


def test_a_reload_in_the_middle_of_a_check_keeps_the_answers(page, app_url):
    open_app(page, app_url + "/check/")
    start_check(page)
    page.get_by_label("Under 45").check()
    page.locator("#check-next").click()
    expect(page.locator("#check-progress")).to_have_text(f"2 of {FIRST_TOTAL}")

    page.reload()
    expect(page.locator("#check-progress")).to_have_text(f"2 of {FIRST_TOTAL}")
    page.get_by_role("button", name="Back").click()

    expect(page.locator("#check-progress")).to_have_text(f"1 of {FIRST_TOTAL}")
    expect(page.get_by_label("Under 45")).to_be_checked()


def test_an_emergency_answer_goes_straight_to_the_emergency_screen(page, app_url, published):
    open_app(page, app_url + "/check/")
    start_check(page)
    page.get_by_label("Under 45").check()
    next_screen(page)
    page.get_by_label("No", exact=True).check()
    next_screen(page)

    page.get_by_label("Numbness or tingling around your genitals, bottom or inner thighs").check()
    page.locator("#check-next").click()

    emergency = page.locator("#check-emergency")
    expect(emergency.get_by_role("heading", level=1)).to_have_text("Get emergency help now")
    expect(emergency.get_by_role("link", name="Call 999 or go to A&E")).to_have_attribute("href", "tel:999")
    # The emergency action only, and the sign to tell them about.
    expect(emergency).not_to_contain_text("111")
    expect(emergency.locator("#emergency-signs li")).to_have_text(
        ["Numbness or tingling around your genitals, bottom or inner thighs"]
    )
    expect(page.locator("#question-form")).to_have_count(0)
    expect(page.get_by_role("link", name="See your saved result")).to_be_visible()
    [check] = saved_checks(page)
    assert check["outcome"]["urgency"] == "emergency"
    assert check["answers"] == {"h_age": "under_45", "f_womb": "no", "w_emergency": ["saddle"]}


def test_an_answer_picked_but_not_yet_confirmed_survives_a_reload(page, app_url):
    open_app(page, app_url + "/check/")
    start_check(page)

    page.get_by_label("Under 45").check()
    page.reload()

    expect(page.locator("#check-progress")).to_have_text(f"1 of {FIRST_TOTAL}")
    expect(page.get_by_label("Under 45")).to_be_checked()


def test_none_of_these_cannot_stay_ticked_with_a_sign(page, app_url, published):
    open_app(page, app_url + "/check/")
    start_check(page)
    go_to_screen(page, 4)  # "Do any of these apply to you?": the urgent signs
    none = page.get_by_label("None of these", exact=True)
    fever = page.get_by_label("A high temperature, or feeling hot and shivery")

    none.check()
    fever.check()
    expect(none).not_to_be_checked()
    none.check()

    expect(fever).not_to_be_checked()
    expect(none).to_be_checked()


def test_a_follow_up_question_shows_only_after_the_answer_that_opens_it(page, context, app_url, published):
    open_app(page, app_url + "/check/")
    context.set_offline(True)
    page.goto(app_url + "/check/")
    start_check(page)
    go_to_screen(page, 5)  # the see-a-doctor-soon signs
    page.get_by_label("Pain spreading down one leg, below the knee").check()
    next_screen(page)
    expect(page.locator("legend")).to_have_text("Has the pain down your leg lasted a few weeks without getting better?")
    page.get_by_label("Yes", exact=True).check()

    # Changing the answer that opened it hides it again, and its answer is not kept.
    page.get_by_role("button", name="Back").click()
    page.get_by_label("None of these", exact=True).check()
    next_screen(page)
    expect(page.locator("#question-heading")).to_have_text("Warning signs")
    expect(page.locator("legend")).to_contain_text("unusual vaginal bleeding")
    take_full_check(page)

    [check] = saved_checks(page)
    assert "w_sciatica_weeks" not in check["answers"]
    assert check["answers"]["w_soon"] == ["none"]
    assert check["outcome"]["urgency"] == "self_care"
