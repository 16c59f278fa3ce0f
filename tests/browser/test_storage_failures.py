"""Storage that fails under the app: the browser closes the database under a running page,
or the origin's quota is full. A finished check's result is never withheld; what is kept
on the phone, what reaches the server and what the person reads are checked.

DevTools does to the phone what the browser does on its own: `Storage.clearDataForOrigin`
for IndexedDB force-closes every open connection (as iOS Safari does under memory
pressure), `Storage.overrideQuotaForOrigin` leaves no room for one more check.
"""

import pytest
from playwright.sync_api import expect
from steps import go_to_screen, open_app, saved_checks, start_check, take_full_check, wait_until_resolves_true

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
