"""Server-rendered pages and the web app manifest."""

import builtins
import json
import os
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from quiz import services
from quiz.i18n import catalogue_urls
from quiz.models import Tip


def test_it_serves_the_home_page_with_the_disclaimer(client, published):
    response = client.get("/")

    assert response.status_code == 200
    assert "BackCare is not a diagnosis." in response.content.decode()


def test_it_serves_a_manifest_that_makes_the_app_installable(client):
    response = client.get("/manifest.json")

    manifest = json.loads(response.content)
    assert response.status_code == 200
    assert manifest["name"] == "BackCare"
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"] if icon["purpose"] == "any"}
    assert any(icon["purpose"] == "maskable" for icon in manifest["icons"])


def test_the_manifest_names_an_id_shortcuts_and_a_narrow_screenshot(client):
    manifest = json.loads(client.get("/manifest.json").content)

    assert manifest["id"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["lang"] == "en"
    assert {shortcut["url"] for shortcut in manifest["shortcuts"]} == {"/check/", "/tips/"}
    assert all(shortcut["icons"] for shortcut in manifest["shortcuts"])
    narrow = [shot for shot in manifest["screenshots"] if shot["form_factor"] == "narrow"]
    assert narrow and narrow[0]["src"].startswith("/static/screenshots/")


def test_every_file_the_manifest_names_exists(client):
    manifest = json.loads(client.get("/manifest.json").content)
    sources = [icon["src"] for icon in manifest["icons"]] + [shot["src"] for shot in manifest["screenshots"]]

    for source in sources:
        assert finders.find(source.removeprefix("/static/")), source


@pytest.mark.parametrize(
    "url", ["/", "/check/", "/result/", "/history/", "/emergency/", "/offline/", "/tips/", "/offline/tips/"]
)
def test_every_page_is_served_with_the_app_scripts(client, published, url):
    response = client.get(url)

    assert response.status_code == 200
    assert re.search(rb'src="/jsi18n/en/[0-9a-f]{12}\.js"', response.content)
    assert b'type="module" src="/static/js/app.js"' in response.content


def test_no_page_has_inline_scripts_or_styles(client, published):
    urls = ["/", "/check/", "/result/", "/history/", "/emergency/", "/tips/", "/tips/posture_breaks/", "/offline/tips/"]
    for url in urls:
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert " style=" not in html and "<style" not in html, url
        assert not re.search(r"\son[a-z]+=", html), url


def test_the_emergency_page_shows_the_published_numbers(client, published):
    html = client.get("/emergency/").content.decode()

    assert 'href="tel:999"' in html
    assert "Call NHS 111 or your GP practice today" in html
    # Where a number is shown on its own, it is a link a phone can call too.
    assert '<a class="number" href="tel:999">999</a>' in html
    assert '<a class="number" href="tel:111">111</a>' in html


def test_tip_pages_render_the_published_snapshot_not_the_working_copy(client, published):
    Tip.objects.filter(key="walk_daily").update(title="Unpublished title")

    category = client.get("/tips/exercise/").content.decode()
    tip = client.get("/tips/exercise/walk_daily/").content.decode()

    assert "Unpublished title" not in category + tip
    assert next(t for t in published.snapshot["tips"] if t["key"] == "walk_daily")["title"] in tip


@pytest.mark.parametrize(
    "path", ["/tips/no_such_category/", "/tips/exercise/no_such_tip/", "/tips/heavy_loads/walk_daily/"]
)
def test_unknown_tip_categories_and_tips_are_not_found(client, published, path):
    response = client.get(path)

    assert response.status_code == 404
    assert b"Not Found" in response.content


ARTICLE = "the article “Why does my back ache when I do exercise or walk too much?”"


def test_a_tip_page_names_where_its_words_come_from_in_words(client, published):
    html = client.get("/tips/exercise/keep_moving_gently/").content.decode()
    paragraph_only = client.get("/tips/exercise/walk_daily/").content.decode()
    note_only = client.get("/tips/see_doctor/not_improving/").content.decode()

    assert f"Source: {ARTICLE}; NHS back pain; NICE NG59</p>" in html
    assert f"Source: {ARTICLE}</p>" in paragraph_only
    assert "Source: NHS back pain; NICE NG59</p>" in note_only
    # A reader never sees the document: no paragraph number of it.
    assert "paragraph" not in html + paragraph_only


def test_a_tip_card_leads_with_the_first_sentence_and_its_page_holds_the_whole_tip(client, published):
    tip = next(tip for tip in published.snapshot["tips"] if tip["key"] == "walk_daily")
    first, rest = tip["body"].split(". ", 1)

    card = client.get("/tips/exercise/").content.decode()
    page = client.get("/tips/exercise/walk_daily/").content.decode()

    assert f"<p>{first}.</p>" in card
    assert rest not in card
    assert tip["body"] in page


def test_the_tips_shell_is_a_page_with_an_empty_main_and_the_break_timer_held_back(client, published):
    html = client.get("/offline/tips/").content.decode()
    main = html[html.index('<main id="main"') : html.index("</main>")]

    # static/js/tips-view.js fills the main region offline; the timer shows on one category.
    assert '<script type="module" src="/static/js/tips-view.js"></script>' in html
    assert '<p id="tips-view-status" role="status">Loading the tips…</p>' in main
    assert 'aria-labelledby="timer-heading" data-category="posture_breaks" hidden>' in main
    assert "<h1" not in main and "card-list" not in main


def test_only_the_posture_breaks_category_has_the_break_timer(client, published):
    assert b'id="break-timer"' in client.get("/tips/posture_breaks/").content
    assert b'id="break-timer"' not in client.get("/tips/exercise/").content


def test_tip_pages_escape_admin_entered_markup(client, published):
    Tip.objects.filter(key="walk_daily").update(body='<img src=x onerror="alert(1)">')
    services.content_publish()

    html = client.get("/tips/exercise/walk_daily/").content.decode()

    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=" in html


def test_the_service_worker_is_served_from_the_root_without_caching(client, published):
    response = client.get("/serviceworker.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/"


def test_the_service_worker_precaches_the_pages_the_tips_shell_every_asset_and_the_content_bundle(client, published):
    body = client.get("/serviceworker.js").content.decode()
    precache = json.loads(re.search(r"const PRECACHE_URLS = (\[.*?\]);", body).group(1))

    pages = json.loads(re.search(r"const PAGE_URLS = (\[.*?\]);", body).group(1))
    expected_pages = ["/", "/check/", "/result/", "/history/", "/emergency/", "/offline/", "/tips/", "/offline/tips/"]
    assert pages == [*expected_pages, "/manifest.json"]
    assert set(pages) <= set(precache)
    catalogues = json.loads(re.search(r"const CATALOGUES = (\{.*?\});", body).group(1))
    assert catalogues == dict(zip(["en", "zh-hans"], catalogue_urls(), strict=True))
    # Tip category and tip pages come from the tips shell offline, not one by one.
    assert [url for url in precache if url.startswith("/tips/") and url != "/tips/"] == []
    assert '"/offline/tips/"' in body and "/static/js/tips-view.js" in precache
    assert {"/api/content/", "/manifest.json", "/static/css/app.css", "/static/js/quiz.js"} <= set(precache)
    assert "/static/icons/icon-192.png" in precache
    assert not [url for url in precache if "admin" in url]  # a phone never opens the admin
    for url in precache:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url
        else:
            assert client.get(url).status_code == 200, url


def test_the_service_worker_reads_the_static_files_again_only_when_one_has_changed(client, published, monkeypatch):
    opened = []

    def counting_open(path, *args, **kwargs):
        opened.append(path)
        return builtins.open(path, *args, **kwargs)

    # The worker's module reads the files with the builtin open: count what it opens.
    monkeypatch.setattr("quiz.serviceworker.open", counting_open, raising=False)
    first = client.get("/serviceworker.js").content
    opened.clear()

    again = client.get("/serviceworker.js").content
    assert opened == []
    assert again == first

    stylesheet = finders.find("css/app.css")
    times = os.stat(stylesheet)
    try:
        os.utime(stylesheet, ns=(times.st_atime_ns, times.st_mtime_ns + 1_000_000_000))
        client.get("/serviceworker.js")
    finally:
        os.utime(stylesheet, ns=(times.st_atime_ns, times.st_mtime_ns))
    assert stylesheet in opened


def _cache_version(worker: bytes) -> bytes:
    return re.search(rb'CACHE_VERSION = "([^"]+)"', worker).group(1)


def test_the_service_worker_changes_when_its_logic_module_changes(client, published, monkeypatch, tmp_path):
    """The logic is a static module the worker imports: browsers only install a new worker
    when /serviceworker.js's bytes change, so the module's bytes must be in its version."""
    logic = tmp_path / "service-worker.js"
    logic.write_bytes(Path(finders.find("js/service-worker.js")).read_bytes())
    find = finders.find
    monkeypatch.setattr(
        finders, "find", lambda path, **kw: str(logic) if path == "js/service-worker.js" else find(path, **kw)
    )
    before = client.get("/serviceworker.js").content

    logic.write_text(logic.read_text(encoding="utf-8") + "\n// a changed decision\n", encoding="utf-8")
    after = client.get("/serviceworker.js").content

    assert b'import { startServiceWorker } from "/static/js/service-worker.js";' in before
    # The browser keeps a worker's modules with the worker: no copy in the precache.
    assert b'"/static/js/service-worker.js"' not in re.search(rb"const PRECACHE_URLS = (\[.*?\]);", before).group(1)
    assert _cache_version(before) != _cache_version(after)


def test_the_service_worker_changes_when_a_new_version_is_published(client, published):
    before = client.get("/serviceworker.js").content
    Tip.objects.filter(key="walk_daily").update(title="Walk a little every day")
    services.content_publish()

    after = client.get("/serviceworker.js").content

    assert b"const CONTENT_VERSION = 1;" in before
    assert b"const CONTENT_VERSION = 2;" in after
    assert re.search(rb'CACHE_VERSION = "([^"]+)"', before).group(1) != re.search(
        rb'CACHE_VERSION = "([^"]+)"', after
    ).group(1)


def test_the_javascript_catalogue_is_served_for_offline_translation(client):
    response = client.get(catalogue_urls()[0])

    assert response.status_code == 200
    assert b"gettext" in response.content
