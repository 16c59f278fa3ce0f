"""The app as a phone gets it from a production server: gunicorn with DEBUG off, our
scripts hashed, compressed and served without their comments (quiz/storage.py). Every
other browser test runs the sources through Django's development server; this one runs
what collectstatic made, online and then offline, in Chromium."""

import json
import os
import re
from pathlib import Path

import pytest
from gunicorn_helpers import prepared_database, production_environment, request, running_server
from playwright.sync_api import expect
from steps import open_app, start_check, take_full_check

pytestmark = [pytest.mark.browser, pytest.mark.gunicorn]

SOURCES = Path(__file__).resolve().parents[2] / "static" / "js"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("production-static")
    # Plain HTTP on loopback (a secure context to the browser): no TLS proxy to redirect for.
    env = production_environment(STATIC_ROOT=str(workdir / "static"), SECURE_SSL_REDIRECT="false")
    with (
        prepared_database(f"backcare_production_static_{os.getpid()}", env) as url,
        running_server(env, workdir / "server", database_url=url) as running,
    ):
        yield running


def precached_scripts(server) -> list[str]:
    worker = request(server, "/serviceworker.js", https=False).body.decode()
    start = worker.index("[", worker.index("PRECACHE_URLS ="))
    return [url for url in json.loads(worker[start : worker.index("]", start) + 1]) if url.startswith("/static/js/")]


def test_our_scripts_are_served_without_their_comments(server):
    for url in precached_scripts(server):
        served = request(server, url, https=False).body.decode()
        source = (SOURCES / re.sub(r"\.[0-9a-f]{12}\.js$", ".js", url.rsplit("/", 1)[1])).read_text()
        assert "/**" in source or "//" in source, url  # each of ours explains itself …
        assert "/**" not in served and not re.search(r"(?m)^\s*//", served), url  # … to its readers only
        assert len(served) < len(source), url


def test_a_whole_check_runs_online_and_offline_on_the_served_scripts(server, browser):
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    open_app(page, server.base_url + "/check/")
    start_check(page)
    take_full_check(page)

    context.set_offline(True)
    page.goto(server.base_url + "/check/")
    start_check(page)
    offline_uuid = take_full_check(page)
    page.goto(server.base_url + "/history/")
    expect(page.locator("#history-list li")).to_have_count(2)
    expect(page.locator(f'.history-item[data-uuid="{offline_uuid}"]')).to_contain_text("Waiting to sync")
    assert errors == []
    context.close()
