"""Fixtures for the real-browser tests: a live server with published content, and a record
of every request the server receives (to prove nothing reached it while offline).

Teardown order matters on PostgreSQL: pytest-django empties the tables after each test
with TRUNCATE, which deadlocks with a sync the browser is still writing. So every browser
context closes first, then the live server finishes what it was answering, and only then
is the database emptied.
"""

import threading

import pytest
from django.core.signals import request_finished, request_started

SERVER_IDLE_TIMEOUT_S = 10


class RequestsInFlight:
    """The live server's requests between request_started and request_finished."""

    def __init__(self):
        self._count = 0
        self._changed = threading.Condition()

    def started(self, **kwargs):
        with self._changed:
            self._count += 1

    def finished(self, **kwargs):
        with self._changed:
            self._count -= 1
            self._changed.notify_all()

    def wait_until_idle(self, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self._count <= 0, timeout)


@pytest.fixture
def server_in_flight(live_server):
    """Waits, at teardown, until the live server has answered every request it took."""
    in_flight = RequestsInFlight()
    request_started.connect(in_flight.started, weak=False, dispatch_uid="browser-tests-started")
    request_finished.connect(in_flight.finished, weak=False, dispatch_uid="browser-tests-finished")
    yield in_flight
    idle = in_flight.wait_until_idle(SERVER_IDLE_TIMEOUT_S)
    request_started.disconnect(dispatch_uid="browser-tests-started")
    request_finished.disconnect(dispatch_uid="browser-tests-finished")
    assert idle, f"the live server was still answering {SERVER_IDLE_TIMEOUT_S} s after the browser closed"


@pytest.fixture
def new_context(transactional_db, server_in_flight, new_context):
    """pytest-playwright's context factory (behind `context` and `page`), set up after the
    database and the request counter so that its contexts close before them."""
    return new_context


@pytest.fixture
def app_url(live_server, transactional_db, published):
    """The live server's URL, with the shipped content published as version 1."""
    return live_server.url


@pytest.fixture
def server_hits():
    """Paths the live server received, in order (Django's request_started signal)."""
    hits = []

    def record(sender, environ=None, **kwargs):
        if environ is not None:
            hits.append(environ.get("PATH_INFO", ""))

    request_started.connect(record, weak=False)
    yield hits
    request_started.disconnect(record)


@pytest.fixture
def persistent_context(transactional_db, server_in_flight, browser_type, browser_type_launch_args, tmp_path):
    """A non-incognito profile: Chrome reports installability only outside incognito."""
    context = browser_type.launch_persistent_context(str(tmp_path / "profile"), **browser_type_launch_args)
    yield context
    context.close()


@pytest.fixture
def refuse_background_sync(browser):
    """Returns refuse(page): from then on the phone says no to Background Sync, as a browser
    or a person may, so the worker is never woken to sync and every attempt comes from a
    page. Set through a browser-wide DevTools session: a second session on the page itself
    stops Playwright's offline emulation from reaching the pages it loads next (seen:
    `navigator.onLine` true on a page loaded offline, and no `online` event after)."""
    sessions = []

    def refuse(page):
        session = browser.new_browser_cdp_session()
        sessions.append(session)
        targets = session.send("Target.getTargets")["targetInfos"]
        contexts = {t["browserContextId"] for t in targets if t["type"] == "page" and t["url"] == page.url}
        assert len(contexts) == 1, targets
        origin = page.evaluate("location.origin")
        setting = {"permission": {"name": "background-sync"}, "setting": "denied", "origin": origin}
        # The session stays open until the test ends: an override made through a page's
        # session was gone as soon as that session detached.
        session.send("Browser.setPermission", {**setting, "browserContextId": contexts.pop()})
        assert page.evaluate("navigator.permissions.query({name: 'background-sync'}).then((s) => s.state)") == "denied"

    yield refuse
    for session in sessions:
        session.detach()
