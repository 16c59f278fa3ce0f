"""The server fails while the phone is online: a 500 (the database is down), a 503 from a
proxy in front, or no answer at all. The installed app keeps every page it precached, the
content bundle and the whole check working from its cache, and saves the check."""

from urllib.parse import urlparse

import pytest
from django.db import OperationalError
from playwright.sync_api import expect
from steps import PRECACHED_PAGES, open_app, saved_checks, start_check, take_full_check

from quiz import services, views
from quiz.models import Question

pytestmark = pytest.mark.browser


# What the phone gets back from the server, by failure: Django's own 500 page with the
# database gone, a proxy's 503, or nothing (a handler that never answers: a hung server).
FAILURES = {
    "500": lambda route: route.fulfill(status=500, content_type="text/html", body="<h1>Server Error (500)</h1>"),
    "503": lambda route: route.fulfill(
        status=503, content_type="text/html", headers={"Retry-After": "120"}, body="<h1>Service Unavailable</h1>"
    ),
    "no answer": lambda route: None,
}

# What a page the worker never cached shows: the server's own answer, or with none the
# offline page.
NEVER_CACHED_PAGE = {"500": "Server Error (500)", "503": "Service Unavailable", "no answer": "You are offline"}

CURRENT_BUNDLE_VERSION = "() => import('/static/js/content.js').then((c) => c.fetchContent()).then((s) => s.version)"
# The version the controlling worker was built for, asked through its message port.
WORKER_VERSION = """() => new Promise((resolve) => {
  const channel = new MessageChannel();
  channel.port1.onmessage = (event) => resolve(event.data);
  navigator.serviceWorker.controller.postMessage({type: 'VERSION'}, [channel.port2]);
})"""
# The app's own update check (app.js calls it when the page becomes visible), and how it ended.
UPDATE_CHECK = """() => navigator.serviceWorker.getRegistration()
  .then((registration) => registration.update())
  .then(() => 'updated', (error) => `failed: ${error.name}`)"""


def fail_the_server(context, app_url: str, failure: str) -> list[str]:
    """From now on every request to the server gets `failure`; returns the paths it failed."""
    failed = []

    def answer(route):
        failed.append(urlparse(route.request.url).path)
        FAILURES[failure](route)

    context.route(f"{app_url}/**", answer)
    return failed


@pytest.mark.parametrize("failure", FAILURES)
def test_every_precached_page_and_a_whole_check_work_while_the_server_fails(page, context, app_url, failure):
    open_app(page, app_url + "/")
    failed = fail_the_server(context, app_url, failure)

    for path, heading in PRECACHED_PAGES.items():
        page.goto(app_url + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        # The worker asked the server first (fresh pages while it is well), then fell back.
        assert path in failed
    page.goto(app_url + "/emergency/")
    expect(page.get_by_role("link", name="Call 999 or go to A&E")).to_have_attribute("href", "tel:999")
    expect(page.locator("#emergency-signs")).to_contain_text("Chest pain as well as back pain")
    failed.clear()
    assert page.evaluate(CURRENT_BUNDLE_VERSION) == 1
    assert "/api/content/" in failed

    page.goto(app_url + "/check/")
    start_check(page)
    uuid = take_full_check(page)

    expect(page.locator("#result-urgency")).to_contain_text("Self-care")
    [check] = saved_checks(page)
    assert check["uuid"] == uuid
    assert check["content_version"] == 1
    assert check["outcome"]["urgency"] == "self_care"
    assert check["sync"]["state"] == "pending"
    page.goto(app_url + "/history/")
    expect(page.locator(f'.history-item[data-uuid="{uuid}"]')).to_contain_text("Waiting to sync")
    page.goto(app_url + "/no-such-page/")
    expect(page.get_by_role("heading", level=1)).to_have_text(NEVER_CACHED_PAGE[failure])


def test_a_worker_script_answering_500_leaves_the_installed_worker_in_control(
    page, app_url, published, monkeypatch, server_hits
):
    open_app(page, app_url + "/")
    installed = page.evaluate(WORKER_VERSION)
    # A new version makes new worker bytes: the browser would install them, had it got them.
    Question.objects.filter(key="w_urgent").update(text="Do any of these apply to you today? (reworded)")
    services.content_publish()

    def database_gone():
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    # The browser fetches the worker script itself, out of Playwright's reach: the live
    # server fails it, as the view does when the database is gone.
    monkeypatch.setattr(views, "render_service_worker", database_gone)
    server_hits.clear()

    assert page.evaluate(UPDATE_CHECK) == "failed: TypeError"
    assert "/serviceworker.js" in server_hits
    for path, heading in PRECACHED_PAGES.items():
        page.goto(app_url + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert page.evaluate(WORKER_VERSION) == installed
    # The update banner offers nothing it could not install.
    expect(page.locator("#update-banner")).to_be_hidden()
    page.goto(app_url + "/check/")
    start_check(page)
    uuid = take_full_check(page)
    assert [check["uuid"] for check in saved_checks(page)] == [uuid]

    # Once the script answers again, the next update check brings the new version.
    monkeypatch.undo()
    assert page.evaluate(UPDATE_CHECK) == "updated"
    expect(page.get_by_role("button", name="Reload")).to_be_visible()
