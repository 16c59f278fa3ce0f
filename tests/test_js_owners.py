"""One owner per concern in the front end: each name is spelled in one module.

A second spelling of a database, store, channel or URL is how two modules drift apart
(one renamed, the other still writing the old store), so the spelling itself is held.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
JS_DIR = BASE / "static" / "js"
# The service worker is a template that starts static/js/service-worker.js; both are read.
SCRIPTS = [*sorted(JS_DIR.glob("*.js")), BASE / "templates" / "serviceworker.js"]

# Each name as a string literal (comments may mention it), and the module that owns it.
OWNED_NAMES = {
    "backcare": "outbox.js",  # the IndexedDB database
    "checks": "outbox.js",  # its store of finished checks
    "device": "outbox.js",  # its store of the device's own records
    "backcare-outbox": "outbox.js",  # the BroadcastChannel announcing changes
    "/api/content/": "content.js",  # the content bundle
    "backcare-content-versions": "content.js",  # the cache of published versions
    # The follow-through's device records, on the one list of them (FOLLOW_THROUGH_RECORDS).
    "follow-up": "outbox.js",  # the follow-up check chosen
    "episode": "outbox.js",  # when this episode began
    "activities": "outbox.js",  # the everyday activities named
    "plan": "outbox.js",  # My plan
}


def literal_spellings(name: str) -> list[str]:
    """Every script in which `name` opens a string literal ("…", '…' or `…`), once per hit."""
    pattern = re.compile(r"[\"'`]" + re.escape(name) + r"(?=[\"'`$])")
    hits = []
    for path in SCRIPTS:
        hits += [path.name] * len(pattern.findall(path.read_text(encoding="utf-8")))
    return hits


@pytest.mark.parametrize("name", OWNED_NAMES)
def test_each_storage_name_and_the_content_url_are_spelled_in_one_module_only(name):
    assert literal_spellings(name) == [OWNED_NAMES[name]]


def test_only_the_outbox_opens_indexeddb():
    openers = [path.name for path in SCRIPTS if "indexedDB." in path.read_text(encoding="utf-8")]

    assert openers == ["outbox.js"]


def test_only_i18n_reaches_for_djangos_catalogue():
    readers = [path.name for path in SCRIPTS if re.search(r"globalThis\b", path.read_text(encoding="utf-8"))]

    assert readers == ["i18n.js"]


def test_the_sync_engine_holds_no_page_code():
    engine = (JS_DIR / "sync.js").read_text(encoding="utf-8")

    assert re.findall(r"\b(document|window)\b", engine) == []


def test_only_dates_turns_a_date_into_words():
    # A second formatter is how one page goes back to the browser's locale (12/6/2026).
    pattern = re.compile(r"toLocale(?:Date|Time)?String|Intl\.DateTimeFormat")
    formatters = [path.name for path in SCRIPTS if pattern.search(path.read_text(encoding="utf-8"))]

    assert formatters == ["dates.js"]
