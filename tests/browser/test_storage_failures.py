"""Storage that fails under the app: the browser closes the database under a running page,
or the origin's quota is full. A finished check's result is never withheld; what is kept
on the phone, what reaches the server and what the person reads are checked.

DevTools does to the phone what the browser does on its own: `Storage.clearDataForOrigin`
for IndexedDB force-closes every open connection (as iOS Safari does under memory
pressure), `Storage.overrideQuotaForOrigin` leaves no room for one more check.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from steps import (
    go_to_screen,
    open_app,
    saved_checks,
    start_check,
    take_check_with,
    take_full_check,
    wait_until_resolves_true,
    warning_signs,
)

from quiz.models import Result

pytestmark = pytest.mark.browser

RESULTS_API = "**/api/results/"
SYNC_TIMEOUT_MS = 20_000
# Resolves true once every check saved on the phone is synced.
ALL_SYNCED = (
    "() => import('/static/js/outbox.js').then((o) => o.allChecks())"
    ".then((checks) => checks.length > 0 && checks.every((check) => check.sync.state === 'synced'))"
)


def devtools(page):
    """A DevTools session on the page (the Storage domain answers there), detached after
    use: a page session left open stops offline emulation reaching later pages."""
    return page.context.new_cdp_session(page)


def close_the_database_under_the_page(page, origin: str) -> None:
    session = devtools(page)
    session.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "indexeddb"})
    session.detach()


def stored(uuid: str) -> int:
    return Result.objects.filter(uuid=uuid).count()


def test_it_saves_a_check_finished_after_the_browser_closed_the_database_and_syncs_it_once(page, app_url):
    open_app(page, app_url + "/check/")
    start_check(page)
    go_to_screen(page, 3)
    # The page holds its open connection (sync status read it at load): the browser closes it.
    wait_until_resolves_true(page, "() => import('/static/js/outbox.js').then((o) => o.allChecks()).then(() => true)")

    close_the_database_under_the_page(page, app_url)
    uuid = take_full_check(page)

    assert [check["uuid"] for check in saved_checks(page)] == [uuid]
    expect(page.locator("#result-unsaved")).to_have_count(0)
    wait_until_resolves_true(page, ALL_SYNCED)
    assert stored(uuid) == 1
    assert Result.objects.count() == 1


@pytest.fixture
def profile(transactional_db, server_in_flight, browser_type, browser_type_launch_args, tmp_path):
    """Returns launch(): the browser started (again) on one profile kept on disk. Each
    launch starts a fresh IndexedDB backend, which reads the origin's quota anew (a
    running one trusts the space it was told about for 30 s). Closed before the server."""
    contexts = []

    def launch():
        context = browser_type.launch_persistent_context(str(tmp_path / "profile"), **browser_type_launch_args)
        contexts.append(context)
        return context

    yield launch
    for context in contexts:
        context.close()


def refuse_results(context) -> None:
    """The server answers 500 to every sync, so saved checks stay waiting."""
    context.route(RESULTS_API, lambda route: route.fulfill(status=500, body="{}"))


def test_it_shows_the_result_of_a_check_the_full_storage_could_not_keep_and_offers_what_still_works(profile, app_url):
    # An earlier check, saved and waiting to sync.
    context = profile()
    refuse_results(context)
    page = context.pages[0]
    open_app(page, app_url + "/check/")
    start_check(page)
    earlier = take_full_check(page)
    context.close()

    # The phone again, its storage full: the quota shrunk below what BackCare already uses.
    context = profile()
    refuse_results(context)
    page = context.pages[0]
    quota = context.new_cdp_session(page)  # kept open: Chromium drops the override on detach
    quota.send("Storage.overrideQuotaForOrigin", {"origin": app_url, "quotaSize": 1})
    page.goto(app_url + "/check/")
    start_check(page)
    uuid = take_full_check(page)

    expect(page.locator("#result-urgency h2")).to_have_text("Self-care")
    notice = page.locator("#result-unsaved")
    expect(notice.get_by_role("heading")).to_have_text("This result could not be kept on this device")
    expect(notice).to_contain_text("This device has no storage space left for BackCare.")
    expect(notice.get_by_role("link", name="Show or print a summary")).to_be_visible()
    send = notice.get_by_role("button", name="Send it now")
    expect(send).to_be_visible()
    assert Axe().run(page).response["violations"] == []
    # Nothing already saved is lost; the new check is not in the outbox.
    assert [(check["uuid"], check["sync"]["state"]) for check in saved_checks(page)] == [(earlier, "pending")]

    # The server cannot take it yet: the person is told, and may try again.
    send.click()
    expect(page.locator("#result-send-status")).to_have_text(
        "It could not be sent now. Try again once this device is online."
    )
    expect(send).to_be_enabled()
    assert stored(uuid) == 0

    # The earlier check still syncs (once there is room to mark it synced).
    context.unroute(RESULTS_API)
    quota.send("Storage.overrideQuotaForOrigin", {"origin": app_url})
    wait_until_resolves_true(page, ALL_SYNCED)
    assert stored(earlier) == 1

    send.click()
    expect(page.locator("#result-send-status")).to_have_text(
        "Sent: the BackCare server has this check, without your name. Its copy counts as your record."
    )
    expect(send).to_be_hidden()
    assert stored(uuid) == 1
    assert Result.objects.count() == 2

    # The summary for a clinician shows from this tab's copy.
    notice.get_by_role("link", name="Show or print a summary").click()
    expect(page.locator("#summary-urgency")).to_contain_text("Self-care")
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    quota.detach()


def test_an_emergency_check_the_full_storage_could_not_keep_shows_the_numbers_and_then_its_result(
    profile, app_url, published
):
    context = profile()
    open_app(context.pages[0], app_url + "/check/")
    context.close()
    context = profile()
    page = context.pages[0]
    quota = context.new_cdp_session(page)  # kept open: Chromium drops the override on detach
    quota.send("Storage.overrideQuotaForOrigin", {"origin": app_url, "quotaSize": 1})
    page.goto(app_url + "/check/")
    start_check(page)

    assert take_check_with(page, warning_signs(published.snapshot, "emergency")) == "emergency"

    emergency = page.locator("#check-emergency")
    expect(emergency.get_by_role("link", name="Call 999 or go to A&E")).to_have_attribute("href", "tel:999")
    emergency.get_by_role("link", name="See my result").click()
    expect(page.locator("#result-urgency h2")).to_have_text("Emergency: get help now")
    expect(page.locator("#result-unsaved-reason")).to_have_text("This device has no storage space left for BackCare.")
    assert saved_checks(page) == []
    quota.detach()


SPACE_USED = re.compile(
    r"^BackCare uses [\d.,]+ (kB|MB|GB) on this device, of the [\d.,]+ (kB|MB|GB) the browser allows it\.$"
)
# A phone nearly full, as navigator.storage.estimate() reports it (DevTools' quota
# override reaches IndexedDB and the caches, not the estimate).
NEARLY_FULL = "navigator.storage.estimate = async () => ({ usage: 5 * 1024 * 1024, quota: 5.5 * 1024 * 1024 });"


def test_the_history_says_how_much_space_backcare_uses_with_export_and_delete_at_hand(page, app_url):
    open_app(page, app_url + "/history/")

    expect(page.locator("#storage-use-text")).to_have_text(SPACE_USED)
    expect(page.locator("#storage-low")).to_have_count(0)
    # Playwright's contexts are not granted persistence: the browser may evict, and says so.
    expect(page.locator("#storage-use")).to_contain_text(
        "Your browser may delete saved checks if the device runs low on space."
    )
    expect(page.get_by_role("button", name="Download CSV")).to_be_visible()
    expect(page.get_by_role("button", name="Delete my data")).to_be_visible()


def test_the_history_warns_when_space_runs_out(page, app_url):
    page.add_init_script(NEARLY_FULL)
    open_app(page, app_url + "/history/")

    expect(page.locator("#storage-use-text")).to_have_text(
        "BackCare uses 5 MB on this device, of the 5.5 MB the browser allows it."
    )
    expect(page.locator("#storage-low")).to_have_text(
        "Space is running out: a new check may not be kept. Download your checks below to keep a copy."
    )
